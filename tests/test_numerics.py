"""Log-space arithmetic and numerical care (chapter 7): logsumexp, tight far-away clusters, shifts.

References are independent: scipy.special.logsumexp, and scipy.stats evaluated on data centred
*before* the log-density is computed (``x - mu`` is exact when ``x`` and ``mu`` are close, by
Sterbenz's lemma), which is what a "carefully centred" reference means here.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from _helpers import blobs, full_covariances, random_covariances, random_spd
from scipy import special, stats

from gmm_from_scratch import (
    GaussianMixture,
    estimate_log_gaussian_prob,
    logsumexp,
    normalize_log_probabilities,
)
from gmm_from_scratch.covariance import precisions_cholesky_from_covariances


# ---------------------------------------------------------------------------- logsumexp
@pytest.mark.parametrize("axis", [None, 0, 1, -1])
@pytest.mark.parametrize("keepdims", [False, True])
def test_logsumexp_matches_scipy(axis, keepdims):
    rng = np.random.default_rng(0)
    a = rng.normal(scale=50.0, size=(7, 5))
    ours = logsumexp(a, axis=axis, keepdims=keepdims)
    ref = special.logsumexp(a, axis=axis, keepdims=keepdims)
    assert np.shape(ours) == np.shape(ref)
    np.testing.assert_allclose(ours, ref, rtol=1e-14)


def test_logsumexp_minus_inf_rows_and_entries():
    a = np.array(
        [
            [-np.inf, -np.inf, -np.inf],  # every term is zero probability
            [-np.inf, 0.0, -np.inf],
            [-np.inf, -1000.0, -1000.0],
            [np.log(0.2), np.log(0.3), np.log(0.5)],
        ]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning (0 * inf, inf - inf) either
        ours = logsumexp(a, axis=1)
    ref = special.logsumexp(a, axis=1)
    assert ours[0] == -np.inf
    assert not np.isnan(ours).any()
    np.testing.assert_allclose(ours[1:], ref[1:], rtol=1e-15, atol=1e-15)
    assert logsumexp(np.array([-np.inf])) == -np.inf


@pytest.mark.parametrize(
    "a",
    [
        [1000.0, 1000.0],  # exp overflows
        [-1000.0, -1000.0],  # exp underflows
        [-1e5, -1e5 + 1.0, -1e5 - 700.0],
        [1e300, 1e300],
        [-1e300, 0.0],
        [700.0, -700.0, 0.0],
    ],
)
def test_logsumexp_huge_magnitudes(a):
    a = np.asarray(a)
    ours = logsumexp(a)
    assert np.isfinite(ours)
    np.testing.assert_allclose(ours, special.logsumexp(a), rtol=1e-15)


def test_logsumexp_closed_forms():
    np.testing.assert_allclose(logsumexp(np.full(10, -1000.0)), -1000.0 + np.log(10.0), rtol=1e-15)
    np.testing.assert_allclose(logsumexp(np.log([0.1, 0.2, 0.7])), 0.0, atol=1e-15)


def test_normalize_log_probabilities():
    rng = np.random.default_rng(1)
    log_joint = rng.normal(scale=300.0, size=(50, 4)) - 2000.0  # every exp() underflows
    log_joint[0, 1:] = -np.inf  # a row where only one component has any probability
    log_norm, log_resp = normalize_log_probabilities(log_joint)
    np.testing.assert_allclose(log_norm, special.logsumexp(log_joint, axis=1), rtol=1e-14)
    resp = np.exp(log_resp)
    assert np.all(np.isfinite(log_norm))
    # log_resp = log_joint - log_norm carries an error ~eps * |log_joint| ~ 1e-13 here.
    np.testing.assert_allclose(resp.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(resp[0], [1.0, 0.0, 0.0, 0.0])
    np.testing.assert_allclose(log_resp + log_norm[:, None], log_joint, rtol=1e-14)


# ------------------------------------------------ a tight cluster (sigma = 1e-3) at 1e3
def _centred_reference(X, means, full):
    """scipy's log-density of the rows after subtracting the mean exactly."""
    return np.column_stack(
        [
            stats.multivariate_normal.logpdf(X - means[k], np.zeros(X.shape[1]), full[k]).reshape(
                -1
            )
            for k in range(means.shape[0])
        ]
    )


