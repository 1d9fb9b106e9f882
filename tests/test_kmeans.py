"""k-means (chapter 3): Lloyd's algorithm, k-means++ seeding, and scikit-learn as the yardstick."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from _helpers import blobs
from scipy.spatial.distance import cdist
from sklearn.cluster import KMeans as SkKMeans

from gmm_from_scratch import KMeans, NotFittedError, kmeans_plusplus
from gmm_from_scratch.kmeans import squared_distances


def test_squared_distances_match_scipy():
    rng = np.random.default_rng(0)
    X, C = rng.normal(size=(300, 4)), rng.normal(size=(5, 4))
    np.testing.assert_allclose(squared_distances(X, C), cdist(X, C, "sqeuclidean"), rtol=1e-12)
    # Far from the origin the direct form keeps its digits (no |x|^2 - 2 x.c + |c|^2).
    np.testing.assert_allclose(
        squared_distances(X * 1e-3 + 1e6, C * 1e-3 + 1e6),
        cdist((X * 1e-3 + 1e6) - 1e6, (C * 1e-3 + 1e6) - 1e6, "sqeuclidean"),
        rtol=1e-6,
    )


def test_lloyd_finds_the_known_centres_of_separated_blobs():
    X, labels, centres = blobs(1, n_per=100, d=3, K=4, spread=20.0)
    km = KMeans(4, random_state=0).fit(X)
    # Relabel ours to the truth; the partition must be the true one, each centre its blob's mean.
    mapping = {int(k): int(np.bincount(labels[km.labels_ == k]).argmax()) for k in range(4)}
    assert sorted(mapping.values()) == [0, 1, 2, 3]
    np.testing.assert_array_equal([mapping[int(k)] for k in km.labels_], labels)
    for k, true in mapping.items():
        np.testing.assert_allclose(
            km.cluster_centers_[k], X[labels == true].mean(axis=0), rtol=1e-12, atol=1e-12
        )
        assert np.linalg.norm(km.cluster_centers_[k] - centres[true]) < 1.0
    np.testing.assert_array_equal(km.predict(X), km.labels_)
    assert km.n_features_in_ == 3 and 1 <= km.n_iter_ <= km.max_iter


def test_inertia_is_the_sum_of_squared_distances():
    X = blobs(2, n_per=80, d=2, K=3, spread=3.0)[0]
    km = KMeans(3, random_state=0).fit(X)
    d2 = cdist(X, km.cluster_centers_, "sqeuclidean")
    np.testing.assert_allclose(km.inertia_, d2.min(axis=1).sum(), rtol=1e-12)
    np.testing.assert_allclose(km.inertia_, d2[np.arange(len(X)), km.labels_].sum(), rtol=1e-12)
    # A fixed point of Lloyd: each centre is the mean of its points, each point at its nearest.
    np.testing.assert_array_equal(km.labels_, d2.argmin(axis=1))
    for k in range(3):
        np.testing.assert_allclose(
            km.cluster_centers_[k], X[km.labels_ == k].mean(axis=0), rtol=1e-10
        )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_inertia_is_as_good_as_sklearn(seed):
    # Overlapping clusters, where local optima differ: ours <= sklearn's * 1.01, both n_init=10.
    X = blobs(seed, n_per=60, d=3, K=8, spread=2.5)[0]
    ours = KMeans(8, n_init=10, random_state=seed).fit(X)
    ref = SkKMeans(8, n_init=10, random_state=seed).fit(X)
    assert ours.inertia_ <= ref.inertia_ * 1.01, (ours.inertia_, ref.inertia_)


def test_kmeans_from_the_same_init_as_sklearn_lands_on_the_same_centres():
    X = blobs(3, n_per=70, d=2, K=4, spread=2.5)[0]
    init = X[[0, 70, 140, 210]]
    ours = KMeans(4, init=init, tol=0.0, max_iter=300).fit(X)
    ref = SkKMeans(4, init=init, n_init=1, tol=0.0, max_iter=300, algorithm="lloyd").fit(X)
    np.testing.assert_allclose(ours.cluster_centers_, ref.cluster_centers_, rtol=1e-10)
    np.testing.assert_array_equal(ours.labels_, ref.labels_)
    np.testing.assert_allclose(ours.inertia_, ref.inertia_, rtol=1e-10)


def test_random_init_and_sample_weight_semantics():
    X = blobs(4, n_per=50, d=2, K=3, spread=3.0)[0]
    km = KMeans(3, init="random", random_state=0).fit(X)
    assert np.isfinite(km.inertia_)
    rng = np.random.default_rng(0)
    w = rng.integers(0, 4, size=X.shape[0])
    init = X[[1, 60, 120]]
    a = KMeans(3, init=init).fit(np.repeat(X, w, axis=0))
    b = KMeans(3, init=init).fit(X, sample_weight=w.astype(float))
    np.testing.assert_allclose(b.cluster_centers_, a.cluster_centers_, rtol=1e-12)
    np.testing.assert_allclose(b.inertia_, a.inertia_, rtol=1e-12)


# ------------------------------------------------------------------------- k-means++
def test_kmeans_plusplus_distinct_rows_and_reproducible():
    X = blobs(5, n_per=40, d=2, K=5)[0]
    X = np.vstack([X, X[:30]])  # duplicated points must not be picked twice
    centers, idx = kmeans_plusplus(X, 8, random_state=3)
    assert centers.shape == (8, 2) and idx.shape == (8,)
    np.testing.assert_array_equal(centers, X[idx])
    assert len({tuple(c) for c in centers}) == 8  # distinct points, not only distinct rows
    c2, idx2 = kmeans_plusplus(X, 8, random_state=3)
    np.testing.assert_array_equal(idx2, idx)
    assert not np.array_equal(kmeans_plusplus(X, 8, random_state=4)[1], idx)
    # With a Generator the stream continues: two calls give different seeds.
    rng = np.random.default_rng(0)
    assert not np.array_equal(kmeans_plusplus(X, 8, rng)[1], kmeans_plusplus(X, 8, rng)[1])


def test_kmeans_plusplus_is_d2_sampling():
    """With one trial per step, the second centre is drawn with probability prop. to D^2."""
    X = np.array([[0.0], [1.0], [3.0]])
    n_draws = 3000
    counts: dict[tuple[int, int], int] = {}
    rng = np.random.default_rng(0)
    for _ in range(n_draws):
        idx = kmeans_plusplus(X, 2, rng, n_local_trials=1)[1]
        counts[tuple(idx)] = counts.get(tuple(idx), 0) + 1
    D2 = cdist(X, X, "sqeuclidean")
    for i, j in itertools.permutations(range(3), 2):
        p = (1 / 3) * D2[i, j] / D2[i].sum()
        se = np.sqrt(p * (1 - p) / n_draws)
        assert abs(counts.get((i, j), 0) / n_draws - p) < 5 * se, (i, j, counts, p)


def test_kmeans_plusplus_respects_zero_weights():
    X = np.vstack([np.zeros((5, 2)), np.full((5, 2), 10.0), np.full((5, 2), -10.0)])
    w = np.r_[np.ones(10), np.zeros(5)]
    for seed in range(10):
        idx = kmeans_plusplus(X, 2, seed, sample_weight=w)[1]
        assert np.all(idx < 10)


# ----------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "params,match",
    [
        (dict(n_clusters=0), "n_clusters must be an integer >= 1"),
        (dict(n_clusters=2.5), "n_clusters must be an integer"),
        (dict(n_init=0), "n_init must be an integer >= 1"),
        (dict(max_iter=0), "max_iter must be an integer >= 1"),
        (dict(tol=-1.0), "tol must be a non-negative number"),
        (dict(init="kmeans"), "init must be 'k-means\\+\\+', 'random' or an array"),
        (dict(init=np.zeros((3, 2))), r"init array must have shape \(2, 2\)"),
    ],
)
def test_kmeans_bad_parameters(params, match):
    X = np.random.default_rng(0).normal(size=(20, 2))
    with pytest.raises(ValueError, match=match):
        KMeans(**{"n_clusters": 2, **params}).fit(X)


def test_kmeans_bad_data_and_unfitted():
    X = np.random.default_rng(0).normal(size=(20, 2))
    with pytest.raises(ValueError, match="fewer points than clusters"):
        KMeans(30).fit(X)
    with pytest.raises(ValueError, match="NaN"):
        KMeans(2).fit(np.r_[X, [[np.nan, 0.0]]])
    with pytest.raises(NotFittedError, match="not fitted"):
        KMeans(2).predict(X)
    km = KMeans(2, random_state=0).fit(X)
    with pytest.raises(ValueError, match="has 3 features, but KMeans is expecting 2 features"):
        km.predict(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="n_samples=3 should be >= n_clusters=4"):
        kmeans_plusplus(X[:3], 4)


def test_kmeans_too_few_weighted_samples():
    X = np.random.default_rng(0).normal(size=(20, 2))
    w = np.r_[np.ones(2), np.zeros(18)]
    with pytest.raises(ValueError, match=r"Only 2 samples have non-zero weight.*n_clusters=3"):
        KMeans(3).fit(X, sample_weight=w)
