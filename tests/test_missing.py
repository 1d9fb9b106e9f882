"""Exact EM with missing values (``nan_policy='marginalize'``, chapter 15).

The package groups rows by missing pattern and works with precision factors; the reference
here is written independently, one row at a time, with SciPy's densities and linear solves.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import linalg, special, stats

from gmm_from_scratch import GaussianMixture
from gmm_from_scratch.missing import conditional_draws, find_patterns, mean_impute

TYPES = ("full", "tied", "diag", "spherical")


# ----------------------------------------------------------------------------- helpers
def make_data(n=600, seed=0, missing=0.3):
    """Two correlated 3-D blobs, ``missing`` of the entries removed completely at random."""
    rng = np.random.default_rng(seed)
    means = np.array([[-2.0, 0.0, 1.0], [2.0, 1.0, -1.0]])
    covs = np.array(
        [
            [[1.0, 0.7, 0.2], [0.7, 1.5, -0.3], [0.2, -0.3, 0.8]],
            [[0.6, -0.2, 0.1], [-0.2, 0.9, 0.4], [0.1, 0.4, 1.2]],
        ]
    )
    z = rng.uniform(size=n) < 0.4
    X = np.where(
        z[:, None],
        rng.multivariate_normal(means[0], covs[0], size=n),
        rng.multivariate_normal(means[1], covs[1], size=n),
    )
    Xm = remove_at_random(X, missing, rng)
    return X, Xm, means, covs, np.array([0.4, 0.6])


def remove_at_random(X, fraction, rng):
    mask = rng.uniform(size=X.shape) < fraction
    mask[mask.all(axis=1), 0] = False  # every row keeps one value
    Xm = X.copy()
    Xm[mask] = np.nan
    return Xm


def full_covariances(cov, covariance_type, K, d):
    if covariance_type == "full":
        return np.array(cov)
    if covariance_type == "tied":
        return np.repeat(np.asarray(cov)[None], K, axis=0)
    if covariance_type == "diag":
        return np.stack([np.diag(c) for c in cov])
    return np.stack([c * np.eye(d) for c in cov])


def start_for(covariance_type, d=3):
    weights = np.array([0.45, 0.55])
    means = np.array([[-1.5, 0.3, 0.5], [1.5, 0.8, -0.5]])
    full = np.array(
        [
            [[1.2, 0.4, 0.1], [0.4, 1.1, -0.2], [0.1, -0.2, 0.9]],
            [[0.8, -0.1, 0.2], [-0.1, 1.3, 0.3], [0.2, 0.3, 1.0]],
        ]
    )
    cov = {
        "full": full,
        "tied": full.mean(axis=0),
        "diag": np.array([[1.2, 1.1, 0.9], [0.8, 1.3, 1.0]]),
        "spherical": np.array([1.1, 0.9]),
    }[covariance_type]
    if covariance_type in ("full", "tied"):
        precisions = np.linalg.inv(cov)
    else:
        precisions = 1.0 / cov
    return weights, means, cov, precisions


def reference_iteration(X, weights, means, cov_full, covariance_type, reg_covar, sample_weight):
    """One EM iteration for data with NaN, row by row (Ghahramani and Jordan 1994)."""
    n, d = X.shape
    K = len(weights)
    w = np.ones(n) if sample_weight is None else sample_weight
    Nk = np.zeros(K)
    sx = np.zeros((K, d))
    sxx = np.zeros((K, d, d))
    loglik = 0.0
    for i in range(n):
        x = X[i]
        o = ~np.isnan(x)
        m = ~o
        logp = np.array(
            [
                np.log(weights[k])
                + stats.multivariate_normal(means[k][o], cov_full[k][np.ix_(o, o)]).logpdf(x[o])
                for k in range(K)
            ]
        )
        total = special.logsumexp(logp)
        loglik += w[i] * total
        r = np.exp(logp - total)
        for k in range(K):
            S = cov_full[k]
            xhat = x.copy()
            C = np.zeros((d, d))
            if m.any():
                gain = linalg.solve(S[np.ix_(o, o)], S[np.ix_(o, m)], assume_a="pos").T
                xhat[m] = means[k][m] + gain @ (x[o] - means[k][o])
                C[np.ix_(m, m)] = S[np.ix_(m, m)] - gain @ S[np.ix_(o, m)]
            Nk[k] += w[i] * r[k]
            sx[k] += w[i] * r[k] * xhat
            sxx[k] += w[i] * r[k] * (np.outer(xhat, xhat) + C)
    new_means = sx / Nk[:, None]
    cov = sxx / Nk[:, None, None] - np.einsum("ki,kj->kij", new_means, new_means)
    if covariance_type == "full":
        new_cov = cov + reg_covar * np.eye(d)
    elif covariance_type == "tied":
        new_cov = np.einsum("k,kij->ij", Nk, cov) / Nk.sum() + reg_covar * np.eye(d)
    elif covariance_type == "diag":
        new_cov = np.diagonal(cov, axis1=1, axis2=2) + reg_covar
    else:
        new_cov = np.diagonal(cov, axis1=1, axis2=2).mean(axis=1) + reg_covar
    return Nk / Nk.sum(), new_means, new_cov, loglik / w.sum()


def mixture_marginal_logpdf(x, weights, means, cov_full):
    o = ~np.isnan(x)
    terms = [
        np.log(weights[k])
        + stats.multivariate_normal(means[k][o], cov_full[k][np.ix_(o, o)]).logpdf(x[o])
        for k in range(len(weights))
    ]
    return special.logsumexp(terms)


# ----------------------------------------------------------------------------- the EM step
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("covariance_type", TYPES)
def test_one_iteration_matches_per_row_reference(covariance_type, weighted):
    _, Xm, *_ = make_data(n=150, seed=1, missing=0.35)
    sw = np.random.default_rng(5).uniform(0.2, 3.0, size=len(Xm)) if weighted else None
    weights, means, cov, precisions = start_for(covariance_type)
    gmm = GaussianMixture(
        2,
        covariance_type=covariance_type,
        nan_policy="marginalize",
        max_iter=1,
        tol=0.0,
        reg_covar=1e-6,
        weights_init=weights,
        means_init=means,
        precisions_init=precisions,
    )
    with pytest.warns(Warning, match="did not converge"):
        gmm.fit(Xm, sample_weight=sw)
    cov_full = full_covariances(cov, covariance_type, 2, 3)
    ref = reference_iteration(Xm, weights, means, cov_full, covariance_type, 1e-6, sw)
    np.testing.assert_allclose(gmm.weights_, ref[0], rtol=1e-10)
    np.testing.assert_allclose(gmm.means_, ref[1], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(gmm.covariances_, ref[2], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(gmm.lower_bounds_[0], ref[3], rtol=1e-12)


@pytest.mark.parametrize("covariance_type", TYPES)
def test_nothing_missing_equals_complete_data_em(covariance_type):
    X, *_ = make_data(n=400, seed=2, missing=0.0)
    kw = dict(covariance_type=covariance_type, random_state=0, max_iter=30, tol=1e-8)
    a = GaussianMixture(2, nan_policy="marginalize", **kw).fit(X)
    b = GaussianMixture(2, **kw).fit(X)
    assert a.n_iter_ == b.n_iter_
    np.testing.assert_allclose(a.lower_bounds_, b.lower_bounds_, rtol=1e-10)
    np.testing.assert_allclose(a.means_, b.means_, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(a.covariances_, b.covariances_, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(a.score_samples(X), b.score_samples(X), rtol=1e-10)


@pytest.mark.parametrize("covariance_type", TYPES)
def test_lower_bound_never_decreases(covariance_type):
    _, Xm, *_ = make_data(n=500, seed=3, missing=0.4)
    gmm = GaussianMixture(
        3,
        covariance_type=covariance_type,
        nan_policy="marginalize",
        random_state=1,
        max_iter=60,
        tol=0.0,
        reg_covar=0.0,
        init_params="random",
    )
    with pytest.warns(Warning, match="did not converge"):
        gmm.fit(Xm)
    lb = np.array(gmm.lower_bounds_)
    assert len(lb) == 60
    assert np.all(np.diff(lb) >= -1e-12 * np.abs(lb[1:])), np.diff(lb).min()
    assert lb[-1] > lb[0] + 0.05  # it did climb
    # The lower bound is the observed-data log-likelihood of the parameters it was evaluated at.
    assert gmm.lower_bound_ == lb[-1]


@pytest.mark.parametrize("covariance_type", TYPES)
def test_score_samples_are_marginal_densities(covariance_type):
    _, Xm, *_ = make_data(n=300, seed=4, missing=0.3)
    gmm = GaussianMixture(
        2, covariance_type=covariance_type, nan_policy="marginalize", random_state=0
    ).fit(Xm)
    cov_full = full_covariances(gmm.covariances_, covariance_type, 2, 3)
    rows = Xm[:60]
    expected = [mixture_marginal_logpdf(x, gmm.weights_, gmm.means_, cov_full) for x in rows]
    np.testing.assert_allclose(gmm.score_samples(rows), expected, rtol=1e-10)
    assert np.isclose(gmm.score(rows), np.mean(expected), rtol=1e-10)
    proba = gmm.predict_proba(rows)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(gmm.predict(rows), proba.argmax(axis=1))
    # The fit's last lower bound is the data's observed-data log-likelihood before the
    # last M-step, so the fitted parameters score at least as high.
    assert gmm.score(Xm) >= gmm.lower_bound_ - 1e-12


def test_data_far_from_origin_lose_no_digits():
    _, Xm, *_ = make_data(n=300, seed=4, missing=0.3)
    gmm = GaussianMixture(2, nan_policy="marginalize", random_state=0).fit(Xm)
    shifted = GaussianMixture(2, nan_policy="marginalize", random_state=0).fit(Xm + 1e6)
    np.testing.assert_allclose(shifted.means_ - 1e6, gmm.means_, atol=1e-6)
    np.testing.assert_allclose(shifted.covariances_, gmm.covariances_, rtol=1e-6)


def test_recovers_parameters_better_than_mean_imputation():
    X, Xm, means, covs, weights = make_data(n=3000, seed=5, missing=0.3)
    em = GaussianMixture(2, nan_policy="marginalize", random_state=0).fit(Xm)
    naive = GaussianMixture(2, random_state=0).fit(mean_impute(Xm))

    def errors(model):
        order = np.argsort(model.means_[:, 0])  # the true means are sorted by x_1
        mean_err = np.abs(model.means_[order] - means).max()
        cov_err = np.abs(model.covariances_[order] - covs).max()
        return mean_err, cov_err

    em_mean, em_cov = errors(em)
    naive_mean, naive_cov = errors(naive)
    assert em_mean < 0.15 and em_cov < 0.25, (em_mean, em_cov)
    assert em_cov < 0.5 * naive_cov, (em_cov, naive_cov)
    assert em_mean < naive_mean


# ----------------------------------------------------------------------------- imputation
def test_impute_is_the_conditional_mean():
    X, Xm, *_ = make_data(n=400, seed=6, missing=0.3)
    gmm = GaussianMixture(2, nan_policy="marginalize", random_state=0).fit(Xm)
    filled = gmm.impute(Xm)
    observed = ~np.isnan(Xm)
    np.testing.assert_array_equal(filled[observed], Xm[observed])
    assert not np.isnan(filled).any()
    cov_full = full_covariances(gmm.covariances_, "full", 2, 3)
    for i in np.flatnonzero(~observed.all(axis=1))[:40]:
        x = Xm[i]
        o, m = ~np.isnan(x), np.isnan(x)
        logp = [
            np.log(gmm.weights_[k])
            + stats.multivariate_normal(gmm.means_[k][o], cov_full[k][np.ix_(o, o)]).logpdf(x[o])
            for k in range(2)
        ]
        r = np.exp(logp - special.logsumexp(logp))
        expected = sum(
            r[k]
            * (
                gmm.means_[k][m]
                + cov_full[k][np.ix_(m, o)]
                @ linalg.solve(cov_full[k][np.ix_(o, o)], x[o] - gmm.means_[k][o])
            )
            for k in range(2)
        )
        np.testing.assert_allclose(filled[i, m], expected, rtol=1e-10)
    # Better than the column means at predicting the removed values.
    removed = ~observed
    err_em = np.abs(filled[removed] - X[removed]).mean()
    err_mean = np.abs(mean_impute(Xm)[removed] - X[removed]).mean()
    assert err_em < 0.8 * err_mean


def test_impute_works_after_a_complete_data_fit():
    X, Xm, *_ = make_data(n=300, seed=7, missing=0.2)
    a = GaussianMixture(2, random_state=0).fit(X).impute(Xm)
    assert not np.isnan(a).any()


@pytest.mark.parametrize("covariance_type", ["full", "diag"])
def test_conditional_draws_have_the_conditional_moments(covariance_type):
    rng = np.random.default_rng(8)
    cov = np.array([[[1.0, 0.6], [0.6, 2.0]]])
    weights, means = np.ones(1), np.array([[1.0, -1.0]])
    if covariance_type == "diag":
        cov = np.array([[1.0, 2.0]])
    x = np.array([[2.0, np.nan]])
    draws = conditional_draws(x, weights, means, cov, covariance_type, rng, n_draws=20000)
    assert np.all(draws[:, 0, 0] == 2.0)
    if covariance_type == "full":
        mean, var = -1.0 + 0.6 * (2.0 - 1.0), 2.0 - 0.36
    else:
        mean, var = -1.0, 2.0
    values = draws[:, 0, 1]
    assert abs(values.mean() - mean) < 4 * np.sqrt(var / values.size)
    assert abs(values.var() / var - 1) < 0.05


# ----------------------------------------------------------------------------- estimator
def test_patterns_group_rows():
    X = np.array([[1.0, np.nan, 2.0], [np.nan, 1.0, 1.0], [3.0, np.nan, 0.0], [1, 2, 3]])
    patterns = find_patterns(X)
    groups = sorted(sorted(r.tolist()) for r in patterns.rows)
    assert groups == [[0, 2], [1], [3]]
    for obs, rows, values in zip(patterns.observed, patterns.rows, patterns.values, strict=True):
        np.testing.assert_array_equal(values, X[rows][:, obs].T)


def test_integer_weights_are_repeated_rows():
    _, Xm, *_ = make_data(n=200, seed=9, missing=0.3)
    counts = np.random.default_rng(0).integers(0, 3, size=len(Xm))
    counts[:2] = 1
    weights, means, _, precisions = start_for("full")
    start = dict(weights_init=weights, means_init=means, precisions_init=precisions)
    kw = dict(nan_policy="marginalize", max_iter=20, tol=0.0, **start)
    with pytest.warns(Warning):
        a = GaussianMixture(2, **kw).fit(Xm, sample_weight=counts.astype(float))
    with pytest.warns(Warning):
        b = GaussianMixture(2, **kw).fit(np.repeat(Xm, counts, axis=0))
    np.testing.assert_allclose(a.means_, b.means_, rtol=1e-9)
    np.testing.assert_allclose(a.covariances_, b.covariances_, rtol=1e-9)


def test_warm_start_n_init_and_history():
    _, Xm, *_ = make_data(n=300, seed=10, missing=0.3)
    gmm = GaussianMixture(
        2, nan_policy="marginalize", random_state=0, record_history=True, n_init=3
    ).fit(Xm)
    assert gmm.history_ is not None
    assert len(gmm.history_.responsibilities) == gmm.n_iter_
    assert gmm.history_.responsibilities[0].shape == (300, 2)
    warm = GaussianMixture(
        2, nan_policy="marginalize", random_state=0, max_iter=3, warm_start=True, tol=0.0
    )
    with pytest.warns(Warning):
        warm.fit(Xm)
    first = warm.lower_bound_
    with pytest.warns(Warning):
        warm.fit(Xm)
    assert warm.lower_bounds_[0] >= first - 1e-12


def test_predict_on_partly_missing_rows_and_fit_predict():
    _, Xm, *_ = make_data(n=300, seed=11, missing=0.3)
    gmm = GaussianMixture(2, nan_policy="marginalize", random_state=0)
    labels = gmm.fit_predict(Xm)
    np.testing.assert_array_equal(labels, gmm.predict(Xm))
    assert np.isfinite(gmm.bic(Xm))


def test_sklearn_tags_allow_nan_only_when_marginalizing():
    pytest.importorskip("sklearn")
    assert not GaussianMixture().__sklearn_tags__().input_tags.allow_nan
    assert GaussianMixture(nan_policy="marginalize").__sklearn_tags__().input_tags.allow_nan


# ----------------------------------------------------------------------------- bad input
def test_default_policy_still_refuses_nan():
    _, Xm, *_ = make_data(n=50, seed=12, missing=0.3)
    with pytest.raises(ValueError, match="NaN"):
        GaussianMixture(2).fit(Xm)
    gmm = GaussianMixture(2, random_state=0).fit(np.nan_to_num(Xm))
    with pytest.raises(ValueError, match="NaN"):
        gmm.score_samples(Xm)


@pytest.mark.parametrize("policy", ["omit", "", None, 1, "MARGINALIZE"])
def test_invalid_nan_policy(policy):
    X, *_ = make_data(n=50, seed=13, missing=0.0)
    with pytest.raises(ValueError, match="nan_policy must be one of"):
        GaussianMixture(2, nan_policy=policy).fit(X)


def test_row_without_observed_values_is_refused():
    _, Xm, *_ = make_data(n=60, seed=14, missing=0.3)
    Xm[7] = np.nan
    gmm = GaussianMixture(2, nan_policy="marginalize", random_state=0)
    with pytest.raises(ValueError, match=r"1 row\(s\) of X \(the first is row 7\) have no"):
        gmm.fit(Xm)
    gmm.fit(np.delete(Xm, 7, axis=0))
    for method in (gmm.score_samples, gmm.predict, gmm.predict_proba, gmm.impute):
        with pytest.raises(ValueError, match="no observed value"):
            method(Xm)


def test_column_without_observed_values_is_refused():
    _, Xm, *_ = make_data(n=60, seed=15, missing=0.0)
    Xm[:, 2] = np.nan
    Xm[::3, 1] = np.nan
    with pytest.raises(ValueError, match=r"column\(s\) of X \(the first is column 2\)"):
        GaussianMixture(2, nan_policy="marginalize").fit(Xm)


def test_infinity_is_still_refused():
    _, Xm, *_ = make_data(n=60, seed=16, missing=0.2)
    Xm[3, 1] = np.inf
    with pytest.raises(ValueError, match="infinite"):
        GaussianMixture(2, nan_policy="marginalize").fit(Xm)
    gmm = GaussianMixture(2, nan_policy="marginalize", random_state=0).fit(np.delete(Xm, 3, 0))
    with pytest.raises(ValueError, match="infinite"):
        gmm.score_samples(Xm)


def test_wrong_number_of_features_and_memmap(tmp_path):
    _, Xm, *_ = make_data(n=60, seed=17, missing=0.2)
    gmm = GaussianMixture(2, nan_policy="marginalize", random_state=0).fit(Xm)
    with pytest.raises(ValueError, match="3 features"):
        gmm.impute(Xm[:, :2])
    mm = np.lib.format.open_memmap(tmp_path / "x.npy", mode="w+", shape=Xm.shape)
    mm[:] = Xm
    with pytest.raises(ValueError, match="in memory"):
        GaussianMixture(2, nan_policy="marginalize").fit(mm)


def test_impute_unfitted_raises():
    from gmm_from_scratch import NotFittedError

    with pytest.raises(NotFittedError):
        GaussianMixture(2).impute(np.zeros((2, 2)))


def test_conditional_gaussian_is_the_schur_complement():
    from gmm_from_scratch.missing import conditional_gaussian

    rng = np.random.default_rng(18)
    A = rng.normal(size=(4, 4))
    cov = A @ A.T + 0.5 * np.eye(4)
    mean = rng.normal(size=4)
    x = np.array([0.3, np.nan, -1.2, np.nan])
    o, m = [0, 2], [1, 3]
    # Via the precision matrix: the conditional covariance is (Lambda_mm)^-1.
    precision = np.linalg.inv(cov)
    want_cov = np.linalg.inv(precision[np.ix_(m, m)])
    want_mean = mean[m] - want_cov @ precision[np.ix_(m, o)] @ (x[o] - mean[o])
    got_mean, got_cov = conditional_gaussian(x, mean, cov)
    np.testing.assert_allclose(got_mean, want_mean, rtol=1e-10)
    np.testing.assert_allclose(got_cov, want_cov, rtol=1e-10)
    with pytest.raises(ValueError, match="no observed value"):
        conditional_gaussian(np.full(4, np.nan), mean, cov)
