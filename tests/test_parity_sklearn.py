"""Started from the same parameters, gmm_from_scratch lands where scikit-learn does."""

import warnings

import numpy as np
import pytest
from sklearn.mixture import GaussianMixture as SkGaussianMixture

from gmm_from_scratch import COVARIANCE_TYPES, GaussianMixture

RTOL = 1e-8


def _data(seed=0):
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(3, 3))
    return np.vstack(
        [
            rng.normal(-3, 1, (300, 3)),
            rng.normal(2, 1.5, (300, 3)) @ A,
            rng.normal(5, 0.5, (200, 3)),
        ]
    )


def _start(X, covariance_type, n_components=3):
    """A common start: scikit-learn's parameters after 2 iterations from its own k-means init."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sk = SkGaussianMixture(
            n_components, covariance_type=covariance_type, max_iter=2, random_state=0
        )
        sk.fit(X)
    return {"weights_init": sk.weights_, "means_init": sk.means_, "precisions_init": sk.precisions_}


def _assert_close(actual, expected, what):
    actual, expected = np.asarray(actual), np.asarray(expected)
    scale = np.maximum(np.abs(expected), 1e-12 * np.abs(expected).max())
    rel = np.max(np.abs(actual - expected) / scale)
    assert rel <= RTOL, f"{what}: max relative difference {rel:.3g} > {RTOL}"


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("n_iter", [1, 50])
def test_same_answer_as_sklearn(covariance_type, n_iter):
    X = _data()
    start = _start(X, covariance_type)
    kwargs = dict(covariance_type=covariance_type, max_iter=n_iter, tol=0.0, **start)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = SkGaussianMixture(3, **kwargs).fit(X)
        ours = GaussianMixture(3, **kwargs).fit(X)
    for name in ("weights_", "means_", "covariances_", "precisions_", "precisions_cholesky_"):
        _assert_close(getattr(ours, name), getattr(ref, name), name)
    _assert_close(ours.lower_bound_, ref.lower_bound_, "lower_bound_")
    _assert_close(ours.predict_proba(X), ref.predict_proba(X), "predict_proba")
    _assert_close(ours.score_samples(X), ref.score_samples(X), "score_samples")
    _assert_close(ours.bic(X), ref.bic(X), "bic")
    _assert_close(ours.aic(X), ref.aic(X), "aic")
    assert ours.n_iter_ == ref.n_iter_ == n_iter


def _other_data(shape, seed=1):
    """Mixture samples with n rows, d features and K clusters of different shapes."""
    n, d, K = shape
    rng = np.random.default_rng(seed)
    parts = []
    for _ in range(K):
        A = rng.normal(size=(d, d)) * 0.6 + np.eye(d)
        parts.append(rng.normal(size=(n // K, d)) @ A + rng.normal(scale=4.0, size=d))
    return np.vstack(parts)


def _compare(ours, ref, X):
    for name in ("weights_", "means_", "covariances_", "precisions_", "precisions_cholesky_"):
        _assert_close(getattr(ours, name), getattr(ref, name), name)
    _assert_close(ours.lower_bound_, ref.lower_bound_, "lower_bound_")
    _assert_close(ours.lower_bounds_, ref.lower_bounds_, "lower_bounds_")
    _assert_close(ours.predict_proba(X), ref.predict_proba(X), "predict_proba")
    _assert_close(ours.score_samples(X), ref.score_samples(X), "score_samples")
    assert ours.n_iter_ == ref.n_iter_


# (n_samples, n_features, n_components): one feature, eight features, one and five components.
SHAPES = [(400, 1, 3), (600, 8, 3), (300, 2, 1), (500, 3, 5)]


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("n_iter", [1, 50])
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: f"n{s[0]}-d{s[1]}-K{s[2]}")
def test_same_answer_as_sklearn_other_shapes(covariance_type, n_iter, shape):
    X = _other_data(shape)
    K = shape[2]
    start = _start(X, covariance_type, K)
    kwargs = dict(covariance_type=covariance_type, max_iter=n_iter, tol=0.0, **start)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = SkGaussianMixture(K, **kwargs).fit(X)
        ours = GaussianMixture(K, **kwargs).fit(X)
    _compare(ours, ref, X)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_warm_start_same_answer_as_sklearn(covariance_type):
    X = _data()
    start = _start(X, covariance_type)
    kwargs = dict(covariance_type=covariance_type, max_iter=4, tol=0.0, warm_start=True, **start)
    ref = SkGaussianMixture(3, **kwargs)
    ours = GaussianMixture(3, **kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(3):  # each fit continues from the previous parameters
            ref.fit(X)
            ours.fit(X)
            _compare(ours, ref, X)
