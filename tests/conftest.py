"""Fixtures shared by the package tests (helpers live in ``_helpers.py``)."""

import pytest
from threadpoolctl import threadpool_limits

from gmm_from_scratch import COVARIANCE_TYPES


@pytest.fixture(scope="session", autouse=True)
def _one_thread_per_test_process():
    """Single-threaded BLAS/OpenMP: the test problems are small, and on a loaded machine
    scikit-learn's OpenMP threads spin-wait (a 0.1 s KMeans took 8 s with 2 busy cores)."""
    with threadpool_limits(limits=1):
        yield


@pytest.fixture(params=COVARIANCE_TYPES)
def covariance_type(request):
    """Every covariance type in turn."""
    return request.param
