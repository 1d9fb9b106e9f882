"""The EM algorithm as small pure functions (chapters 5, 7 and 13).

One EM iteration is one pass over the rows of ``X``. For each block of rows the pass

1. evaluates the log-density of every component (eq. 2.3) with a few large matrix products,
2. turns it into responsibilities with log-sum-exp (E-step, eqs. 5.2 and 7.2),
3. adds the block's weighted sums to the sufficient statistics (eq. 13.1).

The M-step (eqs. 5.4–5.7 and 9.1–9.4) then needs only the statistics, never the rows.
Because the statistics are plain sums, the same functions serve the in-memory fit, data
streamed from disk in chunks (:mod:`numpy.memmap`), online EM (:mod:`.online`) and a
map-reduce over a cluster (:mod:`.scale`).

How the pass is made fast (chapter 13)
--------------------------------------
* Rows are processed in blocks whose temporaries fit in the processor's cache; the block is
  stored transposed, ``(components, features, rows)``, so that every elementwise operation
  runs along a long contiguous axis and the work goes to a handful of large matrix products
  (BLAS) instead of a Python loop over components.
* ``full``: one product ``[X - c, 1] @ [U_1 ... U_K; -(mu_k - c) U_k]`` gives
  ``y_nk = (x_n - mu_k) U_k`` for all components at once (the linear form: no cancellation).
* ``tied``, ``diag``, ``spherical``: the distances come from the expanded square
  ``|a|^2 - 2 a.b + |b|^2`` evaluated as matrix products, *about a centre* ``c`` near the
  data, together with a bound on its rounding error for every entry; the few entries whose
  bound is not small compared with the distance itself are recomputed directly.
* Blocks are independent, so a few threads process them concurrently, each with its own
  statistics (NumPy and BLAS release the GIL), while BLAS itself is kept single-threaded: its
  own threads cost more than they save on products of this size, especially on a busy machine.
  (This uses ``threadpoolctl`` when it is installed, as it is with scikit-learn; without it
  the pass runs in one thread.)
* The scatter of all components is one product of the ``(K d) x rows`` matrix
  ``r_nk (x_n - c)`` with the block, corrected to the shift ``c_k`` afterwards (eq. 13.2). That
  expansion loses about ``eps (|c_k - c| / sigma_k)^2``, so components farther than
  ``sqrt(DIRECT_SCATTER_RATIO)`` standard deviations from ``c`` are accumulated directly.

Numerical care
--------------
Rows are first centred, ``x - c``, at a point ``c`` near the data (the mixture's mean), so a
translation of the data by ``1e6`` costs no digits. Scatter matrices are accumulated about a
shift ``c_k`` per component (the current means), ``S_k = sum_n r_nk (x_n - c_k)(x_n - c_k)^T``,
and corrected afterwards (eq. 13.2). Unlike the textbook ``E[x x^T] - mu mu^T`` neither loses
digits in proportion to ``(|x| / sigma)^2`` when a tight component sits far from the origin.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._validation import check_finite_block
from .covariance import log_det_precision_cholesky
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
    "check_streamed",
    "init_sample",
    "is_streamed",
    "iter_blocks",
    "m_step",
]

#: Target size in bytes of the largest temporary, ``(components, features, rows)``, per block.
BLOCK_BYTES = 1 << 22

#: Largest accepted rounding error of an expanded squared distance, relative to ``1 + distance``.
EXPANSION_RTOL = 1e-11

#: A component whose shift from the centre is more than ``sqrt(DIRECT_SCATTER_RATIO)`` of its
#: standard deviations (in some direction) has its scatter accumulated directly, not expanded.
DIRECT_SCATTER_RATIO = 1e4

_EPS = np.finfo(np.float64).eps

#: Threads that process blocks concurrently in :func:`em_pass`. They are used only when
#: ``threadpoolctl`` (installed with scikit-learn; optional) can make BLAS single-threaded
#: meanwhile: threads calling a multi-threaded BLAS would compete for the same cores. Without
#: it the pass runs in one thread and BLAS as configured.
N_THREADS = min(4, os.cpu_count() or 1)

#: Threads are used when ``K d^2`` (full) or ``4 K d`` (other types) reaches this.
THREAD_MIN_WORK = 2048

#: Whether :func:`em_pass` processes blocks in threads: ``None`` decides by the work per
#: row (:data:`THREAD_MIN_WORK`) and the number of blocks; ``True`` or ``False`` force it
#: (for tests, and to compare both paths). Results agree to rounding either way.
USE_THREADS: bool | None = None

_blas_controller: Any = None


def _single_threaded_blas() -> Any:
    """A context that makes BLAS single-threaded, or None without ``threadpoolctl``."""
    global _blas_controller
    if _blas_controller is None:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:  # pragma: no cover - the core needs only numpy and scipy
            _blas_controller = False
        else:
            _blas_controller = ThreadpoolController()
    if _blas_controller is False:
        return None
    return _blas_controller.limit(limits=1, user_api="blas")


def default_block_size(n_components: int, n_features: int) -> int:
    """Rows per block so that a ``(K, d, rows)`` temporary stays within :data:`BLOCK_BYTES`.

    Examples
    --------
    >>> from gmm_from_scratch.em import BLOCK_BYTES
    >>> rows = default_block_size(n_components=3, n_features=2)
    >>> 256 <= rows and 8 * 3 * (2 + 1) * rows <= BLOCK_BYTES
    True
    """
    return int(min(1 << 16, max(256, BLOCK_BYTES // (8 * n_components * (n_features + 1)))))


def iter_blocks(n_samples: int, block_size: int) -> Iterator[slice]:
    """Yield consecutive row slices of at most ``block_size`` rows.

    Examples
    --------
    >>> list(iter_blocks(5, 2))
    [slice(0, 2, None), slice(2, 4, None), slice(4, 5, None)]
    """
    for start in range(0, n_samples, block_size):
        yield slice(start, min(start + block_size, n_samples))


def is_streamed(X: Any) -> bool:
    """True for arrays read block by block instead of loaded whole.

    That is an :class:`numpy.memmap`, or any 2-D array-like that is not a NumPy array but
    has ``shape``, ``dtype`` and row slicing (an HDF5 dataset, a Zarr or Dask array).

    Examples
    --------
    >>> is_streamed(np.zeros((3, 2)))
    False
    """
    if isinstance(X, np.memmap):
        return True
    if isinstance(X, np.ndarray | list | tuple):
        return False
    shape = getattr(X, "shape", None)
    return (
        shape is not None
        and len(shape) == 2
        and isinstance(getattr(X, "dtype", None), np.dtype)
        and hasattr(X, "__getitem__")
        and not hasattr(X, "toarray")  # a sparse matrix is not a stream of dense rows
    )


def check_streamed(X: Any, min_samples: int = 1) -> Any:
    """Check the shape and dtype of a streamed array without reading it.

    Its values are checked for NaN and infinity block by block as EM reads them.
    """
    n, d = (int(v) for v in X.shape)
    if not (np.issubdtype(X.dtype, np.number) or np.issubdtype(X.dtype, np.bool_)):
        raise ValueError(f"X must contain numbers, got an array of dtype {X.dtype}.")
    if np.issubdtype(X.dtype, np.complexfloating):
        raise ValueError("X must be real-valued, got complex numbers.")
    if n < max(1, min_samples) or d == 0:
        raise ValueError(
            f"X has shape {(n, d)}, but at least {max(1, min_samples)} sample(s) and one "
            "feature are needed."
        )
    return X


#: Initialization of a streamed array reads at most this many rows.
INIT_MAX_ROWS = 100_000


def init_sample(
    X: Any,
    sample_weight: np.ndarray | None,
    rng: np.random.Generator,
    max_rows: int = INIT_MAX_ROWS,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Rows to initialize from: all of an in-memory array, a random subset of a streamed one.

    k-means and the initial M-step need the rows in memory; for data streamed from disk they
    see at most ``max_rows`` (default :data:`INIT_MAX_ROWS`) rows, drawn without replacement.
    """
    max_rows = INIT_MAX_ROWS if max_rows is None else max_rows
    if not is_streamed(X) or X.shape[0] <= max_rows:
        Xs = X if not is_streamed(X) else check_finite_block(_materialize(X[:]))
        return Xs, sample_weight
    idx = np.sort(rng.choice(X.shape[0], size=max_rows, replace=False))
    Xs = check_finite_block(_materialize(X[idx]))
    return Xs, None if sample_weight is None else sample_weight[idx]


