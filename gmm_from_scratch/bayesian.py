"""Bayesian Gaussian mixtures fitted by mean-field variational inference (chapter 14).

The model puts priors on every parameter of the mixture (eq. 14.1):

* the weights: a Dirichlet distribution ``Dir(pi | alpha_0)`` (``'dirichlet_distribution'``),
  or the Dirichlet process truncated at ``K`` components, written as stick breaking
  ``pi_k = v_k prod_{j<k} (1 - v_j)``, ``v_k ~ Beta(1, alpha_0)`` (``'dirichlet_process'``,
  eq. 14.2);
* the means and precisions: a Gaussian–Wishart ``N(mu_k | m_0, (beta_0 Lambda_k)^-1)
  W(Lambda_k | W_0, nu_0)``.

Mean-field variational inference (Bishop 2006, §10.2; Blei et al. 2017) approximates the
posterior by ``q(Z) q(pi) prod_k q(mu_k, Lambda_k)`` (eq. 14.4) and maximizes the evidence
lower bound (ELBO, eq. 14.3) by coordinate ascent, which looks exactly like EM:

* the *variational E-step* (eqs. 14.5–14.7) computes responsibilities from expected
  log-weights and expected log-densities; it is the E-step of :mod:`.em` with the plug-in
  ``log pi_k + log N(x | mu_k, Sigma_k)`` replaced by a per-component constant plus a
  Gaussian log-density, so it *is* :func:`gmm_from_scratch.em.em_pass`, fed other weights;
* the *variational M-step* (eqs. 14.8–14.10) updates the posterior's hyper-parameters from the
  same sufficient statistics ``N_k, x̄_k, S_k`` (eq. 13.1) that :func:`.em.m_step` turns into
  maximum-likelihood estimates: the Bayesian update is that estimate, pulled towards the prior.

Names, defaults and conventions follow ``sklearn.mixture.BayesianGaussianMixture``:
``covariances_`` is the inverse of the posterior mean precision ``E[Lambda_k] = nu_k W_k``,
``lower_bound_`` is the ELBO up to additive constants that do not depend on the data's
assignment (eq. 14.12), and the ``'tied'``, ``'diag'`` and ``'spherical'`` types use
scikit-learn's Wishart-like updates. Started from the same responsibilities, this class and
scikit-learn's reach the same posterior (the test suite checks this to 1e-8 relative).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import betaln, digamma, gammaln

from ._params import ParamsMixin
from ._validation import (
    check_positive_int,
    check_random_state,
    not_fitted_error,
    validate_data,
)
from .covariance import (
    check_covariance_type,
    log_det_precision_cholesky,
    precisions_cholesky_from_covariances,
    precisions_from_cholesky,
)
from .em import SufficientStatistics, e_step, em_pass, m_step, responsibility_statistics
from .history import EMHistory
from .logspace import logsumexp
from .mixture import (
    INIT_METHODS,
    GaussianMixture,
    check_warm_start,
    defined_responsibilities,
    initial_responsibilities,
    record_best_run,
)

__all__ = [
    "PRIOR_TYPES",
    "BayesianGaussianMixture",
    "VariationalPosterior",
    "VariationalPrior",
    "check_prior",
    "expected_log_weights",
    "lower_bound",
    "posterior_mean_weights",
    "statistics_from_responsibilities",
    "variational_log_weights",
    "variational_m_step",
]

PRIOR_TYPES = ("dirichlet_process", "dirichlet_distribution")

#: Added to every ``N_k`` (as in :func:`.em.m_step` and scikit-learn) so that an empty
#: component never divides by zero.
_NK_FLOOR = 10 * np.finfo(np.float64).eps


@dataclass
class VariationalPrior:
    """Hyper-parameters of the prior (eqs. 14.1 and 14.2), after defaults are filled in.

    Attributes
    ----------
    weight_concentration_type : {'dirichlet_process', 'dirichlet_distribution'}
    weight_concentration : float
        ``alpha_0``: of the symmetric Dirichlet, or of the sticks' ``Beta(1, alpha_0)``.
    mean_precision : float
        ``beta_0``: how many pseudo-observations the prior mean ``m_0`` is worth.
    mean : ndarray of shape (n_features,)
        ``m_0``.
    degrees_of_freedom : float
        ``nu_0 > n_features - 1``.
    covariance : ndarray or float
        ``W_0^{-1}``: ``(d, d)`` for full and tied, ``(d,)`` for diag, a float for spherical.
    """

    weight_concentration_type: str
    weight_concentration: float
    mean_precision: float
    mean: np.ndarray
    degrees_of_freedom: float
    covariance: Any


@dataclass
class VariationalPosterior:
    """Hyper-parameters of the variational posterior ``q(pi) prod_k q(mu_k, Lambda_k)``.

    Attributes
    ----------
    weight_concentration : ndarray of shape (K,) or tuple of two such arrays
        ``alpha_k`` of ``q(pi) = Dir(alpha)``; or ``(gamma_k1, gamma_k2)`` of the sticks'
        ``q(v_k) = Beta(gamma_k1, gamma_k2)`` (eq. 14.8).
    mean_precision : ndarray of shape (K,)
        ``beta_k`` (eq. 14.9).
    means : ndarray of shape (K, d)
        ``m_k`` (eq. 14.9).
    degrees_of_freedom : ndarray of shape (K,), or a float for ``tied``
        ``nu_k`` (eq. 14.10).
    covariances : ndarray
        ``(nu_k W_k)^{-1}``, the inverse of the posterior mean precision (eq. 14.10).
    precisions_cholesky : ndarray
        Cholesky factors of ``nu_k W_k``, shaped as in :mod:`.covariance`.
    """

    weight_concentration: Any
    mean_precision: np.ndarray
    means: np.ndarray
    degrees_of_freedom: Any
    covariances: np.ndarray
    precisions_cholesky: np.ndarray


# ---------------------------------------------------------------------- the prior
def _number(value: Any, name: str, kind: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a {kind} number, got {value!r}.")
    x = float(value)
    if not np.isfinite(x):
        raise ValueError(f"{name} must be a {kind} number, got {value!r}.")
    return x


def _positive(value: Any, name: str) -> float:
    x = _number(value, name, "positive")
    if x <= 0:
        raise ValueError(f"{name} must be positive (> 0), got {value}.")
    return x


def check_prior(
    X: np.ndarray,
    n_components: int,
    covariance_type: str,
    weight_concentration_prior_type: str = "dirichlet_process",
    weight_concentration_prior: Any = None,
    mean_precision_prior: Any = None,
    mean_prior: Any = None,
    degrees_of_freedom_prior: Any = None,
    covariance_prior: Any = None,
) -> VariationalPrior:
    """Validate the prior's hyper-parameters and fill in scikit-learn's data-based defaults.

    Defaults: ``alpha_0 = 1 / K``, ``beta_0 = 1``, ``m_0`` the mean of ``X``,
    ``nu_0 = n_features``, and ``W_0^{-1}`` the sample covariance of ``X`` (its diagonal for
    ``diag``, the mean of the diagonal for ``spherical``).

    Raises
    ------
    ValueError
        For an unknown prior type, a non-positive concentration or mean precision, a prior mean
        of the wrong shape, ``degrees_of_freedom_prior <= n_features - 1``, or a covariance
        prior of the wrong shape or not positive definite.
    """
    n, d = X.shape
    check_covariance_type(covariance_type)
    if weight_concentration_prior_type not in PRIOR_TYPES:
        raise ValueError(
            f"weight_concentration_prior_type must be one of {PRIOR_TYPES}, got "
            f"{weight_concentration_prior_type!r}."
        )
    alpha0 = (
        1.0 / n_components
        if weight_concentration_prior is None
        else _positive(weight_concentration_prior, "weight_concentration_prior")
    )
    beta0 = (
        1.0
        if mean_precision_prior is None
        else _positive(mean_precision_prior, "mean_precision_prior")
    )
    if mean_prior is None:
        m0 = X.mean(axis=0, dtype=np.float64)
    else:
        m0 = np.asarray(mean_prior, dtype=np.float64)
        if m0.shape != (d,):
            raise ValueError(
                f"mean_prior must have shape ({d},), one value per feature, got {m0.shape}."
            )
        if not np.isfinite(m0).all():
            raise ValueError("mean_prior contains NaN or infinite values.")
    if degrees_of_freedom_prior is None:
        nu0 = float(d)
    else:
        nu0 = _positive(degrees_of_freedom_prior, "degrees_of_freedom_prior")
        if nu0 <= d - 1:
            raise ValueError(
                f"degrees_of_freedom_prior must be greater than n_features - 1 = {d - 1} for "
                f"the Wishart prior to be proper, got {degrees_of_freedom_prior}."
            )
    cov0 = _check_covariance_prior(X, covariance_type, covariance_prior)
    return VariationalPrior(weight_concentration_prior_type, alpha0, beta0, m0, nu0, cov0)


def _check_covariance_prior(X: np.ndarray, covariance_type: str, covariance_prior: Any) -> Any:
    d = X.shape[1]
    if covariance_prior is None:
        # The sample covariance (n - 1 in the denominator, as np.cov), in float64 and in blocks
        # of rows: float32 data is neither copied nor summed in float32.
        n = X.shape[0]
        full = covariance_type in ("full", "tied")
        stats = responsibility_statistics(X, np.ones((n, 1)), "full" if full else "diag")
        cov = m_step(stats, "full" if full else "diag", reg_covar=0.0)[2][0] * (n / (n - 1))
        if full:
            return cov
        return cov if covariance_type == "diag" else float(cov.mean())
    if covariance_type == "spherical":
        return _positive(covariance_prior, "covariance_prior (spherical)")
    c = np.asarray(covariance_prior, dtype=np.float64)
    shape = (d,) if covariance_type == "diag" else (d, d)
    if c.shape != shape:
        raise ValueError(
            f"covariance_prior for covariance_type={covariance_type!r} must have shape {shape}, "
            f"got {c.shape}."
        )
    if not np.isfinite(c).all():
        raise ValueError("covariance_prior contains NaN or infinite values.")
    if covariance_type == "diag":
        if np.any(c <= 0):
            raise ValueError("covariance_prior (diag) must be positive in every feature.")
        return c
    if not np.allclose(c, c.T, rtol=1e-8, atol=1e-8 * np.abs(c).max()):
        raise ValueError("covariance_prior must be a symmetric matrix.")
    if np.linalg.eigvalsh(c).min() <= 0:
        raise ValueError(
            "covariance_prior must be positive definite (all eigenvalues > 0); e.g. use a "
            "multiple of the identity or of the data's covariance."
        )
    return c


# ---------------------------------------------------------------------- the weights
def expected_log_weights(weight_concentration: Any, prior_type: str) -> np.ndarray:
    """``E_q[log pi_k]`` under the weights' posterior (eq. 14.7).

    Dirichlet: ``psi(alpha_k) - psi(sum_j alpha_j)``. Stick breaking:
    ``E[log v_k] + sum_{j<k} E[log(1 - v_j)]`` with ``E[log v] = psi(g1) - psi(g1 + g2)`` and
    ``E[log(1 - v)] = psi(g2) - psi(g1 + g2)`` for ``v ~ Beta(g1, g2)``.
    """
    if prior_type == "dirichlet_process":
        g1, g2 = weight_concentration
        dsum = digamma(g1 + g2)
        log_rest = np.cumsum(digamma(g2) - dsum)
        return digamma(g1) - dsum + np.concatenate(([0.0], log_rest[:-1]))
    alpha = np.asarray(weight_concentration)
    return digamma(alpha) - digamma(alpha.sum())


def posterior_mean_weights(weight_concentration: Any, prior_type: str) -> np.ndarray:
    """The weights reported in ``weights_``: the posterior mean of ``pi`` (eq. 14.11).

    Dirichlet: ``alpha_k / sum_j alpha_j``. Stick breaking:
    ``E[v_k] prod_{j<k} (1 - E[v_j])``, renormalized over the ``K`` sticks kept.
    """
    if prior_type == "dirichlet_process":
        g1, g2 = weight_concentration
        total = g1 + g2
        rest = np.cumprod(g2 / total)
        w = g1 / total * np.concatenate(([1.0], rest[:-1]))
        return w / w.sum()
    alpha = np.asarray(weight_concentration, dtype=np.float64)
    return alpha / alpha.sum()


# ---------------------------------------------------------------------- the M-step
def statistics_from_responsibilities(
    X: np.ndarray, resp: np.ndarray, covariance_type: str
) -> SufficientStatistics:
    """Sufficient statistics ``N_k``, ``x̄_k``, ``S_k`` (eq. 13.1) of given responsibilities.

    :func:`.em.responsibility_statistics`: two passes over blocks of rows, as
    :func:`.em.estimate_parameters`; the first finds each component's mean, the second
    accumulates the scatter about it (no cancellation for far-away components).
    """
    return responsibility_statistics(X, resp, covariance_type)


def variational_m_step(
    stats: SufficientStatistics,
    prior: VariationalPrior,
    covariance_type: str,
    reg_covar: float,
) -> VariationalPosterior:
    """Variational M-step: the posterior's hyper-parameters from sufficient statistics.

    With ``N_k``, the weighted mean ``x̄_k`` and the weighted covariance ``S_k`` (plus
    ``reg_covar`` on its diagonal) from :func:`.em.m_step`:

    * weights (eq. 14.8): ``alpha_k = alpha_0 + N_k``; or the sticks'
      ``gamma_k1 = 1 + N_k``, ``gamma_k2 = alpha_0 + sum_{j>k} N_j``;
    * means (eq. 14.9): ``beta_k = beta_0 + N_k``, ``m_k = (beta_0 m_0 + N_k x̄_k) / beta_k``;
    * precisions (eq. 14.10): ``nu_k = nu_0 + N_k`` and
      ``W_k^{-1} = W_0^{-1} + N_k S_k + (beta_0 N_k / beta_k)(x̄_k - m_0)(x̄_k - m_0)^T``;
      ``covariances`` holds ``W_k^{-1} / nu_k``, the inverse of ``E[Lambda_k] = nu_k W_k``.

    ``'tied'`` shares one Wishart with ``nu = nu_0 + N / K`` and ``'diag'``/``'spherical'``
    keep the diagonal (or its mean), following scikit-learn's conventions.
    """
    _, xk, sk = m_step(stats, covariance_type, reg_covar)
    nk = stats.nk + _NK_FLOOR
    K = nk.shape[0]
    if prior.weight_concentration_type == "dirichlet_process":
        tail = np.concatenate((np.cumsum(nk[::-1])[-2::-1], [0.0]))  # sum_{j>k} N_j
        concentration: Any = (1.0 + nk, prior.weight_concentration + tail)
    else:
        concentration = prior.weight_concentration + nk
    beta = prior.mean_precision + nk
    means = (prior.mean_precision * prior.mean + nk[:, None] * xk) / beta[:, None]
    diff = xk - prior.mean
    shrink = prior.mean_precision / beta  # beta_0 / beta_k
    if covariance_type == "full":
        nu: Any = prior.degrees_of_freedom + nk
        cov = (
            prior.covariance
            + nk[:, None, None] * sk
            + (nk * shrink)[:, None, None] * diff[:, :, None] * diff[:, None, :]
        )
        cov /= nu[:, None, None]
        cov = 0.5 * (cov + cov.transpose(0, 2, 1))
    elif covariance_type == "tied":
        nu = prior.degrees_of_freedom + nk.sum() / K
        cov = prior.covariance + sk * nk.sum() / K + ((nk * shrink) * diff.T) @ diff / K
        cov = 0.5 * (cov + cov.T) / nu
    elif covariance_type == "diag":
        nu = prior.degrees_of_freedom + nk
        cov = prior.covariance + nk[:, None] * (sk + shrink[:, None] * diff**2)
        cov /= nu[:, None]
    else:
        nu = prior.degrees_of_freedom + nk
        cov = prior.covariance + nk * (sk + shrink * np.mean(diff**2, axis=1))
        cov /= nu
    prec_chol = precisions_cholesky_from_covariances(cov, covariance_type)
    return VariationalPosterior(concentration, beta, means, nu, cov, prec_chol)


# ---------------------------------------------------------------------- the E-step
def variational_log_weights(
    posterior: VariationalPosterior, prior_type: str, covariance_type: str
) -> np.ndarray:
    """Per-component constants ``c_k`` of the variational E-step (eqs. 14.5–14.7).

    ``log rho_nk = c_k + log N(x_n | m_k, (nu_k W_k)^{-1})`` with
    ``c_k = E[log pi_k] + (E[log|Lambda_k|] - log|nu_k W_k|) / 2 - d / (2 beta_k)``, where
    ``E[log|Lambda_k|] = sum_{i=1}^d psi((nu_k + 1 - i)/2) + d log 2 + log|W_k|`` (eq. 14.6).
    So the variational E-step is the plain E-step of :mod:`.em` with ``exp(c_k)`` in place of
    the weights ``pi_k``.
    """
    d = posterior.means.shape[1]
    nu = np.asarray(posterior.degrees_of_freedom, dtype=np.float64)
    log_lambda = d * np.log(2.0) + np.sum(
        digamma(0.5 * (nu - np.arange(d)[:, None])), axis=0
    )  # E[log|Lambda_k|] - log|W_k|
    c = 0.5 * (log_lambda - d * np.log(nu)) - 0.5 * d / posterior.mean_precision
    return expected_log_weights(posterior.weight_concentration, prior_type) + c


def _pseudo_weights(log_w: np.ndarray) -> tuple[np.ndarray, float]:
    """``exp(c_k - max c)`` and ``max c``: the largest pseudo-weight is 1, so none all underflow."""
    top = float(np.max(log_w))
    return np.exp(log_w - top), top


def lower_bound(
    resp: np.ndarray,
    posterior: VariationalPosterior,
    prior_type: str,
    covariance_type: str,
) -> float:
    """The evidence lower bound after a variational M-step, up to constants (eq. 14.12).

    When ``q(pi, mu, Lambda)`` is the optimum for the responsibilities ``r``, the ELBO
    collapses to the entropy of ``r`` plus the log-normalizers of the posterior:
    ``-sum r log r + sum_k [log B(W_k, nu_k)^{-1} - (d/2) log beta_k] + log C(posterior
    weights)^{-1}`` minus the same terms for the prior (a constant, left out, as are
    ``-(N d / 2) log 2 pi`` and the ``log pi`` terms of the Wishart normalizer).
    ``log B(W, nu)^{-1} = (nu/2) log|W| + (nu d / 2) log 2 + sum_i log Gamma((nu + 1 - i)/2)``;
    the weights' normalizer is ``log Gamma(sum alpha) - sum log Gamma(alpha_k)`` for the
    Dirichlet and ``-sum_k log Beta(gamma_k1, gamma_k2)`` for the sticks.
    """
    K, d = posterior.means.shape
    nu = np.asarray(posterior.degrees_of_freedom, dtype=np.float64)
    # (1/2) log|W_k| = log det of the factor of nu_k W_k, minus (d/2) log nu_k.
    half_log_det_w = log_det_precision_cholesky(
        posterior.precisions_cholesky, covariance_type, d
    ) - 0.5 * d * np.log(nu)
    log_wishart_norm = -(
        nu * half_log_det_w
        + nu * d * 0.5 * np.log(2.0)
        + np.sum(gammaln(0.5 * (nu - np.arange(d)[:, None])), axis=0)
    )  # log B(W_k, nu_k) without its pi term
    # 'tied' shares one Wishart among the K components (scikit-learn counts it K times).
    log_wishart = float(np.sum(log_wishart_norm)) * (K if covariance_type == "tied" else 1)
    if prior_type == "dirichlet_process":
        log_norm_weight = -float(np.sum(betaln(*posterior.weight_concentration)))
    else:
        alpha = posterior.weight_concentration
        log_norm_weight = float(gammaln(alpha.sum()) - np.sum(gammaln(alpha)))
    with np.errstate(divide="ignore", invalid="ignore"):
        entropy = -float(np.sum(np.where(resp > 0, resp * np.log(resp), 0.0)))
    return (
        entropy
        - log_wishart
        - log_norm_weight
        - 0.5 * d * float(np.sum(np.log(posterior.mean_precision)))
    )


# ---------------------------------------------------------------------- the estimator
class BayesianGaussianMixture(ParamsMixin):
    """Gaussian mixture with priors, fitted by mean-field variational inference (chapter 14).

    With many components allowed (``n_components`` an upper bound) and a small
    ``weight_concentration_prior``, the posterior empties the components the data do not need:
    their weights shrink towards zero and the effective number of components is found from
    the data. Parameters and attributes follow ``sklearn.mixture.BayesianGaussianMixture``.

    Parameters
    ----------
    n_components : int, default=1
        The largest number of components (the truncation level of the Dirichlet process).
    covariance_type : {'full', 'tied', 'diag', 'spherical'}, default='full'
    tol : float, default=1e-3
        Stop when the ELBO improves by less than ``tol``.
    reg_covar : float, default=1e-6
        Added to the diagonal of every ``S_k`` (eq. 7.4).
    max_iter : int, default=100
    n_init : int, default=1
        Number of initializations; the one with the largest final ELBO is kept.
    init_params : {'kmeans', 'k-means++', 'random', 'random_from_data'}, default='kmeans'
        The initial responsibilities (chapter 8), shared with :class:`.GaussianMixture`.
    weight_concentration_prior_type : {'dirichlet_process', 'dirichlet_distribution'}
        Stick breaking (eq. 14.2) or a symmetric Dirichlet (eq. 14.1).
    weight_concentration_prior : float, optional
        ``alpha_0 > 0``; default ``1 / n_components``. Small values favour few components.
    mean_precision_prior : float, optional
        ``beta_0 > 0``; default 1.
    mean_prior : array-like of shape (n_features,), optional
        ``m_0``; default the mean of ``X``.
    degrees_of_freedom_prior : float, optional
        ``nu_0 > n_features - 1``; default ``n_features``.
    covariance_prior : float or array-like, optional
        ``W_0^{-1}``: ``(d, d)`` for full and tied, ``(d,)`` for diag, a float for spherical;
        default the sample covariance of ``X`` (its diagonal, or the diagonal's mean).
    random_state : None, int or numpy Generator
    warm_start : bool, default=False
    verbose : int, default=0
    verbose_interval : int, default=10
    record_history : bool, default=False
        Keep every iteration's ``weights_``, ``means_``, ``covariances_``, responsibilities
        and ELBO in ``history_`` (an :class:`.EMHistory`: its ``log_likelihood`` holds the ELBO).

    Attributes
    ----------
    weights_ : ndarray of shape (n_components,)
        Posterior mean weights (eq. 14.11).
    weight_concentration_ : ndarray or tuple of ndarray
        ``alpha_k``, or the sticks' Beta parameters ``(gamma_k1, gamma_k2)`` (eq. 14.8).
    means_ : ndarray of shape (n_components, n_features)
        ``m_k`` (eq. 14.9).
    mean_precision_ : ndarray of shape (n_components,)
        ``beta_k`` (eq. 14.9).
    covariances_, precisions_, precisions_cholesky_ : ndarray
        ``(nu_k W_k)^{-1}``, ``nu_k W_k`` and its Cholesky factor (eq. 14.10).
    degrees_of_freedom_ : ndarray of shape (n_components,) (a float for 'tied')
        ``nu_k`` (eq. 14.10).
    weight_concentration_prior_, mean_precision_prior_, mean_prior_,
    degrees_of_freedom_prior_, covariance_prior_
        The prior actually used (defaults filled in).
    converged_ : bool
    n_iter_ : int
    lower_bound_ : float
        The ELBO of the best run at its last iteration (eq. 14.12).
    lower_bounds_ : list of float
        The ELBO after every iteration of the best run (never decreasing).
    n_features_in_ : int
    history_ : EMHistory or None

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(c, 1, (200, 2)) for c in (-6, 0, 6)])
    >>> bgm = BayesianGaussianMixture(n_components=8, weight_concentration_prior=0.01,
    ...                               random_state=0, max_iter=500).fit(X)
    >>> int((bgm.weights_ > 0.01).sum())
    3
    """

    _estimator_kind = "density_estimator"
    _fitted_attribute = "means_"

    n_features_in_: int
    feature_names_in_: np.ndarray
    lower_bound_: float
    _fitted_structure: tuple[int, str]

    def __init__(
        self,
        *,
        n_components: int = 1,
        covariance_type: str = "full",
        tol: float = 1e-3,
        reg_covar: float = 1e-6,
        max_iter: int = 100,
        n_init: int = 1,
        init_params: str = "kmeans",
        weight_concentration_prior_type: str = "dirichlet_process",
        weight_concentration_prior: float | None = None,
        mean_precision_prior: float | None = None,
        mean_prior: Any = None,
        degrees_of_freedom_prior: float | None = None,
        covariance_prior: Any = None,
        random_state: Any = None,
        warm_start: bool = False,
        verbose: int = 0,
        verbose_interval: int = 10,
        record_history: bool = False,
    ) -> None:
        self.n_components = n_components
        self.covariance_type = covariance_type
        self.tol = tol
        self.reg_covar = reg_covar
        self.max_iter = max_iter
        self.n_init = n_init
        self.init_params = init_params
        self.weight_concentration_prior_type = weight_concentration_prior_type
        self.weight_concentration_prior = weight_concentration_prior
        self.mean_precision_prior = mean_precision_prior
        self.mean_prior = mean_prior
        self.degrees_of_freedom_prior = degrees_of_freedom_prior
        self.covariance_prior = covariance_prior
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose
        self.verbose_interval = verbose_interval
        self.record_history = record_history

    def _check_parameters(self, X: np.ndarray) -> VariationalPrior:
        K = check_positive_int(self.n_components, "n_components")
        check_covariance_type(self.covariance_type)
        for name in ("tol", "reg_covar"):
            if _number(getattr(self, name), name, "non-negative") < 0:
                raise ValueError(f"{name} must be non-negative, got {getattr(self, name)}.")
        check_positive_int(self.max_iter, "max_iter", minimum=0)
        check_positive_int(self.n_init, "n_init")
        check_positive_int(self.verbose, "verbose", minimum=0)
        check_positive_int(self.verbose_interval, "verbose_interval")
        if self.init_params not in INIT_METHODS:
            raise ValueError(
                f"init_params must be one of {INIT_METHODS}, got {self.init_params!r}."
            )
        return check_prior(
            X, K, self.covariance_type, self.weight_concentration_prior_type,
            self.weight_concentration_prior, self.mean_precision_prior, self.mean_prior,
            self.degrees_of_freedom_prior, self.covariance_prior,
        )  # fmt: skip

    # ------------------------------------------------------------------ fitting
    def fit(self, X: Any, y: Any = None) -> BayesianGaussianMixture:
        """Fit the variational posterior by coordinate ascent on the ELBO.

        Returns
        -------
        self
        """
        self._fit(X)
        return self

    def fit_predict(self, X: Any, y: Any = None) -> np.ndarray:
        """Fit, then return the most probable component of each row."""
        X = self._fit(X)
        return self.predict(X)

    def _initial_responsibilities(self, X: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        return initial_responsibilities(X, self.n_components, self.init_params, rng)

    def _fit(self, X: Any) -> np.ndarray:
        X = validate_data(self, X, reset=True, min_samples=2, keep_float32=True)
        n, d = X.shape
        prior = self._check_parameters(X)
        K = self.n_components
        if n < K:
            raise ValueError(
                f"n_components={K} is larger than the number of samples ({n}): the "
                "initialization needs at least one sample per component."
            )
        do_init = not (self.warm_start and hasattr(self, "converged_"))
        if not do_init:
            check_warm_start(self, d)
        self._prior = prior
        self.weight_concentration_prior_ = prior.weight_concentration
        self.mean_precision_prior_ = prior.mean_precision
        self.mean_prior_ = prior.mean
        self.degrees_of_freedom_prior_ = prior.degrees_of_freedom
        self.covariance_prior_ = prior.covariance
        n_init = self.n_init if do_init else 1
        rng = check_random_state(self.random_state)
        best: dict[str, Any] | None = None
        for init in range(n_init):
            if self.verbose:
                print(f"Initialization {init}")
            if do_init:
                resp = self._initial_responsibilities(X, rng)
                stats = statistics_from_responsibilities(X, resp, self.covariance_type)
                post = variational_m_step(stats, prior, self.covariance_type, self.reg_covar)
                start = -np.inf
            else:
                post = self._posterior()
                start = self.lower_bound_
            run = self._run(X, post, prior, start)
            if (
                best is None
                or run["lower_bound"] > best["lower_bound"]
                or (best["lower_bound"] == -np.inf)
            ):
                best = run
        assert best is not None
        self._set_posterior(best["posterior"])
        self._fitted_structure = (K, self.covariance_type)
        record_best_run(
            self,
            best,
            d,
            n_init,
            "Increase max_iter (variational inference often needs several hundred iterations "
            "to empty unused components) or loosen tol.",
        )
        return X

    def _run(self, X, post, prior, lower_bound_value):
        ct, ptype = self.covariance_type, prior.weight_concentration_type
        history = EMHistory(ct) if self.record_history else None
        if history is not None:
            history.record_parameters(
                posterior_mean_weights(post.weight_concentration, ptype), post.means,
                post.covariances,
            )  # fmt: skip
        lower_bounds: list[float] = []
        converged = False
        n_iter = 0
        for n_iter in range(1, self.max_iter + 1):
            previous = lower_bound_value
            # Variational E-step (eqs. 14.5-14.7) and the statistics N_k, x̄_k, S_k in one pass.
            pseudo, _ = _pseudo_weights(variational_log_weights(post, ptype, ct))
            stats, resp = em_pass(
                X, pseudo, post.means, post.precisions_cholesky, ct, keep_responsibilities=True
            )
            # Variational M-step (eqs. 14.8-14.10), then the ELBO (eq. 14.12).
            post = variational_m_step(stats, prior, ct, self.reg_covar)
            lower_bound_value = lower_bound(resp, post, ptype, ct)
            if not np.isfinite(lower_bound_value):
                raise ValueError("The ELBO became non-finite. Standardize X or increase reg_covar.")
            lower_bounds.append(lower_bound_value)
            if history is not None:
                history.record_e_step(resp, lower_bound_value)
                history.record_parameters(
                    posterior_mean_weights(post.weight_concentration, ptype), post.means,
                    post.covariances,
                )  # fmt: skip
            if self.verbose and n_iter % self.verbose_interval == 0:
                print(f"  Iteration {n_iter}: ELBO {lower_bound_value:.6f}")
            if abs(lower_bound_value - previous) < self.tol:
                converged = True
                break
        if self.verbose:
            state = "converged" if converged else "did not converge"
            print(f"Initialization {state}: n_iter={n_iter}, ELBO {lower_bound_value:.6f}")
        return {
            "posterior": post,
            "lower_bound": lower_bound_value,
            "lower_bounds": lower_bounds,
            "converged": converged,
            "n_iter": n_iter,
            "history": history,
        }

    def _posterior(self) -> VariationalPosterior:
        return VariationalPosterior(
            self.weight_concentration_, self.mean_precision_, self.means_,
            self.degrees_of_freedom_, self.covariances_, self.precisions_cholesky_,
        )  # fmt: skip

    def _set_posterior(self, post: VariationalPosterior) -> None:
        self.weight_concentration_ = post.weight_concentration
        self.mean_precision_ = post.mean_precision
        self.means_ = post.means
        self.degrees_of_freedom_ = post.degrees_of_freedom
        self.covariances_ = post.covariances
        self.precisions_cholesky_ = post.precisions_cholesky
        self.precisions_ = precisions_from_cholesky(post.precisions_cholesky, self.covariance_type)
        self.weights_ = posterior_mean_weights(
            post.weight_concentration, self.weight_concentration_prior_type
        )

    # ------------------------------------------------------------------ inference
    def _check_fitted(self) -> None:
        if not hasattr(self, "means_"):
            raise not_fitted_error(self)

    def _e_step(self, X: Any) -> tuple[np.ndarray, np.ndarray]:
        self._check_fitted()
        X = validate_data(self, X, reset=False, keep_float32=True)
        log_w = variational_log_weights(
            self._posterior(), self.weight_concentration_prior_type, self.covariance_type
        )
        pseudo, top = _pseudo_weights(log_w)
        log_norm, log_resp = e_step(
            X, pseudo, self.means_, self.precisions_cholesky_, self.covariance_type
        )
        return log_norm + top, log_resp

    def score_samples(self, X: Any) -> np.ndarray:
        """``log sum_k exp(log rho_nk)`` at each row (eq. 14.5), as scikit-learn computes it.

        This is the normalizer of the variational responsibilities, ``E_q[log pi_k] +
        E_q[log N(x | mu_k, Lambda_k^{-1})]`` summed in log-space: a lower bound on the
        log of the posterior predictive density by Jensen's inequality, not the density itself.
        """
        return self._e_step(X)[0]

    def score(self, X: Any, y: Any = None) -> float:
        """Mean of :meth:`score_samples` over the rows."""
        return float(np.mean(self.score_samples(X)))

    def predictive_log_density(self, X: Any) -> np.ndarray:
        """Log of the approximate posterior predictive density at each row (Bishop eq. 10.81).

        Integrating a new point's Gaussian over ``q(mu_k, Lambda_k)`` gives a Student-t, so
        ``p(x | data) ~= sum_k E[pi_k] St(x | m_k, L_k^{-1}, nu_k + 1 - d)`` with shape
        matrix ``L_k^{-1} = (1 + beta_k) / (beta_k (nu_k + 1 - d)) W_k^{-1}``, i.e.
        ``(1 + beta_k) nu_k / (beta_k (nu_k + 1 - d))`` times ``covariances_``. A proper
        density (unlike :meth:`score_samples`, a lower bound); ``'full'`` and ``'tied'`` only.
        """
        self._check_fitted()
        if self.covariance_type not in ("full", "tied"):
            raise ValueError(
                "predictive_log_density needs covariance_type 'full' or 'tied' (a Wishart "
                f"posterior), got {self.covariance_type!r}."
            )
        X = validate_data(self, X, reset=False)
        K, d = self.means_.shape
        nu = np.broadcast_to(np.asarray(self.degrees_of_freedom_, dtype=np.float64), (K,))
        beta = self.mean_precision_
        dof = nu + 1.0 - d  # of the Student-t
        scale = (1.0 + beta) * nu / (beta * dof)  # shape matrix = scale * covariances_
        log_det = log_det_precision_cholesky(self.precisions_cholesky_, self.covariance_type, d)
        log_det = np.broadcast_to(log_det, (K,))
        log_t = np.empty((X.shape[0], K))
        for k in range(K):
            full = self.covariance_type == "full"
            u = self.precisions_cholesky_[k] if full else self.precisions_cholesky_
            q = np.sum(((X - self.means_[k]) @ u) ** 2, axis=1) / scale[k]
            log_t[:, k] = (
                gammaln(0.5 * (dof[k] + d)) - gammaln(0.5 * dof[k])
                - 0.5 * d * np.log(dof[k] * np.pi) + log_det[k] - 0.5 * d * np.log(scale[k])
                - 0.5 * (dof[k] + d) * np.log1p(q / dof[k])
            )  # fmt: skip
        return logsumexp(log_t + np.log(self.weights_), axis=1)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Variational responsibilities ``r_nk`` (eq. 14.5); an error where they are 0/0."""
        return np.exp(defined_responsibilities(self._e_step(X)))

    def predict(self, X: Any) -> np.ndarray:
        """Most probable component of each row."""
        return np.argmax(defined_responsibilities(self._e_step(X)), axis=1)

    def sample(self, n_samples: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """Draw points from the mixture with ``weights_``, ``means_`` and ``covariances_``.

        The same generative story (and random stream semantics) as
        :meth:`.GaussianMixture.sample`.
        """
        self._check_fitted()
        return GaussianMixture.sample(self, n_samples)  # type: ignore[arg-type]
