"""BayesianGaussianMixture (chapter 14): the ELBO, parity with scikit-learn, pruning, priors."""

import warnings

import numpy as np
import pytest
from scipy.special import digamma
from sklearn.mixture import BayesianGaussianMixture as SkBayesianGaussianMixture

from gmm_from_scratch import (
    BayesianGaussianMixture,
    ConvergenceWarning,
    GaussianMixture,
    NotFittedError,
)
from gmm_from_scratch.bayesian import (
    PRIOR_TYPES,
    expected_log_weights,
    posterior_mean_weights,
)

MIX = np.array([[1.0, 0.3, 0.0], [0.0, 1.0, 0.2], [0.1, 0.0, 1.0]])


def three_blobs(seed, n_per=150, d=3, spread=8.0):
    """Three well-separated spherical clusters (well-conditioned, so parity can be tight)."""
    rng = np.random.default_rng(seed)
    centres = spread * np.eye(3)[:, :d] if d <= 3 else spread * np.eye(d)[:3]
    X = np.vstack([rng.normal(c, 1.0, (n_per, d)) for c in centres])
    return X @ MIX[:d, :d] if d <= 3 else X


def rel(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


def fixed_start(resp):
    """Both libraries' estimators started from the responsibilities ``resp``."""

    class Ours(BayesianGaussianMixture):
        def _initial_responsibilities(self, X, rng):
            return resp.copy()

    class Theirs(SkBayesianGaussianMixture):
        # scikit-learn has no resp_init: replace its initialization by the same first M-step.
        def _initialize_parameters(self, X, random_state, xp=None):
            self._initialize(X, resp.copy())

    return Ours, Theirs


@pytest.mark.parametrize("prior_type", PRIOR_TYPES)
def test_parity_with_sklearn_from_same_responsibilities(covariance_type, prior_type):
    X = three_blobs(0)
    K = 6
    resp = np.random.default_rng(1).dirichlet(np.ones(K), size=X.shape[0])
    Ours, Theirs = fixed_start(resp)
    kw = dict(
        n_components=K,
        covariance_type=covariance_type,
        weight_concentration_prior_type=prior_type,
        weight_concentration_prior=0.05,
        max_iter=40,
        tol=0.0,  # run all 40 iterations in both (stopping is not what is compared)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # neither may converge in 40 iterations; that is fine
        ours = Ours(**kw).fit(X)
        theirs = Theirs(**kw).fit(X)
    tight = 1e-8
    assert ours.n_iter_ == theirs.n_iter_
    assert rel(ours.weights_, theirs.weights_) < tight
    assert rel(ours.means_, theirs.means_) < tight
    assert rel(ours.covariances_, theirs.covariances_) < tight
    assert rel(ours.precisions_, theirs.precisions_) < tight
    assert rel(ours.precisions_cholesky_, theirs.precisions_cholesky_) < tight
    assert rel(ours.mean_precision_, theirs.mean_precision_) < tight
    assert rel(ours.degrees_of_freedom_, theirs.degrees_of_freedom_) < tight
    if prior_type == "dirichlet_process":
        for a, b in zip(ours.weight_concentration_, theirs.weight_concentration_, strict=True):
            assert rel(a, b) < tight
    else:
        assert rel(ours.weight_concentration_, theirs.weight_concentration_) < tight
    # scikit-learn's tied lower bound is a length-1 array; ravel both.
    assert rel(ours.lower_bound_, np.ravel(theirs.lower_bound_)) < tight
    assert rel(ours.lower_bounds_, np.ravel(theirs.lower_bounds_)) < tight
    assert rel(ours.predict_proba(X), theirs.predict_proba(X)) < tight
    assert rel(ours.score_samples(X), theirs.score_samples(X)) < tight
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    for name in ("mean_prior_", "covariance_prior_", "degrees_of_freedom_prior_"):
        assert rel(getattr(ours, name), getattr(theirs, name)) < 1e-14


@pytest.mark.parametrize("covariance_type", ["full", "diag"])
def test_parity_with_given_priors(covariance_type):
    X = three_blobs(3, d=2)
    K = 4
    resp = np.random.default_rng(4).dirichlet(np.ones(K), size=X.shape[0])
    Ours, Theirs = fixed_start(resp)
    cov_prior = np.array([[2.0, 0.5], [0.5, 1.0]]) if covariance_type == "full" else [2.0, 1.0]
    kw = dict(
        n_components=K,
        covariance_type=covariance_type,
        weight_concentration_prior_type="dirichlet_distribution",
        weight_concentration_prior=3.0,
        mean_precision_prior=0.3,
        mean_prior=[1.0, -2.0],
        degrees_of_freedom_prior=4.5,
        covariance_prior=cov_prior,
        max_iter=25,
        tol=0.0,
        reg_covar=1e-4,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = Ours(**kw).fit(X)
        theirs = Theirs(**kw).fit(X)
    for name in ("weights_", "means_", "covariances_", "mean_precision_", "degrees_of_freedom_"):
        assert rel(getattr(ours, name), getattr(theirs, name)) < 1e-8, name
    assert rel(ours.lower_bound_, theirs.lower_bound_) < 1e-8


@pytest.mark.parametrize("prior_type", PRIOR_TYPES)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_elbo_never_decreases(covariance_type, prior_type, seed):
    X = three_blobs(seed, n_per=100)
    bgm = BayesianGaussianMixture(
        n_components=8,
        covariance_type=covariance_type,
        weight_concentration_prior_type=prior_type,
        weight_concentration_prior=0.01,
        init_params="random",
        max_iter=300,
        tol=1e-9,
        random_state=seed,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        bgm.fit(X)
    lb = np.asarray(bgm.lower_bounds_)
    assert len(lb) >= 5
    drops = (lb[:-1] - lb[1:]) / np.abs(lb[1:])
    assert drops.max() <= 1e-10, f"ELBO decreased by {drops.max():.2e} (relative)"
    assert bgm.lower_bound_ == lb[-1]


@pytest.mark.parametrize("covariance_type", ["full", "diag"])
def test_dirichlet_process_finds_three_components(covariance_type):
    centres = np.array([[-8.0, 0.0], [0.0, 8.0], [8.0, 0.0]])
    found = []
    for seed in range(10):
        rng = np.random.default_rng(100 + seed)
        X = np.vstack([rng.normal(c, 1.0, (150, 2)) for c in centres])
        bgm = BayesianGaussianMixture(
            n_components=10,
            covariance_type=covariance_type,
            weight_concentration_prior_type="dirichlet_process",
            weight_concentration_prior=0.01,
            max_iter=1000,
            random_state=seed,
        ).fit(X)
        found.append(int(np.sum(bgm.weights_ > 0.01)))
    assert sum(k == 3 for k in found) >= 8, found


def test_prior_pull_fades_like_one_over_n():
    """The prior is worth a fixed number of pseudo-observations: repeating every row 4 times
    leaves EM's maximum-likelihood answer unchanged and cuts the posterior's distance to it
    by about 4."""
    X = three_blobs(5, n_per=300, d=2)
    gm = GaussianMixture(3, random_state=0, tol=1e-12, max_iter=1000).fit(X)
    ref = np.argsort(gm.means_[:, 0])
    gaps = []
    for reps in (1, 4):
        bgm = BayesianGaussianMixture(
            n_components=3, weight_concentration_prior_type="dirichlet_distribution",
            weight_concentration_prior=1.0, random_state=0, tol=1e-10, max_iter=1000,
        ).fit(np.tile(X, (reps, 1)))  # fmt: skip
        order = np.argsort(bgm.means_[:, 0])
        gaps.append(
            [
                np.abs(bgm.means_[order] - gm.means_[ref]).max(),
                np.abs(bgm.covariances_[order] - gm.covariances_[ref]).max(),
                np.abs(bgm.weights_[order] - gm.weights_[ref]).max(),
            ]
        )
    gaps = np.array(gaps)
    assert gaps[0, 0] < 0.05 and gaps[0, 1] < 0.2 and gaps[0, 2] < 0.01, gaps
    ratio = gaps[1, :2] / gaps[0, :2]  # means and covariances (the weights' gap is ~1e-6)
    assert np.all((ratio > 0.2) & (ratio < 0.3)), ratio


def test_expected_log_weights_dirichlet_against_monte_carlo():
    alpha = np.array([0.5, 2.0, 7.0])
    draws = np.random.default_rng(0).dirichlet(alpha, size=400_000)
    mc = np.log(draws).mean(axis=0)
    np.testing.assert_allclose(expected_log_weights(alpha, "dirichlet_distribution"), mc, atol=1e-2)


def test_stick_breaking_against_sampling():
    g1, g2 = np.array([3.0, 2.0, 1.5, 1.0]), np.array([4.0, 1.0, 2.0, 0.5])
    rng = np.random.default_rng(1)
    v = rng.beta(g1, g2, size=(400_000, 4))
    pis = v * np.concatenate([np.ones((v.shape[0], 1)), np.cumprod(1 - v, axis=1)[:, :-1]], 1)
    np.testing.assert_allclose(
        expected_log_weights((g1, g2), "dirichlet_process"), np.log(pis).mean(0), atol=1e-2
    )
    w = posterior_mean_weights((g1, g2), "dirichlet_process")
    expected = g1 / (g1 + g2) * np.concatenate([[1.0], np.cumprod(g2 / (g1 + g2))[:-1]])
    np.testing.assert_allclose(w, expected / expected.sum(), rtol=1e-14)
    # E[log v] for a single Beta, by the digamma identity
    np.testing.assert_allclose(np.log(v[:, 0]).mean(), digamma(3.0) - digamma(7.0), atol=1e-2)


def test_history_matches_the_fit():
    X = three_blobs(2, n_per=60, d=2)
    bgm = BayesianGaussianMixture(
        n_components=5, record_history=True, random_state=0, max_iter=500
    ).fit(X)
    h = bgm.history_
    assert h.n_iter == bgm.n_iter_
    np.testing.assert_array_equal(h.log_likelihood, bgm.lower_bounds_)
    np.testing.assert_allclose(h.weights[-1], bgm.weights_, rtol=1e-15)
    np.testing.assert_allclose(h.means[-1], bgm.means_, rtol=1e-15)
    assert len(h.responsibilities) == bgm.n_iter_


def test_warm_start_and_n_init():
    X = three_blobs(6, n_per=80, d=2)
    kw = dict(n_components=6, init_params="random", max_iter=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        bgm = BayesianGaussianMixture(warm_start=True, random_state=0, **kw).fit(X)
        first = bgm.lower_bound_
        bgm.fit(X)  # continues from the fitted posterior
        assert bgm.lower_bound_ >= first
        assert bgm.lower_bounds_[0] >= first
        best = BayesianGaussianMixture(n_init=4, random_state=0, **kw).fit(X)
        # The same generator stream, one initialization at a time:
        rng = np.random.default_rng(0)
        singles = [BayesianGaussianMixture(random_state=rng, **kw).fit(X) for _ in range(4)]
    lbs = [s.lower_bound_ for s in singles]
    assert best.lower_bound_ == max(lbs)
    np.testing.assert_array_equal(best.means_, singles[int(np.argmax(lbs))].means_)


def test_methods_and_shapes():
    X = three_blobs(7, n_per=50, d=2)
    bgm = BayesianGaussianMixture(n_components=4, random_state=0, max_iter=500)
    with pytest.raises(NotFittedError):
        bgm.predict(X)
    labels = bgm.fit_predict(X)
    np.testing.assert_array_equal(labels, bgm.predict(X))
    proba = bgm.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    assert bgm.score(X) == pytest.approx(bgm.score_samples(X).mean())
    Xs, ys = bgm.sample(25)
    assert Xs.shape == (25, 2) and ys.shape == (25,)
    assert bgm.n_features_in_ == 2 and bgm.converged_
    assert np.isclose(bgm.weights_.sum(), 1.0)
    with pytest.raises(ValueError, match="features"):
        bgm.predict(X[:, :1])
    assert "n_components=4" in repr(bgm)
    assert bgm.get_params()["weight_concentration_prior_type"] == "dirichlet_process"


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"weight_concentration_prior": -1.0}, "weight_concentration_prior must be positive"),
        ({"weight_concentration_prior": 0.0}, "weight_concentration_prior must be positive"),
        ({"mean_precision_prior": -0.5}, "mean_precision_prior must be positive"),
        ({"degrees_of_freedom_prior": 1.0}, "degrees_of_freedom_prior must be greater than"),
        ({"degrees_of_freedom_prior": 0.5}, "degrees_of_freedom_prior must be greater than"),
        ({"covariance_prior": [[1.0, 2.0], [2.0, 1.0]]}, "positive definite"),
        ({"covariance_prior": [[1.0, 0.5], [0.0, 1.0]]}, "symmetric"),
        ({"covariance_prior": np.eye(3)}, r"shape \(2, 2\)"),
        ({"covariance_prior": [1.0, -1.0], "covariance_type": "diag"}, "positive"),
        ({"covariance_prior": -2.0, "covariance_type": "spherical"}, "positive"),
        ({"mean_prior": [0.0, 0.0, 0.0]}, r"mean_prior must have shape \(2,\)"),
        ({"mean_prior": [np.nan, 0.0]}, "NaN"),
        ({"weight_concentration_prior_type": "dirichlet"}, "weight_concentration_prior_type"),
        ({"covariance_type": "banded"}, "covariance_type"),
        ({"init_params": "kmeans++"}, "init_params"),
        ({"reg_covar": -1e-6}, "reg_covar must be non-negative"),
        ({"tol": "small"}, "tol must be a non-negative number"),
    ],
)
def test_bad_priors_raise_clear_errors(params, match):
    X = three_blobs(0, n_per=20, d=2)
    with pytest.raises(ValueError, match=match):
        BayesianGaussianMixture(n_components=2, **params).fit(X)


def test_too_many_components():
    with pytest.raises(ValueError, match="n_components=5 is larger"):
        BayesianGaussianMixture(n_components=5).fit(np.arange(8.0).reshape(4, 2))
