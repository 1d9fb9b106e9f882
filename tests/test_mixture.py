"""The GaussianMixture estimator: inference against scipy, history, sampling, inits, warm start."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from _helpers import blobs, full_covariances
from scipy import special, stats

from gmm_from_scratch import (
    COVARIANCE_TYPES,
    INIT_METHODS,
    ConvergenceWarning,
    GaussianMixture,
    n_parameters,
)
from gmm_from_scratch.em import (
    SufficientStatistics,
    accumulate_statistics,
    em_pass,
    estimate_parameters,
    m_step,
)


@pytest.fixture(scope="module")
def data():
    return blobs(0, n_per=120, d=2, K=3)


def _quiet_fit(gmm, X, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return gmm.fit(X, **kwargs)


def _scipy_log_joint(gmm, X):
    K, d = gmm.means_.shape
    full = full_covariances(gmm.covariances_, gmm.covariance_type, K, d)
    return np.column_stack(
        [
            np.log(gmm.weights_[k])
            + stats.multivariate_normal.logpdf(X, gmm.means_[k], full[k]).reshape(-1)
            for k in range(K)
        ]
    )


def _hand_m_step(X, resp, covariance_type, reg_covar):
    """Eqs. 5.5-5.7 and 9.1-9.4 written out with numpy, centred about the new means."""
    d = X.shape[1]
    nk = resp.sum(axis=0)
    n = nk.sum()  # the number of rows, or the total weight when resp carries sample weights
    weights = nk / n
    means = resp.T @ X / nk[:, None]
    covs = np.stack(
        [(resp[:, k, None] * (X - means[k])).T @ (X - means[k]) / nk[k] for k in range(len(nk))]
    )
    if covariance_type == "full":
        cov = covs + reg_covar * np.eye(d)
    elif covariance_type == "tied":
        cov = np.einsum("k,kij->ij", nk, covs) / n + reg_covar * np.eye(d)
    elif covariance_type == "diag":
        cov = np.diagonal(covs, axis1=1, axis2=2) + reg_covar
    else:
        cov = np.diagonal(covs, axis1=1, axis2=2).mean(axis=1) + reg_covar
    return weights, means, cov


# ------------------------------------------------------------------- fitted attributes
def test_inference_matches_scipy(data, covariance_type):
    X = data[0]
    gmm = GaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(X)
    log_joint = _scipy_log_joint(gmm, X)
    log_norm = special.logsumexp(log_joint, axis=1)
    np.testing.assert_allclose(gmm.score_samples(X), log_norm, rtol=1e-10)
    np.testing.assert_allclose(gmm.score(X), log_norm.mean(), rtol=1e-10)
    resp = np.exp(log_joint - log_norm[:, None])
    np.testing.assert_allclose(gmm.predict_proba(X), resp, rtol=1e-8, atol=1e-12)
    np.testing.assert_array_equal(gmm.predict(X), np.argmax(log_joint, axis=1))
    # BIC and AIC from the definitions (eqs. 10.1, 10.2) with a hand parameter count (eq. 9.5).
    K, d = 3, 2
    p = {"full": K * 3, "tied": 3, "diag": K * d, "spherical": K}[covariance_type] + K * d + K - 1
    assert n_parameters(K, d, covariance_type) == p
    loglik = log_norm.sum()
    np.testing.assert_allclose(gmm.bic(X), -2 * loglik + p * np.log(X.shape[0]), rtol=1e-10)
    np.testing.assert_allclose(gmm.aic(X), -2 * loglik + 2 * p, rtol=1e-10)


def test_fitted_attribute_shapes_and_consistency(data, covariance_type):
    X = data[0]
    gmm = GaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(X)
    shape = {"full": (3, 2, 2), "tied": (2, 2), "diag": (3, 2), "spherical": (3,)}
    assert gmm.covariances_.shape == shape[covariance_type]
    assert gmm.precisions_.shape == shape[covariance_type]
    assert gmm.precisions_cholesky_.shape == shape[covariance_type]
    assert gmm.means_.shape == (3, 2) and gmm.weights_.shape == (3,)
    assert gmm.n_features_in_ == 2
    assert gmm.converged_ and 1 <= gmm.n_iter_ <= gmm.max_iter
    assert len(gmm.lower_bounds_) == gmm.n_iter_ and gmm.lower_bound_ == gmm.lower_bounds_[-1]
    full_cov = full_covariances(gmm.covariances_, covariance_type, 3, 2)
    full_prec = full_covariances(gmm.precisions_, covariance_type, 3, 2)
    for c, p in zip(full_cov, full_prec, strict=True):
        np.testing.assert_allclose(p, np.linalg.inv(c), rtol=1e-9)
    if covariance_type in ("full", "tied"):
        U = gmm.precisions_cholesky_
        U = U if covariance_type == "full" else U[None]
        np.testing.assert_allclose(U @ np.swapaxes(U, 1, 2), full_prec[: len(U)], rtol=1e-9)
    else:
        np.testing.assert_allclose(gmm.precisions_cholesky_**2, gmm.precisions_, rtol=1e-12)


def test_recovers_separated_blobs(data, covariance_type):
    X, labels, centres = data
    gmm = GaussianMixture(3, covariance_type=covariance_type, n_init=3, random_state=0).fit(X)
    order = [int(np.argmin(np.linalg.norm(gmm.means_ - c, axis=1))) for c in centres]
    assert sorted(order) == [0, 1, 2]
    if covariance_type == "tied":
        return  # the blobs have different shapes: a shared covariance biases the means
    for k in range(len(centres)):
        np.testing.assert_allclose(gmm.means_[order[k]], X[labels == k].mean(axis=0), atol=0.3)


def test_fit_predict_equals_fit_then_predict(data, covariance_type):
    X = data[0]
    a = GaussianMixture(3, covariance_type=covariance_type, random_state=0).fit_predict(X)
    b = GaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(X).predict(X)
    np.testing.assert_array_equal(a, b)


def test_get_set_params_and_repr():
    gmm = GaussianMixture(3, covariance_type="diag")
    assert gmm.get_params()["n_components"] == 3
    assert gmm.set_params(tol=1e-5) is gmm and gmm.tol == 1e-5
    assert repr(gmm) == "GaussianMixture(n_components=3, covariance_type='diag', tol=1e-05)"


def test_one_sample_weight_is_like_none(data, covariance_type):
    X = data[0]
    a = GaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(X)
    b = GaussianMixture(3, covariance_type=covariance_type, random_state=0)
    b.fit(X, sample_weight=np.ones(X.shape[0]))
    np.testing.assert_allclose(b.means_, a.means_, rtol=1e-10)
    np.testing.assert_allclose(b.lower_bound_, a.lower_bound_, rtol=1e-12)


# --------------------------------------------------------------------------- history
def test_record_history(data, covariance_type):
    X = data[0]
    gmm = GaussianMixture(
        3, covariance_type=covariance_type, init_params="random", max_iter=8, tol=1e-8,
        reg_covar=1e-4, random_state=1, record_history=True,
    )  # fmt: skip
    _quiet_fit(gmm, X)
    h = gmm.history_
    n_iter = gmm.n_iter_
    assert h.n_iter == n_iter == 8
    assert len(h.weights) == len(h.means) == len(h.covariances) == n_iter + 1
    assert len(h.responsibilities) == len(h.log_likelihood) == n_iter
    np.testing.assert_array_equal(h.log_likelihood, gmm.lower_bounds_)
    # The last recorded parameters are the fitted ones.
    np.testing.assert_array_equal(h.means[-1], gmm.means_)
    np.testing.assert_array_equal(h.covariances[-1], gmm.covariances_)
    for t in (0, n_iter // 2, n_iter - 1):
        resp = h.responsibilities[t]
        np.testing.assert_allclose(resp.sum(axis=1), 1.0, rtol=1e-12)
        # The E-step of iteration t used the parameters at index t ...
        start = GaussianMixture(3, covariance_type=covariance_type)
        start.weights_, start.means_ = h.weights[t], h.means[t]
        start.covariances_ = h.covariances[t]
        log_joint = _scipy_log_joint(start, X)
        log_norm = special.logsumexp(log_joint, axis=1)
        np.testing.assert_allclose(resp, np.exp(log_joint - log_norm[:, None]), atol=1e-10)
        np.testing.assert_allclose(h.log_likelihood[t], log_norm.mean(), rtol=1e-10)
        # ... and its M-step on those responsibilities gave the parameters at index t + 1.
        expected = _hand_m_step(X, resp, covariance_type, gmm.reg_covar)
        package = estimate_parameters(X, resp, covariance_type, gmm.reg_covar)
        for got, hand, pkg in zip(
            (h.weights[t + 1], h.means[t + 1], h.covariances[t + 1]),
            expected,
            package,
            strict=True,
        ):
            np.testing.assert_allclose(got, hand, rtol=1e-9, atol=1e-12)
            np.testing.assert_allclose(got, pkg, rtol=1e-9, atol=1e-12)
    fc = h.full_covariances(n_iter)
    np.testing.assert_allclose(fc, full_covariances(gmm.covariances_, covariance_type, 3, 2))


def test_no_history_by_default(data):
    assert GaussianMixture(2, random_state=0).fit(data[0]).history_ is None


# --------------------------------------------------------------------------- sampling
def test_sample_shapes_labels_and_freshness(data, covariance_type):
    X = data[0]
    gmm = GaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(X)
    Xs, ys = gmm.sample(500)
    assert Xs.shape == (500, 2) and ys.shape == (500,)
    assert set(np.unique(ys)) <= {0, 1, 2}
    assert np.all(np.diff(ys) >= 0)  # grouped by component
    # Each point lies near the mean of the component that produced it.
    assert np.mean(gmm.predict(Xs) == ys) > 0.9
    Xs2, _ = gmm.sample(500)
    assert not np.array_equal(Xs, Xs2)  # a fresh draw on each call
    # Refit with the same seed and make the same calls: the same draws.
    again = GaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(X)
    np.testing.assert_array_equal(again.sample(500)[0], Xs)
    np.testing.assert_array_equal(again.sample(500)[0], Xs2)
    assert gmm.sample(1)[0].shape == (1, 2)
    with pytest.raises(ValueError, match="n_samples must be an integer >= 1"):
        gmm.sample(0)


def test_sample_moments_approach_the_model(covariance_type):
    rng = np.random.default_rng(0)
    K, d = 2, 3
    means = rng.normal(scale=3.0, size=(K, d))
    cov = {
        "full": np.stack([np.eye(d) + 0.5, 2 * np.eye(d) - 0.3]),
        "tied": np.eye(d) + 0.5,
        "diag": np.array([[1.0, 2.0, 0.5], [0.3, 1.0, 4.0]]),
        "spherical": np.array([0.5, 2.0]),
    }[covariance_type]
    gmm = GaussianMixture(K, covariance_type=covariance_type, random_state=3)
    _quiet_fit(gmm, rng.normal(size=(20, d)), sample_weight=None)
    gmm.weights_ = np.array([0.3, 0.7])
    gmm.means_ = means
    gmm.covariances_ = cov
    n = 200_000
    Xs, ys = gmm.sample(n)
    np.testing.assert_allclose(np.bincount(ys) / n, gmm.weights_, atol=5 * np.sqrt(0.21 / n))
    full = full_covariances(cov, covariance_type, K, d)
    for k in range(K):
        Xk = Xs[ys == k]
        se = np.sqrt(np.diag(full[k]) / len(Xk))
        np.testing.assert_allclose(Xk.mean(axis=0), means[k], atol=5 * se.max())
        np.testing.assert_allclose(np.cov(Xk.T), full[k], atol=0.05 * np.abs(full[k]).max())
    # The mixture's overall mean and covariance.
    mix_mean = gmm.weights_ @ means
    mix_cov = sum(
        w * (c + np.outer(m - mix_mean, m - mix_mean))
        for w, m, c in zip(gmm.weights_, means, full, strict=True)
    )
    np.testing.assert_allclose(Xs.mean(axis=0), mix_mean, atol=0.05)
    np.testing.assert_allclose(np.cov(Xs.T), mix_cov, atol=0.05 * np.abs(mix_cov).max())


# ------------------------------------------------------------ initialization, n_init
@pytest.mark.parametrize("init_params", INIT_METHODS)
def test_every_init_runs_for_every_covariance_type(data, covariance_type, init_params):
    X = data[0]
    gmm = GaussianMixture(
        3, covariance_type=covariance_type, init_params=init_params, random_state=0,
        record_history=True, max_iter=300,
    )  # fmt: skip
    gmm.fit(X)
    assert np.all(np.isfinite(gmm.means_)) and np.isfinite(gmm.lower_bound_)
    np.testing.assert_allclose(gmm.weights_.sum(), 1.0, rtol=1e-12)
    lb = np.asarray(gmm.lower_bounds_)
    assert np.all(np.diff(lb) >= -1e-10 * np.abs(lb[1:]))
    m0 = gmm.history_.means[0]
    if init_params in ("k-means++", "random_from_data"):
        # One-hot responsibilities on K distinct rows: the first means are data points.
        dist = np.min(np.linalg.norm(X[None] - m0[:, None], axis=2), axis=1)
        np.testing.assert_allclose(dist, 0.0, atol=1e-12)
        assert len({tuple(m) for m in m0}) == 3
    if init_params == "random":
        # Soft random responsibilities: every first mean is near the grand mean.
        assert np.all(np.linalg.norm(m0 - X.mean(axis=0), axis=1) < 0.5 * X.std(axis=0).max())


def test_n_init_keeps_the_best_lower_bound():
    X = blobs(4, n_per=60, d=2, K=4, spread=2.0)[0]  # overlapping: runs differ
    kwargs = dict(covariance_type="full", init_params="random", max_iter=200)
    best = _quiet_fit(
        GaussianMixture(4, n_init=6, random_state=np.random.default_rng(7), **kwargs), X
    )
    # The same six initializations one at a time: one Generator feeds them in the same order.
    rng = np.random.default_rng(7)
    singles = [_quiet_fit(GaussianMixture(4, random_state=rng, **kwargs), X) for _ in range(6)]
    bounds = [g.lower_bound_ for g in singles]
    assert len(set(np.round(bounds, 8))) > 1, "the test needs initializations that differ"
    i = int(np.argmax(bounds))
    assert best.lower_bound_ == max(bounds)
    np.testing.assert_array_equal(best.means_, singles[i].means_)
    assert best.n_iter_ == singles[i].n_iter_


def test_user_init_overrides_and_is_used(data, covariance_type):
    X = data[0]
    g = GaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(X)
    start = dict(weights_init=g.weights_, means_init=g.means_ + 0.1, precisions_init=g.precisions_)
    h = GaussianMixture(
        3, covariance_type=covariance_type, max_iter=1, tol=0.0, record_history=True, **start
    )
    _quiet_fit(h, X)
    np.testing.assert_array_equal(h.history_.weights[0], g.weights_)
    np.testing.assert_array_equal(h.history_.means[0], g.means_ + 0.1)
    np.testing.assert_allclose(h.history_.covariances[0], g.covariances_, rtol=1e-9)


# ---------------------------------------------------------------------------- warm start
def test_warm_start_continues_from_previous_parameters(data, covariance_type):
    X = data[0]
    g = GaussianMixture(3, covariance_type=covariance_type, max_iter=2, random_state=0)
    _quiet_fit(g, X)
    start = dict(weights_init=g.weights_, means_init=g.means_, precisions_init=g.precisions_)
    warm = GaussianMixture(
        3, covariance_type=covariance_type, max_iter=3, tol=0.0, warm_start=True, **start
    )
    _quiet_fit(warm, X)
    _quiet_fit(warm, X)  # three more iterations from where the first fit stopped
    cold = _quiet_fit(
        GaussianMixture(3, covariance_type=covariance_type, max_iter=6, tol=0.0, **start), X
    )
    np.testing.assert_allclose(warm.means_, cold.means_, rtol=1e-12)
    np.testing.assert_allclose(warm.covariances_, cold.covariances_, rtol=1e-12)
    np.testing.assert_allclose(warm.lower_bound_, cold.lower_bound_, rtol=1e-13)
    np.testing.assert_allclose(warm.lower_bounds_, cold.lower_bounds_[3:], rtol=1e-13)
    assert warm.n_iter_ == 3
    again = GaussianMixture(3, covariance_type=covariance_type, warm_start=True, random_state=0)
    again.fit(X)
    with pytest.raises(ValueError, match="warm-started GaussianMixture was fitted with 2 features"):
        again.fit(np.hstack([X, X]))


def test_warm_start_false_restarts(data):
    X = data[0]
    g = GaussianMixture(3, random_state=0).fit(X)
    lb = g.lower_bound_
    g.fit(X)
    assert g.lower_bound_ == lb


@pytest.mark.parametrize("ct", COVARIANCE_TYPES)
def test_max_iter_zero_keeps_the_initial_parameters(data, ct):
    X = data[0]
    gmm = GaussianMixture(
        3, covariance_type=ct, max_iter=0, random_state=0, record_history=True
    ).fit(X)
    assert gmm.n_iter_ == 0 and gmm.lower_bounds_ == []
    np.testing.assert_array_equal(gmm.means_, gmm.history_.means[0])
    assert np.all(np.isfinite(gmm.score_samples(X)))


# ------------------------------------------------------- far points, blocks, memmap
def test_far_away_points_have_finite_scores_and_valid_responsibilities(data, covariance_type):
    X = data[0]
    gmm = GaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(X)
    far = np.vstack([X[:5] + 300.0, X[:5] - 1e4, [[1e5, -1e5]]])
    log_joint = _scipy_log_joint(gmm, far)
    ref = special.logsumexp(log_joint, axis=1)
    ours = gmm.score_samples(far)
    assert np.all(np.isfinite(ours)) and np.all(ours < -1000)  # exp() underflows to 0
    np.testing.assert_allclose(ours, ref, rtol=1e-10)
    resp = gmm.predict_proba(far)
    assert not np.isnan(resp).any()
    np.testing.assert_allclose(resp.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(resp, np.exp(log_joint - ref[:, None]), atol=1e-8)


def test_block_size_and_memmap_do_not_change_the_fit(data, covariance_type, tmp_path):
    X = data[0]
    kwargs = dict(covariance_type=covariance_type, random_state=0, tol=1e-6)
    a = GaussianMixture(3, **kwargs).fit(X)
    b = GaussianMixture(3, block_size=17, **kwargs).fit(X)
    path = tmp_path / "X.dat"
    mm = np.memmap(path, dtype=np.float64, mode="w+", shape=X.shape)
    mm[:] = X
    mm.flush()
    c = GaussianMixture(3, block_size=50, **kwargs).fit(
        np.memmap(path, dtype=np.float64, mode="r", shape=X.shape)
    )
    for other in (b, c):
        assert other.n_iter_ == a.n_iter_
        np.testing.assert_allclose(other.means_, a.means_, rtol=1e-10)
        np.testing.assert_allclose(other.covariances_, a.covariances_, rtol=1e-10)
        np.testing.assert_allclose(other.lower_bounds_, a.lower_bounds_, rtol=1e-12)
        np.testing.assert_allclose(other.score_samples(X), a.score_samples(X), rtol=1e-12)


# ------------------------------------------------ the EM functions with sample weights
def test_weighted_m_step_functions_match_the_hand_formulas(covariance_type):
    rng = np.random.default_rng(5)
    X = blobs(5, n_per=50, d=3, K=3)[0] + 100.0
    n = X.shape[0]
    resp = rng.dirichlet(np.ones(3), size=n)
    w = rng.uniform(0.0, 3.0, size=n)
    w[::7] = 0.0
    reg = 1e-4
    expected = _hand_m_step(X, resp * w[:, None], covariance_type, reg)

    def check(got):
        for g, e in zip(got, expected, strict=True):
            np.testing.assert_allclose(g, e, rtol=1e-10, atol=1e-13)

    check(estimate_parameters(X, resp, covariance_type, reg, sample_weight=w))
    check(estimate_parameters(X, resp, covariance_type, reg, sample_weight=w, block_size=31))
    # Two blocks accumulated about an arbitrary shift, then one M-step (eqs. 13.1, 13.2).
    stats = SufficientStatistics.zeros(expected[1] + rng.normal(size=(3, 3)), covariance_type)
    for rows in (slice(0, 61), slice(61, n)):
        accumulate_statistics(stats, X[rows], resp[rows], covariance_type, w[rows])
    np.testing.assert_allclose(stats.nk, (resp * w[:, None]).sum(axis=0), rtol=1e-12)
    np.testing.assert_allclose(stats.total_weight, w.sum(), rtol=1e-12)
    check(m_step(stats, covariance_type, reg))
    # Integer weights are repeated rows.
    wi = rng.integers(0, 4, size=n)
    rep = estimate_parameters(
        np.repeat(X, wi, axis=0), np.repeat(resp, wi, axis=0), covariance_type, reg
    )
    got = estimate_parameters(X, resp, covariance_type, reg, sample_weight=wi.astype(float))
    for g, e in zip(got, rep, strict=True):
        np.testing.assert_allclose(g, e, rtol=1e-10, atol=1e-13)


def test_weighted_em_pass_is_an_e_step_then_statistics(data, covariance_type):
    X = data[0]
    gmm = GaussianMixture(3, covariance_type=covariance_type, max_iter=3, random_state=0)
    _quiet_fit(gmm, X)
    w = np.random.default_rng(0).uniform(0.0, 2.0, size=X.shape[0])
    stats, resp = em_pass(
        X,
        gmm.weights_,
        gmm.means_,
        gmm.precisions_cholesky_,
        covariance_type,
        sample_weight=w,
        keep_responsibilities=True,
    )
    log_joint = _scipy_log_joint(gmm, X)
    log_norm = special.logsumexp(log_joint, axis=1)
    ref_resp = np.exp(log_joint - log_norm[:, None])
    np.testing.assert_allclose(resp, ref_resp, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(stats.mean_log_likelihood, w @ log_norm / w.sum(), rtol=1e-11)
    expected = _hand_m_step(X, ref_resp * w[:, None], covariance_type, gmm.reg_covar)
    for g, e in zip(m_step(stats, covariance_type, gmm.reg_covar), expected, strict=True):
        np.testing.assert_allclose(g, e, rtol=1e-8, atol=1e-12)


def test_sample_weight_semantics_for_every_covariance_type(data, covariance_type):
    """Deterministic companion of the hypothesis properties: each type, one fixed data set."""
    X = data[0]
    rng = np.random.default_rng(11)
    g = GaussianMixture(3, covariance_type=covariance_type, max_iter=2, random_state=0)
    _quiet_fit(g, X)
    start = dict(weights_init=g.weights_, means_init=g.means_, precisions_init=g.precisions_)
    kwargs = dict(covariance_type=covariance_type, max_iter=15, tol=0.0, **start)
    w = rng.integers(0, 4, size=X.shape[0])
    rep = _quiet_fit(GaussianMixture(3, **kwargs), np.repeat(X, w, axis=0))
    wtd = _quiet_fit(GaussianMixture(3, **kwargs), X, sample_weight=w.astype(float))
    out = _quiet_fit(GaussianMixture(3, **kwargs), X[w > 0], sample_weight=w[w > 0])
    for other in (wtd, out):
        np.testing.assert_allclose(other.weights_, rep.weights_, rtol=1e-10)
        np.testing.assert_allclose(other.means_, rep.means_, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(other.covariances_, rep.covariances_, rtol=1e-10)
        np.testing.assert_allclose(other.lower_bounds_, rep.lower_bounds_, rtol=1e-12)
