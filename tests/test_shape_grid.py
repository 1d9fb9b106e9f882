"""Ordinary shapes, all of them: every covariance type over a grid of n, d and K.

The first review found a crash on ``GaussianMixture(2).fit(X)`` with 32 features that 687
tests had never tried, because they all used the book's small examples. This grid fits
``n in {K, 50, 1000, 200000}``, ``d in {1, 2, 32, 64, 200}``, ``K in {1, 2, 40}`` (``n >= K``)
from the same start as scikit-learn and compares the parameters and ``predict_proba`` after
one EM iteration (which keeps it fast). Where the two disagree, an independent, slow and
stable reference iteration decides, and ours must be the closer one. The decision to use
threads is forced both ways on the shapes where it matters.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
from _helpers import full_covariances
from scipy.special import logsumexp
from scipy.stats import multivariate_normal
from sklearn.mixture import GaussianMixture as SkGaussianMixture

from gmm_from_scratch import COVARIANCE_TYPES, BayesianGaussianMixture, GaussianMixture, em

#: Normwise relative agreement of every parameter with scikit-learn's, and absolute
#: agreement of the responsibilities (they lie in [0, 1]).
RTOL = 1e-8
ATOL_PROBA = 1e-8

SHAPES = [
    (n, d, K)
    for n, d, K in itertools.product([None, 50, 1000, 200_000], [1, 2, 32, 64, 200], [1, 2, 40])
    if n is None or n >= K
]

#: One full or tied iteration costs about ``n K d^2`` multiply-adds in each library; above
#: this the cell is skipped (200000 x 200 with K = 40 takes four minutes of CPU for the two
#: libraries together). The speed at such sizes is the benchmark's business.
MAX_FULL_WORK = 2e10


def _data(n: int, d: int, seed: int = 0) -> np.ndarray:
    """Three overlapping, correlated clusters (so that responsibilities are not trivial)."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=3.0, size=(3, d))
    A = np.eye(d) + 0.3 * rng.normal(size=(d, d)) / np.sqrt(d)
    return centres[rng.integers(0, 3, n)] + rng.normal(size=(n, d)) @ A


def _start(X: np.ndarray, K: int, covariance_type: str) -> dict:
    """A common start: K distinct rows as means, the data's variance as every covariance."""
    rng = np.random.default_rng(1)
    n, d = X.shape
    means = X[rng.choice(n, size=K, replace=False)]
    var = X.var(axis=0) + 1e-3
    precisions = {
        "full": np.repeat(np.diag(1 / var)[None], K, axis=0),
        "tied": np.diag(1 / var),
        "diag": np.repeat((1 / var)[None], K, axis=0),
        "spherical": np.full(K, 1 / var.mean()),
    }[covariance_type]
    return {"weights_init": np.full(K, 1 / K), "means_init": means, "precisions_init": precisions}


def _fit_both(X, start, covariance_type):
    """One EM iteration of each library from ``start``."""
    K = len(start["weights_init"])
    kwargs = dict(covariance_type=covariance_type, max_iter=1, tol=0.0, **start)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # not converged after max_iter: expected here
        ours = GaussianMixture(K, **kwargs).fit(X)
        ref = SkGaussianMixture(K, **kwargs).fit(X)
    return ours, ref


def _assert_normwise_close(actual, expected, what, rtol=RTOL):
    actual, expected = np.asarray(actual), np.asarray(expected)
    err = np.max(np.abs(actual - expected)) / max(np.max(np.abs(expected)), 1e-300)
    assert err <= rtol, f"{what}: normwise relative difference {err:.3g} > {rtol:.3g}"


def _factor_tolerance(cov, covariance_type) -> float:
    """``eps * cond``: how far rounding alone moves the Cholesky factor of ``cov``'s inverse.

    (Elementwise ``1 / sqrt`` for ``diag`` and ``spherical``: a few roundings, ``RTOL``.)
    """
    if covariance_type not in ("full", "tied"):
        return RTOL
    return float(np.finfo(float).eps * np.max(np.linalg.cond(cov)))


