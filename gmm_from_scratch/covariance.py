"""The four covariance types and the conversions between their parametrizations (chapter 9).

Shapes, for ``K`` components in ``d`` dimensions:

=============  =====================  ==========================================
type           ``covariances_``       meaning
=============  =====================  ==========================================
``full``       ``(K, d, d)``          each component has its own matrix
``tied``       ``(d, d)``             all components share one matrix
``diag``       ``(K, d)``             each component has its own diagonal
``spherical``  ``(K,)``               each component has one variance
=============  =====================  ==========================================

``precisions_cholesky_`` has the same shape: for ``full`` and ``tied`` an upper-triangular
``U`` with ``Lambda = U U^T`` (eq. 2.3); for ``diag`` and ``spherical`` the inverse standard
deviations ``1 / sigma``.
"""

from __future__ import annotations

import numpy as np
from scipy import linalg

__all__ = [
    "COVARIANCE_TYPES",
    "DegenerateCovarianceError",
    "check_precisions",
    "covariance_shape",
    "covariances_from_precisions_cholesky",
    "log_det_precision_cholesky",
    "n_parameters",
    "precisions_cholesky_from_covariances",
    "precisions_cholesky_from_precisions",
    "precisions_from_cholesky",
]

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")


class DegenerateCovarianceError(ValueError):
    """A component's covariance is singular, typically because it collapsed onto few points.

    A subclass of :class:`ValueError`. Raised by :func:`precisions_cholesky_from_covariances`
    (and so by ``fit``) with a message that suggests increasing ``reg_covar`` (eq. 7.4).
    """


_DEGENERATE_MESSAGE = (
    "Fitting the mixture failed because component covariances became singular: a component "
    "collapsed onto a single point or a lower-dimensional subset of the data (duplicated "
    "points, or a constant feature). Increase reg_covar (e.g. to 1e-3 for standardized data), "
    "use fewer components, remove duplicated points or constant features, or standardize X."
)


def check_covariance_type(covariance_type: str) -> str:
    """Return ``covariance_type`` if it is in :data:`COVARIANCE_TYPES`, else raise ValueError."""
    if covariance_type not in COVARIANCE_TYPES:
        raise ValueError(
            f"covariance_type must be one of {COVARIANCE_TYPES}, got {covariance_type!r}."
        )
    return covariance_type


def covariance_shape(covariance_type: str, n_components: int, n_features: int) -> tuple[int, ...]:
    """Shape of ``covariances_`` (and of ``precisions_``) for a covariance type.

    Examples
    --------
    >>> covariance_shape("full", 3, 2), covariance_shape("tied", 3, 2)
    ((3, 2, 2), (2, 2))
    >>> covariance_shape("diag", 3, 2), covariance_shape("spherical", 3, 2)
    ((3, 2), (3,))
    """
    return {
        "full": (n_components, n_features, n_features),
        "tied": (n_features, n_features),
        "diag": (n_components, n_features),
        "spherical": (n_components,),
    }[check_covariance_type(covariance_type)]


def n_parameters(n_components: int, n_features: int, covariance_type: str) -> int:
    """Number of free parameters of a mixture (eq. 9.5).

    ``K - 1`` weights, ``K d`` means, and the covariance parameters:
    ``K d(d+1)/2`` (full), ``d(d+1)/2`` (tied), ``K d`` (diag) or ``K`` (spherical).

    Examples
    --------
    >>> n_parameters(3, 2, "full")
    17
    """
    K, d = n_components, n_features
    cov = {
        "full": K * d * (d + 1) // 2,
        "tied": d * (d + 1) // 2,
        "diag": K * d,
        "spherical": K,
    }[check_covariance_type(covariance_type)]
    return int(cov + K * d + K - 1)


