"""select_n_components: finds the true K, its table agrees with independent computations."""

import warnings

import numpy as np
import pytest
from scipy.stats import multivariate_normal
from sklearn.mixture import GaussianMixture as SkGaussianMixture

from gmm_from_scratch import (
    ConvergenceWarning,
    GaussianMixture,
    heldout_log_likelihood,
    kfold_indices,
    n_parameters,
    select_n_components,
)

TRUE_WEIGHTS = np.array([0.3, 0.3, 0.4])
TRUE_MEANS = np.array([[-5.0, 0.0], [5.0, 0.0], [0.0, 6.0]])
TRUE_COVS = np.array(
    [[[1.0, 0.5], [0.5, 1.5]], [[2.0, -0.6], [-0.6, 1.0]], [[1.0, 0.0], [0.0, 0.5]]]
)


def _three_component_sample(seed, n=450):
    """n draws from the known 3-component mixture above."""
    rng = np.random.default_rng(seed)
    z = rng.choice(3, size=n, p=TRUE_WEIGHTS)
    X = np.empty((n, 2))
    for k in range(3):
        idx = z == k
        X[idx] = rng.multivariate_normal(TRUE_MEANS[k], TRUE_COVS[k], size=idx.sum())
    return X


def test_bic_finds_the_true_number_of_components():
    hits = 0
    for seed in range(10):
        X = _three_component_sample(seed)
        result = select_n_components(X, range(1, 7), random_state=seed, progress=False)
        hits += result.best_n_components_ == 3
    assert hits >= 9, f"BIC chose K=3 in only {hits} of 10 seeds"


def test_heldout_likelihood_peaks_near_the_truth():
    X = _three_component_sample(123, n=600)
    result = select_n_components(
        X, range(1, 7), criterion="heldout", cv=5, random_state=0, progress=False
    )
    scores = result.column("heldout_mean")
    assert result.best_n_components_ in (3, 4)
    # Far below the truth the held-out score is clearly worse.
    assert scores[0] < scores[2] - 0.5 and scores[1] < scores[2] - 0.2
    # Adding components beyond the truth gains (almost) nothing on unseen data.
    assert scores[3:].max() < scores[2] + 0.02


def test_heldout_equals_manual_kfold_scores():
    """Each fold's score is the mean log-density (scipy) of the test rows under the fitted model."""
    X = _three_component_sample(7, n=300)
    scores = heldout_log_likelihood(X, 3, "full", cv=4, random_state=3)
    folds = kfold_indices(len(X), 4, random_state=3)
    assert scores.shape == (4,)
    for (train, test), score in zip(folds, scores, strict=True):
        gmm = GaussianMixture(3, random_state=3).fit(X[train])
        dens = sum(
            w * multivariate_normal(m, c).pdf(X[test])
            for w, m, c in zip(gmm.weights_, gmm.means_, gmm.covariances_, strict=True)
        )
        np.testing.assert_allclose(score, np.mean(np.log(dens)), rtol=1e-10)


def test_kfold_indices_partition_the_rows():
    folds = kfold_indices(103, 5, random_state=0)
    tests = np.concatenate([test for _, test in folds])
    np.testing.assert_array_equal(np.sort(tests), np.arange(103))
    for train, test in folds:
        assert len(np.intersect1d(train, test)) == 0
        assert len(train) + len(test) == 103
        assert len(test) in (20, 21)
    again = kfold_indices(103, 5, random_state=0)
    for (a, b), (c, d) in zip(folds, again, strict=True):
        np.testing.assert_array_equal(a, c)
        np.testing.assert_array_equal(b, d)


@pytest.mark.parametrize("criterion", ["bic", "aic"])
def test_table_rows_match_independent_fits(criterion):
    X = _three_component_sample(1, n=300)
    types = ("full", "tied", "diag", "spherical")
    ks = (1, 2, 3, 4)
    result = select_n_components(X, ks, types, criterion=criterion, random_state=5, progress=False)
    assert len(result.table) == len(ks) * len(types)
    assert {(r["n_components"], r["covariance_type"]) for r in result.table} == {
        (k, t) for k in ks for t in types
    }
    n = X.shape[0]
    for row in result.table:
        k, t = row["n_components"], row["covariance_type"]
        ours = GaussianMixture(k, covariance_type=t, random_state=5).fit(X)
        # The same seed gives the same fit, hence the same BIC as the estimator's own.
        np.testing.assert_allclose(row["bic"], ours.bic(X), rtol=1e-12)
        np.testing.assert_allclose(row["aic"], ours.aic(X), rtol=1e-12)
        # scikit-learn, given those fitted parameters, computes the same BIC and AIC.
        sk = SkGaussianMixture(k, covariance_type=t)
        for name in ("weights_", "means_", "covariances_", "precisions_", "precisions_cholesky_"):
            setattr(sk, name, getattr(ours, name))
        sk.n_features_in_ = 2
        np.testing.assert_allclose(row["bic"], sk.bic(X), rtol=1e-10)
        np.testing.assert_allclose(row["aic"], sk.aic(X), rtol=1e-10)
        # And by hand, from eqs. 9.5, 10.1, 10.2.
        p = n_parameters(k, 2, t)
        assert row["n_parameters"] == p == sk._n_parameters()
        loglik = np.sum(sk.score_samples(X))
        np.testing.assert_allclose(row["log_likelihood"], loglik, rtol=1e-10)
        np.testing.assert_allclose(row["bic"], -2 * loglik + p * np.log(n), rtol=1e-10)
        np.testing.assert_allclose(row["aic"], -2 * loglik + 2 * p, rtol=1e-10)
        assert np.isnan(row["heldout_mean"])
    key = result.column(criterion)
    best = result.table[int(np.argmin(key))]
    assert (result.best_n_components_, result.best_covariance_type_) == (
        best["n_components"],
        best["covariance_type"],
    )
    assert result.best_estimator_.n_components == result.best_n_components_
    assert result.best_estimator_.covariance_type == result.best_covariance_type_
    np.testing.assert_allclose(result.best_estimator_.bic(X), best["bic"], rtol=1e-12)


