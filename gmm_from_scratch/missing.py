"""EM when values are missing at random (chapter 15).

EM was invented for incomplete data, and a Gaussian mixture is the model for which it is
exact and cheap (Ghahramani and Jordan 1994). A ``NaN`` entry is taken to be *missing at
random*: whether it is missing may depend on the observed values, not on the missing one.
For each row ``n`` with observed coordinates ``o`` and missing coordinates ``m``:

* **E-step** (eqs. 15.1, 15.2): the marginal of a Gaussian on the observed coordinates is the
  Gaussian of the sub-vector ``mu_k,o`` and sub-matrix ``Sigma_k,oo``, so the responsibilities
  and the observed-data log-likelihood use the observed values only.
* **Conditional moments** (eqs. 15.3, 15.4): under component ``k`` the missing block given the
  observed one is Gaussian, with mean ``mu_k,m + Sigma_k,mo Sigma_k,oo^-1 (x_o - mu_k,o)`` and
  covariance ``Sigma_k,mm - Sigma_k,mo Sigma_k,oo^-1 Sigma_k,om`` (a Schur complement).
* **M-step** (eqs. 15.5, 15.6): the complete-data sufficient statistics are replaced by their
  expectations. The expected scatter about a shift ``c_k`` is
  ``sum_n r_nk [(E[x_n] - c_k)(E[x_n] - c_k)^T + C_nk]``, where ``C_nk`` is the conditional
  covariance placed in the missing block: without it the covariances shrink. These are the
  package's :class:`~gmm_from_scratch.em.SufficientStatistics`, so the M-step is
  :func:`~gmm_from_scratch.em.m_step`, unchanged.

For ``diag`` and ``spherical`` covariances the missing coordinates are independent of the
observed ones within a component: their conditional mean is ``mu_k,m`` and their conditional
variance ``sigma_k,m^2``. For ``full`` and ``tied`` the Schur complements above are needed.

Speed: rows are grouped by their pattern of missing coordinates, and each pattern's linear
algebra (one Cholesky factor of ``Sigma_k,oo`` per component, the regression coefficients, the
conditional covariance) is done once per pattern and EM iteration; the rows of a pattern are
then processed together in a few matrix products, in blocks that bound the memory.

Every quantity is computed in log space with the package's helpers (Cholesky factors of the
precisions, :func:`~gmm_from_scratch.covariance.log_det_precision_cholesky`,
:func:`~gmm_from_scratch.logspace.normalize_log_probabilities`), and the differences
``x_o - mu_k,o`` are taken directly, so data far from the origin lose no digits.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import linalg

from ._validation import _check_feature_names, check_array, check_range
from .covariance import (
    _DEGENERATE_MESSAGE,
    DegenerateCovarianceError,
    covariances_from_precisions_cholesky,
    log_det_precision_cholesky,
    precisions_cholesky_from_covariances,
)
from .em import (
    SufficientStatistics,
    _log_weights,
    _normalize_far_rows,
    _responsibilities,
    _single_threaded_blas,
    default_block_size,
    iter_blocks,
)
from .gaussian import LOG_2PI

__all__ = [
    "NAN_POLICIES",
    "MissingPatterns",
    "check_missing",
    "check_nan_policy",
    "conditional_draws",
    "conditional_gaussian",
    "conditional_mean_impute",
    "find_patterns",
    "marginal_e_step",
    "mean_impute",
    "missing_em_pass",
    "validate_data_with_nan",
]

#: The values of ``GaussianMixture(nan_policy=...)``.
NAN_POLICIES = ("raise", "marginalize")


def check_nan_policy(nan_policy: Any) -> str:
    """Return ``nan_policy`` if it is one of :data:`NAN_POLICIES`, else raise ``ValueError``.

    Examples
    --------
    >>> check_nan_policy("marginalize")
    'marginalize'
    >>> try:
    ...     check_nan_policy("omit")
    ... except ValueError as exc:
    ...     print(str(exc)[:62])
    nan_policy must be one of ('raise', 'marginalize'), got 'omit'
    """
    if not isinstance(nan_policy, str) or nan_policy not in NAN_POLICIES:
        raise ValueError(
            f"nan_policy must be one of {NAN_POLICIES}, got {nan_policy!r}. Use 'marginalize' "
            "to fit data with missing values (NaN) by exact EM."
        )
    return nan_policy


# ----------------------------------------------------------------------------- input
def validate_data_with_nan(
    estimator: Any, X: Any, *, reset: bool, min_samples: int = 1, fitting: bool = False
) -> np.ndarray:
    """The package's ``validate_data`` (in ``_validation``) that lets ``NaN`` through.

    The same checks (shape, numbers, feature names, infinity, spread) apply to the observed
    entries; then :func:`check_missing` refuses rows with no observed value (and, when
    ``fitting``, columns with no observed value).

    Raises
    ------
    ValueError
        For infinite entries, a row (or, in ``fit``, a column) that is entirely ``NaN``, and
        everything the package's ``check_array`` refuses.
    """
    _check_feature_names(estimator, X, reset)
    arr = np.asarray(X) if not isinstance(X, np.ndarray) else X
    if arr.dtype == object:
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError):
            pass  # check_array names the problem
    missing = np.isnan(arr) if np.issubdtype(arr.dtype, np.floating) else None
    filled = arr if missing is None else np.where(missing, 0.0, arr)
    out = check_array(
        filled,
        min_samples=min_samples,
        n_features=None if reset else estimator.n_features_in_,
        estimator_name=type(estimator).__name__,
    )
    if missing is not None and missing.any():
        out = np.array(out, dtype=np.float64)
        out[missing] = np.nan
    check_missing(out, fitting=fitting)
    if reset:
        check_range(mean_impute(out))
    return out


def check_missing(X: np.ndarray, fitting: bool = False) -> np.ndarray:
    """Refuse rows with no observed value (and, when ``fitting``, such columns).

    A row whose every entry is ``NaN`` carries no information about the mixture: it is
    refused rather than silently dropped, so that the caller decides what it means (remove it,
    or predict it by the mixture's mean). A column with no observed value has no estimable
    mean or variance.

    Returns
    -------
    ndarray of bool, shape (n_samples, n_features)
        ``True`` where a value is observed.

    Raises
    ------
    ValueError
        Naming the number of such rows (columns) and the first of them.

    Examples
    --------
    >>> try:
    ...     check_missing(np.array([[1.0, np.nan], [np.nan, np.nan]]))
    ... except ValueError as exc:
    ...     print(str(exc)[:57])
    1 row(s) of X (the first is row 1) have no observed value
    """
    observed = ~np.isnan(X)
    empty = np.flatnonzero(~observed.any(axis=1))
    if empty.size:
        raise ValueError(
            f"{empty.size} row(s) of X (the first is row {empty[0]}) have no observed value "
            "(every entry is NaN): they carry no information about the mixture. Remove them "
            "(their best prediction is the mixture's mean, gmm.weights_ @ gmm.means_)."
        )
    if fitting:
        empty = np.flatnonzero(~observed.any(axis=0))
        if empty.size:
            raise ValueError(
                f"{empty.size} column(s) of X (the first is column {empty[0]}) have no "
                "observed value (every entry is NaN): their mean and variance cannot be "
                "estimated. Remove those columns."
            )
    return observed


def mean_impute(X: np.ndarray, sample_weight: np.ndarray | None = None) -> np.ndarray:
    """``X`` with each ``NaN`` replaced by its column's (weighted) mean of observed values.

    Used to initialize EM under ``nan_policy='marginalize'`` (k-means and the first M-step
    need complete rows); chapter 15 shows why it is no substitute for EM itself.

    Examples
    --------
    >>> mean_impute(np.array([[1.0, np.nan], [3.0, 4.0], [np.nan, 8.0]]))
    array([[1., 6.],
           [3., 4.],
           [2., 8.]])
    """
    observed = ~np.isnan(X)
    if observed.all():
        return X
    w = np.ones(X.shape[0]) if sample_weight is None else sample_weight
    W = observed * w[:, None]
    totals = W.sum(axis=0)
    means = np.where(observed, X, 0.0).T @ w / np.where(totals > 0, totals, 1.0)
    # A column observed only in zero-weight rows: its plain mean.
    plain = np.nanmean(np.where(observed.any(axis=0), X, 0.0), axis=0)
    means = np.where(totals > 0, means, plain)
    return np.where(observed, X, means)


@dataclass(frozen=True)
class MissingPatterns:
    """The rows of ``X`` grouped by which coordinates they observe.

    Attributes
    ----------
    observed : ndarray of bool, shape (n_patterns, n_features)
        ``observed[p, j]`` is true when the rows of pattern ``p`` observe feature ``j``.
    rows : tuple of ndarray of int
        The indices of the rows of each pattern.
    values : tuple of ndarray
        Each pattern's observed values transposed, ``X[rows][:, observed].T``, stored
        contiguously so that an EM iteration reads them without gathering.
    """

    observed: np.ndarray
    rows: tuple[np.ndarray, ...]
    values: tuple[np.ndarray, ...]

    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Pairs ``(observed, rows)``, one per pattern."""
        return iter(zip(self.observed, self.rows, strict=True))


def find_patterns(X: np.ndarray) -> MissingPatterns:
    """Group the rows of ``X`` by their pattern of ``NaN`` entries.

    Examples
    --------
    >>> X = np.array([[1.0, np.nan], [2.0, 3.0], [4.0, np.nan]])
    >>> patterns = find_patterns(X)
    >>> [(obs.tolist(), rows.tolist()) for obs, rows in patterns]
    [([True, False], [0, 2]), ([True, True], [1])]
    """
    n, d = X.shape
    observed = ~np.isnan(X)
    if observed.all():
        return MissingPatterns(np.ones((1, d), dtype=bool), (np.arange(n),), (X.T.copy(),))
    unique, inverse = np.unique(observed, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    order = np.argsort(inverse, kind="stable")
    bounds = np.cumsum(np.bincount(inverse, minlength=unique.shape[0]))[:-1]
    rows = tuple(np.split(order, bounds))
    values = tuple(X[r][:, obs].T.copy() for obs, r in zip(unique, rows, strict=True))
    return MissingPatterns(unique, rows, values)


# ----------------------------------------------------------------------------- one pattern
class _PatternModel:
    """Every component's marginal on a pattern's observed coordinates ``o`` and its
    conditional on the missing coordinates ``m`` (eqs. 15.1, 15.3, 15.4), computed once.

    For ``full`` and ``tied``: ``U`` is the Cholesky factor of the marginal precision,
    ``Sigma_oo^-1 = U U^T`` (one Cholesky per component, one for ``tied``), ``B = Sigma_mo U``
    the whitened regression coefficients, so that the conditional mean's offset is
    ``B y`` with ``y = U^T (x_o - mu_o)``, and ``C = Sigma_mm - B B^T`` the conditional
    covariance. For ``diag`` and ``spherical``: ``U`` holds the inverse standard deviations of
    the observed coordinates, ``B`` is zero, and ``C`` holds the variances of the missing ones.
    """

    def __init__(self, observed, means, covariances, precisions_cholesky, covariance_type):
        self.o = np.flatnonzero(observed)
        self.m = np.flatnonzero(~observed)
        o, m = self.o, self.m
        self.order = np.concatenate([o, m])
        K = means.shape[0]
        self.covariance_type = ct = covariance_type
        self.mu_o = means[:, o]
        self.mu_m = means[:, m]
        self.dense = ct in ("full", "tied")
        if self.dense:
            S = covariances if ct == "full" else covariances[None]
            if m.size == 0:  # a complete row: the model's own factor
                U = precisions_cholesky if ct == "full" else precisions_cholesky[None]
            else:
                U = _marginal_precisions_cholesky(S[:, o][:, :, o])
            self.U = U
            log_det = log_det_precision_cholesky(U, "full", o.size)
            if m.size:
                self.B = S[:, m][:, :, o] @ U  # (K or 1, |m|, |o|)
                self.C = S[:, m][:, :, m] - self.B @ self.B.transpose(0, 2, 1)
        elif ct == "diag":
            self.U = precisions_cholesky[:, o]
            log_det = log_det_precision_cholesky(self.U, "diag", o.size)
            self.C = covariances[:, m]
        else:
            self.U = np.repeat(precisions_cholesky[:, None], o.size, axis=1)
            log_det = log_det_precision_cholesky(precisions_cholesky, "spherical", o.size)
            self.C = np.repeat(covariances[:, None], m.size, axis=1)
        self.const = np.broadcast_to(-0.5 * o.size * LOG_2PI + log_det, (K,))

    # Blocks are stored transposed, (components, features, rows), as in :mod:`.em`: every
    # elementwise operation runs along the long contiguous axis of rows.
    def whiten(self, XoT: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``D = x_o - mu_k,o`` and ``Y = U_k^T D``, both of shape ``(K, |o|, rows)``."""
        D = XoT[None, :, :] - self.mu_o[:, :, None]
        Y = np.swapaxes(self.U, 1, 2) @ D if self.dense else D * self.U[:, :, None]
        return D, Y

    def log_prob(self, Y: np.ndarray) -> np.ndarray:
        """``log N(x_o | mu_k,o, Sigma_k,oo)``, shape ``(K, rows)`` (eq. 15.1)."""
        return self.const[:, None] - 0.5 * np.einsum("kdr,kdr->kr", Y, Y)

    def offset(self, Y: np.ndarray) -> np.ndarray | None:
        """``E[x_m | x_o, k] - mu_k,m``, shape ``(K, |m|, rows)`` (eq. 15.3); None if 0."""
        if not self.dense or self.m.size == 0:
            return None
        return self.B @ Y

    def e_step(self, XoT: np.ndarray, log_weights: np.ndarray):
        """Whitened rows, ``log p(x_o)`` and responsibilities ``(K, rows)`` (eq. 15.2)."""
        D, Y = self.whiten(XoT)
        log_joint = self.log_prob(Y)
        log_joint += log_weights[:, None]
        log_norm, R = _responsibilities(log_joint)
        return D, Y, log_norm, R


def _marginal_precisions_cholesky(covariances: np.ndarray) -> np.ndarray:
    """Precision factors ``U`` (``Sigma^-1 = U U^T``) of a stack of marginal covariances.

    The same factor as :func:`~gmm_from_scratch.covariance.precisions_cholesky_from_covariances`
    (``U = L^-T`` with ``Sigma = L L^T``), for all components in one batched call: a pattern's
    matrices are small and many, and a Python loop of SciPy calls would cost more than the
    arithmetic. Never forms ``Sigma^-1``.
    """
    try:
        L = np.linalg.cholesky(covariances)
    except np.linalg.LinAlgError:
        raise DegenerateCovarianceError(_DEGENERATE_MESSAGE) from None
    eye = np.broadcast_to(np.eye(covariances.shape[-1]), covariances.shape)
    return np.swapaxes(np.linalg.solve(L, eye), -1, -2)


def _pattern_blocks(
    X: np.ndarray, patterns: MissingPatterns, block_size: int
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """``(observed, row indices, X[rows][:, o].T)`` for blocks of rows of each pattern."""
    for observed, rows, values in zip(
        patterns.observed, patterns.rows, patterns.values, strict=True
    ):
        for part in iter_blocks(rows.size, block_size):
            yield observed, rows[part], values[:, part]


def _parameters(means, precisions_cholesky, covariance_type, covariances):
    if covariances is None:
        covariances = covariances_from_precisions_cholesky(precisions_cholesky, covariance_type)
    return np.asarray(means, dtype=np.float64), covariances


# ----------------------------------------------------------------------------- EM
def missing_em_pass(
    X: np.ndarray,
    weights: np.ndarray,
    means: np.ndarray,
    precisions_cholesky: np.ndarray,
    covariance_type: str,
    sample_weight: np.ndarray | None = None,
    block_size: int | None = None,
    keep_responsibilities: bool = False,
    *,
    patterns: MissingPatterns | None = None,
    covariances: np.ndarray | None = None,
) -> tuple[SufficientStatistics, np.ndarray | None]:
    """One EM pass over data with ``NaN`` entries: E-step and expected statistics (eqs. 15.2–15.6).

    Takes the arguments of :func:`~gmm_from_scratch.em.em_pass` and returns the same thing,
    so that :func:`~gmm_from_scratch.em.m_step` completes the iteration. The statistics are
    taken about the current means (``c_k = mu_k``) and hold, for each component,
    ``N_k = sum_n w_n r_nk``, ``sum_n w_n r_nk (E[x_n] - c_k)`` and the expected scatter
    ``sum_n w_n r_nk [(E[x_n] - c_k)(E[x_n] - c_k)^T + C_nk]`` (eq. 15.5), where ``E[x_n]`` is
    the row with its missing block replaced by the conditional mean under component ``k``
    (eq. 15.3) and ``C_nk`` is the conditional covariance of that block (eq. 15.4).
    ``stats.log_likelihood`` is the observed-data log-likelihood (eq. 15.1), which EM never
    decreases.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        ``NaN`` marks a missing entry; every row must observe at least one value.
    weights, means, precisions_cholesky, covariance_type
        The current parameters, as for :func:`~gmm_from_scratch.em.em_pass`.
    sample_weight : ndarray of shape (n_samples,), optional
    block_size : int, optional
        Rows per block within a pattern; by default
        :func:`~gmm_from_scratch.em.default_block_size`.
    keep_responsibilities : bool
        Also return the responsibilities.
    patterns : MissingPatterns, optional
        ``find_patterns(X)``, computed once per fit and passed to every iteration.
    covariances : ndarray, optional
        The covariances matching ``precisions_cholesky`` (computed from them if omitted).

    Returns
    -------
    stats : SufficientStatistics
    resp : ndarray of shape (n_samples, n_components) or None

    Examples
    --------
    With nothing missing, the pass is the complete-data pass:

    >>> from gmm_from_scratch.covariance import precisions_cholesky_from_covariances
    >>> from gmm_from_scratch.em import em_pass, m_step
    >>> X = np.array([[-2.0, 0.5], [-1.0, -0.5], [1.0, 0.0], [2.0, 1.0]])
    >>> weights, means = np.array([0.5, 0.5]), np.array([[-1.0, 0.0], [1.0, 0.0]])
    >>> U = precisions_cholesky_from_covariances(np.stack([np.eye(2)] * 2), "full")
    >>> a = m_step(missing_em_pass(X, weights, means, U, "full")[0], "full", 0.0)
    >>> b = m_step(em_pass(X, weights, means, U, "full")[0], "full", 0.0)
    >>> all(bool(np.allclose(p, q)) for p, q in zip(a, b))
    True

    A missing entry contributes its conditional mean and variance instead:

    >>> X[3, 1] = np.nan
    >>> stats, _ = missing_em_pass(X, weights, means, U, "full")
    >>> float(np.round(stats.total_weight, 1))
    4.0
    """
    X = np.asarray(X, dtype=np.float64)
    n, d = X.shape
    K = means.shape[0]
    means, covariances = _parameters(means, precisions_cholesky, covariance_type, covariances)
    patterns = find_patterns(X) if patterns is None else patterns
    block_size = block_size or default_block_size(K, d)
    log_weights = _log_weights(weights)
    stats = SufficientStatistics.zeros(means, covariance_type)
    all_resp = np.empty((n, K)) if keep_responsibilities else None
    # Small matrices: BLAS threads would cost far more than they save (see em.em_pass).
    with _single_threaded_blas() or contextlib.nullcontext():
        _missing_pass_blocks(
            X, patterns, block_size, means, covariances, precisions_cholesky, covariance_type,
            log_weights, sample_weight, stats, all_resp,
        )  # fmt: skip
    return stats, all_resp


def _missing_pass_blocks(
    X, patterns, block_size, means, covariances, precisions_cholesky, covariance_type,
    log_weights, sample_weight, stats, all_resp,
) -> None:  # fmt: skip
    model = None
    last = None
    for observed, idx, Xo in _pattern_blocks(X, patterns, block_size):
        if observed is not last:
            model = _PatternModel(
                observed, means, covariances, precisions_cholesky, covariance_type
            )
            last = observed
        assert model is not None
        D, Y, log_norm, R = model.e_step(Xo, log_weights)
        if all_resp is not None:
            all_resp[idx] = R.T
        if sample_weight is None:
            stats.total_weight += idx.size
            stats.log_likelihood += float(log_norm.sum())
        else:
            w = sample_weight[idx]
            R = R * w
            stats.total_weight += float(w.sum())
            stats.log_likelihood += float(log_norm @ w)
        _add_expected_statistics(stats, model, D, Y, R)


def _add_expected_statistics(
    stats: SufficientStatistics, model: _PatternModel, D: np.ndarray, Y: np.ndarray, R: np.ndarray
) -> None:
    """Add a block's expected sums about ``c_k = mu_k`` to ``stats`` (eq. 15.5).

    ``D`` holds ``x_o - mu_k,o``; the missing block's deviation is the conditional mean's
    offset (zero for ``diag`` and ``spherical``), and its scatter gains ``N_k C_k``.
    """
    o, m = model.o, model.m
    nk = R.sum(axis=1)
    stats.nk += nk
    Rc = R[:, :, None]
    stats.sum_x[:, o] += (D @ Rc)[:, :, 0]
    if not model.dense:
        scatter = ((D * D) @ Rc)[:, :, 0]
        if stats.scatter.ndim == 1:  # spherical: the trace (see SufficientStatistics)
            stats.scatter += scatter.sum(axis=1) + nk * model.C.sum(axis=1)
        else:
            stats.scatter[:, o] += scatter
            stats.scatter[:, m] += nk[:, None] * model.C
        return
    offset = model.offset(Y)
    # Work in the pattern's own order of coordinates, (o, m): E = [x_o - mu_o; offset].
    # The (K, d, d) result is put back in the features' order with one indexed addition.
    if offset is None:
        E, order = D, o
    else:
        E, order = np.concatenate([D, offset], axis=1), model.order
        stats.sum_x[:, m] += (offset @ Rc)[:, :, 0]
    S = (E * R[:, None, :]) @ np.swapaxes(E, 1, 2)  # (K, d, d)
    if offset is not None:
        S[:, o.size :, o.size :] += nk[:, None, None] * model.C
    if model.covariance_type == "full":
        stats.scatter[:, order[:, None], order[None, :]] += S
    else:
        stats.scatter[order[:, None], order[None, :]] += S.sum(axis=0)


def marginal_e_step(
    X: np.ndarray,
    weights: np.ndarray,
    means: np.ndarray,
    precisions_cholesky: np.ndarray,
    covariance_type: str,
    block_size: int | None = None,
    covariances: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """E-step on the observed coordinates of each row (eqs. 15.1, 15.2).

    Returns what :func:`~gmm_from_scratch.em.e_step` returns: ``log p(x_n,o)`` (the log
    marginal density of the observed values) and the log-responsibilities.

    Examples
    --------
    A missing coordinate is integrated out: the row ``[0, NaN]`` has the 1-D density.

    >>> from gmm_from_scratch.covariance import precisions_cholesky_from_covariances
    >>> cov = np.array([[[1.0, 0.8], [0.8, 1.0]]])
    >>> U = precisions_cholesky_from_covariances(cov, "full")
    >>> log_p, _ = marginal_e_step(np.array([[0.0, np.nan]]), np.ones(1), np.zeros((1, 2)), U,
    ...                            "full")
    >>> bool(np.isclose(log_p[0], -0.5 * np.log(2 * np.pi)))
    True
    """
    X = np.asarray(X, dtype=np.float64)
    n, d = X.shape
    K = means.shape[0]
    means, covariances = _parameters(means, precisions_cholesky, covariance_type, covariances)
    log_weights = _log_weights(weights)
    log_norm = np.empty(n)
    log_resp = np.empty((n, K))
    for observed, idx, Xo in _pattern_blocks(X, find_patterns(X), block_size or 4096):
        model = _PatternModel(observed, means, covariances, precisions_cholesky, covariance_type)
        with np.errstate(over="ignore", invalid="ignore"):  # see em._normalize_far_rows
            D, Y = model.whiten(Xo)
            log_norm[idx], log_resp[idx] = _normalize_far_rows(model.log_prob(Y).T + log_weights)
    return log_norm, log_resp


# ----------------------------------------------------------------------------- imputation
def conditional_mean_impute(
    X: np.ndarray,
    weights: np.ndarray,
    means: np.ndarray,
    precisions_cholesky: np.ndarray,
    covariance_type: str,
    covariances: np.ndarray | None = None,
) -> np.ndarray:
    """``X`` with each missing block replaced by its conditional mean under the mixture (eq. 15.7).

    ``E[x_m | x_o] = sum_k gamma_k(x_o) (mu_k,m + Sigma_k,mo Sigma_k,oo^-1 (x_o - mu_k,o))``,
    with the responsibilities of the observed values (eq. 15.2). Observed values are returned
    unchanged.

    Examples
    --------
    One component with correlation 0.8: the best guess of ``x_2`` given ``x_1 = 1`` is 0.8.

    >>> from gmm_from_scratch.covariance import precisions_cholesky_from_covariances
    >>> cov = np.array([[[1.0, 0.8], [0.8, 1.0]]])
    >>> U = precisions_cholesky_from_covariances(cov, "full")
    >>> conditional_mean_impute(np.array([[1.0, np.nan]]), np.ones(1), np.zeros((1, 2)), U,
    ...                         "full")
    array([[1. , 0.8]])
    """
    X = np.array(X, dtype=np.float64)
    means, covariances = _parameters(means, precisions_cholesky, covariance_type, covariances)
    log_weights = _log_weights(weights)
    for observed, idx, Xo in _pattern_blocks(X, find_patterns(X), 4096):
        if observed.all():
            continue
        model = _PatternModel(observed, means, covariances, precisions_cholesky, covariance_type)
        _, Y, _, R = model.e_step(Xo, log_weights)
        cond = _conditional_means(model, Y)  # (K, |m|, rows)
        X[idx[:, None], model.m[None, :]] = np.einsum("kr,kmr->rm", R, cond)
    return X


def _conditional_means(model: _PatternModel, Y: np.ndarray) -> np.ndarray:
    offset = model.offset(Y)
    cond = np.broadcast_to(model.mu_m[:, :, None], (Y.shape[0], model.m.size, Y.shape[2]))
    return cond if offset is None else cond + offset


def conditional_gaussian(
    x: np.ndarray, mean: np.ndarray, covariance: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and covariance of the missing block of ``x`` given the observed (eqs. 15.3, 15.4).

    For one Gaussian ``N(mean, covariance)`` and a row ``x`` whose missing entries are
    ``NaN``: ``mu_m + Sigma_mo Sigma_oo^-1 (x_o - mu_o)`` and the Schur complement
    ``Sigma_mm - Sigma_mo Sigma_oo^-1 Sigma_om``, computed as the EM pass computes them.

    Parameters
    ----------
    x : ndarray of shape (n_features,)
    mean : ndarray of shape (n_features,)
    covariance : ndarray of shape (n_features, n_features)

    Returns
    -------
    mean_m : ndarray of shape (n_missing,)
    covariance_mm : ndarray of shape (n_missing, n_missing)

    Examples
    --------
    >>> m, C = conditional_gaussian(np.array([1.0, np.nan]), np.zeros(2),
    ...                             np.array([[1.0, 0.8], [0.8, 1.0]]))
    >>> np.round(m, 6), np.round(C, 6)
    (array([0.8]), array([[0.36]]))
    """
    x = np.asarray(x, dtype=np.float64)
    observed = ~np.isnan(x)
    if not observed.any():
        raise ValueError("x has no observed value: its conditional is the Gaussian itself.")
    cov = np.asarray(covariance, dtype=np.float64)[None]
    prec_chol = precisions_cholesky_from_covariances(cov, "full")
    model = _PatternModel(observed, np.asarray(mean, float)[None], cov, prec_chol, "full")
    _, Y = model.whiten(x[observed][:, None])
    cond = _conditional_means(model, Y)[0, :, 0]
    C = model.C[0] if model.m.size else np.zeros((0, 0))
    return np.array(cond), np.array(C)


def conditional_draws(
    X: np.ndarray,
    weights: np.ndarray,
    means: np.ndarray,
    covariances: np.ndarray,
    covariance_type: str,
    rng: np.random.Generator,
    n_draws: int = 1,
) -> np.ndarray:
    """Multiple imputation: draws of the missing values from their conditional distribution.

    For each row and draw, a component is chosen with the responsibilities of the observed
    values (eq. 15.2), then the missing block is drawn from that component's conditional
    Gaussian (eqs. 15.3, 15.4). Observed values are kept. The spread of the draws is the
    uncertainty that a single conditional-mean imputation hides.

    Returns
    -------
    ndarray of shape (n_draws, n_samples, n_features)

    Examples
    --------
    >>> cov = np.array([[[1.0, 0.8], [0.8, 1.0]]])
    >>> X = np.array([[1.0, np.nan]])
    >>> draws = conditional_draws(X, np.ones(1), np.zeros((1, 2)), cov, "full",
    ...                           np.random.default_rng(0), n_draws=4000)
    >>> m, s = draws[:, 0, 1].mean(), draws[:, 0, 1].std()  # mean 0.8, sd sqrt(1 - 0.64)
    >>> bool(abs(m - 0.8) < 0.05 and abs(s - 0.6) < 0.05)
    True
    """
    X = np.asarray(X, dtype=np.float64)
    prec_chol = precisions_cholesky_from_covariances(covariances, covariance_type)
    out = np.repeat(X[None], n_draws, axis=0)
    log_weights = _log_weights(weights)
    K = means.shape[0]
    for observed, idx, Xo in _pattern_blocks(X, find_patterns(X), 4096):
        if observed.all():
            continue
        model = _PatternModel(observed, means, covariances, prec_chol, covariance_type)
        _, Y, _, R = model.e_step(Xo, log_weights)
        cond = _conditional_means(model, Y)
        m = model.m
        cum = np.cumsum(R.T, axis=1)  # (rows, K)
        if model.dense:
            C = model.C if model.C.shape[0] == K else np.repeat(model.C, K, axis=0)
            L = np.stack([linalg.cholesky(c, lower=True) for c in C])
        for t in range(n_draws):
            u = rng.uniform(size=(idx.size, 1))
            z = np.minimum((u > cum).sum(axis=1), K - 1)
            noise = rng.standard_normal((idx.size, m.size))
            values = cond[z, :, np.arange(idx.size)]  # (rows, |m|)
            if model.dense:
                values = values + np.einsum("rij,rj->ri", L[z], noise)
            else:
                values = values + noise * np.sqrt(model.C[z])
            out[t][idx[:, None], m[None, :]] = values
    return out
