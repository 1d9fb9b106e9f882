"""Bad input gives a ValueError that names the problem (and, where it can, the fix)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from _helpers import blobs

from gmm_from_scratch import (
    COVARIANCE_TYPES,
    ConvergenceWarning,
    DegenerateCovarianceError,
    GaussianMixture,
    NotFittedError,
    load_old_faithful,
    standardize,
)


@pytest.fixture(scope="module")
def X():
    return blobs(0, n_per=40, d=2, K=3)[0]


@pytest.fixture(scope="module")
def fitted(X):
    return GaussianMixture(3, random_state=0).fit(X)


# ---------------------------------------------------------------------------- X itself
def _with(X, index, value):
    X = np.array(X, dtype=float)
    X[index] = value
    return X


@pytest.mark.parametrize(
    "make_X,match",
    [
        (lambda X: _with(X, (3, 1), np.nan), r"1 NaN value\(s\).*index \(3, 1\)"),
        (lambda X: _with(X, (0, 0), np.inf), r"1 infinite value\(s\)"),
        (lambda X: _with(X, (5, 0), -np.inf), "infinite"),
        (lambda X: X[:, 0], r"2-D array.*got 1-D.*reshape\(-1, 1\)"),
        (lambda X: X[:, :, None], "2-D array.*got 3-D"),
        (lambda X: np.empty((0, 2)), "empty: it has 0 samples"),
        (lambda X: np.empty((10, 0)), r"0 feature\(s\) \(shape=\(10, 0\)\)"),
        (lambda X: X[:1], r"1 sample\(s\), but at least 2"),
        (lambda X: X.astype(str), "must contain numbers"),
        (lambda X: X + 1j, "Complex data not supported.*real-valued"),
        (lambda X: [[1.0, 2.0], [3.0]], "could not be converted|must contain numbers"),
    ],
)
def test_fit_rejects_bad_X(X, make_X, match):
    with pytest.raises(ValueError, match=match):
        GaussianMixture(1).fit(make_X(X))


def test_fewer_samples_than_components(X):
    with pytest.raises(ValueError, match="n_components=5 is larger than the number of samples"):
        GaussianMixture(5).fit(X[:4])
    # Rows with zero weight do not count.
    w = np.r_[np.ones(3), np.zeros(X.shape[0] - 3)]
    with pytest.raises(ValueError, match=r"non-zero weight \(3\)"):
        GaussianMixture(4).fit(X, sample_weight=w)


@pytest.mark.parametrize(
    "method", ["predict", "predict_proba", "score_samples", "score", "bic", "aic"]
)
def test_feature_count_mismatch_after_fit(fitted, method):
    match = "has 3 features, but GaussianMixture is expecting 2 features"
    with pytest.raises(ValueError, match=match):
        getattr(fitted, method)(np.zeros((4, 3)))


@pytest.mark.parametrize(
    "method", ["predict", "predict_proba", "score_samples", "score", "bic", "aic"]
)
def test_bad_X_after_fit(fitted, method):
    with pytest.raises(ValueError, match="NaN"):
        getattr(fitted, method)(np.array([[0.0, np.nan]]))
    with pytest.raises(ValueError, match="2-D array"):
        getattr(fitted, method)(np.zeros(2))


@pytest.mark.parametrize(
    "call",
    [
        lambda g, X: g.predict(X),
        lambda g, X: g.predict_proba(X),
        lambda g, X: g.score_samples(X),
        lambda g, X: g.score(X),
        lambda g, X: g.bic(X),
        lambda g, X: g.aic(X),
        lambda g, X: g.sample(3),
    ],
)
def test_use_before_fit(X, call):
    with pytest.raises(NotFittedError, match="not fitted yet.*call fit") as info:
        call(GaussianMixture(2), X)
    assert isinstance(info.value, ValueError)


# ---------------------------------------------------------------------- sample_weight
@pytest.mark.parametrize(
    "make_w,match",
    [
        (lambda n: -np.ones(n), "non-negative.*negative weight"),
        (lambda n: np.r_[np.ones(n - 1), -0.5], r"1 negative weight\(s\).*-0.5"),
        (lambda n: np.ones(n - 1), r"shape \(\d+,\), one weight per sample"),
        (lambda n: np.ones((n, 1)), "one weight per sample"),
        (lambda n: np.zeros(n), "sums to zero"),
        (lambda n: np.r_[np.ones(n - 1), np.nan], "NaN or infinite"),
        (lambda n: np.r_[np.ones(n - 1), np.inf], "NaN or infinite"),
    ],
)
def test_bad_sample_weight(X, make_w, match):
    with pytest.raises(ValueError, match=match):
        GaussianMixture(2).fit(X, sample_weight=make_w(X.shape[0]))


# ------------------------------------------------------------------------- parameters
@pytest.mark.parametrize(
    "params,match",
    [
        (dict(n_components=0), "n_components must be an integer >= 1, got 0"),
        (dict(n_components=1.5), "n_components must be an integer >= 1, got 1.5"),
        (dict(n_components="a"), "n_components must be an integer >= 1, got 'a'"),
        (dict(n_components=True), "n_components must be an integer"),
        (dict(covariance_type="ful"), r"covariance_type must be one of .*'full'.*got 'ful'"),
        (dict(reg_covar=-1e-6), "reg_covar must be non-negative"),
        (dict(reg_covar=np.nan), "reg_covar must be a non-negative number"),
        (dict(tol=-1.0), "tol must be non-negative"),
        (dict(tol="small"), "tol must be a non-negative number"),
        (dict(max_iter=-1), "max_iter must be an integer >= 0, got -1"),
        (dict(max_iter=2.5), "max_iter must be an integer"),
        (dict(n_init=0), "n_init must be an integer >= 1, got 0"),
        (dict(init_params="kmeans+"), r"init_params must be one of .*'k-means\+\+'"),
        (dict(verbose=-1), "verbose must be an integer >= 0"),
        (dict(block_size=0), "block_size must be an integer >= 1"),
        (dict(random_state="seed"), "random_state must be None, an int"),
    ],
)
def test_invalid_parameters(X, params, match):
    with pytest.raises(ValueError, match=match):
        GaussianMixture(**{"n_components": 2, **params}).fit(X)


def test_set_params_rejects_unknown_names():
    with pytest.raises(ValueError, match="Invalid parameter 'n_component'"):
        GaussianMixture().set_params(n_component=3)


@pytest.mark.parametrize(
    "weights,match",
    [
        ([0.5, 0.5], r"weights_init must have shape \(3,\), got \(2,\)"),
        ([[0.2, 0.3, 0.5]], r"weights_init must have shape \(3,\)"),
        ([0.5, 0.6, -0.1], r"weights_init must lie in \[0, 1\]"),
        ([0.2, 0.2, 0.2], "weights_init must sum to 1, got sum 0.6"),
        ([0.5, 0.5, np.nan], "weights_init must lie in"),
    ],
)
def test_bad_weights_init(X, weights, match):
    with pytest.raises(ValueError, match=match):
        GaussianMixture(3, weights_init=weights).fit(X)


@pytest.mark.parametrize(
    "means,match",
    [
        (np.zeros((2, 2)), r"means_init must have shape \(3, 2\), got \(2, 2\)"),
        (np.zeros((3, 3)), r"means_init must have shape \(3, 2\), got \(3, 3\)"),
        (np.zeros(6), r"means_init must have shape \(3, 2\)"),
        (np.full((3, 2), np.inf), "means_init contains NaN or infinite"),
    ],
)
def test_bad_means_init(X, means, match):
    with pytest.raises(ValueError, match=match):
        GaussianMixture(3, means_init=means).fit(X)


_NOT_PD = np.array([[1.0, 2.0], [2.0, 1.0]])  # eigenvalues 3 and -1
_NOT_SYM = np.array([[1.0, 0.5], [0.0, 1.0]])


@pytest.mark.parametrize(
    "covariance_type,precisions,match",
    [
        ("full", np.stack([np.eye(2)] * 2), r"covariance_type='full' must have shape \(3, 2, 2\)"),
        ("full", np.eye(2), r"must have shape \(3, 2, 2\), got \(2, 2\)"),
        ("full", np.stack([np.eye(2), _NOT_PD, np.eye(2)]), r"precisions_init\[1\] is not pos"),
        ("full", np.stack([np.eye(2), np.eye(2), _NOT_SYM]), r"precisions_init\[2\] is not sym"),
        ("full", np.stack([np.eye(2), np.eye(2), np.zeros((2, 2))]), "not positive definite"),
        ("tied", np.stack([np.eye(2)] * 3), r"covariance_type='tied' must have shape \(2, 2\)"),
        ("tied", _NOT_PD, "is not positive definite"),
        ("tied", np.full((2, 2), np.nan), "NaN or infinite"),
        ("diag", np.ones((3, 3)), r"covariance_type='diag' must have shape \(3, 2\)"),
        ("diag", np.r_[[[1.0, 1.0]] * 2, [[1.0, -1.0]]], "precisions_init must be positive"),
        ("spherical", np.ones((3, 2)), r"'spherical' must have shape \(3,\)"),
        ("spherical", np.array([1.0, 0.0, 1.0]), "precisions_init must be positive"),
    ],
)
def test_bad_precisions_init(X, covariance_type, precisions, match):
    with pytest.raises(ValueError, match=match):
        GaussianMixture(3, covariance_type=covariance_type, precisions_init=precisions).fit(X)


# ------------------------------------------------------------------------ degenerate data
def _collapsed_data():
    """Three distinct points, each repeated 30 times: every k-means cluster is one point."""
    return np.repeat(np.array([[0.0, 0.0], [5.0, 1.0], [1.0, 7.0]]), 30, axis=0)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_collapsed_data_without_reg_covar_raises_degenerate_error(covariance_type):
    X = _collapsed_data()
    with pytest.raises(DegenerateCovarianceError, match="Increase reg_covar") as info:
        GaussianMixture(3, covariance_type=covariance_type, reg_covar=0.0, random_state=0).fit(X)
    assert isinstance(info.value, ValueError)
    assert "collapsed" in str(info.value)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_collapsed_data_fits_thanks_to_reg_covar(covariance_type):
    X = _collapsed_data()
    gmm = GaussianMixture(3, covariance_type=covariance_type, reg_covar=1e-3, random_state=0)
    gmm.fit(X)
    assert np.all(np.isfinite(gmm.covariances_))
    np.testing.assert_allclose(np.sort(gmm.weights_), [1 / 3] * 3, rtol=1e-6)
    # Each component sits on one of the points, with exactly reg_covar as its variance.
    if covariance_type in ("diag", "spherical"):
        np.testing.assert_allclose(gmm.covariances_, 1e-3, rtol=1e-6)


def test_constant_feature(covariance_type):
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.normal(size=200), np.full(200, 3.0)])
    gmm = GaussianMixture(2, covariance_type=covariance_type, random_state=0).fit(X)
    assert np.all(np.isfinite(gmm.score_samples(X)))
    if covariance_type == "spherical":
        return  # one variance averaged over both features: not singular even without reg_covar
    with pytest.raises(DegenerateCovarianceError, match="reg_covar"):
        GaussianMixture(2, covariance_type=covariance_type, reg_covar=0.0, random_state=0).fit(X)


def test_duplicated_points_fit_with_default_reg_covar():
    rng = np.random.default_rng(1)
    X = np.vstack([rng.normal(size=(100, 2)), np.tile([[4.0, 4.0]], (50, 1))])
    gmm = GaussianMixture(2, random_state=0).fit(X)
    assert np.all(np.isfinite(gmm.score_samples(X)))


# ----------------------------------------------------------------------- convergence
def test_convergence_warning_when_max_iter_is_too_small(X):
    with pytest.warns(ConvergenceWarning, match="did not converge within max_iter=2.*max_iter"):
        gmm = GaussianMixture(3, max_iter=2, tol=1e-12, random_state=0).fit(X)
    assert not gmm.converged_
    assert gmm.n_iter_ == 2


def test_no_convergence_warning_when_converged(X):
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        gmm = GaussianMixture(3, max_iter=500, random_state=0).fit(X)
    assert gmm.converged_
    assert gmm.n_iter_ < 500


# --------------------------------------------------------------------------- datasets
def test_old_faithful_is_r_faithful():
    X = load_old_faithful()
    assert X.shape == (272, 2)
    # R's datasets::faithful, first and last rows, and its column means.
    np.testing.assert_allclose(X[0], [3.6, 79.0])
    np.testing.assert_allclose(X[-1], [4.467, 74.0])
    np.testing.assert_allclose(X.mean(axis=0), [3.487783, 70.897059], atol=1e-6)
    Z = load_old_faithful(standardize_columns=True)
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-14)
    np.testing.assert_allclose(Z.std(axis=0), 1.0, rtol=1e-14)
    np.testing.assert_allclose(Z, standardize(X))


def test_standardize_rejects_constant_columns():
    X = np.column_stack([np.arange(5.0), np.full(5, 2.0)])
    with pytest.raises(ValueError, match=r"column\(s\) \[1\] are constant"):
        standardize(X)


# ------------------------------------------------------------------ docstring examples
@pytest.mark.parametrize(
    "module",
    [
        "_validation",
        "alignment",
        "covariance",
        "datasets",
        "em",
        "gaussian",
        "history",
        "kmeans",
        "logspace",
        "mixture",
    ],
)
def test_docstring_examples_are_true(module):
    """Every ``>>>`` example in the core modules prints what the code really gives."""
    import doctest
    import importlib

    mod = importlib.import_module(f"gmm_from_scratch.{module}")
    result = doctest.testmod(mod, extraglobs={"np": np}, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} docstring example(s) of {module} are wrong"
