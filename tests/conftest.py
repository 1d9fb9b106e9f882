"""Fixtures shared by the package tests (helpers live in ``_helpers.py``)."""

import pytest

from gmm_from_scratch import COVARIANCE_TYPES


@pytest.fixture(params=COVARIANCE_TYPES)
def covariance_type(request):
    """Every covariance type in turn."""
    return request.param
