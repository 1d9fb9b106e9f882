"""The estimators inside scikit-learn's own tools: its estimator checks, Pipeline,
GridSearchCV, cross-validation, clone, pickling and pandas data frames."""

from __future__ import annotations

import pickle
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
import sklearn.exceptions
from _helpers import blobs
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from gmm_from_scratch import (
    BayesianGaussianMixture,
    ConvergenceWarning,
    GaussianMixture,
    KMeans,
    NotFittedError,
)


def _expected_failures(estimator):
    if isinstance(estimator, KMeans):
        # k-means++ draws its seeds from all rows: repeating a row changes the random stream,
        # so the fits with repeated rows and with integer weights start from different
        # centres (scikit-learn's own KMeans is exempted from this check for the same reason).
        return {
            "check_sample_weight_equivalence_on_dense_data": (
                "k-means++ seeding draws from the rows, so repeated rows change the random "
                "stream and the local optimum found"
            )
        }
    return {}


@parametrize_with_checks(
    [GaussianMixture(), BayesianGaussianMixture(), KMeans(n_init=2)],
    expected_failed_checks=_expected_failures,
)
def test_sklearn_estimator_checks(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)


@pytest.fixture(scope="module")
def X():
    return blobs(seed=0, n_per=100, d=3, K=3)[0]


def test_pipeline_fit_predict_score(X):
    pipe = make_pipeline(StandardScaler(), GaussianMixture(3, random_state=0)).fit(X)
    direct = GaussianMixture(3, random_state=0).fit(StandardScaler().fit_transform(X))
    Z = StandardScaler().fit(X).transform(X)
    np.testing.assert_array_equal(pipe.predict(X), direct.predict(Z))
    np.testing.assert_allclose(pipe.score_samples(X), direct.score_samples(Z), rtol=1e-12)
    assert pipe.score(X) == pytest.approx(direct.score(Z), rel=1e-12)


@pytest.mark.parametrize("with_pipeline", [False, True])
def test_grid_search_picks_the_true_number_of_components(X, with_pipeline):
    gmm = GaussianMixture(random_state=0)
    if with_pipeline:
        search = GridSearchCV(
            make_pipeline(StandardScaler(), gmm), {"gaussianmixture__n_components": [1, 2, 3]}
        )
    else:
        search = GridSearchCV(gmm, {"n_components": [1, 2, 3]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no failed fits, no NaN scores turned into warnings
        search.fit(X)
    scores = search.cv_results_["mean_test_score"]
    assert np.all(np.isfinite(scores))
    assert np.all(np.diff(scores) > 0), scores  # held-out log-likelihood grows up to K = 3
    best = search.best_params_
    assert list(best.values()) == [3]


def test_cross_val_score_is_the_held_out_log_likelihood(X):
    scores = cross_val_score(GaussianMixture(3, random_state=0), X, cv=3)
    folds = np.array_split(np.arange(len(X)), 3)
    for score, test in zip(scores, folds, strict=True):
        train = np.setdiff1d(np.arange(len(X)), test)
        ref = GaussianMixture(3, random_state=0).fit(X[train]).score(X[test])
        assert score == pytest.approx(ref, rel=1e-12)


@pytest.mark.parametrize(
    "estimator",
    [GaussianMixture(2, covariance_type="diag", random_state=3), KMeans(4, random_state=1)],
    ids=["GaussianMixture", "KMeans"],
)
def test_clone_and_pickle(estimator, X):
    copy = clone(estimator)
    assert copy is not estimator and copy.get_params() == estimator.get_params()
    assert not hasattr(copy, "n_features_in_")
    fitted = clone(estimator).fit(X)
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.predict(X), fitted.predict(X))


def test_data_frames_record_and_check_feature_names(X):
    df = pd.DataFrame(X, columns=["length", "width", "depth"])
    gmm = GaussianMixture(3, random_state=0).fit(df)
    np.testing.assert_array_equal(gmm.feature_names_in_, ["length", "width", "depth"])
    np.testing.assert_array_equal(gmm.predict(df), gmm.predict(X[:, :]))
    with pytest.raises(ValueError, match="must be in the same order as they were in fit"):
        gmm.predict(df[["width", "length", "depth"]])
    with pytest.raises(ValueError, match="(?s)unseen at fit time.*- height"):
        gmm.score_samples(df.rename(columns={"depth": "height"}))
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        gmm.predict(X)
    # Refitting on an array forgets the names.
    gmm.fit(X)
    assert not hasattr(gmm, "feature_names_in_")
    km = KMeans(3, random_state=0).fit(df)
    with pytest.raises(ValueError, match="same order"):
        km.predict(df[["depth", "width", "length"]])


def test_errors_and_warnings_are_also_sklearns_classes(X):
    with pytest.raises(sklearn.exceptions.NotFittedError):
        GaussianMixture(2).predict(X)
    with pytest.raises(NotFittedError):  # and still the package's own
        KMeans(2).predict(X)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        GaussianMixture(3, max_iter=1, random_state=0).fit(X)
    categories = [w.category for w in caught]
    assert any(issubclass(c, sklearn.exceptions.ConvergenceWarning) for c in categories)
    assert any(issubclass(c, ConvergenceWarning) for c in categories)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", category=sklearn.exceptions.ConvergenceWarning)
        GaussianMixture(3, max_iter=1, random_state=0).fit(X)  # filtered: no error


def test_core_imports_without_sklearn():
    """scikit-learn stays optional: importing and fitting never imports it."""
    code = (
        "import sys, numpy as np\n"
        "sys.modules['sklearn'] = None  # any import of scikit-learn now fails\n"
        "from gmm_from_scratch import GaussianMixture, NotFittedError\n"
        "X = np.random.default_rng(0).normal(size=(50, 2))\n"
        "GaussianMixture(2, random_state=0).fit(X).predict(X)\n"
        "try:\n"
        "    GaussianMixture(2).predict(X)\n"
        "except NotFittedError as exc:\n"
        "    print('ok', type(exc).__mro__[1].__module__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("ok"), out.stderr
