"""The Gaussian density in one and many dimensions (chapters 1 and 2).

The multivariate log-density is evaluated through the Cholesky factor of the precision
matrix, ``Lambda = U U^T`` (eq. 2.3): with ``y = (x - mu)^T U`` the Mahalanobis distance is
``|y|^2`` (eq. 2.2) and ``log det Lambda = 2 sum_i log U_ii``. No explicit inverse and no
determinant is ever formed, which keeps the computation stable for ill-conditioned
covariances and for points far in the tails.
"""

from __future__ import annotations

import numpy as np
from scipy import linalg

from ._validation import check_array

__all__ = [
    "LOG_2PI",
    "fit_gaussian_1d",
    "log_likelihood_1d",
    "log_pdf",
    "log_pdf_1d",
    "mahalanobis",
    "precision_cholesky",
]

LOG_2PI = float(np.log(2.0 * np.pi))


def log_pdf_1d(x: np.ndarray | float, mean: float, std: float) -> np.ndarray:
    """Log-density of the 1-D Gaussian :math:`\\mathcal N(x \\mid \\mu, \\sigma^2)` (eq. 1.1).

    Parameters
    ----------
    x : float or array-like
        Points at which to evaluate the log-density.
    mean : float
        The mean :math:`\\mu`.
    std : float
        The standard deviation :math:`\\sigma > 0`.

    Returns
    -------
    ndarray
        :math:`-\\tfrac12\\log(2\\pi) - \\log\\sigma - \\tfrac12((x-\\mu)/\\sigma)^2`,
        same shape as ``x``.

    Examples
    --------
    >>> float(log_pdf_1d(0.0, 0.0, 1.0))  # -log(sqrt(2 pi))
    -0.9189385332046727
    """
    if not np.isfinite(std) or std <= 0:
        raise ValueError(f"std must be a positive finite number, got {std!r}.")
    if not np.isfinite(mean):
        raise ValueError(f"mean must be finite, got {mean!r}.")
    z = (np.asarray(x, dtype=np.float64) - mean) / std
    return -0.5 * LOG_2PI - np.log(std) - 0.5 * z * z


def log_likelihood_1d(x: np.ndarray, mean: float, std: float) -> float:
    """Log-likelihood :math:`\\sum_n \\log \\mathcal N(x_n \\mid \\mu, \\sigma^2)` (eq. 1.2).

    Parameters
    ----------
    x : array-like of shape (n_samples,)
        The data points.
    mean, std : float
        The Gaussian's mean ``mu`` and standard deviation ``sigma > 0``.

    Returns
    -------
    float
        The sum of :func:`log_pdf_1d` over the points.

    Raises
    ------
    ValueError
        If ``x`` has several columns, or ``std`` is not positive.

    Examples
    --------
    >>> x = np.array([0.0, 1.0, 2.0])
    >>> print(f"{log_likelihood_1d(x, mean=1.0, std=1.0):.6f}")
    -3.756816
    >>> print(f"{-1.5 * np.log(2 * np.pi) - 0.5 * (1 + 0 + 1):.6f}")  # by hand
    -3.756816
    """
    x = _check_1d(x)
    return float(np.sum(log_pdf_1d(x, mean, std)))


def fit_gaussian_1d(x: np.ndarray) -> tuple[float, float]:
    """Maximum-likelihood mean and standard deviation of 1-D data (eqs. 1.3 and 1.4).

    The MLE of the variance divides by ``n``, not ``n - 1``: it is biased, and it is what
    maximizes the likelihood.

    Parameters
    ----------
    x : array-like of shape (n_samples,)

    Returns
    -------
    mean, std : float

    Examples
    --------
    >>> fit_gaussian_1d([1.0, 2.0, 3.0])
    (2.0, 0.816496580927726)
    """
    x = _check_1d(x)
    mean = float(np.mean(x))
    # Centre first: the two-pass form does not lose digits when |mean| >> std.
    std = float(np.sqrt(np.mean((x - mean) ** 2)))
    return mean, std


def _check_1d(x: np.ndarray) -> np.ndarray:
    """1-D data as a flat float array: shape (n,) or (n, 1), never several columns pooled."""
    x = check_array(x, name="x", allow_1d=True)
    if x.ndim == 2 and x.shape[1] != 1:
        raise ValueError(
            f"x must be 1-D data of shape (n_samples,) or (n_samples, 1), got shape {x.shape}: "
            "pass one column at a time."
        )
    return x.ravel()


