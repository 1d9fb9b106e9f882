"""Label switching (chapter 11): recovering permutations and renumbering fitted mixtures."""

from __future__ import annotations

import copy
import itertools

import numpy as np
import pytest
from _helpers import blobs

from gmm_from_scratch import GaussianMixture, align_components, align_labels, permute_mixture


def _brute_force_best(cost):
    """The permutation minimizing sum_k cost[k, perm[k]], by trying all of them (eq. 11.1)."""
    K = cost.shape[0]
    return np.array(
        min(itertools.permutations(range(K)), key=lambda p: cost[np.arange(K), list(p)].sum())
    )


@pytest.mark.parametrize("seed", range(5))
def test_align_components_by_means_recovers_a_random_permutation(seed):
    rng = np.random.default_rng(seed)
    K = 6
    ref = rng.normal(scale=5.0, size=(K, 3))
    sigma = rng.permutation(K)
    other = ref[sigma] + rng.normal(scale=0.05, size=(K, 3))  # relabelled and a little noisy
    perm = align_components(ref, other)
    assert sorted(perm) == list(range(K))
    np.testing.assert_allclose(other[perm], ref, atol=0.5)
    np.testing.assert_array_equal(sigma[perm], np.arange(K))


@pytest.mark.parametrize("seed", range(5))
def test_align_components_by_means_is_the_optimal_assignment(seed):
    rng = np.random.default_rng(100 + seed)
    ref, other = rng.normal(size=(5, 2)), rng.normal(size=(5, 2))  # no obvious matching
    perm = align_components(ref, other)
    cost = ((ref[:, None, :] - other[None, :, :]) ** 2).sum(axis=2)
    best = _brute_force_best(cost)
    np.testing.assert_allclose(cost[np.arange(5), perm].sum(), cost[np.arange(5), best].sum())


@pytest.mark.parametrize("seed", range(5))
def test_align_components_by_responsibilities(seed):
    rng = np.random.default_rng(seed)
    n, K = 200, 4
    resp = rng.dirichlet(np.full(K, 0.3), size=n)
    sigma = rng.permutation(K)
    perm = align_components(resp, resp[:, sigma], by="responsibilities")
    np.testing.assert_array_equal(resp[:, sigma][:, perm], resp)
    overlap = resp.T @ resp[:, sigma]
    best = _brute_force_best(-overlap)
    np.testing.assert_allclose(overlap[np.arange(K), perm].sum(), overlap[np.arange(K), best].sum())


def test_align_components_docstring_and_errors():
    ref = np.array([[0.0, 0.0], [5.0, 5.0]])
    np.testing.assert_array_equal(align_components(ref, ref[::-1]), [1, 0])
    with pytest.raises(ValueError, match="same shape"):
        align_components(ref, np.zeros((3, 2)))
    with pytest.raises(ValueError, match="2-D arrays"):
        align_components(np.zeros(3), np.zeros(3))
    with pytest.raises(ValueError, match="by must be 'means' or 'responsibilities'"):
        align_components(ref, ref, by="labels")


@pytest.mark.parametrize("seed", range(5))
def test_align_labels_recovers_a_relabelling(seed):
    rng = np.random.default_rng(seed)
    K = 5
    ref = rng.integers(0, K, size=300)
    sigma = rng.permutation(K)
    labels = sigma[ref]
    np.testing.assert_array_equal(align_labels(ref, labels), ref)
    # A few disagreements do not change the mapping: only those rows stay different.
    noisy = labels.copy()
    flip = rng.choice(300, size=15, replace=False)
    noisy[flip] = rng.integers(0, K, size=15)
    aligned = align_labels(ref, noisy)
    inverse = np.argsort(sigma)
    np.testing.assert_array_equal(aligned, inverse[noisy])
    assert np.mean(aligned == ref) >= 1 - 15 / 300


def test_align_labels_docstring_and_errors():
    np.testing.assert_array_equal(align_labels([0, 0, 1, 1, 2], [2, 2, 0, 0, 1]), [0, 0, 1, 1, 2])
    with pytest.raises(ValueError, match="same length"):
        align_labels([0, 1], [0, 1, 1])


def test_permute_mixture_keeps_predictions_consistent(covariance_type):
    X = blobs(0, n_per=60, d=2, K=4)[0]
    gmm = GaussianMixture(4, covariance_type=covariance_type, random_state=0).fit(X)
    before_proba, before_pred = gmm.predict_proba(X), gmm.predict(X)
    before_score = gmm.score_samples(X)
    original = copy.deepcopy(gmm)
    perm = np.array([2, 0, 3, 1])
    assert permute_mixture(gmm, perm) is gmm
    np.testing.assert_array_equal(gmm.means_, original.means_[perm])
    np.testing.assert_array_equal(gmm.weights_, original.weights_[perm])
    if covariance_type == "tied":
        np.testing.assert_array_equal(gmm.covariances_, original.covariances_)
    else:
        np.testing.assert_array_equal(gmm.covariances_, original.covariances_[perm])
    # New component k is old perm[k]: columns move with it, labels are renamed, p(x) is unchanged.
    np.testing.assert_allclose(gmm.predict_proba(X), before_proba[:, perm], rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(perm[gmm.predict(X)], before_pred)
    np.testing.assert_allclose(gmm.score_samples(X), before_score, rtol=1e-13)
    # Permuting back restores the original exactly.
    permute_mixture(gmm, np.argsort(perm))
    np.testing.assert_array_equal(gmm.precisions_cholesky_, original.precisions_cholesky_)


def test_two_fits_agree_after_alignment(covariance_type):
    X, _, _ = blobs(1, n_per=80, d=2, K=3)
    a = GaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(X)
    b = GaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(X)
    sigma = np.array([1, 2, 0])
    permute_mixture(b, sigma)  # the same fit under other names
    perm = align_components(a.means_, b.means_)
    permute_mixture(b, perm)
    np.testing.assert_array_equal(b.means_, a.means_)
    np.testing.assert_array_equal(b.predict(X), a.predict(X))
    perm_r = align_components(
        a.predict_proba(X), permute_mixture(b, sigma).predict_proba(X), by="responsibilities"
    )
    np.testing.assert_array_equal(permute_mixture(b, perm_r).means_, a.means_)


@pytest.mark.parametrize("perm", [[0, 0, 1, 2], [0, 1, 2], [0, 1, 2, 4], [[0, 1], [2, 3]]])
def test_permute_mixture_rejects_non_permutations(perm):
    X = blobs(0, n_per=30, d=2, K=4)[0]
    gmm = GaussianMixture(4, random_state=0).fit(X)
    means = gmm.means_.copy()
    with pytest.raises(ValueError, match=r"perm must be a permutation of 0\.\.3"):
        permute_mixture(gmm, perm)
    np.testing.assert_array_equal(gmm.means_, means)  # left untouched
