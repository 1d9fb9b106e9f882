"""Gaussian log-densities (chapters 1, 2 and 9) against scipy.stats, far into the tails."""

from __future__ import annotations

import numpy as np
import pytest
from _helpers import full_covariances, random_covariances, random_spd
from scipy import stats
from scipy.spatial.distance import mahalanobis as scipy_mahalanobis
from sklearn.mixture import GaussianMixture as SkGaussianMixture

from gmm_from_scratch import (
    estimate_log_gaussian_prob,
    fit_gaussian_1d,
    log_likelihood_1d,
    log_pdf,
    log_pdf_1d,
    mahalanobis,
    n_parameters,
    precision_cholesky,
)
from gmm_from_scratch.covariance import (
    check_precisions,
    covariances_from_precisions_cholesky,
    precisions_cholesky_from_covariances,
    precisions_cholesky_from_precisions,
    precisions_from_cholesky,
)

RTOL = 1e-10


# ---------------------------------------------------------------------------- 1-D
@pytest.mark.parametrize("mean,std", [(0.0, 1.0), (-3.5, 0.2), (1e3, 1e-3), (7.0, 250.0)])
def test_log_pdf_1d_matches_scipy(mean, std):
    rng = np.random.default_rng(0)
    x = mean + std * np.concatenate([rng.normal(size=50), [-40.0, 40.0, 0.0, 1e-8]])
    np.testing.assert_allclose(
        log_pdf_1d(x, mean, std), stats.norm.logpdf(x, mean, std), rtol=RTOL, atol=1e-12
    )


def test_log_pdf_1d_far_tail_is_finite_not_minus_inf():
    x = np.array([40.0, -40.0, 100.0])
    ours = log_pdf_1d(x, 0.0, 1.0)
    assert np.all(np.isfinite(ours))
    assert stats.norm.pdf(100.0) == 0.0  # the density itself underflows ...
    np.testing.assert_allclose(ours, stats.norm.logpdf(x), rtol=RTOL)  # ... its log does not


def test_log_pdf_1d_scalar_and_shape():
    assert np.ndim(log_pdf_1d(0.3, 0.0, 1.0)) == 0
    assert log_pdf_1d(np.zeros((3, 4)), 0.0, 1.0).shape == (3, 4)


@pytest.mark.parametrize("std", [0.0, -1.0, np.nan, np.inf])
def test_log_pdf_1d_rejects_bad_std(std):
    with pytest.raises(ValueError, match="std must be a positive finite"):
        log_pdf_1d(0.0, 0.0, std)


def test_fit_gaussian_1d_is_the_mle():
    rng = np.random.default_rng(1)
    x = rng.normal(3.0, 2.0, size=500)
    mean, std = fit_gaussian_1d(x)
    np.testing.assert_allclose(mean, np.sum(x) / x.size, rtol=1e-14)
    # MLE divides by n (ddof=0), not n - 1.
    np.testing.assert_allclose(std, np.std(x, ddof=0), rtol=1e-12)
    assert not np.isclose(std, np.std(x, ddof=1), rtol=1e-6)
    # It maximizes the likelihood: nudging either parameter lowers it.
    best = log_likelihood_1d(x, mean, std)
    for dm, ds in [(1e-3, 0), (-1e-3, 0), (0, 1e-3), (0, -1e-3)]:
        assert log_likelihood_1d(x, mean + dm, std + ds) < best


def test_fit_gaussian_1d_far_from_origin():
    rng = np.random.default_rng(2)
    z = rng.normal(size=1000)
    x = 1e9 + 1e-3 * z
    mean, std = fit_gaussian_1d(x)
    centred = x - 1e9  # exact (Sterbenz): the reference loses nothing
    np.testing.assert_allclose(mean - 1e9, np.mean(centred), atol=1e-12 * 1e9)
    np.testing.assert_allclose(std, np.sqrt(np.mean((centred - centred.mean()) ** 2)), rtol=1e-6)


def test_log_likelihood_1d_is_sum_of_scipy_logpdf():
    rng = np.random.default_rng(3)
    x = rng.normal(size=100)
    np.testing.assert_allclose(
        log_likelihood_1d(x, 0.5, 1.7), stats.norm.logpdf(x, 0.5, 1.7).sum(), rtol=RTOL
    )