def _materialize(block: Any) -> Any:
    return block.compute() if hasattr(block, "compute") else block


def _read_block(X: Any, rows: slice) -> np.ndarray:
    """Rows of ``X`` as a float64 NumPy array (checked for NaN/inf when read from a stream).

    float32 data in memory (checked when the estimator validated it) is converted one block
    at a time: every value of float32 is exactly a float64, so the pass computes in float64
    on exactly the data given, without a float64 copy of the whole array.
    """
    Xb = X[rows]
    if type(Xb) is np.ndarray and not is_streamed(X):
        if Xb.dtype == np.float64:
            return Xb
        if Xb.dtype == np.float32:
            return Xb.astype(np.float64)
    return check_finite_block(_materialize(Xb))


def _centre(means: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """A point near the data about which blocks are centred: the mixture's mean."""
    if weights is None:
        return means.mean(axis=0)
    w = np.where(np.isfinite(weights) & (weights > 0), weights, 0.0)
    return (w @ means) / w.sum() if w.sum() > 0 else means.mean(axis=0)


class _LogDensity:
    """Per-pass constants that evaluate ``log N(x | mu_k, Sigma_k)`` for centred blocks.

    ``mahalanobis_sq`` and ``log_prob`` take a block ``Xc = X - centre`` of shape
    ``(rows, d)`` and return arrays of shape ``(K, rows)``.
    """

    def __init__(self, means, precisions_cholesky, covariance_type, centre):
        K, d = means.shape
        self.K, self.d, self.covariance_type = K, d, covariance_type
        self.centre = centre
        mc = means - centre  # exact for means near the centre (Sterbenz's lemma)
        self.mc = mc
        P = precisions_cholesky
        self.P = P
        log_det = log_det_precision_cholesky(P, covariance_type, d)
        self.const = -0.5 * d * LOG_2PI + np.broadcast_to(log_det, (K,))
        if covariance_type == "full":
            # A[k d + e] = (column e of U_k, -(mu_k - c) U_k[:, e]); y = A @ [x - c; 1].
            A = np.empty((K * d, d + 1))
            A[:, :d] = P.transpose(0, 2, 1).reshape(K * d, d)
            A[:, d] = -np.einsum("kj,kje->ke", mc, P).reshape(K * d)
            self.A = A
        elif covariance_type == "tied":
            self.Mt = mc @ P  # whitened centred means
            self.C = np.einsum("kd,kd->k", self.Mt, self.Mt)
        elif covariance_type == "diag":
            self.lam = P**2
            self.lam_m = self.lam * mc
            self.C = np.einsum("kd,kd->k", mc * P, mc * P)
        else:
            self.lam = P**2
            self.C = self.lam * np.einsum("kd,kd->k", mc, mc)

    def mahalanobis_sq(
        self,
        Xc: np.ndarray,
        XcT: np.ndarray,
        work: np.ndarray | None = None,
        sqT: np.ndarray | None = None,
    ):
        """Squared Mahalanobis distances, shape ``(K, rows)``.

        ``sqT``, if given, is ``XcT * XcT`` (diag, spherical), computed once per block and
        shared with the statistics.
        """
        K, d = self.K, self.d
        b = Xc.shape[0]
        ct = self.covariance_type
        if ct == "full":
            X1T = np.empty((d + 1, b))
            X1T[:d] = XcT
            X1T[d] = 1.0
            Y = np.matmul(
                self.A, X1T, out=None if work is None else work[: K * d * b].reshape(K * d, b)
            )
            Y3 = Y.reshape(K, d, b)
            return np.einsum("kdb,kdb->kb", Y3, Y3)
        # Each branch gives -2 a.b (as a product), |a|^2 + |b|^2 (an outer sum), a scale and
        # the direct form; spherical works unscaled (sigma^-2 multiplies at the end).
        scale = None
        if ct == "tied":
            Yt = Xc @ self.P  # (b, d)
            maha = self.Mt @ Yt.T
            AC = np.add.outer(self.C, np.einsum("nd,nd->n", Yt, Yt))
            direct = lambda k: _sq_norms(Yt - self.Mt[k])  # noqa: E731
        elif ct == "diag":
            maha = self.lam_m @ XcT
            AC = self.lam @ (XcT * XcT if sqT is None else sqT)
            AC += self.C[:, None]
            direct = lambda k: _sq_norms((Xc - self.mc[k]) * self.P[k])  # noqa: E731
        else:
            scale = self.lam
            maha = self.mc @ XcT
            norms = np.einsum("dn,dn->n", XcT, XcT) if sqT is None else sqT.sum(axis=0)
            AC = np.add.outer(self.C / self.lam, norms)
            direct = lambda k: _sq_norms(Xc - self.mc[k])  # noqa: E731
        maha *= -2.0
        maha += AC
        # Rounding error of the expanded form is at most ~2 (d + 4) eps (A + C); recompute the
        # components where that is not negligible next to the distance itself.
        floor = 1.0 if scale is None else (1.0 / scale)[:, None]
        AC *= 2 * (d + 4) * _EPS / EXPANSION_RTOL
        flagged = AC > np.abs(maha) + floor
        for k in np.flatnonzero(flagged.any(axis=1)):
            maha[k] = direct(k)
        if scale is not None:
            maha *= scale[:, None]
        np.maximum(maha, 0.0, out=maha)
        return maha

    def log_prob(
        self, Xc: np.ndarray, XcT: np.ndarray | None = None, work=None, sqT=None
    ) -> np.ndarray:
        """``log N(x_n | mu_k, Sigma_k)``, shape ``(K, rows)`` (eq. 2.3)."""
        if XcT is None:
            XcT = np.ascontiguousarray(Xc.T)
        maha = self.mahalanobis_sq(Xc, XcT, work, sqT)
        maha *= -0.5
        maha += self.const[:, None]
        return maha


def _sq_norms(D: np.ndarray) -> np.ndarray:
    return np.einsum("nd,nd->n", D, D)


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
    The rows are first centred at the mean of the means. For ``full`` the Mahalanobis term is
    ``|x U_k - mu_k U_k|^2``, the linear form, which loses only about ``eps |x| / sigma``; the
    expanded quadratic ``x^T Lambda x - 2 x^T Lambda mu + mu^T Lambda mu`` would lose
    ``eps (|x|/sigma)^2``. The other types use the expanded form as matrix products, but with
    a rounding-error bound for every entry and a direct recomputation wherever it matters.

    Examples
    --------
    The same values as SciPy, for a non-diagonal covariance:

    >>> from scipy.stats import multivariate_normal
    >>> from gmm_from_scratch.covariance import precisions_cholesky_from_covariances
    >>> X = np.array([[0.0, 0.0], [1.0, 2.0]])
    >>> means = np.array([[0.0, 0.0], [1.0, 1.0]])
    >>> covs = np.array([np.eye(2), [[2.0, 0.5], [0.5, 1.0]]])
    >>> U = precisions_cholesky_from_covariances(covs, "full")
    >>> log_prob = estimate_log_gaussian_prob(X, means, U, "full")
    >>> log_prob.shape
    (2, 2)
    >>> bool(np.allclose(log_prob[:, 1], multivariate_normal(means[1], covs[1]).logpdf(X)))
    True
    """
    if not isinstance(X, np.ndarray) or X.dtype not in (np.float32, np.float64):
        X = np.asarray(X, dtype=np.float64)
    n, d = X.shape
    K = means.shape[0]
    plan = _LogDensity(means, precisions_cholesky, covariance_type, _centre(means))
    out = np.empty((n, K))
    for rows in iter_blocks(n, default_block_size(K, d)):
        Xc = _read_block(X, rows) - plan.centre
        out[rows] = plan.log_prob(Xc).T
    return out


def _responsibilities(log_joint: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``log p(x_n)`` and responsibilities from a ``(K, rows)`` log-joint (eqs. 7.1, 7.2).

    One exponential per entry, in place: with ``m_n = max_k`` of the column,
    ``e_nk = exp(a_nk - m_n)``, ``s_n = sum_k e_nk``, ``log p(x_n) = m_n + log s_n`` (the
    log-sum-exp of eq. 7.1) and ``r_nk = e_nk / s_n``, which equals ``exp(a_nk - log p(x_n))``
    to rounding. A column that is ``-inf`` throughout gives ``-inf`` and undefined (NaN)
    responsibilities, as ``exp(a - logsumexp(a))`` does.

    Examples
    --------
    >>> log_norm, r = _responsibilities(np.log(np.array([[1.0, 3.0], [3.0, 1.0]])))
    >>> np.round(np.exp(log_norm), 12).tolist(), r[:, 0].tolist()
    ([4.0, 4.0], [0.25, 0.75])
    """
    m = log_joint.max(axis=0)
    m[~np.isfinite(m)] = 0.0  # an all -inf column: no shift (its sum is then 0)
    log_joint -= m
    e = np.exp(log_joint, out=log_joint)
    total = e.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_norm = np.log(total)
        np.divide(e, total, out=e)
    log_norm += m
    return log_norm, e


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

    Examples
    --------
    Two unit-variance components at -2 and 2: the point halfway is shared equally.

    >>> from gmm_from_scratch.covariance import precisions_cholesky_from_covariances
    >>> X = np.array([[-2.0], [0.0], [2.0]])
    >>> weights, means = np.array([0.5, 0.5]), np.array([[-2.0], [2.0]])
    >>> U = precisions_cholesky_from_covariances(np.array([1.0, 1.0]), "spherical")
    >>> log_prob_norm, log_resp = e_step(X, weights, means, U, "spherical")
    >>> np.round(np.exp(log_resp[:, 0]), 4).tolist()
    [0.9997, 0.5, 0.0003]
    """
    n, d = X.shape
    K = means.shape[0]
    block_size = block_size or default_block_size(K, d)
    plan = _LogDensity(means, precisions_cholesky, covariance_type, _centre(means, weights))
    log_weights = _log_weights(weights)
    log_norm = np.empty(n)
    log_resp = np.empty((n, K))
    for rows in iter_blocks(n, block_size):
        Xc = _read_block(X, rows) - plan.centre
        log_joint = plan.log_prob(Xc).T + log_weights
        log_norm[rows], log_resp[rows] = normalize_log_probabilities(log_joint)
    return log_norm, log_resp


def _log_weights(weights: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):  # a zero weight gives log 0 = -inf, which is right
        return np.log(weights)


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
        ``sum_n w_n r_nk (x_n - c_k)(x_n - c_k)^T``: shape (n_components, n_features,
        n_features) for ``full``; summed over components, (n_features, n_features), for
        ``tied``; its diagonal only, (n_components, n_features), for ``diag`` and
        ``spherical``.
    shift : ndarray of shape (n_components, n_features)
        The centres ``c_k`` about which the sums were taken.
    log_likelihood : float
        ``sum_n w_n log p(x_n)`` under the parameters of the E-step.
    total_weight : float
        ``sum_n w_n`` (the number of rows when unweighted).
    covariance_type : str
        The covariance type the statistics are for (it fixes the layout of ``scatter``).

    Examples
    --------
    Two blocks of rows, hard-assigned; the sums are about the shift ``c_k = 0``:

    >>> X = np.array([[0.0], [2.0], [10.0], [12.0]])
    >>> resp = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])
    >>> stats = SufficientStatistics.zeros(np.zeros((2, 1)), "diag")
    >>> accumulate_statistics(stats, X[:2], resp[:2], "diag")
    >>> accumulate_statistics(stats, X[2:], resp[2:], "diag")
    >>> stats.nk, stats.sum_x.ravel(), stats.scatter.ravel()
    (array([2., 2.]), array([ 2., 22.]), array([  4., 244.]))
    """

    nk: np.ndarray
    sum_x: np.ndarray
    scatter: np.ndarray
    shift: np.ndarray
    log_likelihood: float
    total_weight: float
    covariance_type: str = "full"

    @classmethod
    def zeros(cls, shift: np.ndarray, covariance_type: str) -> SufficientStatistics:
        """Empty statistics about ``shift``, to add blocks to."""
        K, d = shift.shape
        scatter_shape = {"full": (K, d, d), "tied": (d, d)}.get(covariance_type, (K, d))
        return cls(
            np.zeros(K), np.zeros((K, d)), np.zeros(scatter_shape), shift.copy(), 0.0, 0.0,
            covariance_type,
        )  # fmt: skip

    def __add__(self, other: SufficientStatistics) -> SufficientStatistics:
        if not np.array_equal(self.shift, other.shift):
            other = other.recentred(self.shift)
        return SufficientStatistics(
            self.nk + other.nk,
            self.sum_x + other.sum_x,
            self.scatter + other.scatter,
            self.shift,
            self.log_likelihood + other.log_likelihood,
            self.total_weight + other.total_weight,
            self.covariance_type,
        )

    def scaled(self, factor: float) -> SufficientStatistics:
        """Every sum multiplied by ``factor`` (the M-step's result does not change)."""
        return SufficientStatistics(
            self.nk * factor,
            self.sum_x * factor,
            self.scatter * factor,
            self.shift,
            self.log_likelihood * factor,
            self.total_weight * factor,
            self.covariance_type,
        )

    def recentred(self, shift: np.ndarray) -> SufficientStatistics:
        """The same sums taken about another shift ``c'_k`` (eq. 13.2 read backwards).

        With ``delta_k = c_k - c'_k``: ``sum r (x - c') = s_k + N_k delta_k`` and
        ``sum r (x-c')(x-c')^T = S_k + s_k delta_k^T + delta_k s_k^T + N_k delta_k delta_k^T``.
        """
        delta = self.shift - shift
        s, nk = self.sum_x, self.nk
        if self.covariance_type == "full":
            outer = s[:, :, None] * delta[:, None, :]
            scatter = (
                self.scatter + outer + outer.transpose(0, 2, 1)
                + nk[:, None, None] * delta[:, :, None] * delta[:, None, :]
            )  # fmt: skip
        elif self.covariance_type != "tied":
            scatter = self.scatter + 2 * s * delta + nk[:, None] * delta**2
        else:
            outer = s.T @ delta
            scatter = self.scatter + outer + outer.T + (delta.T * nk) @ delta
        return SufficientStatistics(
            nk.copy(), s + nk[:, None] * delta, scatter, shift.copy(),
            self.log_likelihood, self.total_weight, self.covariance_type,
        )  # fmt: skip

    @property
    def mean_log_likelihood(self) -> float:
        """``sum_n w_n log p(x_n) / sum_n w_n``: the quantity EM's ``tol`` is measured on."""
        return self.log_likelihood / self.total_weight


def _direct_scatter_mask(
    shift_c: np.ndarray, precisions_cholesky: np.ndarray | None, covariance_type: str
) -> np.ndarray:
    """Components whose scatter must be accumulated directly rather than expanded.

    Expanding ``sum r (x-c_k)^2`` about the centre loses about ``eps (|c_k - c| / sigma)^2``;
    components for which that ratio exceeds :data:`DIRECT_SCATTER_RATIO` are done directly.
    Without precisions (an M-step from given responsibilities), all of them are.
    """
    K = shift_c.shape[0]
    if precisions_cholesky is None:
        return np.ones(K, dtype=bool)
    P = precisions_cholesky
    if covariance_type == "full":
        ratio = np.einsum("kd,kde->ke", shift_c, P)
        ratio = np.einsum("ke,ke->k", ratio, ratio)
    elif covariance_type == "tied":
        ratio = np.einsum("kd,kd->k", shift_c @ P, shift_c @ P)
    elif covariance_type == "diag":
        ratio = np.max((shift_c * P) ** 2, axis=1)
    else:
        ratio = np.max(shift_c**2, axis=1) * P**2
    return ~(ratio <= DIRECT_SCATTER_RATIO)


class _Accumulator:
    """Sums of one pass, about a common centre ``c``; turned into statistics by ``finalize``."""

    def __init__(self, shift, centre, covariance_type, precisions_cholesky=None):
        K, d = shift.shape
        self.shift, self.centre, self.covariance_type = shift, centre, covariance_type
        self.sc = shift - centre
        self.direct = _direct_scatter_mask(self.sc, precisions_cholesky, covariance_type)
        self.direct_idx = np.flatnonzero(self.direct)
        self.nk = np.zeros(K)
        self.sx = np.zeros((K, d))  # sum r (x - c)
        self.sx_direct = np.zeros((K, d))  # direct components: sum r (x - c_k), from raw rows
        if covariance_type == "full":
            self.T = np.zeros((K * d, d))  # expanded: sum r (x - c)(x - c)^T, stacked
            self.S_direct = np.zeros((K, d, d))  # direct: sum r (x - c_k)(x - c_k)^T
        elif covariance_type == "tied":
            self.G = np.zeros((d, d))  # sum (sum over expanded k of r) (x - c)(x - c)^T
            self.S_direct = np.zeros((d, d))
        else:
            self.Q = np.zeros((K, d))  # expanded: sum r (x - c)^2; direct: sum r (x - c_k)^2
        self.log_likelihood = 0.0
        self.total_weight = 0.0

    def add(self, Xb, Xc, XcT, rT, work=None, sqT=None):
        """Add a block with weighted responsibilities ``rT`` (K, rows).

        ``Xb`` is the block as read, ``Xc = Xb - c`` the same block centred. A component far
        from ``c`` in its own standard deviations (``direct``) takes its sums from
        ``Xb - c_k``: going through ``Xc`` would cost ``eps |c_k - c| / sigma_k`` of its
        mean and covariance (a tight cluster far from the others).
        """
        K, d = self.sc.shape
        b = Xc.shape[0]
        self.nk += rT.sum(axis=1)
        self.sx += rT @ Xc
        direct_blocks = {}
        for k in self.direct_idx:
            D = Xb - self.shift[k]
            direct_blocks[k] = D
            self.sx_direct[k] += rT[k] @ D
        ct = self.covariance_type
        if ct == "full":
            if self.direct_idx.size < K:
                # One product for all components: rows k d + i hold r_nk (x_n - c)_i.
                out = None if work is None else work[: K * d * b].reshape(K, d, b)
                W = np.multiply(XcT[None], rT[:, None, :], out=out)
                self.T += W.reshape(K * d, b) @ Xc
            for k, D in direct_blocks.items():
                self.S_direct[k] += (D.T * rT[k]) @ D
        elif ct == "tied":
            g = rT[~self.direct].sum(axis=0)
            self.G += (XcT * g) @ Xc
            for k, D in direct_blocks.items():
                self.S_direct += (D.T * rT[k]) @ D
        else:
            if self.direct_idx.size < K:
                Qb = rT @ (Xc * Xc if sqT is None else sqT.T)
                Qb[self.direct] = 0.0
                self.Q += Qb
            for k, D in direct_blocks.items():
                self.Q[k] += rT[k] @ (D * D)

    def expanded_trace(self) -> np.ndarray:
        """``sum_n r_nk |x_n - c|^2`` of the components accumulated in expanded form.

        It bounds the rounding error of their scatter: about ``eps`` times this (0 for the
        components accumulated directly; for ``tied``, the trace of the shared sum).
        """
        K, d = self.sc.shape
        if self.covariance_type == "full":
            trace = np.einsum("kii->k", self.T.reshape(K, d, d)).copy()
        elif self.covariance_type == "tied":
            trace = np.full(K, np.trace(self.G))
        else:
            trace = self.Q.sum(axis=1)
        trace[self.direct] = 0.0
        return trace

    def finalize(self) -> SufficientStatistics:
        nk, sc, sx = self.nk, self.sc, self.sx
        sum_x = sx - nk[:, None] * sc
        sum_x[self.direct] = self.sx_direct[self.direct]
        ct = self.covariance_type
        if ct == "full":
            K, d = sc.shape
            outer = sx[:, :, None] * sc[:, None, :]
            scatter = (
                self.T.reshape(K, d, d) - outer - outer.transpose(0, 2, 1)
                + nk[:, None, None] * sc[:, :, None] * sc[:, None, :]
            )  # fmt: skip
            scatter[self.direct] = self.S_direct[self.direct]
        elif ct == "tied":
            e = ~self.direct
            outer = sx[e].T @ sc[e]
            scatter = self.G - outer - outer.T + (sc[e].T * nk[e]) @ sc[e] + self.S_direct
        else:
            scatter = self.Q - 2 * sc * sx + nk[:, None] * sc**2
            scatter[self.direct] = self.Q[self.direct]
        return SufficientStatistics(
            nk, sum_x, scatter, self.shift.copy(), self.log_likelihood, self.total_weight, ct
        )


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

    Examples
    --------
    Block by block, the sums add up to those of the whole data set:

    >>> X = np.array([[0.0], [2.0], [10.0], [12.0]])
    >>> resp = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])
    >>> stats = SufficientStatistics.zeros(np.zeros((2, 1)), "diag")
    >>> for rows in (slice(0, 2), slice(2, 4)):
    ...     accumulate_statistics(stats, X[rows], resp[rows], "diag")
    >>> stats.nk, stats.sum_x.ravel()
    (array([2., 2.]), array([ 2., 22.]))
    """
    X = np.asarray(X, dtype=np.float64)
    rT = np.array(resp, dtype=np.float64).T
    if sample_weight is not None:
        rT = rT * sample_weight[None, :]
    acc = _Accumulator(stats.shift, _centre(stats.shift), covariance_type)
    Xc = X - acc.centre
    acc.add(X, Xc, np.ascontiguousarray(Xc.T), rT)
    block = acc.finalize()
    stats.nk += block.nk
    stats.sum_x += block.sum_x
    stats.scatter += block.scatter
    stats.total_weight += X.shape[0] if sample_weight is None else float(sample_weight.sum())
    if log_prob_norm is not None:
        lp = log_prob_norm if sample_weight is None else log_prob_norm * sample_weight
        stats.log_likelihood += float(lp.sum())


def m_step(
    stats: SufficientStatistics, covariance_type: str, reg_covar: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """M-step: new weights, means and covariances from sufficient statistics.

    Implements eqs. 5.5 (weights), 5.6 (means), 5.7 and 9.1–9.4 (covariances), with the
    shift correction of eq. 13.2: ``S_k / N_k - delta_k delta_k^T`` where
    ``delta_k = mu_k - c_k``. ``reg_covar`` is added to every variance (eq. 7.4).
    Multiplying every statistic by the same factor does not change the result, so averages
    (as in online EM) serve as well as sums.

    Returns
    -------
    weights : ndarray of shape (n_components,)
    means : ndarray of shape (n_components, n_features)
    covariances : ndarray, shaped as described in :mod:`.covariance`

    Examples
    --------
    Means ``sum_x / N_k`` (eq. 5.6) and variances ``scatter / N_k - mean^2`` (eq. 9.3), checked by
    hand: ``(0 + 2) / 2 = 1`` and ``(0 + 4) / 2 - 1 = 1``. Scaling every statistic by the same
    factor changes nothing.

    >>> X = np.array([[0.0], [2.0], [10.0], [12.0]])
    >>> resp = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])
    >>> stats = SufficientStatistics.zeros(np.zeros((2, 1)), "diag")
    >>> accumulate_statistics(stats, X, resp, "diag")
    >>> weights, means, covariances = m_step(stats, "diag", reg_covar=0.0)
    >>> weights, means.ravel(), covariances.ravel()
    (array([0.5, 0.5]), array([ 1., 11.]), array([1., 1.]))
    >>> m_step(stats.scaled(0.5), "diag", reg_covar=0.0)[1].ravel()
    array([ 1., 11.])
    """
    # The tiny constant keeps an empty component from dividing by zero (as scikit-learn does).
    nk = stats.nk + 10 * np.finfo(np.float64).eps
    delta = stats.sum_x / nk[:, None]
    means = stats.shift + delta
    d = means.shape[1]
    # A variance is a mean of squares: rounding in the shift correction must not make it
    # negative (scikit-learn's test of a component collapsing onto one point, reg_covar=0).
    # An exactly zero variance is then refused by the Cholesky step with a clear error.
    diagonal = (..., np.arange(d), np.arange(d))
    if covariance_type == "full":
        cov = stats.scatter / nk[:, None, None] - delta[:, :, None] * delta[:, None, :]
        cov[diagonal] = np.maximum(cov[diagonal], 0.0) + reg_covar
    elif covariance_type == "tied":
        between = np.einsum("k,ki,kj->ij", nk, delta, delta)
        cov = (stats.scatter - between) / nk.sum()
        cov[diagonal] = np.maximum(cov[diagonal], 0.0) + reg_covar
    else:
        var = np.maximum(stats.scatter / nk[:, None] - delta**2, 0.0) + reg_covar
        cov = var if covariance_type == "diag" else var.mean(axis=1)
    if covariance_type in ("full", "tied"):
        cov = 0.5 * (cov + np.swapaxes(cov, -1, -2))  # exact symmetry despite rounding
    weights = nk / nk.sum()
    return weights, means, cov


def em_pass(
    X: Any,
    weights: np.ndarray,
    means: np.ndarray,
    precisions_cholesky: np.ndarray,
    covariance_type: str,
    sample_weight: np.ndarray | None = None,
    block_size: int | None = None,
    keep_responsibilities: bool = False,
    refine: bool = True,
) -> tuple[SufficientStatistics, np.ndarray | None]:
    """One pass over the data: E-step and sufficient statistics, block by block.

    ``X`` may be any array that supports row slicing, such as an :class:`numpy.memmap`
    larger than memory; only one block of rows is materialized at a time, and the working
    memory is a few blocks, whatever ``n_samples``.

    With ``refine`` (the default), components whose expanded scatter may have lost digits
    against their new covariance (one collapsing onto a few points, fewer points than
    features) get their sums again from a second, direct pass about their new means. The
    map step of a distributed pass turns it off: a chunk's statistics are only part of the
    sums, and the test belongs to the whole.

    Returns
    -------
    stats : SufficientStatistics
        Taken about the current ``means`` (about the new means for refined components);
        ``stats.mean_log_likelihood`` is the mean log-likelihood under the parameters
        passed in.
    resp : ndarray of shape (n_samples, n_components) or None
        The responsibilities, if ``keep_responsibilities``.

    Examples
    --------
    One full EM iteration is a pass followed by an M-step:

    >>> from gmm_from_scratch.covariance import precisions_cholesky_from_covariances
    >>> X = np.array([[-2.0], [-1.0], [1.0], [2.0]])
    >>> weights, means = np.array([0.5, 0.5]), np.array([[-1.0], [1.0]])
    >>> U = precisions_cholesky_from_covariances(np.ones(2), "spherical")
    >>> stats, _ = em_pass(X, weights, means, U, "spherical")
    >>> np.round(stats.nk, 4), stats.total_weight
    (array([2., 2.]), 4.0)
    >>> new_weights, new_means, new_covariances = m_step(stats, "spherical", reg_covar=0.0)
    >>> np.round(new_means.ravel(), 4)
    array([-1.3448,  1.3448])
    """
    n, d = X.shape
    K = means.shape[0]
    block_size = block_size or default_block_size(K, d)
    centre = _centre(means, weights)
    plan = _LogDensity(means, precisions_cholesky, covariance_type, centre)
    log_weights = _log_weights(weights)[:, None]
    all_resp = np.empty((n, K)) if keep_responsibilities else None
    blocks = list(iter_blocks(n, block_size))

    def run(part: np.ndarray) -> _Accumulator:
        acc = _Accumulator(means, centre, covariance_type, precisions_cholesky)
        work = np.empty(K * d * min(block_size, n)) if covariance_type == "full" else None
        for i in part:
            rows = blocks[i]
            Xb = _read_block(X, rows)
            Xc = Xb - centre
            XcT = np.ascontiguousarray(Xc.T)
            sqT = XcT * XcT if covariance_type in ("diag", "spherical") else None
            log_joint = plan.log_prob(Xc, XcT, work, sqT)
            log_joint += log_weights
            log_norm, rT = _responsibilities(log_joint)
            if all_resp is not None:
                all_resp[rows] = rT.T
            if sample_weight is not None:
                w = sample_weight[rows]
                rT *= w
                acc.total_weight += float(w.sum())
                acc.log_likelihood += float(log_norm @ w)
            else:
                acc.total_weight += Xc.shape[0]
                acc.log_likelihood += float(log_norm.sum())
            acc.add(Xb, Xc, XcT, rT, work, sqT)
        return acc

    # Blocks are independent: with BLAS made single-threaded, threads take turns of blocks
    # (NumPy releases the GIL in its loops and in BLAS), each with its own statistics.
    # Only worth it when a block carries enough arithmetic (the full type's K d^2 per row).
    n_threads = _n_threads(K, d, covariance_type, len(blocks), isinstance(X, np.ndarray))
    # BLAS is single-threaded during the pass in any case: the block products are too small
    # for BLAS threads to pay, and on a busy machine their synchronization costs many times
    # the product itself.
    limiter = _single_threaded_blas()
    if limiter is None:
        accs = [run(np.arange(len(blocks)))]
    elif n_threads == 1:
        with limiter:
            accs = [run(np.arange(len(blocks)))]
    else:
        with limiter, ThreadPoolExecutor(n_threads) as pool:
            accs = list(pool.map(run, np.array_split(np.arange(len(blocks)), n_threads)))
    stats = accs[0].finalize()
    for acc in accs[1:]:
        stats = stats + acc.finalize()
    if not refine:
        return stats, all_resp
    imprecise = _imprecise_scatter(stats, np.sum([acc.expanded_trace() for acc in accs], axis=0))
    if imprecise.any():
        # Rare (a component collapsing onto a few points, n < d): a second pass takes these
        # components' sums directly about their new means, as a two-pass formula would.
        _redo_directly(stats, imprecise, X, plan, log_weights, blocks, sample_weight)
    return stats, all_resp


def _imprecise_scatter(stats: SufficientStatistics, trace: np.ndarray) -> np.ndarray:
    """Components whose expanded scatter may have lost digits against their new covariance.

    The expansion's rounding error is about ``4 eps trace_k / N_k``; a component is flagged
    when that exceeds :data:`EXPANSION_RTOL` times the smallest eigenvalue of its new
    covariance (before ``reg_covar``): a component that collapses onto a few points, or
    that is flat in some direction (fewer points than features).
    """
    ct = stats.covariance_type
    nk = stats.nk + 10 * _EPS
    if not np.any(trace > 0):
        return np.zeros(nk.shape, dtype=bool)
    _, _, cov = m_step(stats, ct, 0.0)
    if ct == "full":
        smallest = np.linalg.eigvalsh(cov)[:, 0]
        bound = 4 * _EPS * trace / nk
    elif ct == "tied":
        smallest = np.full(nk.shape, np.linalg.eigvalsh(cov)[0])
        bound = np.full(nk.shape, 4 * _EPS * trace.max() / nk.sum())
        return np.full(nk.shape, bool(np.any(bound > EXPANSION_RTOL * np.maximum(smallest, 0))))
    elif ct == "diag":
        smallest = cov.min(axis=1)
        bound = 4 * _EPS * trace / nk
    else:
        smallest = cov
        bound = 4 * _EPS * trace / nk / stats.scatter.shape[1]
    return bound > EXPANSION_RTOL * np.maximum(smallest, 0.0)


def _redo_directly(stats, components, X, plan, log_weights, blocks, sample_weight) -> None:
    """Replace the sums of ``components`` by direct ones about their new means (in place).

    A second pass repeats the E-step (the same responsibilities) and accumulates
    ``sum r (x - mu_k)`` and ``sum r (x - mu_k)(x - mu_k)^T`` from the rows as read, so the
    covariance loses nothing to cancellation. ``tied`` redoes its shared scatter whole.
    """
    ct = stats.covariance_type
    nk = stats.nk + 10 * _EPS
    shift = stats.shift.copy()
    ks = np.flatnonzero(components)
    shift[ks] = stats.shift[ks] + stats.sum_x[ks] / nk[ks, None]
    sum_x = np.zeros_like(stats.sum_x)
    scatter = np.zeros_like(stats.scatter)
    for rows in blocks:
        Xb = _read_block(X, rows)
        log_joint = plan.log_prob(Xb - plan.centre)
        log_joint += log_weights
        _, rT = _responsibilities(log_joint)
        if sample_weight is not None:
            rT *= sample_weight[rows]
        for k in ks:
            D = Xb - shift[k]
            sum_x[k] += rT[k] @ D
            if ct == "full":
                scatter[k] += (D.T * rT[k]) @ D
            elif ct == "tied":
                scatter += (D.T * rT[k]) @ D
            else:
                scatter[k] += rT[k] @ (D * D)
    stats.shift = shift
    stats.sum_x[ks] = sum_x[ks]
    if ct == "tied":
        stats.scatter = scatter
    else:
        stats.scatter[ks] = scatter[ks]


def _n_threads(K: int, d: int, covariance_type: str, n_blocks: int, in_memory: bool) -> int:
    """Threads for a pass: at least one, at most one per block (see :data:`USE_THREADS`).

    Examples
    --------
    >>> _n_threads(K=2, d=32, covariance_type="full", n_blocks=1, in_memory=True)
    1
    """
    if USE_THREADS is None:
        heavy = K * d * (d if covariance_type == "full" else 4) >= THREAD_MIN_WORK
        wanted = min(N_THREADS, n_blocks // 2) if heavy and in_memory else 1
    else:
        wanted = N_THREADS if USE_THREADS else 1
    return max(1, min(wanted, n_blocks))


def estimate_parameters(
    X: Any,
    resp: np.ndarray,
    covariance_type: str,
    reg_covar: float,
    sample_weight: np.ndarray | None = None,
    block_size: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weights, means and covariances from given responsibilities (an M-step on its own).

    Used to turn an initial hard or soft assignment into parameters. It takes two passes:
    the first finds the means, about which the second accumulates the scatter.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features), or a streamed array
    resp : ndarray of shape (n_samples, n_components)
        Responsibilities (rows summing to one), or a one-hot assignment.
    covariance_type : {'full', 'tied', 'diag', 'spherical'}
    reg_covar : float
        Added to every variance (eq. 7.4).
    sample_weight : ndarray of shape (n_samples,), optional
    block_size : int, optional
        Rows per block; by default :func:`default_block_size`.

    Returns
    -------
    weights : ndarray of shape (n_components,)
    means : ndarray of shape (n_components, n_features)
    covariances : ndarray, shaped as described in :mod:`.covariance`

    Examples
    --------
    >>> X = np.array([[0.0], [2.0], [10.0], [12.0]])
    >>> resp = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])
    >>> weights, means, covariances = estimate_parameters(X, resp, "diag", reg_covar=0.0)
    >>> weights, means.ravel(), covariances.ravel()
    (array([0.5, 0.5]), array([ 1., 11.]), array([1., 1.]))
    """
    n, d = X.shape
    K = resp.shape[1]
    block_size = block_size or default_block_size(K, d)
    rw = resp if sample_weight is None else resp * sample_weight[:, None]
    nk = rw.sum(axis=0) + 10 * np.finfo(np.float64).eps
    sums = np.zeros((K, d))
    for rows in iter_blocks(n, block_size):
        sums += rw[rows].T @ _read_block(X, rows)
    stats = SufficientStatistics.zeros(sums / nk[:, None], covariance_type)
    for rows in iter_blocks(n, block_size):
        w = None if sample_weight is None else sample_weight[rows]
        accumulate_statistics(stats, _read_block(X, rows), resp[rows], covariance_type, w)
    return m_step(stats, covariance_type, reg_covar)
