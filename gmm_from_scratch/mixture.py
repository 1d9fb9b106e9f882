"""The Gaussian mixture estimator: a thin class over the pure functions of :mod:`.em`.

Its parameters, methods and fitted attributes follow ``sklearn.mixture.GaussianMixture``;
started from the same ``weights_init``, ``means_init`` and ``precisions_init`` it reaches
the same parameters (the test suite checks this to 1e-8 relative). Beyond scikit-learn it
takes ``sample_weight`` in :meth:`GaussianMixture.fit` and can record the whole EM history.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
from scipy import linalg

from ._params import ParamsMixin
from ._validation import (
    check_positive_int,
    check_random_state,
    check_sample_weight,
    convergence_warning,
    not_fitted_error,
    validate_data,
)
from .covariance import (
    check_covariance_type,
    check_precisions,
    covariances_from_precisions_cholesky,
    n_parameters,
    precisions_cholesky_from_covariances,
    precisions_cholesky_from_precisions,
    precisions_from_cholesky,
)
from .em import (
    check_streamed,
    defined_responsibilities,
    e_step,
    em_pass,
    estimate_parameters,
    init_sample,
    is_streamed,
    m_step,
)
from .history import EMHistory
from .kmeans import KMeans, kmeans_plusplus
from .missing import (
    check_nan_policy,
    conditional_mean_impute,
    find_patterns,
    marginal_e_step,
    mean_impute,
    missing_em_pass,
    validate_data_with_nan,
)
from .online import partial_fit as online_partial_fit

__all__ = ["INIT_METHODS", "GaussianMixture", "initial_responsibilities"]

INIT_METHODS = ("kmeans", "k-means++", "random", "random_from_data")


class GaussianMixture(ParamsMixin):
    """Gaussian mixture model fitted by expectation–maximization.

    Parameters
    ----------
    n_components : int, default=1
        Number of mixture components ``K``.
    covariance_type : {'full', 'tied', 'diag', 'spherical'}, default='full'
        See chapter 9 and :mod:`gmm_from_scratch.covariance`.
    tol : float, default=1e-3
        EM stops when the mean log-likelihood per sample improves by less than ``tol``.
    reg_covar : float, default=1e-6
        Added to the diagonal of every covariance so that it stays positive definite (eq. 7.4).
    max_iter : int, default=100
        EM iterations per initialization.
    n_init : int, default=1
        Number of initializations; the one with the highest final log-likelihood is kept.
    init_params : {'kmeans', 'k-means++', 'random', 'random_from_data'}, default='kmeans'
        How initial responsibilities are chosen (chapter 8).
    weights_init : array-like of shape (n_components,), optional
    means_init : array-like of shape (n_components, n_features), optional
    precisions_init : array-like, optional
        Shaped as ``covariances_`` for the covariance type.
    random_state : None, int or numpy Generator
        Seeds the initialization and :meth:`sample`.
    warm_start : bool, default=False
        Start the next ``fit`` from the current parameters (``n_init`` is then ignored).
    verbose : int, default=0
        Print the log-likelihood at every ``verbose_interval`` iterations when ``>= 1``.
    verbose_interval : int, default=10
    record_history : bool, default=False
        Keep every iteration's parameters and responsibilities in ``history_``.
    block_size : int, optional
        Rows per block in each EM pass (memory is bounded by blocks, not by ``n_samples``).
    nan_policy : {'raise', 'marginalize'}, default='raise'
        What ``NaN`` entries mean (chapter 15). ``'raise'``: they are refused with a clear
        error, as scikit-learn does. ``'marginalize'``: they are values missing at random, and
        ``fit`` runs exact EM on the observed values (:mod:`gmm_from_scratch.missing`, eqs.
        15.1–15.6; initialized by ``init_params`` on the column-mean-imputed data), while
        ``score_samples``, ``score``, ``predict`` and ``predict_proba`` use each row's
        observed coordinates. A row with no observed value is refused (``ValueError``), as
        is, in ``fit``, a column with none. Data must then be in memory (not a memmap), and
        ``partial_fit`` still refuses ``NaN``. :meth:`impute` fills ``NaN`` under either policy.

    Attributes
    ----------
    weights_ : ndarray of shape (n_components,)
    means_ : ndarray of shape (n_components, n_features)
    covariances_ : ndarray
    precisions_ : ndarray
    precisions_cholesky_ : ndarray
    converged_ : bool
    n_iter_ : int
    lower_bound_ : float
        Mean log-likelihood per sample of the best run, at the start of its last iteration.
    lower_bounds_ : list of float
        That value at every iteration of the best run (it never decreases).
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        The column names of ``X`` in ``fit``, when it was a data frame with string column
        names; later calls check that their columns are the same, in the same order.
    history_ : EMHistory or None
        The best run's history, when ``record_history=True``.

    Notes
    -----
    **Precision.** ``X`` may be float64 or float32. float32 data is not copied: it is read one
    block of rows at a time, each block converted to float64 (exactly: every float32 is a
    float64), and all sums are accumulated in float64. The parameters are float64 and are the
    float64 fit of the float32 values as given (equal to rounding, about ``1e-12``
    relative), and ``predict_proba``/``score_samples`` return float64. What float32 costs is
    only the rounding of the data when it was stored (about ``6e-8`` of each value), not
    rounding in EM. Other dtypes (integers, float16) are converted to float64.

    It is a scikit-learn estimator without depending on scikit-learn: ``clone``,
    ``Pipeline``, ``GridSearchCV`` and ``check_estimator`` accept it, and its
    :class:`~gmm_from_scratch.NotFittedError` and :class:`~gmm_from_scratch.ConvergenceWarning`
    are also scikit-learn's classes of those names when scikit-learn is installed.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(-3, 1, (200, 2)), rng.normal(3, 1, (200, 2))])
    >>> gmm = GaussianMixture(n_components=2, random_state=0).fit(X)
    >>> np.round(np.sort(gmm.means_[:, 0]), 1)  # the two blobs' centres, -3 and 3
    array([-3.1,  3. ])
    """

    _estimator_kind = "density_estimator"
    _fitted_attribute = "means_"

    # Fitted attributes, declared for the type checker only: no class-level values, so that
    # ``hasattr(gmm, "means_")`` still tells whether the model has been fitted.
    weights_: np.ndarray
    means_: np.ndarray
    covariances_: np.ndarray
    precisions_: np.ndarray
    precisions_cholesky_: np.ndarray
    converged_: bool
    n_iter_: int
    lower_bound_: float
    lower_bounds_: list[float]
    n_features_in_: int
    feature_names_in_: np.ndarray
    history_: EMHistory | None
    _sampling_rng: np.random.Generator
    _fitted_structure: tuple[int, str]
    # State of online EM, set by gmm_from_scratch.online.partial_fit.
    step_size: Any
    online_log_likelihoods_: list[float]
    _online_stats: Any
    _online_means: np.ndarray | None

    def __init__(
        self,
        n_components: int = 1,
        *,
        covariance_type: str = "full",
        tol: float = 1e-3,
        reg_covar: float = 1e-6,
        max_iter: int = 100,
        n_init: int = 1,
        init_params: str = "kmeans",
        weights_init: Any = None,
        means_init: Any = None,
        precisions_init: Any = None,
        random_state: Any = None,
        warm_start: bool = False,
        verbose: int = 0,
        verbose_interval: int = 10,
        record_history: bool = False,
        block_size: int | None = None,
        nan_policy: str = "raise",
    ) -> None:
        self.n_components = n_components
        self.covariance_type = covariance_type
        self.tol = tol
        self.reg_covar = reg_covar
        self.max_iter = max_iter
        self.n_init = n_init
        self.init_params = init_params
        self.weights_init = weights_init
        self.means_init = means_init
        self.precisions_init = precisions_init
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose
        self.verbose_interval = verbose_interval
        self.record_history = record_history
        self.block_size = block_size
        self.nan_policy = nan_policy

    #: One EM pass (E-step and sufficient statistics); :mod:`.scale` swaps in a Dask version.
    _em_pass = staticmethod(em_pass)

    def _check_parameters(self, n_features: int) -> None:
        K = check_positive_int(self.n_components, "n_components")
        check_covariance_type(self.covariance_type)
        _check_nonnegative(self.tol, "tol")
        _check_nonnegative(self.reg_covar, "reg_covar")
        check_positive_int(self.max_iter, "max_iter", minimum=0)
        check_positive_int(self.n_init, "n_init")
        check_positive_int(self.verbose, "verbose", minimum=0)
        check_positive_int(self.verbose_interval, "verbose_interval")
        if self.block_size is not None:
            check_positive_int(self.block_size, "block_size")
        if self.init_params not in INIT_METHODS:
            raise ValueError(
                f"init_params must be one of {INIT_METHODS}, got {self.init_params!r}."
            )
        if self.weights_init is not None:
            w = np.asarray(self.weights_init, dtype=np.float64)
            if w.shape != (K,):
                raise ValueError(f"weights_init must have shape ({K},), got {w.shape}.")
            if not np.isfinite(w).all() or (w < 0).any() or (w > 1).any():
                raise ValueError("weights_init must lie in [0, 1].")
            if not np.isclose(w.sum(), 1.0, rtol=0, atol=1e-8):
                raise ValueError(f"weights_init must sum to 1, got sum {w.sum():.6g}.")
        if self.means_init is not None:
            m = np.asarray(self.means_init, dtype=np.float64)
            if m.shape != (K, n_features):
                raise ValueError(f"means_init must have shape ({K}, {n_features}), got {m.shape}.")
            if not np.isfinite(m).all():
                raise ValueError("means_init contains NaN or infinite values.")
        if self.precisions_init is not None:
            check_precisions(self.precisions_init, self.covariance_type, K, n_features)

    # ------------------------------------------------------------------ fitting
    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> GaussianMixture:
        """Estimate the parameters with EM.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Also an :class:`numpy.memmap` (streamed block by block; never loaded whole).
        y : ignored
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weights. An integer weight ``m`` is the same as repeating the row
            ``m`` times; a zero weight is the same as leaving the row out.

        Returns
        -------
        self
        """
        self._fit(X, sample_weight)
        return self

    def partial_fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> GaussianMixture:
        """One step of online (stepwise) EM on a mini-batch of rows (chapter 13).

        The running sufficient statistics move towards the batch's by a step
        ``eta_t = (t + t0)^-kappa`` and the parameters are re-estimated from them; see
        :func:`gmm_from_scratch.online.partial_fit` for the schedule and how to change it.
        The first call initializes the parameters from its batch (or from ``*_init``).
        """
        return online_partial_fit(self, X, sample_weight=sample_weight)

    def fit_predict(self, X: Any, y: Any = None, sample_weight: Any = None) -> np.ndarray:
        """Fit, then return the most probable component of each row."""
        X = self._fit(X, sample_weight)
        return self.predict(X)

    def _fit(self, X: Any, sample_weight: Any) -> np.ndarray:
        marginalize = check_nan_policy(self.nan_policy) == "marginalize"
        if marginalize:  # missing values (chapter 15)
            if is_streamed(X):
                raise ValueError(
                    "nan_policy='marginalize' needs X in memory; load the memmap with "
                    "np.asarray(X) or use nan_policy='raise'."
                )
            X = validate_data_with_nan(self, X, reset=True, min_samples=2, fitting=True)
        elif is_streamed(X):
            X = check_streamed(X, 2)
            if hasattr(self, "feature_names_in_"):
                del self.feature_names_in_
        else:
            X = validate_data(self, X, reset=True, min_samples=2, keep_float32=True)
        n, d = X.shape
        self._check_parameters(d)
        sw = check_sample_weight(sample_weight, n)
        if sw is not None:
            # Only the weights' ratios matter: scaling them to a largest weight of 1 keeps
            # tiny weights (1e-18) from vanishing next to the M-step's guard against N_k = 0.
            sw = sw / sw.max()
        K = self.n_components
        n_effective = n if sw is None else int(np.count_nonzero(sw))
        if n_effective < K:
            raise ValueError(
                f"n_components={K} is larger than the number of samples with non-zero weight "
                f"({n_effective}): a mixture needs at least one sample per component."
            )
        do_init = not (self.warm_start and hasattr(self, "converged_"))
        if not do_init:
            check_warm_start(self, d)
        n_init = self.n_init if do_init else 1
        rng = check_random_state(self.random_state)
        X_init, em_pass_fn = X, self._em_pass
        if marginalize:  # initialize on mean-imputed data; exact EM on the observed values
            X_init = mean_impute(X, sw)
            em_pass_fn = _MissingPass(find_patterns(X))  # type: ignore[assignment]

        best: dict[str, Any] | None = None
        for init in range(n_init):
            if self.verbose:
                print(f"Initialization {init}")
            if do_init:
                params = self._initial_parameters(X_init, sw, rng)
            else:
                params = (self.weights_, self.means_, self.covariances_, self.precisions_cholesky_)
            run = self._run_em(X, sw, params, -np.inf if do_init else self.lower_bound_, em_pass_fn)
            if best is None or run["lower_bound"] > best["lower_bound"]:
                best = run
        assert best is not None
        self.weights_, self.means_, self.covariances_, self.precisions_cholesky_ = best["params"]
        self.precisions_ = precisions_from_cholesky(self.precisions_cholesky_, self.covariance_type)
        self._fitted_structure = (K, self.covariance_type)
        record_best_run(
            self,
            best,
            d,
            n_init,
            "Increase max_iter, loosen tol, try other initializations, or check the data for "
            "degeneracies.",
        )
        return X

    def _initial_parameters(self, X: np.ndarray, sw: np.ndarray | None, rng: np.random.Generator):
        """Initial responsibilities by ``init_params``, then one M-step; user inits override."""
        K = self.n_components
        need = self.weights_init is None or self.means_init is None or self.precisions_init is None
        cov = None
        if need:
            X, sw = init_sample(X, sw, rng)  # a streamed X: a random subset of its rows
            n, _ = X.shape
            resp = initial_responsibilities(X, K, self.init_params, rng, sw)
            weights, means, cov = estimate_parameters(
                X, resp, self.covariance_type, self.reg_covar, sw, self.block_size
            )
        if self.weights_init is not None:
            weights = np.asarray(self.weights_init, dtype=np.float64).copy()
        if self.means_init is not None:
            means = np.asarray(self.means_init, dtype=np.float64).copy()
        if self.precisions_init is not None:
            prec = np.asarray(self.precisions_init, dtype=np.float64)
            prec_chol = precisions_cholesky_from_precisions(prec, self.covariance_type)
            cov = covariances_from_precisions_cholesky(prec_chol, self.covariance_type)
        else:
            assert cov is not None
            prec_chol = precisions_cholesky_from_covariances(cov, self.covariance_type)
        return weights, means, cov, prec_chol

    def _run_em(self, X, sw, params, lower_bound, em_pass_fn=None):
        weights, means, cov, prec_chol = params
        em_pass_fn = self._em_pass if em_pass_fn is None else em_pass_fn
        history = EMHistory(self.covariance_type) if self.record_history else None
        if history is not None:
            history.record_parameters(weights, means, cov)
        lower_bounds: list[float] = []
        converged = False
        n_iter = 0
        for n_iter in range(1, self.max_iter + 1):
            previous = lower_bound
            stats, resp = em_pass_fn(
                X, weights, means, prec_chol, self.covariance_type, sw,
                self.block_size, keep_responsibilities=history is not None,
            )  # fmt: skip
            lower_bound = stats.mean_log_likelihood
            if not np.isfinite(lower_bound):
                raise ValueError(
                    "The log-likelihood became non-finite during EM. Standardize X, increase "
                    "reg_covar, or use fewer components."
                )
            if history is not None:
                history.record_e_step(resp, lower_bound)
            weights, means, cov = m_step(stats, self.covariance_type, self.reg_covar)
            prec_chol = precisions_cholesky_from_covariances(cov, self.covariance_type)
            if history is not None:
                history.record_parameters(weights, means, cov)
            lower_bounds.append(lower_bound)
            if self.verbose and n_iter % self.verbose_interval == 0:
                print(f"  Iteration {n_iter}: mean log-likelihood {lower_bound:.6f}")
            if abs(lower_bound - previous) < self.tol:
                converged = True
                break
        if self.verbose:
            state = "converged" if converged else "did not converge"
            print(f"Initialization {state}: n_iter={n_iter}, mean log-likelihood {lower_bound:.6f}")
        return {
            "params": (weights, means, cov, prec_chol),
            "lower_bound": lower_bound,
            "lower_bounds": lower_bounds,
            "converged": converged,
            "n_iter": n_iter,
            "history": history,
        }

    # ------------------------------------------------------------------ inference
    def _check_fitted(self) -> None:
        if not hasattr(self, "means_"):
            raise not_fitted_error(self)

    def _validate_data(self, X: Any) -> np.ndarray:
        self._check_fitted()
        if check_nan_policy(self.nan_policy) == "marginalize":
            return validate_data_with_nan(self, X, reset=False)
        return validate_data(self, X, reset=False, keep_float32=True)

    def _e_step(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if self.nan_policy == "marginalize" and np.isnan(X).any():  # eqs. 15.1, 15.2
            return marginal_e_step(
                X, self.weights_, self.means_, self.precisions_cholesky_, self.covariance_type,
                self.block_size, self.covariances_,
            )  # fmt: skip
        return e_step(
            X, self.weights_, self.means_, self.precisions_cholesky_, self.covariance_type,
            self.block_size,
        )  # fmt: skip

    def score_samples(self, X: Any) -> np.ndarray:
        """Log-density of the mixture, ``log p(x_n)``, at each row (eq. 4.1)."""
        return self._e_step(self._validate_data(X))[0]

    def score(self, X: Any, y: Any = None) -> float:
        """Mean log-likelihood per sample."""
        return float(np.mean(self.score_samples(X)))

    def predict_proba(self, X: Any) -> np.ndarray:
        """Responsibilities ``gamma(z_nk)`` of each component for each row (eq. 4.2).

        Raises
        ------
        ValueError
            For rows so far from every component that their densities underflow to zero
            under all of them (responsibilities are then undefined; ``score_samples`` gives
            ``-inf`` there).
        """
        return np.exp(defined_responsibilities(self._e_step(self._validate_data(X))))

    def predict(self, X: Any) -> np.ndarray:
        """Most probable component of each row (raises as :meth:`predict_proba` does)."""
        return np.argmax(defined_responsibilities(self._e_step(self._validate_data(X))), axis=1)

    def impute(self, X: Any) -> np.ndarray:
        """``X`` with every ``NaN`` replaced by its conditional mean under the mixture (eq. 15.7).

        ``E[x_m | x_o] = sum_k gamma_k(x_o) E[x_m | x_o, k]``: the responsibilities of the
        observed values weigh each component's regression of the missing coordinates on the
        observed ones (eqs. 15.2, 15.3). Observed values are returned unchanged. Works under
        either ``nan_policy``; see :func:`gmm_from_scratch.missing.conditional_draws` for
        draws that keep the imputation's uncertainty.

        Returns
        -------
        ndarray of shape (n_samples, n_features)

        Raises
        ------
        ValueError
            For a row with no observed value, infinite entries, or the wrong number of
            features.

        Examples
        --------
        >>> rng = np.random.default_rng(0)
        >>> X = rng.multivariate_normal([0, 0], [[1, 0.9], [0.9, 1]], size=500)
        >>> gmm = GaussianMixture(1, random_state=0).fit(X)
        >>> filled = gmm.impute(np.array([[2.0, np.nan]]))  # about 0.9 * 2
        >>> bool(abs(filled[0, 1] - 1.8) < 0.1), filled[0, 0]
        (True, np.float64(2.0))
        """
        self._check_fitted()
        X = validate_data_with_nan(self, X, reset=False)
        return conditional_mean_impute(
            X, self.weights_, self.means_, self.precisions_cholesky_, self.covariance_type,
            self.covariances_,
        )  # fmt: skip

    def __sklearn_tags__(self) -> Any:
        """scikit-learn's tags; under ``nan_policy='marginalize'`` NaN is allowed input."""
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = self.nan_policy == "marginalize"
        return tags

    def _n_parameters(self) -> int:
        return n_parameters(self.n_components, self.means_.shape[1], self.covariance_type)

    def bic(self, X: Any) -> float:
        """Bayesian information criterion ``-2 log L + p log n`` (eq. 10.2); lower is better."""
        X = self._validate_data(X)
        return float(-2 * self.score(X) * X.shape[0] + self._n_parameters() * np.log(X.shape[0]))

    def aic(self, X: Any) -> float:
        """Akaike information criterion ``-2 log L + 2 p`` (eq. 10.1); lower is better."""
        X = self._validate_data(X)
        return float(-2 * self.score(X) * X.shape[0] + 2 * self._n_parameters())

    def sample(self, n_samples: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """Draw new points from the fitted mixture (the generative story of chapter 4).

        Each call continues the random stream seeded by ``random_state`` at ``fit``: two
        calls give different draws, and refitting with the same seed repeats the sequence.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
            Grouped by component.
        y : ndarray of shape (n_samples,)
            The component each point was drawn from.
        """
        self._check_fitted()
        n_samples = check_positive_int(n_samples, "n_samples")
        rng = self._sampling_rng
        counts = rng.multinomial(n_samples, self.weights_ / self.weights_.sum())
        d = self.means_.shape[1]
        parts = []
        for k, m in enumerate(counts):
            z = rng.standard_normal((m, d))
            if self.covariance_type == "full":
                z = z @ linalg.cholesky(self.covariances_[k], lower=True).T
            elif self.covariance_type == "tied":
                z = z @ linalg.cholesky(self.covariances_, lower=True).T
            else:
                z = z * np.sqrt(self.covariances_[k])
            parts.append(self.means_[k] + z)
        y = np.repeat(np.arange(self.n_components), counts)
        return np.vstack(parts), y


class _MissingPass:
    """:func:`~gmm_from_scratch.missing.missing_em_pass` with the data's missing patterns
    found once per fit, called as :func:`~gmm_from_scratch.em.em_pass` is (chapter 15)."""

    def __init__(self, patterns: Any) -> None:
        self.patterns = patterns

    def __call__(self, X, weights, means, prec_chol, covariance_type, sw, block_size, **kw):
        return missing_em_pass(
            X, weights, means, prec_chol, covariance_type, sw, block_size,
            patterns=self.patterns, **kw,
        )  # fmt: skip


def initial_responsibilities(
    X: np.ndarray,
    n_components: int,
    init_params: str,
    rng: np.random.Generator,
    sample_weight: np.ndarray | None = None,
) -> np.ndarray:
    """Initial responsibilities, shape ``(n_samples, n_components)``, by ``init_params`` (ch. 8).

    ``'kmeans'``: one-hot k-means labels; ``'k-means++'``: one-hot at the k-means++ seeds;
    ``'random'``: uniform random rows normalized to sum to one; ``'random_from_data'``:
    one-hot at ``n_components`` distinct random rows. Shared by every mixture estimator.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    n_components : int
    init_params : {'kmeans', 'k-means++', 'random', 'random_from_data'}
    rng : numpy.random.Generator
    sample_weight : ndarray of shape (n_samples,), optional
        Used by the k-means initializations.

    Returns
    -------
    ndarray of shape (n_samples, n_components)
        Rows summing to one.

    Raises
    ------
    ValueError
        If ``init_params`` is not one of :data:`INIT_METHODS`.

    Examples
    --------
    >>> X = np.array([[0.0], [0.2], [5.0], [5.2]])
    >>> resp = initial_responsibilities(X, 2, "kmeans", np.random.default_rng(0))
    >>> resp.sum(axis=1), bool(resp[0].argmax() == resp[1].argmax() != resp[2].argmax())
    (array([1., 1., 1., 1.]), True)
    """
    n = X.shape[0]
    K, sw = n_components, sample_weight
    resp = np.zeros((n, K))
    if init_params == "kmeans":
        labels = KMeans(K, n_init=1, random_state=rng).fit(X, sample_weight=sw).labels_
        resp[np.arange(n), labels] = 1.0
    elif init_params == "k-means++":
        _, idx = kmeans_plusplus(X, K, rng, sample_weight=sw)
        resp[idx, np.arange(K)] = 1.0
    elif init_params == "random":
        resp = rng.uniform(size=(n, K))
        resp /= resp.sum(axis=1, keepdims=True)
    elif init_params == "random_from_data":
        p = None if sw is None else (sw > 0) / np.count_nonzero(sw)
        idx = rng.choice(n, size=K, replace=False, p=p)
        resp[idx, np.arange(K)] = 1.0
    else:
        raise ValueError(f"init_params must be one of {INIT_METHODS}, got {init_params!r}.")
    return resp


def check_warm_start(estimator: Any, n_features: int) -> None:
    """Refuse to continue a fit whose structure has changed since (``warm_start=True``)."""
    K, covariance_type = estimator._fitted_structure
    name = type(estimator).__name__
    if n_features != estimator.n_features_in_:
        raise ValueError(
            f"X has {n_features} features, but the warm-started {name} was fitted with "
            f"{estimator.n_features_in_} features."
        )
    if (estimator.n_components, estimator.covariance_type) != (K, covariance_type):
        raise ValueError(
            f"warm_start=True continues the previous fit, which had n_components={K} and "
            f"covariance_type={covariance_type!r}, but they are now "
            f"n_components={estimator.n_components} and "
            f"covariance_type={estimator.covariance_type!r}. Set warm_start=False to fit the "
            "new model from scratch."
        )


def _check_nonnegative(value: Any, name: str) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not np.isfinite(float(value))
    ):
        raise ValueError(f"{name} must be a non-negative number, got {value!r}.")
    if value < 0:
        raise ValueError(f"{name} must be non-negative, got {value}.")
    return float(value)


def record_best_run(
    estimator: Any, best: dict[str, Any], n_features: int, n_init: int, advice: str
) -> None:
    """Store the outcome of the best EM run on a fitted estimator; warn if it did not converge.

    Shared by :class:`GaussianMixture` and
    :class:`~gmm_from_scratch.bayesian.BayesianGaussianMixture`. ``best`` holds ``converged``,
    ``n_iter``, ``lower_bound``, ``lower_bounds`` and ``history``; the
    :class:`ConvergenceWarning` ends with ``advice``.
    """
    estimator.converged_ = best["converged"]
    estimator.n_iter_ = best["n_iter"]
    estimator.lower_bound_ = best["lower_bound"]
    estimator.lower_bounds_ = best["lower_bounds"]
    estimator.history_ = best["history"]
    estimator.n_features_in_ = n_features
    estimator._sampling_rng = check_random_state(estimator.random_state)
    if not estimator.converged_ and estimator.max_iter > 0:
        convergence_warning(
            f"The best of {n_init} initialization(s) did not converge within "
            f"max_iter={estimator.max_iter} iterations (tol={estimator.tol}). {advice}",
            stacklevel=4,  # the user's call to fit / fit_predict
        )