PARAMETERS = ("weights_", "means_", "covariances_", "precisions_cholesky_")


def _normwise_error(actual, expected) -> float:
    actual, expected = np.asarray(actual), np.asarray(expected)
    return float(np.max(np.abs(actual - expected)) / max(np.max(np.abs(expected)), 1e-300))


def _compare(ours, ref, X):
    for name in PARAMETERS:
        _assert_normwise_close(getattr(ours, name), getattr(ref, name), name)
    proba = ours.predict_proba(X)
    np.testing.assert_allclose(proba, ref.predict_proba(X), rtol=0, atol=ATOL_PROBA)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    assert np.array_equal(ours.predict(X), np.argmax(proba, axis=1))


def _reference_iteration(X, start, covariance_type, reg_covar=1e-6):
    """One EM iteration written the slow, stable way, independently of both libraries.

    E-step with SciPy's densities; M-step with two passes (means first, then squares of
    the deviations from them), which loses no digits to cancellation.
    """
    n, d = X.shape
    K = len(start["weights_init"])
    P = np.asarray(start["precisions_init"], dtype=float)
    covs = full_covariances(
        np.linalg.inv(P) if covariance_type in ("full", "tied") else 1.0 / P, covariance_type, K, d
    )
    log_joint = np.column_stack(
        [
            multivariate_normal(start["means_init"][k], covs[k]).logpdf(X).reshape(n)
            for k in range(K)
        ]
    ) + np.log(start["weights_init"])
    resp = np.exp(log_joint - logsumexp(log_joint, axis=1, keepdims=True))
    nk = resp.sum(axis=0) + 10 * np.finfo(float).eps
    means = resp.T @ X / nk[:, None]
    scatter = np.stack([((X - means[k]).T * resp[:, k]) @ (X - means[k]) for k in range(K)])
    if covariance_type == "full":
        cov = scatter / nk[:, None, None] + reg_covar * np.eye(d)
    elif covariance_type == "tied":
        cov = scatter.sum(axis=0) / nk.sum() + reg_covar * np.eye(d)
    else:
        var = np.diagonal(scatter, axis1=1, axis2=2) / nk[:, None] + reg_covar
        cov = var if covariance_type == "diag" else var.mean(axis=1)
    return {"weights_": nk / nk.sum(), "means_": means, "covariances_": cov}


def _precisions_cholesky(cov, covariance_type):
    """``inv(cholesky(cov)).T``: an upper factor of the precision, by NumPy's routines."""
    if covariance_type not in ("full", "tied"):
        return 1.0 / np.sqrt(cov)
    chol = np.linalg.cholesky(cov)
    eye = np.broadcast_to(np.eye(cov.shape[-1]), chol.shape)
    return np.swapaxes(np.linalg.solve(chol, eye), -1, -2)


