"""The fast pass's kernels (chapter 13) against plain formulas and against each other.

Every path the pass can take for a block is compared with an independent computation: the
exponential of the log-sum-exp against ``np.exp``, the split product of the full type against
SciPy and against an equivalent factor that is not triangular, the two ways of accumulating
full scatter matrices, and the shortcut of the tied scatter for unweighted rows.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import logsumexp
from scipy.stats import multivariate_normal

from gmm_from_scratch import em
from gmm_from_scratch.covariance import precisions_cholesky_from_covariances
from gmm_from_scratch.em import em_pass, estimate_log_gaussian_prob, m_step

_USE_PAIRS = em._use_pairs


def _random_covariances(rng, K, d):
    A = rng.normal(size=(K, d, d))
    return A @ A.transpose(0, 2, 1) / d + 0.2 * np.eye(d)


def _problem(seed, n, d, K):
    rng = np.random.default_rng(seed)
    means = rng.normal(scale=3.0, size=(K, d))
    covs = _random_covariances(rng, K, d)
    z = rng.integers(K, size=n)
    X = means[z] + np.einsum("nd,nde->ne", rng.normal(size=(n, d)), np.linalg.cholesky(covs)[z])
    weights = rng.dirichlet(np.ones(K))
    return X, weights, means, covs


@pytest.mark.parametrize("vectorized", [False, True])
def test_exp_of_nonpositive_matches_numpy_exp(vectorized, monkeypatch):
    """Both ways (halved arguments squared; NumPy's exp as it is) give exp to 2 ulp."""
    monkeypatch.setattr(em, "VECTORIZED_EXP", vectorized)
    rng = np.random.default_rng(0)
    a = np.concatenate([
        rng.uniform(-1100.0, 0.0, 20_000), rng.uniform(-760.0, -700.0, 5_000),
        rng.uniform(-40.0, 0.0, 5_000), [0.0, -0.0, -1023.0, -1e300, -np.inf, np.nan],
    ])  # fmt: skip
    with np.errstate(under="ignore"):
        ref = np.exp(a)
        ours = em._exp_of_nonpositive(a.copy())
    normal = ref >= np.finfo(np.float64).tiny
    # Normal results within 2 ulp; subnormal ones (below 2.2e-308) within a few of their units.
    np.testing.assert_allclose(ours[normal], ref[normal], rtol=4.5e-16, atol=0)
    np.testing.assert_allclose(ours[~normal], ref[~normal], rtol=0, atol=2e-323)
    assert np.isnan(ours[-1]) and ours[-2] == 0.0 and ours[-6] == 1.0
    assert np.all(ours[a < -745.2] == 0.0)


@pytest.mark.parametrize("d", [1, 2, 7, 8, 9, 16, 33])
def test_full_log_density_triangular_split_matches_scipy_and_a_rotated_factor(d):
    """The split product (``U_k`` triangular) and the whole product give the same densities."""
    K = 3
    X, _, means, covs = _problem(d, 400, d, K)
    U = precisions_cholesky_from_covariances(covs, "full")
    # The lower-triangular Cholesky factor L of the precision is another factor (L L^T is the
    # precision, det L = det U), but not upper triangular: it takes the whole product.
    lower = np.linalg.cholesky(np.linalg.inv(covs))
    assert d < 2 or np.any(np.tril(lower[0], -1) != 0)
    split = estimate_log_gaussian_prob(X, means, U, "full")
    whole = estimate_log_gaussian_prob(X, means, lower, "full")
    ref = np.column_stack([multivariate_normal(means[k], covs[k]).logpdf(X) for k in range(K)])
    np.testing.assert_allclose(split, ref, rtol=1e-12)
    np.testing.assert_allclose(whole, ref, rtol=1e-12)
    plan = em._LogDensity(means, U, "full", means.mean(axis=0))
    assert plan.split == (d // 2 if d >= 8 else 0)
    assert em._LogDensity(means, lower, "full", means.mean(axis=0)).split == 0


@pytest.mark.parametrize("K,d", [(2, 32), (16, 16), (5, 4)])
def test_full_scatter_by_pairs_and_by_weighted_copy_agree(K, d, monkeypatch):
    """Both ways of accumulating full scatter matrices, against the two-pass formula."""
    X, weights, means, covs = _problem(K * d, 3000, d, K)
    U = precisions_cholesky_from_covariances(covs, "full")
    results = {}
    for pairs in (True, False):
        monkeypatch.setattr(em, "_use_pairs", lambda K, d, pairs=pairs: pairs)
        stats, resp = em_pass(X, weights, means, U, "full", block_size=512,
                              keep_responsibilities=True)  # fmt: skip
        results[pairs] = m_step(stats, "full", 0.0)
    # Two-pass formula from the same responsibilities.
    nk = resp.sum(axis=0)
    mu = resp.T @ X / nk[:, None]
    cov = np.stack([((X - mu[k]).T * resp[:, k]) @ (X - mu[k]) / nk[k] for k in range(K)])
    for pairs in (True, False):
        _, new_means, new_covs = results[pairs]
        np.testing.assert_allclose(new_means, mu, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(new_covs, cov, rtol=1e-10, atol=1e-12)
    assert _USE_PAIRS(16, 16) and not _USE_PAIRS(2, 64)


def test_tied_unweighted_shortcut_equals_unit_sample_weights():
    """Unweighted rows skip weighting the tied scatter; unit weights take the weighted path."""
    X, weights, means, covs = _problem(3, 2000, 5, 4)
    cov = np.cov(X, rowvar=False)
    U = precisions_cholesky_from_covariances(cov, "tied")
    plain, _ = em_pass(X, weights, means, U, "tied", block_size=300)
    weighted, _ = em_pass(X, weights, means, U, "tied", np.ones(len(X)), block_size=300)
    for name in ("nk", "sum_x", "scatter"):
        np.testing.assert_allclose(getattr(plain, name), getattr(weighted, name), rtol=1e-12,
                                   atol=1e-10)  # fmt: skip
    np.testing.assert_allclose(plain.log_likelihood, weighted.log_likelihood, rtol=1e-13)


@pytest.mark.parametrize("covariance_type", ["tied", "diag", "spherical"])
def test_expanded_distances_are_recomputed_where_their_bound_fails(covariance_type, monkeypatch):
    """A tight cluster far from the centre: the per-component test must send it to the direct
    form, and the densities must still match SciPy."""
    rng = np.random.default_rng(5)
    d, K = 3, 2
    means = np.array([np.zeros(d), np.full(d, 1e4)])
    X = np.vstack([rng.normal(size=(50, d)), 1e4 + 1e-3 * rng.normal(size=(50, d))])
    variances = {"tied": np.eye(d), "diag": np.array([np.ones(d), np.full(d, 1e-6)]),
                 "spherical": np.array([1.0, 1e-6])}[covariance_type]  # fmt: skip
    U = precisions_cholesky_from_covariances(variances, covariance_type)
    calls = []
    direct = em._LogDensity._direct
    monkeypatch.setattr(em._LogDensity, "_direct",
                        lambda self, F, k: calls.append(k) or direct(self, F, k))  # fmt: skip
    ours = estimate_log_gaussian_prob(X, means, U, covariance_type)
    if covariance_type == "tied":
        cov = [variances] * K
    elif covariance_type == "diag":
        cov = [np.diag(v) for v in variances]
    else:
        cov = [v * np.eye(d) for v in variances]
    ref = np.column_stack([multivariate_normal(means[k], cov[k]).logpdf(X) for k in range(K)])
    assert calls, "no component was recomputed directly"
    np.testing.assert_allclose(ours, ref, rtol=1e-9)


def test_public_responsibilities_match_scipy_and_refuse_lost_rows():
    """``gmm_from_scratch.responsibilities`` is eq. 4.2 from SciPy's densities, rows sum to 1."""
    from gmm_from_scratch import responsibilities

    X, _, means, covs = _problem(3, 200, 3, 3)
    weights = np.array([0.2, 0.3, 0.5])
    U = precisions_cholesky_from_covariances(covs, "full")
    log_joint = np.column_stack(
        [
            np.log(w) + multivariate_normal(m, c).logpdf(X)
            for w, m, c in zip(weights, means, covs, strict=True)
        ]
    )
    ours = responsibilities(X, weights, means, U, "full")
    ref = np.exp(log_joint - logsumexp(log_joint, axis=1, keepdims=True))
    np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-300)
    np.testing.assert_allclose(ours.sum(axis=1), 1.0, rtol=1e-14)
    with pytest.raises(ValueError, match=r"row 1\).*underflows"):
        responsibilities(np.vstack([X[:1], np.full((1, 3), 1e200)]), weights, means, U, "full")
