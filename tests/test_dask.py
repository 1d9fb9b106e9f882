"""Distributed EM on Dask gives the in-memory answer (a LocalCluster on the loopback address)."""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest
from _helpers import blobs

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")

from gmm_from_scratch import GaussianMixture, em_pass  # noqa: E402
from gmm_from_scratch.covariance import precisions_cholesky_from_covariances  # noqa: E402
from gmm_from_scratch.scale import DaskGaussianMixture, dask_em_pass  # noqa: E402


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=":0", silence_logs=40,
    ) as cluster, distributed.Client(cluster) as c:  # fmt: skip
        yield c


def _start(X, covariance_type):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = GaussianMixture(3, covariance_type=covariance_type, max_iter=2, random_state=0).fit(X)
    return dict(weights_init=g.weights_, means_init=g.means_, precisions_init=g.precisions_)


def test_dask_pass_equals_in_memory_pass(covariance_type):
    X, _, _ = blobs(1, n_per=500, d=3)
    rng = np.random.default_rng(0)
    sw = rng.uniform(0.5, 2.0, size=len(X))
    start = _start(X, covariance_type)
    cov = GaussianMixture(3, covariance_type=covariance_type, max_iter=1, tol=0, **start)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cov.fit(X)
    P = precisions_cholesky_from_covariances(cov.covariances_, covariance_type)
    ref, _ = em_pass(X, cov.weights_, cov.means_, P, covariance_type, sw)
    got, _ = dask_em_pass(da.from_array(X, chunks=(333, 2)), cov.weights_, cov.means_, P,
                          covariance_type, da.from_array(sw, chunks=100))  # fmt: skip
    for name in ("nk", "sum_x", "scatter"):
        a, b = getattr(got, name), getattr(ref, name)
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-10 * np.abs(b).max())
    np.testing.assert_allclose(got.log_likelihood, ref.log_likelihood, rtol=1e-12)


@pytest.mark.slow
def test_distributed_fit_equals_in_memory_fit(client, covariance_type):
    X, _, _ = blobs(2, n_per=700, d=3)
    start = _start(X, covariance_type)
    kw = dict(covariance_type=covariance_type, tol=0.0, max_iter=10, **start)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = GaussianMixture(3, **kw).fit(X)
        got = DaskGaussianMixture(3, **kw).fit(da.from_array(X, chunks=(500, 3)))
    for name in ("weights_", "means_", "covariances_", "lower_bound_"):
        np.testing.assert_allclose(getattr(got, name), getattr(ref, name), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(got.predict_proba(X), ref.predict_proba(X), atol=1e-9)


def test_distributed_fit_with_its_own_initialization(client):
    X, _, centres = blobs(3, n_per=400, d=2)
    got = DaskGaussianMixture(3, random_state=0, tol=1e-6, max_iter=300).fit(
        da.from_array(X, chunks=(256, 2))
    )
    assert got.converged_
    np.testing.assert_allclose(np.sort(got.means_[:, 0]), np.sort(centres[:, 0]), atol=0.3)


def test_dask_rejects_history_and_nan():
    X, _, _ = blobs(0, n_per=50, d=2)
    with pytest.raises(ValueError, match="responsibilities"):
        DaskGaussianMixture(2, record_history=True, random_state=0).fit(da.from_array(X))
    X[10, 0] = np.nan
    start = dict(weights_init=[0.5, 0.5], means_init=np.zeros((2, 2)),
                 precisions_init=np.stack([np.eye(2)] * 2))  # fmt: skip
    with pytest.raises(ValueError, match="NaN"):
        DaskGaussianMixture(2, **start).fit(da.from_array(X, chunks=(40, 2)))


def test_core_package_imports_without_dask():
    code = (
        "import sys; sys.modules['dask'] = None; sys.modules['distributed'] = None\n"
        "import gmm_from_scratch, gmm_from_scratch.online, gmm_from_scratch.em\n"
        "assert 'dask.array' not in sys.modules\n"
        "try:\n    from gmm_from_scratch.scale import dask_em_pass\n"
        "    dask_em_pass(None, None, None, None, 'full')\n"
        "except ImportError as e:\n    assert 'scale' in str(e)\n"
        "else:\n    raise SystemExit('no ImportError')\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