def _compare_or_explain(ours, ref, X, start, covariance_type):
    """Agree with scikit-learn; where it does not, be the closer one to the stable reference.

    scikit-learn's tied, diag and spherical M-steps expand ``E[x^2] - mu^2``, which cancels
    when a component holds one or a few points (n = K, n < d): there its answer is the less
    accurate one, and the reference shows it.
    """
    try:
        _compare(ours, ref, X)
        return
    except AssertionError:
        pass
    exact = _reference_iteration(X, start, covariance_type)
    # The precisions' factor of a covariance with condition number 1e9 (n < d, reg_covar
    # 1e-6) moves by 1e-7 when the covariance moves by one rounding: it is checked as the
    # factor of our own covariances, which are checked against the reference, to what that
    # conditioning allows (eps * cond). NumPy's and SciPy's LAPACK builds differ by 2e-8 on
    # such a matrix, scikit-learn's own factor too; the factor of any other matrix is off by
    # far more.
    _assert_normwise_close(
        ours.precisions_cholesky_, _precisions_cholesky(ours.covariances_, covariance_type),
        "precisions_cholesky_ of our covariances_",
        rtol=max(RTOL, _factor_tolerance(ours.covariances_, covariance_type)),
    )  # fmt: skip
    for name in PARAMETERS[:3]:
        err_ours = _normwise_error(getattr(ours, name), exact[name])
        err_sklearn = _normwise_error(getattr(ref, name), exact[name])
        assert err_ours <= max(RTOL, err_sklearn), (
            f"{name}: ours is {err_ours:.3g} from the stable reference, scikit-learn "
            f"{err_sklearn:.3g}"
        )


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("n,d,K", SHAPES, ids=lambda v: str(v))
def test_grid_matches_sklearn(n, d, K, covariance_type):
    n = K if n is None else n
    if covariance_type in ("full", "tied") and n * K * d * d > MAX_FULL_WORK:
        pytest.skip(f"n K d^2 = {n * K * d * d:.1e} > {MAX_FULL_WORK:.0e}: too slow for a test")
    X = _data(n, d)
    if n < 2:
        # One sample: both libraries refuse, ours saying why.
        with pytest.raises(ValueError, match="at least 2"):
            GaussianMixture(K, covariance_type=covariance_type).fit(X)
        with pytest.raises(ValueError):
            SkGaussianMixture(K, covariance_type=covariance_type).fit(X)
        return
    start = _start(X, K, covariance_type)
    ours, ref = _fit_both(X, start, covariance_type)
    _compare_or_explain(ours, ref, X, start, covariance_type)


@pytest.mark.parametrize("K,d,n", [(2, 32, 1000), (1, 46, 1000), (3, 64, 600), (2, 200, 50)])
def test_reported_crash_shapes_fit_with_default_settings(K, d, n):
    """The shapes that raised ``max_workers must be greater than 0`` (one block, heavy work)."""
    X = np.random.default_rng(0).normal(size=(n, d))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gmm = GaussianMixture(K, random_state=0).fit(X)
        GaussianMixture(K, random_state=0).partial_fit(X)
        BayesianGaussianMixture(n_components=K, random_state=0, max_iter=5).fit(X)
    assert gmm.means_.shape == (K, d) and np.isfinite(gmm.lower_bound_)


@pytest.fixture(params=[None, True, False], ids=["auto", "threads", "no-threads"])
def threading(request, monkeypatch):
    """Force the pass's threading decision (``em.USE_THREADS``) one way or the other."""
    monkeypatch.setattr(em, "USE_THREADS", request.param)
    return request.param


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize(
    "n,d,K,block_size", [(50, 32, 2, None), (1000, 32, 2, 64), (3000, 8, 5, 256)]
)
def test_threading_forced_on_and_off_gives_the_same_fit(
    threading, n, d, K, block_size, covariance_type
):
    X = _data(n, d, seed=3)
    kwargs = dict(covariance_type=covariance_type, max_iter=3, tol=0.0, block_size=block_size)
    kwargs.update(_start(X, K, covariance_type))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = GaussianMixture(K, **kwargs).fit(X)
        del kwargs["block_size"]
        ref = SkGaussianMixture(K, **kwargs).fit(X)
    _compare(ours, ref, X)


def test_thread_count_is_at_least_one_and_at_most_the_blocks(monkeypatch):
    for setting in (None, True, False):
        monkeypatch.setattr(em, "USE_THREADS", setting)
        for n_blocks in (1, 2, 3, 10):
            for K, d in ((1, 1), (2, 32), (40, 200)):
                t = em._n_threads(K, d, "full", n_blocks, in_memory=True)
                assert 1 <= t <= n_blocks
                if setting is False:
                    assert t == 1
    monkeypatch.setattr(em, "USE_THREADS", True)
    assert em._n_threads(2, 2, "diag", 10, in_memory=True) == min(em.N_THREADS, 10)
