"""The EM algorithm as small pure functions (chapters 5, 7 and 13).

One EM iteration is one pass over the rows of ``X``. For each block of rows the pass

1. evaluates the log-density of every component (eq. 2.3, all components in one matrix
   product for ``full`` covariances),
2. turns it into log-responsibilities with log-sum-exp (E-step, eqs. 5.2 and 7.2),
3. adds the block's weighted sums to the sufficient statistics (eq. 13.1).

The M-step (eqs. 5.4–5.6 and 9.1–9.4) then needs only the statistics, never the rows.
Because the statistics are plain sums, the same functions serve the in-memory fit, data
streamed from disk in chunks, and a map-reduce over a cluster.

Scatter matrices are accumulated about a shift ``c_k`` per component (the current means),
``S_k = sum_n r_nk (x_n - c_k)(x_n - c_k)^T``, and corrected afterwards (eq. 13.2). Unlike the
textbook ``E[x x^T] - mu mu^T`` this does not lose digits when the data sit far from the
origin or a component is tight.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from ._validation import check_finite_block
from .covariance import log_det_precision_cholesky, precisions_cholesky_from_covariances
from .gaussian import LOG_2PI
from .logspace import normalize_log_probabilities

__all__ = [
    "SufficientStatistics",
    "accumulate_statistics",
    "default_block_size",
    "e_step",
    "em_pass",
    "estimate_log_gaussian_prob",
    "estimate_parameters",
    "iter_blocks",
    "m_step",
]

#: Target size in bytes of the largest temporary (rows x components x features) per block.
BLOCK_BYTES = 1 << 21


def default_block_size(n_components: int, n_features: int) -> int:
    """Rows per block so that an ``(rows, K, d)`` temporary stays within :data:`BLOCK_BYTES`."""
    return int(max(64, BLOCK_BYTES // (8 * n_components * (n_features + 1))))


def iter_blocks(n_samples: int, block_size: int) -> Iterator[slice]:
    """Yield consecutive row slices of at most ``block_size`` rows."""
    for start in range(0, n_samples, block_size):
        yield slice(start, min(start + block_size, n_samples))


def estimate_log_gaussian_prob(
    X: np.ndarray, means: np.ndarray, precisions_cholesky: np.ndarray, covariance_type: str
) -> np.ndarray:
    """Log-density of every component at every row: ``log N(x_n | mu_k, Sigma_k)`` (eq. 2.3).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    means : ndarray of shape (n_components, n_features)
    precisions_cholesky : ndarray
        Cholesky factors of the precisions, shaped as described in :mod:`.covariance`.
    covariance_type : {'full', 'tied', 'diag', 'spherical'}

    Returns
    -------
    ndarray of shape (n_samples, n_components)

    Notes
    -----
    The Mahalanobis term is ``|x U_k - mu_k U_k|^2``, the linear form, which loses only
    about ``eps |x| / sigma`` of accuracy; the expanded quadratic
    ``x^T Lambda x - 2 x^T Lambda mu + mu^T Lambda mu`` would lose ``eps (|x|/sigma)^2``.
    """
    n, d = X.shape
    K = means.shape[0]
    if covariance_type == "full":
        # All K factors side by side, and -mu_k U_k as an extra row, so that one matrix
        # product [X, 1] @ A gives y_nk = (x_n - mu_k) U_k for every component at once.
        A = np.empty((d + 1, K * d))
        A[:d] = precisions_cholesky.transpose(1, 0, 2).reshape(d, K * d)
        A[d] = -np.einsum("kd,kde->ke", means, precisions_cholesky).reshape(K * d)
        X1 = np.empty((n, d + 1))
        X1[:, :d] = X
        X1[:, d] = 1.0
        Y = (X1 @ A).reshape(n * K, d)
        maha = np.einsum("ij,ij->i", Y, Y).reshape(n, K)
    elif covariance_type == "tied":
        Y = (X @ precisions_cholesky)[:, None, :] - (means @ precisions_cholesky)[None]
        maha = np.einsum("nkd,nkd->nk", Y, Y)
    elif covariance_type == "diag":
        Y = X[:, None, :] * precisions_cholesky[None] - (means * precisions_cholesky)[None]
        maha = np.einsum("nkd,nkd->nk", Y, Y)
    else:  # spherical
        D = X[:, None, :] - means[None]
        maha = np.einsum("nkd,nkd->nk", D, D) * precisions_cholesky[None] ** 2
    log_det = log_det_precision_cholesky(precisions_cholesky, covariance_type, d)
    return -0.5 * (d * LOG_2PI + maha) + log_det


def _log_joint(X, weights, means, precisions_cholesky, covariance_type):
    with np.errstate(divide="ignore"):  # a zero weight gives log 0 = -inf, which is right
        log_weights = np.log(weights)
    return estimate_log_gaussian_prob(X, means, precisions_cholesky, covariance_type) + log_weights


def e_step(
    X: np.ndarray,
    weights: np.ndarray,
    means: np.ndarray,
    precisions_cholesky: np.ndarray,
    covariance_type: str,
    block_size: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """E-step: log-density of the mixture and log-responsibilities (eqs. 4.2, 5.2, 7.2).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    weights : ndarray of shape (n_components,)
    means : ndarray of shape (n_components, n_features)
    precisions_cholesky : ndarray
    covariance_type : str
    block_size : int, optional
        Rows per block; by default :func:`default_block_size`.

    Returns
    -------
    log_prob_norm : ndarray of shape (n_samples,)
        ``log p(x_n) = log sum_k pi_k N(x_n | mu_k, Sigma_k)``.
    log_resp : ndarray of shape (n_samples, n_components)
        ``log gamma(z_nk)``.
    """
    n = X.shape[0]
    K = means.shape[0]
    block_size = block_size or default_block_size(K, X.shape[1])
    log_norm = np.empty(n)
    log_resp = np.empty((n, K))
    for rows in iter_blocks(n, block_size):
        log_joint = _log_joint(X[rows], weights, means, precisions_cholesky, covariance_type)
        log_norm[rows], log_resp[rows] = normalize_log_probabilities(log_joint)
    return log_norm, log_resp


@dataclass
class SufficientStatistics:
    """Weighted sums over rows from which the M-step computes new parameters (eq. 13.1).

    Attributes
    ----------
    nk : ndarray of shape (n_components,)
        ``N_k = sum_n w_n r_nk``, the effective number of points of each component.
    sum_x : ndarray of shape (n_components, n_features)
        ``sum_n w_n r_nk (x_n - c_k)``.
    scatter : ndarray
        ``sum_n w_n r_nk (x_n - c_k)(x_n - c_k)^T`` of shape (n_components, n_features,
        n_features) for ``full`` and ``tied``; its diagonal only, (n_components, n_features),
        for ``diag`` and ``spherical``.
    shift : ndarray of shape (n_components, n_features)
        The centres ``c_k`` about which the sums were taken.
    log_likelihood : float
        ``sum_n w_n log p(x_n)`` under the parameters of the E-step.
    total_weight : float
        ``sum_n w_n`` (the number of rows when unweighted).
    """

    nk: np.ndarray
    sum_x: np.ndarray
    scatter: np.ndarray
    shift: np.ndarray
    log_likelihood: float
    total_weight: float

    @classmethod
    def zeros(cls, shift: np.ndarray, covariance_type: str) -> SufficientStatistics:
        """Empty statistics about ``shift``, to add blocks to."""
        K, d = shift.shape
        scatter_shape = (K, d, d) if covariance_type in ("full", "tied") else (K, d)
        return cls(np.zeros(K), np.zeros((K, d)), np.zeros(scatter_shape), shift.copy(), 0.0, 0.0)

    def __add__(self, other: SufficientStatistics) -> SufficientStatistics:
        if not np.array_equal(self.shift, other.shift):
            raise ValueError("Only statistics taken about the same shift can be added.")
        return SufficientStatistics(
            self.nk + other.nk,
            self.sum_x + other.sum_x,
            self.scatter + other.scatter,
            self.shift,
            self.log_likelihood + other.log_likelihood,
            self.total_weight + other.total_weight,
        )

    @property
    def mean_log_likelihood(self) -> float:
        """``sum_n w_n log p(x_n) / sum_n w_n``: the quantity EM's ``tol`` is measured on."""
        return self.log_likelihood / self.total_weight