def precisions_cholesky_from_covariances(
    covariances: np.ndarray, covariance_type: str
) -> np.ndarray:
    """Cholesky factors of the precisions, computed from covariances without inverting them.

    Parameters
    ----------
    covariances : ndarray, shaped as :func:`covariance_shape` says
    covariance_type : {'full', 'tied', 'diag', 'spherical'}

    Returns
    -------
    ndarray of the same shape
        For ``full`` and ``tied`` the upper-triangular ``U`` with ``Sigma^{-1} = U U^T``
        (eq. 2.3); for ``diag`` and ``spherical`` the inverse standard deviations ``1 / sigma``.

    Raises
    ------
    DegenerateCovarianceError
        If a covariance is not positive definite.

    Examples
    --------
    >>> covs = np.array([[[4.0, 2.0], [2.0, 3.0]], [[1.0, 0.0], [0.0, 0.25]]])
    >>> U = precisions_cholesky_from_covariances(covs, "full")
    >>> bool(np.allclose(U @ U.transpose(0, 2, 1), np.linalg.inv(covs)))
    True
    >>> precisions_cholesky_from_covariances(np.array([4.0, 0.25]), "spherical")
    array([0.5, 2. ])
    >>> try:
    ...     precisions_cholesky_from_covariances(np.ones((1, 2, 2)), "full")
    ... except DegenerateCovarianceError as exc:
    ...     print(type(exc).__name__)
    DegenerateCovarianceError
    """
    if covariance_type in ("full", "tied"):
        covs = covariances[None] if covariance_type == "tied" else covariances
        out = np.empty_like(covs)
        eye = np.eye(covs.shape[-1])
        for k, cov in enumerate(covs):
            try:
                chol = linalg.cholesky(cov, lower=True)
            except linalg.LinAlgError:
                raise DegenerateCovarianceError(_DEGENERATE_MESSAGE) from None
            out[k] = linalg.solve_triangular(chol, eye, lower=True).T
        return out[0] if covariance_type == "tied" else out
    if np.any(covariances <= 0.0) or not np.all(np.isfinite(covariances)):
        raise DegenerateCovarianceError(_DEGENERATE_MESSAGE)
    return 1.0 / np.sqrt(covariances)


def precisions_cholesky_from_precisions(precisions: np.ndarray, covariance_type: str) -> np.ndarray:
    """Cholesky factors from user-given precisions (for ``precisions_init``).

    For ``full`` and ``tied`` the factor is the lower Cholesky factor of the precision (as in
    scikit-learn), not the upper one :func:`precisions_cholesky_from_covariances` gives: both
    satisfy ``Lambda = U U^T``, which is all the log-density needs.

    Examples
    --------
    >>> precisions = np.linalg.inv([[[4.0, 2.0], [2.0, 3.0]]])
    >>> U = precisions_cholesky_from_precisions(precisions, "full")
    >>> bool(np.allclose(U @ U.transpose(0, 2, 1), precisions))
    True
    """
    if covariance_type == "full":
        return np.stack([linalg.cholesky(p, lower=True) for p in precisions])
    if covariance_type == "tied":
        return linalg.cholesky(precisions, lower=True)
    return np.sqrt(precisions)


def precisions_from_cholesky(precisions_cholesky: np.ndarray, covariance_type: str) -> np.ndarray:
    """Precisions ``Lambda = U U^T`` (or ``1/sigma^2``) from their Cholesky factors.

    Examples
    --------
    >>> precisions_from_cholesky(np.array([0.5, 2.0]), "spherical")
    array([0.25, 4.  ])
    """
    if covariance_type == "full":
        return np.einsum("kij,klj->kil", precisions_cholesky, precisions_cholesky)
    if covariance_type == "tied":
        return precisions_cholesky @ precisions_cholesky.T
    return precisions_cholesky**2


