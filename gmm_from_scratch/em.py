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
    "responsibilities",
    "responsibility_statistics",
]

#: Target size in bytes of the largest temporary, ``(components, features, rows)``, per block.
BLOCK_BYTES = 1 << 22

#: Largest accepted rounding error of an expanded squared distance, relative to ``1 + distance``.
EXPANSION_RTOL = 1e-11

#: A component whose shift from the centre is more than ``sqrt(DIRECT_SCATTER_RATIO)`` of its
#: standard deviations (in some direction) has its scatter accumulated directly, not expanded.
DIRECT_SCATTER_RATIO = 1e4

_EPS = np.finfo(np.float64).eps


def _numpy_exp_is_vectorized() -> bool:
    """Whether NumPy runs its AVX-512 loop for float64 ``exp`` on this processor.

    That loop computes eight exponentials at a time at one speed for every argument; without
    it NumPy calls the C library's ``exp`` one value at a time (see :func:`_exp_of_nonpositive`).
    """
    try:
        from numpy.lib.introspect import opt_func_info

        target = opt_func_info(func_name="^exp$", signature="float64")["exp"]["dd"]["current"]
    except (ImportError, KeyError, TypeError):  # NumPy < 2.0, or a build without dispatch
        return False
    return "AVX512" in target or target == "X86_V4"


#: Whether the responsibilities' exponentials are a plain ``np.exp`` (NumPy's AVX-512 loop)
#: rather than ``exp(a / 2)^2`` (which keeps the C library's ``exp`` on its fast path). Set
#: at import from the processor; tests force both.
VECTORIZED_EXP = _numpy_exp_is_vectorized()

#: Threads that process blocks concurrently in :func:`em_pass`. They are used only when
#: ``threadpoolctl`` (installed with scikit-learn; optional) can make BLAS single-threaded
#: meanwhile: threads calling a multi-threaded BLAS would compete for the same cores. Without
#: it the pass runs in one thread and BLAS as configured.
N_THREADS = min(4, os.cpu_count() or 1)

#: Threads are used when a pass's work, ``n K (d^2 + 10)`` (full) or ``n K (2 d + 10)`` (the
#: other types: the products plus the per-entry log-sum-exp), reaches this; below it,
#: starting the threads costs more than they save (measured on two cores, chapter 13).
THREAD_MIN_WORK = 15_000_000

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


