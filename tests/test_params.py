"""The estimators speak scikit-learn's parameter protocol (one implementation: _params.py)."""

import pytest
from sklearn.base import clone

from gmm_from_scratch import BayesianGaussianMixture, GaussianMixture


@pytest.mark.parametrize("cls", [GaussianMixture, BayesianGaussianMixture])
def test_clone_set_params_and_repr(cls):
    est = cls(n_components=3, tol=1e-4)
    copy = clone(est)
    assert copy is not est and copy.get_params() == est.get_params()
    assert est.set_params(max_iter=7) is est and est.max_iter == 7
    assert repr(est) == f"{cls.__name__}(n_components=3, tol=0.0001, max_iter=7)"
    with pytest.raises(ValueError, match="Invalid parameter 'n_clusters'.*valid parameters"):
        est.set_params(n_clusters=2)