def precision_cholesky(covariance: np.ndarray) -> np.ndarray:
    """Upper-triangular factor ``U`` with ``Sigma^{-1} = U U^T`` (eq. 2.3).

    With ``Sigma = L L^T`` (lower Cholesky factor), ``U = L^{-T}``, obtained by a triangular
    solve rather than by inverting ``Sigma``.

    Raises
    ------
    ValueError
        If ``covariance`` is not square, not symmetric, or not positive definite.

    Examples
    --------
    >>> cov = np.array([[4.0, 2.0], [2.0, 3.0]])
    >>> U = precision_cholesky(cov)
    >>> bool(np.allclose(U @ U.T, np.linalg.inv(cov))), bool(np.allclose(U, np.triu(U)))
    (True, True)
    """
    cov = np.asarray(covariance, dtype=np.float64)
    if cov.ndim != 2 or cov.shape[0] != cov.shape[1]:
        raise ValueError(f"A covariance matrix must be square, got shape {cov.shape}.")
    if not np.isfinite(cov).all():
        raise ValueError("The covariance matrix contains NaN or infinite values.")
    if not np.allclose(cov, cov.T, rtol=1e-10, atol=1e-12 * np.abs(cov).max()):
        raise ValueError("The covariance matrix must be symmetric.")
    try:
        chol = linalg.cholesky(cov, lower=True)
    except linalg.LinAlgError as exc:
        raise ValueError(
            "The covariance matrix is not positive definite (its Cholesky factorization "
            "failed). Add a small value to its diagonal."
        ) from exc
    return linalg.solve_triangular(chol, np.eye(cov.shape[0]), lower=True).T


def mahalanobis(X: np.ndarray, mean: np.ndarray, covariance: np.ndarray) -> np.ndarray:
    """Mahalanobis distance :math:`\\sqrt{(x-\\mu)^T\\Sigma^{-1}(x-\\mu)}` of each row (eq. 2.2).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    mean : array-like of shape (n_features,)
    covariance : array-like of shape (n_features, n_features)
        Symmetric positive definite.

    Returns
    -------
    ndarray of shape (n_samples,)
        The distance ``|(x - mu)^T U|`` of each row, with ``U`` from :func:`precision_cholesky`.

    Raises
    ------
    ValueError
        If the shapes disagree or ``covariance`` is not symmetric positive definite.

    Examples
    --------
    A point one standard deviation from the mean along either axis is at distance 1:

    >>> X = np.array([[1.0, 0.0], [0.0, 2.0]])
    >>> mahalanobis(X, mean=np.zeros(2), covariance=np.diag([1.0, 4.0]))
    array([1., 1.])
    """
    X, mean, U = _check_gaussian(X, mean, covariance)
    y = (X - mean) @ U
    return np.sqrt(np.einsum("ij,ij->i", y, y))


def log_pdf(X: np.ndarray, mean: np.ndarray, covariance: np.ndarray) -> np.ndarray:
    """Log-density of the multivariate Gaussian at every row of X (eqs. 2.1 and 2.3).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    mean : array-like of shape (n_features,)
    covariance : array-like of shape (n_features, n_features)
        Symmetric positive definite.

    Returns
    -------
    ndarray of shape (n_samples,)

    Examples
    --------
    >>> X = np.array([[0.0, 0.0], [1.0, -1.0]])
    >>> np.round(log_pdf(X, np.zeros(2), [[2.0, 0.5], [0.5, 1.0]]), 6)
    array([-2.117685, -3.260542])
    """
    X, mean, U = _check_gaussian(X, mean, covariance)
    y = (X - mean) @ U
    log_det_precision = 2.0 * np.sum(np.log(np.diag(U)))
    d = X.shape[1]
    return -0.5 * (d * LOG_2PI + np.einsum("ij,ij->i", y, y)) + 0.5 * log_det_precision


def _check_gaussian(
    X: np.ndarray, mean: np.ndarray, covariance: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    mean = np.asarray(mean, dtype=np.float64)
    if mean.ndim != 1:
        raise ValueError(f"mean must be 1-D of shape (n_features,), got shape {mean.shape}.")
    X = check_array(X, n_features=mean.shape[0])
    cov = np.asarray(covariance, dtype=np.float64)
    if cov.shape != (mean.shape[0], mean.shape[0]):
        raise ValueError(
            f"covariance must have shape {(mean.shape[0], mean.shape[0])} to match the mean, "
            f"got {cov.shape}."
        )
    return X, mean, precision_cholesky(cov)