def default_block_size(n_components: int, n_features: int, covariance_type: str = "full") -> int:
    """Rows per block so that a block's temporaries stay within a cache-sized budget.

    ``full`` keeps its largest temporary, ``(components, features, rows)``, within
    :data:`BLOCK_BYTES`, and so its features when they include the pairs ``x_i x_j``. The
    other types hold only the features (``2 d + 1`` or fewer, rows) and the ``(K, rows)`` log-joint,
    within half that budget together: longer blocks, which pay fewer per-block overheads
    (measured with ``benchmarks/bench_em.py``).

    Examples
    --------
    >>> from gmm_from_scratch.em import BLOCK_BYTES
    >>> rows = default_block_size(n_components=3, n_features=2)
    >>> 256 <= rows and 8 * 3 * (2 + 1) * rows <= BLOCK_BYTES
    True
    >>> default_block_size(16, 16, "diag") > default_block_size(16, 16, "full")
    True
    """
    K, d = n_components, n_features
    if covariance_type == "full":
        # ... and its features, when they include the pairs x_i x_j (see _use_pairs).
        pairs = d * (d + 1) // 2 + d + 1 if _use_pairs(K, d) else 0
        per_row = 8 * max(K * (d + 1), pairs)
    else:
        per_row = 16 * (_feature_rows(d, covariance_type, False, False) + K)
    return int(min(1 << 16, max(256, BLOCK_BYTES // per_row)))


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


def _read_block(X: Any, rows: slice, keep_float32: bool = False) -> np.ndarray:
    """Rows of ``X`` as a float64 NumPy array (checked for NaN/inf when read from a stream).

    float32 data in memory (checked when the estimator validated it) is converted one block
    at a time: every value of float32 is exactly a float64, so the pass computes in float64
    on exactly the data given, without a float64 copy of the whole array. With
    ``keep_float32`` such a block is returned as it is, for a caller whose first operation
    (centring, :func:`_block_features`) converts it anyway.
    """
    Xb = X[rows]
    if type(Xb) is np.ndarray and not is_streamed(X):
        if Xb.dtype == np.float64:
            return Xb
        if Xb.dtype == np.float32:
            return Xb if keep_float32 else Xb.astype(np.float64)
    return check_finite_block(_materialize(Xb))


def _centre(means: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """A point near the data about which blocks are centred: the mixture's mean."""
    if weights is None:
        return means.mean(axis=0)
    w = np.where(np.isfinite(weights) & (weights > 0), weights, 0.0)
    return (w @ means) / w.sum() if w.sum() > 0 else means.mean(axis=0)


def _block_features(
    Xb: np.ndarray,
    centre: np.ndarray,
    covariance_type: str,
    pairs: bool = False,
    tied_factor: np.ndarray | None = None,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """The block's features, one per row of a ``(features, rows)`` array (its columns are rows).

    With ``x = x_n - c`` (the row centred), the layout is

    * ``full``: ``[x_i x_j for i <= j]`` (only with ``pairs``), ``1``, ``x``;
    * ``tied``: ``x``, ``1``, and with ``tied_factor`` ``U`` also ``y = U^T x``, ``|y|^2``;
    * ``diag``: ``x``, ``x * x``, ``1``;
    * ``spherical``: ``x``, ``|x|^2``, ``1`` (its model sees only the squared norm).

    The sufficient statistics of the block are then one product ``F @ r^T`` (the constant
    feature gives ``N_k``), and the log-densities of ``tied``, ``diag`` and ``spherical`` one
    product ``W @ F``. ``out``, if given, must already hold the constant feature.
    """
    b, d = Xb.shape
    ct = covariance_type
    p, first_x, _ = _feature_layout(d, ct, pairs)
    if out is None:
        out = _features_buffer(d, b, ct, pairs, tied_factor is not None)
    x = out[first_x : first_x + d]
    np.subtract(Xb.T, centre[:, None], out=x)  # centre and transpose in one pass
    if ct == "full":
        offset = 0
        for i in range(p and d):
            np.multiply(x[i:], x[i], out=out[offset : offset + d - i])
            offset += d - i
    elif ct == "tied":
        if tied_factor is not None:
            y = np.matmul(tied_factor.T, x, out=out[d + 1 : 2 * d + 1])
            np.einsum("db,db->b", y, y, out=out[2 * d + 1])
    elif ct == "diag":
        np.multiply(x, x, out=out[d : 2 * d])
    else:
        np.einsum("db,db->b", x, x, out=out[d])
    return out


def _feature_layout(d: int, covariance_type: str, pairs: bool) -> tuple[int, int, int]:
    """Rows of :func:`_block_features`: the number of pairs, the first row of ``x``, the ``1``."""
    if covariance_type == "full":
        p = d * (d + 1) // 2 if pairs else 0
        return p, p + 1, p
    return 0, 0, {"tied": d, "diag": 2 * d}.get(covariance_type, d + 1)


def _feature_rows(d: int, covariance_type: str, pairs: bool, tied_y: bool) -> int:
    """The number of rows of :func:`_block_features`."""
    p, _, one = _feature_layout(d, covariance_type, pairs)
    if covariance_type == "full":
        return p + d + 1
    return 2 * d + 2 if covariance_type == "tied" and tied_y else one + 1


def _features_buffer(d: int, rows: int, covariance_type: str, pairs: bool, tied_y: bool):
    """An empty features array for :func:`_block_features`, its constant feature set."""
    buf = np.empty((_feature_rows(d, covariance_type, pairs, tied_y), rows))
    one = _feature_layout(d, covariance_type, pairs)[2]
    buf[one] = 1.0
    return buf


def _use_pairs(K: int, d: int) -> bool:
    """Whether ``full`` scatter matrices come from the pair features ``x_i x_j``.

    (See :class:`_Accumulator`.)

    Pairs cost ``K d (d + 1)`` flops and ``d (d + 1) / 2`` stored features per row; the
    alternative, the weighted copy ``r_nk x_n``, ``2 K d^2`` flops and ``K d`` stored values.
    A store costs about as much as six flops of a product here (measured, chapter 13).
    """
    p = d * (d + 1) // 2
    return p * (K + 6) < K * d * (d + 6)


class _LogDensity:
    """Per-pass constants that give ``log pi_k + log N(x_n | mu_k, Sigma_k)`` for a block.

    :meth:`features` lays a block out as :func:`_block_features` does, and :meth:`log_joint`
    turns those features into the ``(K, rows)`` log-joint. ``log_weights`` (the ``log pi_k``)
    default to zero, which gives the log-densities alone (eq. 2.3).
    """

    def __init__(self, means, precisions_cholesky, covariance_type, centre, log_weights=None):
        K, d = means.shape
        ct = covariance_type
        self.K, self.d, self.covariance_type = K, d, ct
        self.centre = centre
        self.pairs = ct == "full" and _use_pairs(K, d)
        mc = means - centre  # exact for means near the centre (Sterbenz's lemma)
        self.mc = mc
        P = precisions_cholesky
        self.P = P
        log_det = log_det_precision_cholesky(P, ct, d)
        log_w = np.zeros(K) if log_weights is None else np.asarray(log_weights, dtype=float)
        # log pi_k + log N at the mean; a component of weight zero is -inf everywhere.
        peak = -0.5 * d * LOG_2PI + np.broadcast_to(log_det, (K,)) + log_w
        self.dead = ~np.isfinite(peak)
        self.peak = np.where(self.dead, 0.0, peak)
        if ct == "full":
            # A[k, e] = (-(mu_k - c) U_k[:, e], column e of U_k) / sqrt(2), so that
            # y = A @ [1; x - c] has |y_k|^2 = maha_k / 2.
            A = np.empty((K, d, d + 1))
            A[:, :, 0] = -np.einsum("kj,kje->ke", mc, P)
            A[:, :, 1:] = P.transpose(0, 2, 1)
            A *= np.sqrt(0.5)
            # U_k is upper triangular (a Cholesky factor), so y_e needs x_1 ... x_e only: the
            # first h columns take a product with the first h features, a quarter of the flops
            # saved. (Any other factor takes the whole product.)
            lower = np.tril_indices(d, -1)
            h = d // 2 if d >= 8 and not np.any(P[:, lower[0], lower[1]]) else 0
            self.split = h
            self.A_first = np.ascontiguousarray(A[:, :h, : h + 1]).reshape(K * h, h + 1)
            self.A_rest = np.ascontiguousarray(A[:, h:]).reshape(K * (d - h), d + 1)
            return
        # maha = |a|^2 - 2 a.b + |b|^2 as one product W @ F; lam_max |x|^2 bounds |a|^2.
        if ct == "tied":
            Mt = mc @ P  # whitened centred means
            C = np.einsum("kd,kd->k", Mt, Mt)
            W = np.zeros((K, 2 * d + 2))
            W[:, d + 1 : 2 * d + 1] = Mt
            W[:, 2 * d + 1] = -0.5
            W[:, d] = self.peak - 0.5 * C
            self.Mt, self.lam_max = Mt, np.ones(K)
        else:
            # diag: one precision per feature, lam_kj; spherical: one per component, lam_k,
            # which multiplies the single feature |x|^2.
            lam = P**2 if ct == "diag" else (P**2)[:, None]
            C = np.einsum("kd,kd->k", lam * mc, mc)
            one = _feature_layout(d, ct, False)[2]
            W = np.empty((K, one + 1))
            W[:, :d] = lam * mc
            W[:, d:one] = -0.5 * lam
            W[:, one] = self.peak - 0.5 * C
            self.scale = np.sqrt(lam)
            self.lam_max = lam.max(axis=1)
        # The tied log-joint does not use x itself (only 1, y and |y|^2, rows d onwards): the
        # product skips those rows, half of its flops.
        self.first_feature = d if ct == "tied" else 0
        self.W = np.ascontiguousarray(W[:, self.first_feature :])
        # Rounding error of the expanded form: at most ~2 (d + 4) eps (|a|^2 + |b|^2 + 2 |peak|).
        self.error_factor = 2 * (d + 4) * _EPS / EXPANSION_RTOL
        self.error_offset = C + 2 * np.abs(self.peak)

    def workspace(self, rows: int) -> dict:
        """Arrays one thread reuses for every block of ``rows`` rows."""
        K, d, ct = self.K, self.d, self.covariance_type
        work = {"F": _features_buffer(d, rows, ct, self.pairs, tied_y=True)}
        work["out"] = np.empty((K, rows))
        if ct == "full":
            work["Y"] = np.empty((K * d, rows))
            work["out2"] = np.empty((K, rows))
        return work

    def features(self, Xb: np.ndarray, work: dict) -> np.ndarray:
        P = self.P if self.covariance_type == "tied" else None
        return _block_features(Xb, self.centre, self.covariance_type, self.pairs, P, work["F"])

    def log_joint(self, F: np.ndarray, work: dict) -> np.ndarray:
        """``log pi_k + log N(x_n | mu_k, Sigma_k)``, shape ``(K, rows)`` (eq. 2.3).

        Written into ``work["out"]``.
        """
        K, d = self.K, self.d
        out = work["out"]
        if self.covariance_type == "full":
            h, b = self.split, F.shape[1]
            first = _feature_layout(d, "full", self.pairs)[2]
            G = F[first : first + d + 1]  # [1; x - c]
            Y = work["Y"]
            Y_rest = np.matmul(self.A_rest, G, out=Y[K * h :]).reshape(K, d - h, b)
            if h:
                np.matmul(self.A_first, G[: h + 1], out=Y[: K * h])
            if h and 2 * h == d:  # both halves as one (2, K, d / 2, rows) array
                Y4 = Y.reshape(2, K, h, b)
                np.einsum("ukeb,ukeb->kb", Y4, Y4, out=out)
            else:
                np.einsum("keb,keb->kb", Y_rest, Y_rest, out=out)
                if h:
                    Y_first = Y[: K * h].reshape(K, h, b)
                    out += np.einsum("keb,keb->kb", Y_first, Y_first, out=work["out2"])
            np.subtract(self.peak[:, None], out, out=out)
        else:
            np.matmul(self.W, F[self.first_feature :], out=out)
            self._recompute_imprecise(F, out)
        if self.dead.any():
            out[self.dead] = -np.inf
        return out

    def _recompute_imprecise(self, F: np.ndarray, log_joint: np.ndarray) -> None:
        """Recompute directly the components whose expanded distances may have lost digits.

        An entry is suspect when its error bound ``factor (lam_max |x|^2 + |b|^2 + 2 |peak|)``
        is not small next to ``1 + maha``. A cheap test per component first (its largest
        bound against its smallest distance in the block); only the components that fail it
        are tested entry by entry, and recomputed directly, ``|(x - mu_k) U_k|^2``, if any
        entry fails.
        """
        d = self.d
        ct = self.covariance_type
        norms = F[d : 2 * d].sum(axis=0) if ct == "diag" else F[{"tied": 2 * d + 1}.get(ct, d)]
        factor, offset, peak = self.error_factor, self.error_offset, self.peak
        largest_bound = factor * (self.lam_max * norms.max() + offset)
        smallest_maha = 2.0 * (peak - log_joint.max(axis=1))
        for k in np.flatnonzero(largest_bound > smallest_maha + 1.0):
            maha = 2.0 * (peak[k] - log_joint[k])
            bound = factor * (self.lam_max[k] * norms + offset[k])
            if np.any(bound > maha + 1.0):
                log_joint[k] = peak[k] - 0.5 * self._direct(F, int(k))

    def _direct(self, F: np.ndarray, k: int) -> np.ndarray:
        d = self.d
        if self.covariance_type == "tied":
            D = F[d + 1 : 2 * d + 1] - self.Mt[k][:, None]
        else:
            D = (F[:d] - self.mc[k][:, None]) * self.scale[k][:, None]
        return np.einsum("db,db->b", D, D)

    def log_joint_of(self, Xb: np.ndarray) -> np.ndarray:
        """:meth:`log_joint` of one block, with arrays of its own."""
        work = self.workspace(Xb.shape[0])
        return self.log_joint(self.features(Xb, work), work)


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
    for rows in iter_blocks(n, default_block_size(K, d, covariance_type)):
        out[rows] = plan.log_joint_of(_read_block(X, rows)).T
    return out


def defined_responsibilities(e_step_result: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """The log-responsibilities of an E-step, or a clear error for rows where they are 0/0.

    A point whose density is zero under every component (its squared Mahalanobis distances
    overflow, e.g. at ``1e200``) has no defined responsibilities: ``0 / 0``.
    """
    log_norm, log_resp = e_step_result
    lost = np.flatnonzero(~np.isfinite(log_norm))
    if lost.size:
        raise ValueError(
            f"{lost.size} row(s) of X (the first is row {lost[0]}) are so far from every "
            "component that their density underflows to 0 under all of them, so their "
            "responsibilities are undefined (0/0). score_samples gives -inf for them; check "
            "the data's scale, or remove these outliers before predicting."
        )
    return log_resp


def responsibilities(
    X: np.ndarray,
    weights: np.ndarray,
    means: np.ndarray,
    precisions_cholesky: np.ndarray,
    covariance_type: str,
    block_size: int | None = None,
) -> np.ndarray:
    """Responsibilities ``gamma(z_nk)`` of each component for each row (eq. 4.2).

    ``exp`` of :func:`e_step`'s log-responsibilities; each row sums to one. Takes the
    arguments of :func:`e_step`.

    Raises
    ------
    ValueError
        For rows so far from every component that their densities underflow to zero under
        all of them (``0 / 0``), naming the first such row.

    Examples
    --------
    >>> from gmm_from_scratch.covariance import precisions_cholesky_from_covariances
    >>> X = np.array([[-2.0], [0.0], [2.0]])
    >>> weights, means = np.array([0.5, 0.5]), np.array([[-2.0], [2.0]])
    >>> U = precisions_cholesky_from_covariances(np.array([1.0, 1.0]), "spherical")
    >>> np.round(responsibilities(X, weights, means, U, "spherical")[:, 0], 4).tolist()
    [0.9997, 0.5, 0.0003]
    """
    e_step_result = e_step(X, weights, means, precisions_cholesky, covariance_type, block_size)
    return np.exp(defined_responsibilities(e_step_result))


def _exp_of_nonpositive(a: np.ndarray) -> np.ndarray:
    """``exp(a)`` in place for ``a <= 0``, as ``exp(a / 2)^2`` unless NumPy's is vectorized.

    The C library's ``exp`` takes a slower path for ``|a| > 512`` (where the result may
    underflow), and in a log-joint such arguments are mixed with ordinary ones, so the branch
    is mispredicted too: 2-3x the time of the whole array on ordinary arguments. Halved
    arguments stay on the fast path. The square costs one rounding (within 2 ulp of ``exp``,
    tested), and below ``-1023`` the result is 0 either way, as it is for ``exp``. NumPy's
    AVX-512 loop (:data:`VECTORIZED_EXP`) has no slow path: there the three extra passes over
    the array would only cost time, and ``np.exp`` is used as it is.
    """
    if VECTORIZED_EXP:
        return np.exp(a, out=a)
    np.maximum(a, -1023.0, out=a)  # exp(-1023) = 0 in float64; NaN stays NaN
    a *= 0.5
    e = np.exp(a, out=a)
    e *= e
    return e


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
    e = _exp_of_nonpositive(log_joint)
    total = e.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_norm = np.log(total)
        # One division per row, then products (a column of zeros gives 0 * inf = NaN).
        np.multiply(e, np.reciprocal(total), out=e)
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
        ``log p(x_n) = log sum_k pi_k N(x_n | mu_k, Sigma_k)``; ``-inf`` for a row so far
        from every component (beyond about ``1e154``) that its squared distances overflow
        float64: its density is 0 in float64.
    log_resp : ndarray of shape (n_samples, n_components)
        ``log gamma(z_nk)``; NaN (undefined) in such a row, which
        :func:`responsibilities` refuses with a clear error.

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
    block_size = block_size or default_block_size(K, d, covariance_type)
    centre = _centre(means, weights)
    plan = _LogDensity(means, precisions_cholesky, covariance_type, centre, _log_weights(weights))
    log_norm = np.empty(n)
    log_resp = np.empty((n, K))
    for rows in iter_blocks(n, block_size):
        with np.errstate(over="ignore", invalid="ignore"):  # see _normalize_far_rows
            log_joint = plan.log_joint_of(_read_block(X, rows)).T
            log_norm[rows], log_resp[rows] = _normalize_far_rows(log_joint)
    return log_norm, log_resp


def _normalize_far_rows(log_joint: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`.normalize_log_probabilities` of an inference E-step's ``(rows, K)`` log-joint.

    A row beyond about ``1e154`` from the components overflows the squares of its distances
    (``inf``, or ``inf - inf = NaN`` inside a product): its density is 0 in float64, so its
    log-joint is ``-inf`` (in place), and its responsibilities are undefined (NaN), which
    :func:`defined_responsibilities` refuses with a clear error. Callers compute the log-joint
    under ``np.errstate(over="ignore", invalid="ignore")``: those overflows are expected, and
    a fit never meets them (:func:`._validation.check_range` refuses such data).
    """
    log_joint[np.isnan(log_joint)] = -np.inf
    with np.errstate(invalid="ignore"):  # an all -inf row: -inf - (-inf)
        return normalize_log_probabilities(log_joint)


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
        ``tied``; its diagonal only, (n_components, n_features), for ``diag``; its trace
        ``sum_n w_n r_nk |x_n - c_k|^2``, (n_components,), for ``spherical``.
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
        scatter_shape = {"full": (K, d, d), "tied": (d, d), "diag": (K, d)}.get(
            covariance_type, (K,)
        )
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
        elif self.covariance_type == "diag":
            scatter = self.scatter + 2 * s * delta + nk[:, None] * delta**2
        elif self.covariance_type == "spherical":
            scatter = self.scatter + 2 * np.einsum("kd,kd->k", s, delta) + nk * (delta**2).sum(1)
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
    """Sums of one pass, about a common centre ``c``; turned into statistics by ``finalize``.

    The expanded sums of a block are one product ``F[:S] @ r^T`` of its features
    (:func:`_block_features`) with the weighted responsibilities: ``N_k`` from the constant
    feature, ``sum r (x - c)`` from ``x``, and the scatter from ``x * x`` (diag), ``|x|^2``
    (spherical) or the pairs ``x_i x_j`` (full). ``full`` without pairs and ``tied`` add one
    more product.
    """

    def __init__(self, shift, centre, covariance_type, precisions_cholesky=None, pairs=False):
        K, d = shift.shape
        ct = covariance_type
        self.shift, self.centre, self.covariance_type = shift, centre, ct
        self.sc = shift - centre
        self.direct = _direct_scatter_mask(self.sc, precisions_cholesky, ct)
        self.direct_idx = np.flatnonzero(self.direct)
        self.pairs = pairs and ct == "full"
        self.p, self.first_x, self.one = _feature_layout(d, ct, self.pairs)
        self.n_stat_rows = _feature_rows(d, ct, self.pairs, tied_y=False)
        self.M = np.zeros((self.n_stat_rows, K))  # F[:S] @ r^T summed over blocks
        self.sx_direct = np.zeros((K, d))  # direct components: sum r (x - c_k), from raw rows
        if ct == "full":
            self.T = None if self.pairs else np.zeros((K * d, d))  # sum r (x-c)(x-c)^T, stacked
            self.S_direct = np.zeros((K, d, d))  # direct: sum r (x - c_k)(x - c_k)^T
        elif ct == "tied":
            self.G = np.zeros((d, d))  # sum (sum over expanded k of r) (x - c)(x - c)^T
            self.S_direct = np.zeros((d, d))
        else:  # direct: sum r (x - c_k)^2, per feature (diag) or summed (spherical)
            self.Q_direct = np.zeros((K, d) if ct == "diag" else K)
        self.log_likelihood = 0.0
        self.total_weight = 0.0

    def add(self, Xb, F, rT, unit_rows=False, work=None):
        """Add a block: rows ``Xb`` as read, features ``F``, responsibilities ``rT`` (K, rows).

        ``unit_rows`` says that every row's responsibilities sum to one (no sample weights),
        so the expanded ``tied`` scatter needs no weighting when no component is direct.
        A component far from ``c`` in its own standard deviations (``direct``) takes its sums
        from ``Xb - c_k``: going through ``x - c`` would cost ``eps |c_k - c| / sigma_k`` of
        its mean and covariance (a tight cluster far from the others).
        """
        K, d = self.sc.shape
        b = Xb.shape[0]
        self.M += F[: self.n_stat_rows] @ rT.T
        ct = self.covariance_type
        x = F[self.first_x : self.first_x + d]
        if ct == "full" and not self.pairs and self.direct_idx.size < K:
            # One product for all components: rows k d + i hold r_nk (x_n - c)_i.
            out = None if work is None else work["Y"].reshape(K, d, b)
            Wt = np.multiply(x[None], rT[:, None, :], out=out)
            self.T += Wt.reshape(K * d, b) @ x.T
        elif ct == "tied":
            if unit_rows and self.direct_idx.size == 0:
                self.G += x @ x.T
            else:
                self.G += (x * rT[~self.direct].sum(axis=0)) @ x.T
        for k in self.direct_idx:
            D = Xb - self.shift[k]
            self.sx_direct[k] += rT[k] @ D
            if ct == "diag":
                self.Q_direct[k] += rT[k] @ (D * D)
            elif ct == "spherical":
                self.Q_direct[k] += rT[k] @ np.einsum("nd,nd->n", D, D)
            elif ct == "full":
                self.S_direct[k] += (D.T * rT[k]) @ D
            else:
                self.S_direct += (D.T * rT[k]) @ D

    def _sums(self):
        """``N_k``, ``sum r (x - c)`` and the expanded scatter about ``c``."""
        K, d = self.sc.shape
        M, p, first_x = self.M, self.p, self.first_x
        nk, sx = M[self.one].copy(), M[first_x : first_x + d].T.copy()
        ct = self.covariance_type
        if ct == "full":
            if self.pairs:
                i, j = np.triu_indices(d)
                T = np.empty((K, d, d))
                T[:, i, j] = M[:p].T
                T[:, j, i] = M[:p].T
            else:
                T = self.T.reshape(K, d, d)
            return nk, sx, T
        if ct == "tied":
            return nk, sx, self.G
        if ct == "spherical":
            return nk, sx, M[d].copy()
        return nk, sx, M[d : 2 * d].T.copy()

    def expanded_trace(self) -> np.ndarray:
        """``sum_n r_nk |x_n - c|^2`` of the components accumulated in expanded form.

        It bounds the rounding error of their scatter: about ``eps`` times this (0 for the
        components accumulated directly; for ``tied``, the trace of the shared sum).
        """
        K, d = self.sc.shape
        _, _, S = self._sums()
        if self.covariance_type == "full":
            trace = np.einsum("kii->k", S).copy()
        elif self.covariance_type == "tied":
            trace = np.full(K, np.trace(S))
        elif self.covariance_type == "diag":
            trace = S.sum(axis=1)
        else:
            trace = S
        trace[self.direct] = 0.0
        return trace

    def finalize(self) -> SufficientStatistics:
        sc = self.sc
        nk, sx, S = self._sums()
        sum_x = sx - nk[:, None] * sc
        sum_x[self.direct] = self.sx_direct[self.direct]
        ct = self.covariance_type
        if ct == "full":
            outer = sx[:, :, None] * sc[:, None, :]
            scatter = (
                S - outer - outer.transpose(0, 2, 1)
                + nk[:, None, None] * sc[:, :, None] * sc[:, None, :]
            )  # fmt: skip
            scatter[self.direct] = self.S_direct[self.direct]
        elif ct == "tied":
            e = ~self.direct
            outer = sx[e].T @ sc[e]
            scatter = S - outer - outer.T + (sc[e].T * nk[e]) @ sc[e] + self.S_direct
        elif ct == "diag":
            scatter = S - 2 * sc * sx + nk[:, None] * sc**2
            scatter[self.direct] = self.Q_direct[self.direct]
        else:
            scatter = S - 2 * np.einsum("kd,kd->k", sc, sx) + nk * np.einsum("kd,kd->k", sc, sc)
            scatter[self.direct] = self.Q_direct[self.direct]
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
    K, d = stats.shift.shape
    pairs = covariance_type == "full" and _use_pairs(K, d)
    acc = _Accumulator(stats.shift, _centre(stats.shift), covariance_type, pairs=pairs)
    acc.add(X, _block_features(X, acc.centre, covariance_type, pairs), rT)
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
    elif covariance_type == "diag":
        cov = np.maximum(stats.scatter / nk[:, None] - delta**2, 0.0) + reg_covar
    else:  # the mean variance over features: the trace over d (eq. 9.4)
        cov = np.maximum(stats.scatter / nk - (delta**2).sum(axis=1), 0.0) / d + reg_covar
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
    block_size = block_size or default_block_size(K, d, covariance_type)
    centre = _centre(means, weights)
    log_weights = _log_weights(weights)
    plan = _LogDensity(means, precisions_cholesky, covariance_type, centre, log_weights)
    all_resp = np.empty((n, K)) if keep_responsibilities else None
    blocks = list(iter_blocks(n, block_size))
    unit_rows = sample_weight is None

    def run(part: np.ndarray) -> _Accumulator:
        acc = _Accumulator(means, centre, covariance_type, precisions_cholesky, plan.pairs)
        full_block = min(block_size, n)
        work = plan.workspace(full_block)
        for i in part:
            rows = blocks[i]
            Xb = _read_block(X, rows, keep_float32=True)
            if Xb.shape[0] != full_block:
                work = plan.workspace(Xb.shape[0])
            log_joint = plan.log_joint(plan.features(Xb, work), work)
            log_norm, rT = _responsibilities(log_joint)
            if all_resp is not None:
                all_resp[rows] = rT.T
            if sample_weight is not None:
                w = sample_weight[rows]
                rT *= w
                acc.total_weight += float(w.sum())
                acc.log_likelihood += float(log_norm @ w)
            else:
                acc.total_weight += Xb.shape[0]
                acc.log_likelihood += float(log_norm.sum())
            acc.add(Xb, work["F"], rT, unit_rows, work)
        return acc

    # Blocks are independent: with BLAS made single-threaded, threads take turns of blocks
    # (NumPy releases the GIL in its loops and in BLAS), each with its own statistics.
    # Only worth it when a block carries enough arithmetic (the full type's K d^2 per row).
    n_threads = _n_threads(K, d, covariance_type, len(blocks), isinstance(X, np.ndarray), n)
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
        _redo_directly(stats, imprecise, X, plan, blocks, sample_weight)
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
        bound = 4 * _EPS * trace / nk / stats.sum_x.shape[1]
    return bound > EXPANSION_RTOL * np.maximum(smallest, 0.0)


def _redo_directly(stats, components, X, plan, blocks, sample_weight) -> None:
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
        _, rT = _responsibilities(plan.log_joint_of(Xb))
        if sample_weight is not None:
            rT *= sample_weight[rows]
        for k in ks:
            D = Xb - shift[k]
            sum_x[k] += rT[k] @ D
            if ct == "full":
                scatter[k] += (D.T * rT[k]) @ D
            elif ct == "tied":
                scatter += (D.T * rT[k]) @ D
            elif ct == "diag":
                scatter[k] += rT[k] @ (D * D)
            else:
                scatter[k] += rT[k] @ np.einsum("nd,nd->n", D, D)
    stats.shift = shift
    stats.sum_x[ks] = sum_x[ks]
    if ct == "tied":
        stats.scatter = scatter
    else:
        stats.scatter[ks] = scatter[ks]


def _n_threads(
    K: int,
    d: int,
    covariance_type: str,
    n_blocks: int,
    in_memory: bool,
    n_samples: int | None = None,
) -> int:
    """Threads for a pass: at least one, at most one per block (see :data:`USE_THREADS`).

    ``n_samples`` defaults to ``n_blocks`` full blocks of :func:`default_block_size` rows.

    Examples
    --------
    >>> _n_threads(K=2, d=32, covariance_type="full", n_blocks=1, in_memory=True)
    1
    """
    if USE_THREADS is None:
        if n_samples is None:
            n_samples = n_blocks * default_block_size(K, d, covariance_type)
        per_row = d * d + 10 if covariance_type == "full" else 2 * d + 10
        heavy = n_samples * K * per_row >= THREAD_MIN_WORK
        wanted = N_THREADS if heavy and in_memory else 1
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
    stats = responsibility_statistics(X, resp, covariance_type, sample_weight, block_size)
    return m_step(stats, covariance_type, reg_covar)


def responsibility_statistics(
    X: Any,
    resp: np.ndarray,
    covariance_type: str,
    sample_weight: np.ndarray | None = None,
    block_size: int | None = None,
) -> SufficientStatistics:
    """Sufficient statistics (eq. 13.1) of given responsibilities, about their means.

    Two passes over blocks of rows: the first finds each component's mean, about which the
    second accumulates the scatter (no cancellation for far-away components). Neither makes
    a float64 copy of float32 data. Takes the arguments of :func:`estimate_parameters`,
    which is :func:`m_step` of this.

    Examples
    --------
    The weighted mean and variance of all rows, as one component:

    >>> X = np.array([[0.0], [2.0], [10.0]], dtype=np.float32)
    >>> stats = responsibility_statistics(X, np.ones((3, 1)), "diag")
    >>> np.round(stats.shift.ravel(), 12), np.round(stats.scatter.ravel() / 3, 12)
    (array([4.]), array([18.66666667]))
    """
    n, d = X.shape
    K = resp.shape[1]
    block_size = block_size or default_block_size(K, d, covariance_type)
    rw = resp if sample_weight is None else resp * sample_weight[:, None]
    nk = rw.sum(axis=0) + 10 * np.finfo(np.float64).eps
    sums = np.zeros((K, d))
    for rows in iter_blocks(n, block_size):
        sums += rw[rows].T @ _read_block(X, rows)
    stats = SufficientStatistics.zeros(sums / nk[:, None], covariance_type)
    for rows in iter_blocks(n, block_size):
        w = None if sample_weight is None else sample_weight[rows]
        accumulate_statistics(stats, _read_block(X, rows), resp[rows], covariance_type, w)
    return stats