@pytest.mark.parametrize("d", [1, 2, 5])
def test_tight_cluster_far_from_origin_log_density(covariance_type, d):
    """The linear form (x - mu) U loses ~eps |x|/sigma = 2e-10 here, the expanded quadratic
    x'Lx - 2x'Lmu + mu'Lmu ~eps (|x|/sigma)^2 = 2e-4 (scikit-learn's diag/spherical paths)."""
    rng = np.random.default_rng(d)
    K = 2
    means = 1e3 + rng.normal(scale=1e-2, size=(K, d))
    cov = random_covariances(rng, covariance_type, K, d, scale=1e-3)
    full = full_covariances(cov, covariance_type, K, d)
    X = np.vstack([rng.multivariate_normal(means[k], full[k], size=100) for k in range(K)])
    ref = _centred_reference(X, means, full)
    P = precisions_cholesky_from_covariances(cov, covariance_type)
    ours = estimate_log_gaussian_prob(X, means, P, covariance_type)
    np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-9)


@pytest.mark.parametrize("offset,sigma", [(1e3, 1e-3), (1e6, 1.0)])
def test_one_component_fit_of_a_tight_far_cluster_is_the_centred_mle(
    covariance_type, offset, sigma
):
    """With K=1 EM's answer is the closed-form MLE: compare with the centred sample moments."""
    rng = np.random.default_rng(3)
    d = 3
    cov = random_spd(rng, d, scale=sigma, cond=4.0)
    Z = rng.multivariate_normal(np.zeros(d), cov, size=400)
    X = offset + Z
    Zc = X - offset  # exact; the reference works in centred coordinates
    mean = Zc.mean(axis=0)
    S = (Zc - mean).T @ (Zc - mean) / Zc.shape[0]
    expected = {
        "full": S[None],
        "tied": S,
        "diag": np.diag(S)[None],
        "spherical": np.array([np.trace(S) / d]),
    }[covariance_type]
    gmm = GaussianMixture(1, covariance_type=covariance_type, reg_covar=0.0, tol=1e-12).fit(X)
    # |x| / sigma = 1e6 in both cases: the budget is a few eps * 1e6 = 2e-10 relative to sigma
    # (the mean is summed as sum r x - N c, which loses ~eps |x| / sigma; measured 7.5e-10).
    # An uncentred one-pass variance, E[x^2] - E[x]^2, would be off by ~eps (|x|/sigma)^2 = 200%.
    np.testing.assert_allclose(gmm.means_[0] - offset, mean, rtol=0, atol=2e-9 * sigma)
    np.testing.assert_allclose(gmm.covariances_, expected, rtol=1e-9)
    full = full_covariances(expected, covariance_type, 1, d)
    ref = _centred_reference(Zc, mean[None], full)[:, 0]
    # That mean error moves the Mahalanobis term by 2 |y| * 7.5e-10 ~ 4e-9 (measured 4.4e-9).
    np.testing.assert_allclose(gmm.score_samples(X), ref, rtol=1e-10, atol=1e-8)
    # With the fitted parameters themselves, the E-step alone is within 1e-9.
    fitted = full_covariances(gmm.covariances_, covariance_type, 1, d)
    ref_same = _centred_reference(Zc, gmm.means_ - offset, fitted)[:, 0]
    np.testing.assert_allclose(gmm.score_samples(X), ref_same, rtol=1e-10, atol=1e-9)


# ---------------------------------------------------------------- translation by 1e6
def _fit_from(X, start, covariance_type, shift):
    kwargs = dict(start, means_init=start["means_init"] + shift)
    return GaussianMixture(3, covariance_type=covariance_type, max_iter=30, tol=0.0, **kwargs).fit(
        X + shift
    )


def test_translation_by_1e6_moves_means_only(covariance_type):
    X, _, _ = blobs(0, d=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g0 = GaussianMixture(3, covariance_type=covariance_type, max_iter=3, random_state=0).fit(X)
        start = dict(weights_init=g0.weights_, means_init=g0.means_, precisions_init=g0.precisions_)
        a = _fit_from(X, start, covariance_type, 0.0)
        b = _fit_from(X, start, covariance_type, 1e6)
    # scikit-learn's diag/spherical paths are off by ~1e-5 relative here (its issue #30382).
    np.testing.assert_allclose(b.means_ - 1e6, a.means_, atol=1e-7)
    np.testing.assert_allclose(b.weights_, a.weights_, rtol=1e-9)
    scale = np.abs(a.covariances_).max()
    np.testing.assert_allclose(b.covariances_, a.covariances_, rtol=0, atol=1e-7 * scale)
    np.testing.assert_allclose(b.lower_bound_, a.lower_bound_, rtol=1e-9)
    np.testing.assert_allclose(b.lower_bounds_, a.lower_bounds_, rtol=1e-9)
    np.testing.assert_allclose(b.score_samples(X + 1e6), a.score_samples(X), rtol=1e-8, atol=1e-8)
