"""Input a new user brings, outside the book's examples: each fits or gets a clear error.

Every case here reproduced a failure on main before the package-hardening work (object
arrays refused, sparse matrices called "dtype object", NumPy errors at 1e153, NaN
responsibilities at 1e200, tiny weights moving the means 87 %, warm starts that kept or
broke the old model, a tight cluster far away losing digits, a collapsing spherical
component raising on a variance of -2.7e-37).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import scipy.sparse
from _helpers import blobs

from gmm_from_scratch import (
    COVARIANCE_TYPES,
    BayesianGaussianMixture,
    GaussianMixture,
    KMeans,
    SufficientStatistics,
    m_step,
)
from gmm_from_scratch._validation import NonNumericDataError


@pytest.fixture(scope="module")
def X():
    return blobs(seed=1, n_per=80, d=2, K=3)[0]


def _quiet_fit(estimator, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return estimator.fit(*args, **kwargs)


def test_object_array_of_numbers_is_converted(X):
    ours = GaussianMixture(3, random_state=0).fit(X.astype(object))
    ref = GaussianMixture(3, random_state=0).fit(X)
    np.testing.assert_array_equal(ours.means_, ref.means_)


def test_object_array_with_a_string_is_refused_by_name(X):
    bad = X.astype(object)
    bad[4, 1] = "seven"
    with pytest.raises(NonNumericDataError, match="could not be converted.*seven"):
        GaussianMixture(2).fit(bad)
    assert issubclass(NonNumericDataError, ValueError)
    assert issubclass(NonNumericDataError, TypeError)


@pytest.mark.parametrize("Estimator", [GaussianMixture, BayesianGaussianMixture, KMeans])
def test_sparse_matrix_is_refused_as_sparse(X, Estimator):
    with pytest.raises(ValueError, match="sparse matrix.*toarray"):
        Estimator().fit(scipy.sparse.csr_matrix(X))


def test_overflowing_spread_is_refused_and_large_scales_fit_exactly(X):
    with pytest.raises(ValueError, match="would overflow float64.*Divide X by a constant"):
        GaussianMixture(2).fit(X * 1e153)
    # Any scale that does not overflow fits, and by a power of two exactly as the data do.
    s = 2.0**400  # 2.6e120
    big = GaussianMixture(3, random_state=0, reg_covar=0.0).fit(X * s)
    ref = GaussianMixture(3, random_state=0, reg_covar=0.0).fit(X)
    np.testing.assert_allclose(big.means_ / s, ref.means_, rtol=1e-12)
    np.testing.assert_allclose(big.covariances_ / s**2, ref.covariances_, rtol=1e-10)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("scale", [1e200, -1e300, 1.7e308])
@pytest.mark.parametrize("Estimator", [GaussianMixture, BayesianGaussianMixture])
def test_points_beyond_every_component_get_an_error_not_nan(X, Estimator, scale, covariance_type):
    """Rows whose squared distances overflow: log-density -inf (never NaN), a clear error
    for responsibilities, and no NumPy RuntimeWarning on the way."""
    model = _quiet_fit(Estimator(n_components=3, covariance_type=covariance_type), X)
    far = np.array([[1.0, 1.0], [1.0, 0.0], [-0.5, 1.0]]) * scale
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        assert np.all(np.isneginf(model.score_samples(far)))
        assert np.all(np.isfinite(model.score_samples(X[:5])))
        for method in ("predict_proba", "predict"):
            with pytest.raises(ValueError, match=r"3 row\(s\).*underflows to 0.*undefined"):
                getattr(model, method)(np.vstack([X[:5], far]))


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_far_rows_with_missing_values_get_minus_inf_without_warnings(X, covariance_type):
    """The same for the marginal E-step of nan_policy='marginalize' (a NaN in the far rows)."""
    Xm = X.copy()
    Xm[::9, 1] = np.nan
    model = _quiet_fit(
        GaussianMixture(3, covariance_type=covariance_type, nan_policy="marginalize"), Xm
    )
    far = np.array([[1e200, np.nan], [1.7e308, 1.0], [np.nan, -1e300]])
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        assert np.all(np.isneginf(model.score_samples(far)))
        assert np.all(np.isfinite(model.score_samples(Xm[:9])))
        with pytest.raises(ValueError, match=r"3 row\(s\).*underflows to 0.*undefined"):
            model.predict_proba(np.vstack([Xm[:5], far]))


@pytest.mark.parametrize("scale", [1e-18, 1e-6, 1e6, 1e18])
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_weights_scaled_by_any_constant_give_the_same_fit(X, scale, covariance_type):
    w = np.random.default_rng(0).uniform(0.5, 2.0, size=len(X))
    kwargs = dict(covariance_type=covariance_type, random_state=0)
    ref = GaussianMixture(3, **kwargs).fit(X, sample_weight=w)
    scaled = GaussianMixture(3, **kwargs).fit(X, sample_weight=w * scale)
    for name in ("weights_", "means_", "covariances_"):
        np.testing.assert_allclose(getattr(scaled, name), getattr(ref, name), rtol=1e-10)
    online = GaussianMixture(3, **kwargs).partial_fit(X, sample_weight=w * scale)
    online_ref = GaussianMixture(3, **kwargs).partial_fit(X, sample_weight=w)
    np.testing.assert_allclose(online.means_, online_ref.means_, rtol=1e-10)


@pytest.mark.parametrize("Estimator", [GaussianMixture, BayesianGaussianMixture])
@pytest.mark.parametrize(
    "change", [{"n_components": 4}, {"covariance_type": "diag"}], ids=["K", "type"]
)
def test_warm_start_refuses_a_changed_structure(X, Estimator, change):
    model = _quiet_fit(Estimator(n_components=3, warm_start=True, random_state=0), X)
    model.set_params(**change)
    with pytest.raises(ValueError, match="warm_start=True continues the previous fit"):
        model.fit(X)
    model.set_params(warm_start=False)
    _quiet_fit(model, X)  # a fresh fit of the new structure works
    assert model.means_.shape[0] == model.n_components


def test_partial_fit_refuses_a_changed_structure(X):
    gmm = GaussianMixture(3, random_state=0).partial_fit(X)
    gmm.set_params(covariance_type="spherical")
    with pytest.raises(ValueError, match="partial_fit continues the current model"):
        gmm.partial_fit(X)


@pytest.mark.parametrize("Estimator", [GaussianMixture, BayesianGaussianMixture, KMeans])
def test_nan_in_a_memmap_is_named(tmp_path, X, Estimator):
    path = tmp_path / "data.npy"
    data = np.lib.format.open_memmap(path, mode="w+", dtype=np.float64, shape=X.shape)
    data[:] = X
    data[100, 1] = np.nan
    data.flush()
    mm = np.load(path, mmap_mode="r")
    with pytest.raises(ValueError, match=r"1 NaN value\(s\).*index \(100, 1\)"):
        Estimator().fit(mm)


@pytest.mark.parametrize("distance", [1e4, 1e6])
@pytest.mark.parametrize("covariance_type", ["full", "diag", "spherical"])
def test_tight_cluster_far_from_the_mixture_mean_keeps_its_digits(distance, covariance_type):
    """sigma = 1e-3 at 1e4..1e6 from a broad cluster: mean to the last bit, variance to 1e-12."""
    rng = np.random.default_rng(0)
    sigma = 1e-3
    tight = distance + rng.normal(0, sigma, size=(400, 2))
    X = np.vstack([rng.normal(0, 1, size=(600, 2)), tight])
    start_cov = {
        "full": np.array([np.eye(2), np.eye(2) * sigma**2]),
        "diag": np.array([[1.0, 1.0], [sigma**2, sigma**2]]),
        "spherical": np.array([1.0, sigma**2]),
    }[covariance_type]
    precisions = np.linalg.inv(start_cov) if covariance_type == "full" else 1 / start_cov
    gmm = GaussianMixture(
        2, covariance_type=covariance_type, weights_init=[0.6, 0.4], reg_covar=0.0,
        means_init=[[0.1, 0.0], [distance + 1e-4, distance - 1e-4]], precisions_init=precisions,
        max_iter=1, tol=0.0,
    )  # fmt: skip
    _quiet_fit(gmm, X)
    # Reference: exact sums (math.fsum) of the tight cluster, which has responsibility 1.
    mean = np.array([math.fsum(tight[:, j]) / len(tight) for j in range(2)])
    var = np.array([math.fsum((tight[:, j] - mean[j]) ** 2) / len(tight) for j in range(2)])
    assert np.all(np.abs(gmm.means_[1] - mean) <= 2 * np.spacing(distance))
    if covariance_type == "full":
        np.testing.assert_allclose(np.diag(gmm.covariances_[1]), var, rtol=1e-12)
    elif covariance_type == "diag":
        np.testing.assert_allclose(gmm.covariances_[1], var, rtol=1e-12)
    else:
        np.testing.assert_allclose(gmm.covariances_[1], var.mean(), rtol=1e-12)


def test_sklearn_collapsing_spherical_component_fits():
    """scikit-learn's test_gaussian_mixture_setting_best_params: reg_covar=0, a component
    that collapses onto one point in the first M-step. Its variance is computed directly
    about its new mean, so it is tiny but positive, never negative; the fit goes on."""
    rnd = np.random.RandomState(0)
    X = rnd.uniform(size=(30, 3))
    means_init = np.array(
        [
            [0.670637869618158, 0.21038256107384043, 0.12892629765485303],
            [0.09394051075844147, 0.5759464955561779, 0.929296197576212],
            [0.5033230372781258, 0.9569852381759425, 0.08654043447295741],
            [0.18578301420435747, 0.5531158970919143, 0.19388943970532435],
            [0.4548589928173794, 0.35182513658825276, 0.568146063202464],
            [0.609279894978321, 0.7929063819678847, 0.9620097270828052],
        ]
    )
    precisions_init = np.array(
        [999999.999604483, 999999.9990869573, 553.7603944542167, 204.78596008316834,
         15.867423501783637, 85.4595728389735]
    )  # fmt: skip
    weights_init = [1 / 30, 1 / 30, 2 / 30, 2 / 30, 21 / 30, 3 / 30]
    gmm = GaussianMixture(
        6, covariance_type="spherical", reg_covar=0, means_init=means_init,
        weights_init=weights_init, precisions_init=precisions_init, max_iter=1, random_state=rnd,
    )  # fmt: skip
    _quiet_fit(gmm, X)
    assert not gmm.converged_
    assert np.all(gmm.covariances_ > 0) and np.all(np.isfinite(gmm.precisions_cholesky_))
    for attr in ("weights_", "means_", "n_iter_", "lower_bound_", "lower_bounds_"):
        assert hasattr(gmm, attr)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_m_step_variance_cannot_go_negative(covariance_type):
    """A shift correction that rounds below zero is clipped to zero, then reg_covar is added."""
    d = 2
    delta = 1e-8
    scatter_value = delta**2 * (1 - 1e-9)  # S / N_k - delta^2 < 0 by rounding-sized amounts
    scatter = {
        "full": np.eye(d)[None] * scatter_value,
        "tied": np.eye(d) * scatter_value,
        "diag": np.full((1, d), scatter_value),
    }.get(covariance_type, np.full(1, d * scatter_value))  # spherical: the trace
    stats = SufficientStatistics(
        np.ones(1), np.full((1, d), delta), scatter, np.zeros((1, d)), 0.0, 1.0, covariance_type
    )
    _, _, cov = m_step(stats, covariance_type, reg_covar=0.0)
    diag = np.diagonal(cov, axis1=-2, axis2=-1) if covariance_type in ("full", "tied") else cov
    assert np.all(diag >= 0.0)
    _, _, cov = m_step(stats, covariance_type, reg_covar=1e-6)
    diag = np.diagonal(cov, axis1=-2, axis2=-1) if covariance_type in ("full", "tied") else cov
    np.testing.assert_allclose(diag, 1e-6, rtol=1e-12)