# ---------------------------------------------------------------------------- d-D
@pytest.mark.parametrize("d", [1, 2, 3, 8, 20, 50])
def test_log_pdf_matches_scipy_with_non_diagonal_covariance(d):
    rng = np.random.default_rng(d)
    cov = random_spd(rng, d, scale=rng.uniform(0.3, 3.0), cond=50.0)
    if d > 1:
        off = cov - np.diag(np.diag(cov))
        assert np.abs(off).max() > 1e-2 * np.abs(cov).max()  # really non-diagonal
    mean = rng.normal(scale=5.0, size=d)
    X = rng.multivariate_normal(mean, cov, size=40)
    np.testing.assert_allclose(
        log_pdf(X, mean, cov),
        stats.multivariate_normal.logpdf(X, mean, cov).reshape(-1),
        rtol=RTOL,
    )


@pytest.mark.parametrize("d", [1, 2, 10, 50])
def test_log_pdf_40_sigma_in_the_tails(d):
    rng = np.random.default_rng(100 + d)
    cov = random_spd(rng, d, cond=20.0)
    mean = rng.normal(size=d)
    L = np.linalg.cholesky(cov)
    # Points at Mahalanobis distance exactly 40 (and 60) in random directions.
    u = rng.normal(size=(10, d))
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    X = mean + np.vstack([40.0 * u, 60.0 * u]) @ L.T
    ours = log_pdf(X, mean, cov)
    ref = stats.multivariate_normal.logpdf(X, mean, cov).reshape(-1)
    assert np.all(np.isfinite(ours))
    assert np.all(ours < -790)  # exp() of these underflows to 0
    np.testing.assert_allclose(ours, ref, rtol=RTOL)
    np.testing.assert_allclose(mahalanobis(X, mean, cov), np.repeat([40.0, 60.0], 10), rtol=1e-10)


def test_log_pdf_docstring_example_is_scipy():
    X = np.array([[0.0, 0.0], [1.0, -1.0]])
    cov = [[2.0, 0.5], [0.5, 1.0]]
    np.testing.assert_allclose(
        log_pdf(X, np.zeros(2), cov), stats.multivariate_normal.logpdf(X, np.zeros(2), cov)
    )


def test_mahalanobis_matches_scipy_spatial():
    rng = np.random.default_rng(5)
    cov = random_spd(rng, 4)
    mean = rng.normal(size=4)
    X = rng.normal(size=(20, 4))
    VI = np.linalg.inv(cov)
    ref = [scipy_mahalanobis(x, mean, VI) for x in X]
    np.testing.assert_allclose(mahalanobis(X, mean, cov), ref, rtol=1e-10)


@pytest.mark.parametrize("d", [1, 3, 12])
def test_precision_cholesky_factors_the_inverse(d):
    rng = np.random.default_rng(d)
    cov = random_spd(rng, d, cond=100.0)
    U = precision_cholesky(cov)
    assert np.allclose(U, np.triu(U))  # upper triangular
    assert np.all(np.diag(U) > 0)
    np.testing.assert_allclose(U @ U.T, np.linalg.inv(cov), rtol=1e-9, atol=1e-12)
    # U^T Sigma U = I: no explicit inverse needed to check it.
    np.testing.assert_allclose(U.T @ cov @ U, np.eye(d), atol=1e-12)


@pytest.mark.parametrize(
    "cov,match",
    [
        (np.ones((2, 3)), "must be square"),
        (np.array([[1.0, 0.5], [0.4, 1.0]]), "symmetric"),
        (np.array([[1.0, 2.0], [2.0, 1.0]]), "not positive definite"),
        (np.array([[1.0, np.nan], [np.nan, 1.0]]), "NaN or infinite"),
    ],
)
def test_precision_cholesky_rejects_bad_covariances(cov, match):
    with pytest.raises(ValueError, match=match):
        precision_cholesky(cov)


def test_log_pdf_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="features"):
        log_pdf(np.zeros((3, 2)), np.zeros(3), np.eye(3))
    with pytest.raises(ValueError, match="covariance must have shape"):
        log_pdf(np.zeros((3, 2)), np.zeros(2), np.eye(3))
    with pytest.raises(ValueError, match="mean must be 1-D"):
        log_pdf(np.zeros((3, 2)), np.zeros((1, 2)), np.eye(2))