def covariances_from_precisions_cholesky(
    precisions_cholesky: np.ndarray, covariance_type: str
) -> np.ndarray:
    """Covariances ``Sigma = U^{-T} U^{-1}`` from precision factors (after ``precisions_init``).

    Examples
    --------
    >>> covs = np.array([[[4.0, 2.0], [2.0, 3.0]]])
    >>> U = precisions_cholesky_from_covariances(covs, "full")
    >>> bool(np.allclose(covariances_from_precisions_cholesky(U, "full"), covs))
    True
    >>> covariances_from_precisions_cholesky(np.array([0.5, 2.0]), "spherical")
    array([4.  , 0.25])
    """
    if covariance_type in ("full", "tied"):
        chols = precisions_cholesky[None] if covariance_type == "tied" else precisions_cholesky
        eye = np.eye(chols.shape[-1])
        covs = np.empty_like(chols)
        for k, U in enumerate(chols):
            # U is triangular (upper when derived from covariances, lower from precisions).
            # Exact test: an ``allclose`` would call an upper factor with entries below its
            # absolute tolerance (a covariance of scale 1e16) lower and drop those entries.
            lower = not np.triu(U, 1).any()
            U_inv = linalg.solve_triangular(U, eye, lower=lower)
            covs[k] = U_inv.T @ U_inv
        return covs[0] if covariance_type == "tied" else covs
    return 1.0 / precisions_cholesky**2


def log_det_precision_cholesky(
    precisions_cholesky: np.ndarray, covariance_type: str, n_features: int
) -> np.ndarray:
    """``log det U`` for each component, i.e. half the log-determinant of the precision (eq. 7.3).

    Returns
    -------
    ndarray of shape (n_components,) or a scalar for ``tied``

    Examples
    --------
    The same as ``-log det(Sigma) / 2``, without forming a determinant:

    >>> covs = np.array([[[4.0, 2.0], [2.0, 3.0]], [[1.0, 0.0], [0.0, 0.25]]])
    >>> U = precisions_cholesky_from_covariances(covs, "full")
    >>> np.round(log_det_precision_cholesky(U, "full", 2), 6)
    array([-1.039721,  0.693147])
    >>> np.round(-0.5 * np.log(np.linalg.det(covs)), 6)
    array([-1.039721,  0.693147])
    """
    if covariance_type == "full":
        return np.sum(np.log(np.diagonal(precisions_cholesky, axis1=1, axis2=2)), axis=1)
    if covariance_type == "tied":
        return np.sum(np.log(np.diag(precisions_cholesky)))
    if covariance_type == "diag":
        return np.sum(np.log(precisions_cholesky), axis=1)
    return n_features * np.log(precisions_cholesky)


def check_precisions(
    precisions: np.ndarray, covariance_type: str, n_components: int, n_features: int
) -> np.ndarray:
    """Validate ``precisions_init``: its shape, symmetry and positive definiteness.

    Returns
    -------
    ndarray of float64
        The precisions, shaped as :func:`covariance_shape` says.

    Raises
    ------
    ValueError
        If the shape is wrong, a matrix is not symmetric, or a precision is not positive
        (definite).

    Examples
    --------
    >>> check_precisions(np.ones((3, 2)), "diag", n_components=3, n_features=2).shape
    (3, 2)
    >>> try:
    ...     check_precisions(-np.ones(3), "spherical", n_components=3, n_features=2)
    ... except ValueError as exc:
    ...     print(exc)
    precisions_init must be positive.
    """
    precisions = np.asarray(precisions, dtype=np.float64)
    expected = covariance_shape(covariance_type, n_components, n_features)
    if precisions.shape != expected:
        raise ValueError(
            f"precisions_init for covariance_type={covariance_type!r} must have shape "
            f"{expected}, got {precisions.shape}."
        )
    if not np.isfinite(precisions).all():
        raise ValueError("precisions_init contains NaN or infinite values.")
    if covariance_type in ("diag", "spherical"):
        if np.any(precisions <= 0):
            raise ValueError("precisions_init must be positive.")
        return precisions
    mats = precisions[None] if covariance_type == "tied" else precisions
    for k, p in enumerate(mats):
        if not np.allclose(p, p.T, rtol=1e-8, atol=1e-8 * np.abs(p).max()):
            raise ValueError(f"precisions_init[{k}] is not symmetric.")
        if np.linalg.eigvalsh(p).min() <= 0:
            raise ValueError(f"precisions_init[{k}] is not positive definite.")
    return precisions