def test_to_pandas_and_text():
    X = _three_component_sample(2, n=200)
    result = select_n_components(X, [1, 2, 3], ("full", "diag"), random_state=0, progress=False)
    df = result.to_pandas()
    assert df.shape == (6, 9)
    np.testing.assert_array_equal(df["bic"].to_numpy(), result.column("bic"))
    assert len(result.to_string().splitlines()) == 7
    assert result.column("bic", "diag").shape == (3,)
    with pytest.raises(ValueError, match="Unknown column"):
        result.column("nope")


def test_nonconvergence_is_flagged_once():
    X = _three_component_sample(3, n=200)
    with pytest.warns(ConvergenceWarning, match="stopped at max_iter") as record:
        result = select_n_components(X, [2, 3], random_state=0, progress=False, max_iter=1, tol=0.0)
    assert sum(issubclass(w.category, ConvergenceWarning) for w in record) == 1
    assert not any(result.column("converged"))


def test_verbose_prints_one_line_per_fit(capsys):
    X = _three_component_sample(4, n=150)
    select_n_components(X, [1, 2], ("full", "spherical"), random_state=0, verbose=1, progress=False)
    lines = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("[")]
    assert len(lines) == 4


def test_core_does_not_need_tqdm_or_pandas():
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['tqdm'] = None; sys.modules['pandas'] = None\n"
        "import numpy as np\n"
        "from gmm_from_scratch import select_n_components\n"
        "X = np.random.default_rng(0).normal(size=(60, 2))\n"
        "r = select_n_components(X, [1, 2], random_state=0, progress=True)\n"
        "print(r.best_n_components_)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "2/2 fits" in out.stdout


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_components_range": []}, "empty"),
        ({"n_components_range": 3}, "iterable"),
        ({"n_components_range": [0, 1]}, ">= 1"),
        ({"n_components_range": [1.5]}, ">= 1"),
        ({"n_components_range": [1, 1]}, "repeated"),
        ({"n_components_range": [500]}, "larger than the number of samples"),
        ({"covariance_types": ("full", "banana")}, "Unknown covariance type"),
        ({"covariance_types": ()}, "empty"),
        ({"criterion": "likelihood"}, "criterion must be one of"),
        ({"criterion": "heldout", "cv": 1}, "cv must be an integer >= 2"),
        ({"criterion": "heldout", "cv": 2.5}, "cv must be an integer >= 2"),
        ({"criterion": "heldout", "cv": 100, "n_components_range": [1]}, "folds need"),
        ({"criterion": "heldout", "cv": 2, "n_components_range": [40]}, "smallest training"),
        ({"n_init": 0}, "n_init"),
        ({"random_state": 0, "n_components": 3}, "cannot be passed through"),
        ({"max_iterations": 10}, "Unknown GaussianMixture parameter"),
        ({"max_iter": -1}, "max_iter"),
    ],
)
def test_bad_arguments_raise_value_error(kwargs, message):
    X = np.random.default_rng(0).normal(size=(60, 2))
    args = {"n_components_range": [1, 2], "progress": False, **kwargs}
    with pytest.raises(ValueError, match=message):
        select_n_components(X, **args)


def test_bad_data_and_folds_raise_value_error():
    with pytest.raises(ValueError, match="2-D"):
        select_n_components(np.zeros(10), [1], progress=False)
    with pytest.raises(ValueError, match="NaN"):
        select_n_components(np.full((10, 2), np.nan), [1], progress=False)
    with pytest.raises(ValueError, match="at most one fold per sample"):
        kfold_indices(3, 4)
    with pytest.raises(ValueError, match="n_splits"):
        kfold_indices(10, 1)


def test_degenerate_fit_is_recorded_not_fatal():
    """Five distinct points repeated: K=6 forces a singular component, K=1..2 still work."""
    rng = np.random.default_rng(0)
    X = np.repeat(rng.normal(size=(5, 2)), 8, axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        result = select_n_components(X, [1, 2, 6], random_state=0, reg_covar=0.0, progress=False)
    assert np.isnan(result.table[2]["bic"])
    assert result.best_n_components_ in (1, 2)