# ------------------------------------------------------- all four covariance types at once
def _independent_precision_factor(cov, covariance_type):
    """A precision factor built with numpy only (lower Cholesky of the explicit inverse)."""
    if covariance_type == "full":
        return np.stack([np.linalg.cholesky(np.linalg.inv(c)) for c in cov])
    if covariance_type == "tied":
        return np.linalg.cholesky(np.linalg.inv(cov))
    return 1.0 / np.sqrt(cov)


@pytest.mark.parametrize("d", [1, 2, 7, 30])
@pytest.mark.parametrize("K", [1, 4])
def test_estimate_log_gaussian_prob_matches_scipy(covariance_type, d, K):
    rng = np.random.default_rng(10 * d + K)
    means = rng.normal(scale=4.0, size=(K, d))
    cov = random_covariances(rng, covariance_type, K, d, scale=1.5)
    full = full_covariances(cov, covariance_type, K, d)
    X = np.vstack([rng.normal(scale=5.0, size=(60, d)), means + 40.0])  # some far points
    ref = np.column_stack(
        [stats.multivariate_normal.logpdf(X, means[k], full[k]).reshape(-1) for k in range(K)]
    )
    for factor in (
        _independent_precision_factor(cov, covariance_type),
        precisions_cholesky_from_covariances(cov, covariance_type),
    ):
        ours = estimate_log_gaussian_prob(X, means, factor, covariance_type)
        assert ours.shape == (X.shape[0], K)
        assert np.all(np.isfinite(ours))
        np.testing.assert_allclose(ours, ref, rtol=1e-9)


# ------------------------------------------------------------- covariance conversions
@pytest.mark.parametrize("scale", [1e-6, 1.0, 1e8])
def test_covariance_precision_round_trips(covariance_type, scale):
    rng = np.random.default_rng(7)
    K, d = 3, 4
    cov = random_covariances(rng, covariance_type, K, d, scale=scale)
    full = full_covariances(cov, covariance_type, K, d)
    # Upper factors from covariances (what fitting produces) ...
    P = precisions_cholesky_from_covariances(cov, covariance_type)
    prec = precisions_from_cholesky(P, covariance_type)
    full_prec = full_covariances(prec, covariance_type, K, d)
    np.testing.assert_allclose(full_prec, np.linalg.inv(full), rtol=1e-9)
    np.testing.assert_allclose(
        covariances_from_precisions_cholesky(P, covariance_type), cov, rtol=1e-10
    )
    # ... and lower factors from precisions (what precisions_init produces).
    L = precisions_cholesky_from_precisions(prec, covariance_type)
    np.testing.assert_allclose(
        covariances_from_precisions_cholesky(L, covariance_type), cov, rtol=1e-9
    )
    assert check_precisions(prec, covariance_type, K, d) is not None


def test_asymmetric_precisions_are_rejected_at_any_scale():
    p = np.array([[2.0, 0.5], [0.1, 1.0]])
    for scale in (1.0, 1e-12):
        with pytest.raises(ValueError, match=r"precisions_init\[0\] is not symmetric"):
            check_precisions(p * scale, "tied", 2, 2)
    # Rounding-level asymmetry (an inverse computed in floating point) is accepted.
    q = np.linalg.inv(random_spd(np.random.default_rng(0), 5)) * 1e-12
    check_precisions(q, "tied", 2, 5)


@pytest.mark.parametrize("K,d", [(1, 1), (3, 2), (5, 8)])
def test_n_parameters_matches_sklearn(covariance_type, K, d):
    sk = SkGaussianMixture(K, covariance_type=covariance_type)
    sk.means_ = np.zeros((K, d))
    assert n_parameters(K, d, covariance_type) == sk._n_parameters()


def test_1d_functions_accept_a_column_and_reject_several():
    x = np.array([1.0, 2.0, 4.0])
    assert fit_gaussian_1d(x[:, None]) == fit_gaussian_1d(x)
    np.testing.assert_allclose(log_likelihood_1d(x[:, None], 0.0, 1.0), stats.norm.logpdf(x).sum())
    with pytest.raises(ValueError, match=r"shape \(n_samples,\) or \(n_samples, 1\).*\(3, 2\)"):
        fit_gaussian_1d(np.column_stack([x, x]))
    with pytest.raises(ValueError, match="one column at a time"):
        log_likelihood_1d(np.column_stack([x, x]), 0.0, 1.0)
    with pytest.raises(ValueError, match="NaN"):
        fit_gaussian_1d([1.0, np.nan])
