"""float32 input stays float32 (issue 18): no float64 copy of the data, float64 results.

Every float32 value is exactly a float64 value, and the package converts one block of rows
at a time, so fitting float32 data must give the float64 fit of the same values (to
rounding), while the data is never copied whole. The references are independent of the
float32 path: the float64 fit of ``X32.astype(np.float64)``, NumPy's own variance, and, for
memory, the size of the data and the cost of that float64 copy measured with ``tracemalloc``
(which sees NumPy's allocations).
"""

from __future__ import annotations

import tracemalloc
import warnings

import numpy as np
import pytest
from _helpers import blobs

from gmm_from_scratch import (
    BayesianGaussianMixture,
    GaussianMixture,
    KMeans,
    em,
    kmeans_plusplus,
    select_n_components,
)
from gmm_from_scratch._validation import check_array
from gmm_from_scratch.kmeans import column_variances

TYPES = ("full", "tied", "diag", "spherical")
PARAMS = ("weights_", "means_", "covariances_", "precisions_cholesky_")


def _fit(X, covariance_type, estimator=GaussianMixture, **kw):
    options = dict(n_components=3, covariance_type=covariance_type, random_state=0)
    options.update(kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # max_iter reached in the short fits is fine here
        return estimator(**options).fit(X)


def _max_rel_diff(a, b) -> float:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


def _peak_bytes(fn) -> int:
    em._single_threaded_blas()  # its first call loads threadpoolctl: not the fit's memory
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _data32(n_per=400, d=3, K=3, seed=0):
    X, _, _ = blobs(seed, n_per=n_per, d=d, K=K, spread=8.0)
    return X.astype(np.float32)


@pytest.mark.parametrize("covariance_type", TYPES)
def test_float32_fit_is_the_float64_fit_of_the_same_values(covariance_type):
    X32 = _data32()
    ours = _fit(X32, covariance_type, max_iter=20, tol=0.0)
    ref = _fit(X32.astype(np.float64), covariance_type, max_iter=20, tol=0.0)
    for name in PARAMS:
        assert getattr(ours, name).dtype == np.float64, name
        # The goal is 1e-6; all arithmetic is float64, so rounding is far below it.
        assert _max_rel_diff(getattr(ours, name), getattr(ref, name)) < 1e-10, name
    assert ours.n_iter_ == ref.n_iter_
    assert abs(ours.lower_bound_ - ref.lower_bound_) <= 1e-10 * abs(ref.lower_bound_)


@pytest.mark.parametrize("covariance_type", TYPES)
def test_inference_on_float32_gives_float64_outputs(covariance_type):
    X32 = _data32()
    X64 = X32.astype(np.float64)
    gm = _fit(X64, covariance_type, max_iter=5)
    proba, scores = gm.predict_proba(X32), gm.score_samples(X32)
    assert proba.dtype == np.float64 and scores.dtype == np.float64
    np.testing.assert_allclose(proba, gm.predict_proba(X64), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(scores, gm.score_samples(X64), rtol=1e-12)
    np.testing.assert_array_equal(gm.predict(X32), gm.predict(X64))
    assert gm.score(X32) == pytest.approx(gm.score(X64), rel=1e-12)
    assert np.issubdtype(gm.predict(X32).dtype, np.integer)


@pytest.mark.parametrize("covariance_type", TYPES)
def test_float32_far_from_the_origin_loses_no_digits(covariance_type):
    """Hidden cancellation: float32 data translated by 1e4 (its spacing there is 2**-10).

    The float32 values, converted to float64 and moved back by exactly -1e4, are the
    reference data; EM is translation-equivariant, so from the translated start the fit must
    give the same covariances and weights, and means moved by exactly 1e4. Squares summed in
    float32, or ``E[x^2] - mu^2`` at 1e4, would lose the covariances entirely.
    """
    X32 = (_data32(d=4) + np.float32(1e4)).astype(np.float32)
    assert X32.dtype == np.float32 and float(X32.min()) > 9e3
    X_moved = X32.astype(np.float64) - 1e4  # exact: same binade, multiples of 2**-10
    start = _fit(X_moved, covariance_type, max_iter=1)
    init = dict(weights_init=start.weights_, means_init=start.means_ + 1e4,
                precisions_init=start.precisions_)  # fmt: skip
    far = _fit(X32, covariance_type, max_iter=15, tol=0.0, **init)
    init["means_init"] = start.means_
    near = _fit(X_moved, covariance_type, max_iter=15, tol=0.0, **init)
    assert _max_rel_diff(far.covariances_, near.covariances_) < 1e-9
    assert _max_rel_diff(far.weights_, near.weights_) < 1e-9
    # Means at 1e4: the same to a few float64 ulps of 1e4 (1.8e-12 each).
    np.testing.assert_allclose(far.means_ - 1e4, near.means_, rtol=0, atol=1e-9)


def test_no_float64_copy_of_the_data_peak_memory_at_most_half():
    """tracemalloc peak of a float32 fit vs what a float64 copy plus a float64 fit costs."""
    rng = np.random.default_rng(1)
    n, d, K = 120_000, 64, 2
    X32 = (rng.normal(size=(n, d)) + 4.0 * rng.integers(K, size=n)[:, None]).astype(np.float32)
    kw = dict(n_components=K, covariance_type="diag", max_iter=3, tol=0.0, random_state=0)
    previous, em.USE_THREADS = em.USE_THREADS, False  # deterministic temporaries
    try:
        _fit(X32[:2000], **kw)  # first-call imports are not the fit's memory
        peak32 = _peak_bytes(lambda: _fit(X32, **kw))
        peak_copy = _peak_bytes(lambda: _fit(X32.astype(np.float64), **kw))
    finally:
        em.USE_THREADS = previous
    # No copy of the data in either precision, and at most half of converting it first.
    assert peak32 < X32.nbytes, (peak32, X32.nbytes)
    assert peak32 <= 0.5 * peak_copy, (peak32, peak_copy)
    assert peak_copy >= 2 * X32.nbytes  # the reference really holds a float64 copy


@pytest.mark.parametrize("covariance_type", TYPES)
def test_float32_fit_peak_memory_is_below_the_data_size(covariance_type):
    rng = np.random.default_rng(2)
    n, d, K = 80_000, 48, 3
    X32 = (rng.normal(size=(n, d)) + 3.0 * rng.integers(K, size=n)[:, None]).astype(np.float32)
    kw = dict(n_components=K, max_iter=2, tol=0.0, random_state=0)
    previous, em.USE_THREADS = em.USE_THREADS, False
    try:
        peak = _peak_bytes(lambda: _fit(X32, covariance_type, **kw))
        gm = _fit(X32, covariance_type, **kw)
        peak_predict = _peak_bytes(lambda: gm.predict_proba(X32))
    finally:
        em.USE_THREADS = previous
    assert peak < X32.nbytes, (peak, X32.nbytes)
    # predict_proba returns n x K float64; beyond it only block-sized temporaries.
    assert peak_predict < n * K * 8 * 3 + 8 * 2**20, peak_predict


def test_validation_keeps_float32_only_when_asked():
    X32 = _data32()
    kept = check_array(X32, keep_float32=True)
    assert kept.dtype == np.float32 and np.shares_memory(kept, X32)
    assert check_array(X32).dtype == np.float64  # the default stays float64
    assert check_array(X32.astype(np.float16), keep_float32=True).dtype == np.float64
    X32[5, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        check_array(X32, keep_float32=True)


def test_kmeans_on_float32_without_full_size_temporaries():
    rng = np.random.default_rng(3)
    n, d, K = 100_000, 64, 4
    X32 = (rng.normal(size=(n, d)) + 5.0 * rng.integers(K, size=n)[:, None]).astype(np.float32)
    X64 = X32.astype(np.float64)
    km32 = KMeans(K, n_init=1, random_state=0).fit(X32)
    km64 = KMeans(K, n_init=1, random_state=0).fit(X64)
    assert km32.cluster_centers_.dtype == np.float64
    np.testing.assert_allclose(km32.cluster_centers_, km64.cluster_centers_, rtol=1e-12)
    np.testing.assert_array_equal(km32.labels_, km64.labels_)
    np.testing.assert_array_equal(km32.predict(X32), km64.predict(X64))
    centres, idx = kmeans_plusplus(X32, K, random_state=0)
    assert centres.dtype == np.float64
    np.testing.assert_array_equal(centres, X64[idx])
    peak = _peak_bytes(lambda: KMeans(K, n_init=1, random_state=0).fit(X32))
    assert peak < 0.5 * X32.nbytes, (peak, X32.nbytes)


def test_column_variances_match_numpy():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(70_000, 3)) * [1.0, 1e-3, 10.0] + [0.0, 1e4, -5.0]
    np.testing.assert_allclose(column_variances(X), np.var(X, axis=0), rtol=1e-9)
    X32 = X.astype(np.float32)
    np.testing.assert_allclose(
        column_variances(X32), np.var(X32.astype(np.float64), axis=0), rtol=1e-9
    )


def test_partial_fit_on_float32_batches_is_the_float64_one():
    X32 = _data32(n_per=300)
    X32 = X32[np.random.default_rng(5).permutation(len(X32))]
    models = []
    for X in (X32, X32.astype(np.float64)):
        gm = GaussianMixture(3, covariance_type="diag", random_state=0)
        for batch in np.array_split(X, 6):
            gm.partial_fit(batch)
        models.append(gm)
    for name in PARAMS:
        assert getattr(models[0], name).dtype == np.float64
        assert _max_rel_diff(getattr(models[0], name), getattr(models[1], name)) < 1e-10, name


def _fit_bayesian(X, covariance_type, **kw):
    return _fit(X, covariance_type, BayesianGaussianMixture, **kw)


@pytest.mark.parametrize("covariance_type", TYPES)
def test_bayesian_float32_fit_is_the_float64_fit_of_the_same_values(covariance_type):
    X32 = _data32()
    X64 = X32.astype(np.float64)
    ours = _fit_bayesian(X32, covariance_type, max_iter=20, tol=0.0)
    ref = _fit_bayesian(X64, covariance_type, max_iter=20, tol=0.0)
    for name in PARAMS + ("mean_prior_", "covariance_prior_", "degrees_of_freedom_"):
        assert np.asarray(getattr(ours, name)).dtype == np.float64, name
        assert _max_rel_diff(getattr(ours, name), getattr(ref, name)) < 1e-10, name
    assert abs(ours.lower_bound_ - ref.lower_bound_) <= 1e-10 * abs(ref.lower_bound_)
    np.testing.assert_allclose(ours.predict_proba(X32), ref.predict_proba(X64), atol=1e-10)
    np.testing.assert_allclose(ours.score_samples(X32), ref.score_samples(X64), rtol=1e-10)


@pytest.mark.parametrize("covariance_type", TYPES)
def test_bayesian_default_covariance_prior_is_the_sample_covariance(covariance_type):
    """The data-based prior (scikit-learn's default) against NumPy's, on float32 data."""
    X32 = _data32() + np.float32(1e3)  # far from 0: a one-pass formula would lose digits
    X64 = X32.astype(np.float64)
    prior = _fit_bayesian(X32, covariance_type, max_iter=1).covariance_prior_
    expected = {"full": np.cov(X64.T), "tied": np.cov(X64.T),
                "diag": np.var(X64, axis=0, ddof=1)}.get(
        covariance_type, np.var(X64, axis=0, ddof=1).mean())  # fmt: skip
    np.testing.assert_allclose(prior, expected, rtol=1e-10)


def test_bayesian_float32_fit_makes_no_float64_copy():
    """A float64 copy alone would be twice the data; block temporaries are ~16 MiB at most."""
    rng = np.random.default_rng(6)
    n, d, K = 200_000, 48, 3
    X32 = (rng.normal(size=(n, d)) + 3.0 * rng.integers(K, size=n)[:, None]).astype(np.float32)
    kw = dict(max_iter=2, tol=0.0)
    previous, em.USE_THREADS = em.USE_THREADS, False
    try:
        for covariance_type in TYPES:
            _fit_bayesian(X32[:2000], covariance_type, **kw)  # first-call imports
            peak = _peak_bytes(lambda ct=covariance_type: _fit_bayesian(X32, ct, **kw))
            assert peak < X32.nbytes, (covariance_type, peak, X32.nbytes)
    finally:
        em.USE_THREADS = previous


@pytest.mark.parametrize("criterion", ["bic", "heldout"])
def test_model_selection_on_float32_is_the_float64_one(criterion):
    X32 = _data32(n_per=150)
    kw = dict(covariance_types=("full", "diag"), criterion=criterion, cv=3, random_state=0,
              progress=False, max_iter=30)  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = select_n_components(X32, range(1, 5), **kw)
        ref = select_n_components(X32.astype(np.float64), range(1, 5), **kw)
    assert (ours.best_n_components_, ours.best_covariance_type_) == (
        ref.best_n_components_, ref.best_covariance_type_,
    )  # fmt: skip
    for a, b in zip(ours.table, ref.table, strict=True):
        for key, value in b.items():
            if isinstance(value, float):
                assert a[key] == pytest.approx(value, rel=1e-10, nan_ok=True), key
            else:
                assert a[key] == value, key


def test_model_selection_makes_no_float64_copy():
    rng = np.random.default_rng(7)
    n, d = 300_000, 16
    X32 = (rng.normal(size=(n, d)) + 4.0 * rng.integers(2, size=n)[:, None]).astype(np.float32)
    kw = dict(covariance_types=("diag",), random_state=0, progress=False, max_iter=2, tol=0.0)
    previous, em.USE_THREADS = em.USE_THREADS, False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            select_n_components(X32[:2000], range(1, 3), **kw)  # first-call imports
            peak = _peak_bytes(lambda: select_n_components(X32, range(1, 3), **kw))
    finally:
        em.USE_THREADS = previous
    # A float64 copy alone would be twice the data (it was: 60 MB); the rest is n x K arrays.
    assert peak < 2 * X32.nbytes, (peak, X32.nbytes)