def accumulate_statistics(
    stats: SufficientStatistics,
    X: np.ndarray,
    resp: np.ndarray,
    covariance_type: str,
    sample_weight: np.ndarray | None = None,
    log_prob_norm: np.ndarray | None = None,
) -> None:
    """Add one block's contribution to ``stats`` in place (eq. 13.1).

    Parameters
    ----------
    stats : SufficientStatistics
        Updated in place.
    X : ndarray of shape (n_rows, n_features)
    resp : ndarray of shape (n_rows, n_components)
        Responsibilities of the block.
    covariance_type : str
    sample_weight : ndarray of shape (n_rows,), optional
    log_prob_norm : ndarray of shape (n_rows,), optional
        ``log p(x_n)`` of the block, added to ``stats.log_likelihood``.
    """
    if sample_weight is not None:
        resp = resp * sample_weight[:, None]
    block_nk = resp.sum(axis=0)
    stats.nk += block_nk
    stats.sum_x += resp.T @ X - block_nk[:, None] * stats.shift
    D = X[:, None, :] - stats.shift[None]  # (rows, K, d)
    if covariance_type in ("full", "tied"):
        Dw = D * resp[:, :, None]
        stats.scatter += np.matmul(Dw.transpose(1, 2, 0), D.transpose(1, 0, 2))
    else:
        stats.scatter += np.matmul(resp.T[:, None, :], (D * D).transpose(1, 0, 2))[:, 0, :]
    w_total = X.shape[0] if sample_weight is None else float(sample_weight.sum())
    stats.total_weight += w_total
    if log_prob_norm is not None:
        lp = log_prob_norm if sample_weight is None else log_prob_norm * sample_weight
        stats.log_likelihood += float(lp.sum())


