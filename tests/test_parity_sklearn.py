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
        [rng.normal(-3, 1, (300, 3)), rng.normal(2, 1.5, (300, 3)) @ A, rng.normal(5, 0.5, (200, 3))]
    )


def _start(X, covariance_type):
    """A common start: scikit-learn's parameters after 2 iterations from its own k-means init."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sk = SkGaussianMixture(3, covariance_type=covariance_type, max_iter=2, random_state=0)
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