def m_step(
    stats: SufficientStatistics, covariance_type: str, reg_covar: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """M-step: new weights, means and covariances from sufficient statistics.

    Implements eqs. 5.4 (weights), 5.5 (means), 5.6 and 9.1–9.4 (covariances), with the
    shift correction of eq. 13.2: ``S_k / N_k - delta_k delta_k^T`` where
    ``delta_k = mu_k - c_k``. ``reg_covar`` is added to every variance (eq. 7.4).

    Returns
    -------
    weights : ndarray of shape (n_components,)
    means : ndarray of shape (n_components, n_features)
    covariances : ndarray, shaped as described in :mod:`.covariance`
    """
    # The tiny constant keeps an empty component from dividing by zero (as scikit-learn does).
    nk = stats.nk + 10 * np.finfo(np.float64).eps
    delta = stats.sum_x / nk[:, None]
    means = stats.shift + delta
    d = means.shape[1]
    if covariance_type == "full":
        cov = stats.scatter / nk[:, None, None] - delta[:, :, None] * delta[:, None, :]
        cov[:, np.arange(d), np.arange(d)] += reg_covar
    elif covariance_type == "tied":
        between = np.einsum("k,ki,kj->ij", nk, delta, delta)
        cov = (stats.scatter.sum(axis=0) - between) / nk.sum()
        cov[np.arange(d), np.arange(d)] += reg_covar
    else:
        var = stats.scatter / nk[:, None] - delta**2 + reg_covar
        cov = var if covariance_type == "diag" else var.mean(axis=1)
    if covariance_type in ("full", "tied"):
        cov = 0.5 * (cov + np.swapaxes(cov, -1, -2))  # exact symmetry despite rounding
    weights = nk / nk.sum()
    return weights, means, cov


def em_pass(
    X: np.ndarray,
    weights: np.ndarray,
    means: np.ndarray,
    precisions_cholesky: np.ndarray,
    covariance_type: str,
    sample_weight: np.ndarray | None = None,
    block_size: int | None = None,
    keep_responsibilities: bool = False,
) -> tuple[SufficientStatistics, np.ndarray | None]:
    """One pass over the data: E-step and sufficient statistics, block by block.

    ``X`` may be any array that supports row slicing, such as an :class:`numpy.memmap`
    larger than memory; only one block of rows is materialized at a time.

    Returns
    -------
    stats : SufficientStatistics
        Taken about the current ``means``; ``stats.mean_log_likelihood`` is the mean
        log-likelihood under the parameters passed in.
    resp : ndarray of shape (n_samples, n_components) or None
        The responsibilities, if ``keep_responsibilities``.
    """
    n, d = X.shape
    K = means.shape[0]
    block_size = block_size or default_block_size(K, d)
    stats = SufficientStatistics.zeros(means, covariance_type)
    all_resp = np.empty((n, K)) if keep_responsibilities else None
    for rows in iter_blocks(n, block_size):
        Xb = X[rows]
        if not isinstance(Xb, np.ndarray) or Xb.dtype != np.float64 or isinstance(X, np.memmap):
            Xb = check_finite_block(Xb)
        log_joint = _log_joint(Xb, weights, means, precisions_cholesky, covariance_type)
        log_norm, log_resp = normalize_log_probabilities(log_joint)
        resp = np.exp(log_resp)
        if all_resp is not None:
            all_resp[rows] = resp
        w = None if sample_weight is None else sample_weight[rows]
        accumulate_statistics(stats, Xb, resp, covariance_type, w, log_norm)
    return stats, all_resp


def estimate_parameters(
    X: np.ndarray,
    resp: np.ndarray,
    covariance_type: str,
    reg_covar: float,
    sample_weight: np.ndarray | None = None,
    block_size: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weights, means and covariances from given responsibilities (an M-step on its own).

    Used to turn an initial hard or soft assignment into parameters. It takes two passes:
    the first finds the means, about which the second accumulates the scatter.
    """
    n, d = X.shape
    K = resp.shape[1]
    block_size = block_size or default_block_size(K, d)
    rw = resp if sample_weight is None else resp * sample_weight[:, None]
    nk = rw.sum(axis=0) + 10 * np.finfo(np.float64).eps
    sums = np.zeros((K, d))
    for rows in iter_blocks(n, block_size):
        sums += rw[rows].T @ np.asarray(X[rows], dtype=np.float64)
    stats = SufficientStatistics.zeros(sums / nk[:, None], covariance_type)
    for rows in iter_blocks(n, block_size):
        w = None if sample_weight is None else sample_weight[rows]
        accumulate_statistics(stats, np.asarray(X[rows], dtype=np.float64), resp[rows],
                              covariance_type, w)
    return m_step(stats, covariance_type, reg_covar)

