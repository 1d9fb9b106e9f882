"""Online (stepwise) EM: the schedule, agreement with batch EM, and partial_fit's contract."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from _helpers import blobs

from gmm_from_scratch import GaussianMixture, align_components
from gmm_from_scratch.online import StepSize, partial_fit


def test_step_size_schedule():
    s = StepSize(kappa=0.6, t0=2.0)
    assert s(1) == 1.0
    np.testing.assert_allclose([s(t) for t in (2, 3, 10)], [(t + 2.0) ** -0.6 for t in (2, 3, 10)])
    assert all(s(t) > s(t + 1) for t in range(2, 50))
    for bad in (dict(kappa=0.5), dict(kappa=1.2), dict(t0=-1.0)):
        with pytest.raises(ValueError):
            StepSize(**bad)


def test_kappa_one_t0_zero_is_a_running_mean_of_statistics():
    """With eta_t = 1/t the running statistics are the plain average over batches, so one
    pass of stepwise EM with *frozen* parameters would equal a batch E-step; here we check the
    weights: eta_t = 1/t weighs every batch equally (sum of eta_t prod (1 - eta_s) = 1/T)."""
    s = StepSize(kappa=1.0, t0=0.0)
    T = 7
    contrib = [s(t) * np.prod([1 - s(u) for u in range(t + 1, T + 1)]) for t in range(1, T + 1)]
    np.testing.assert_allclose(contrib, np.full(T, 1 / T), rtol=1e-12)


def _data():
    X, _, centres = blobs(4, n_per=3000, d=2, K=3)
    rng = np.random.default_rng(0)
    return X[rng.permutation(len(X))], centres


@pytest.mark.parametrize("covariance_type", ["full", "diag", "tied", "spherical"])
def test_online_converges_near_the_batch_solution(covariance_type):
    X, _ = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        batch = GaussianMixture(3, covariance_type=covariance_type, tol=1e-10, max_iter=500,
                                random_state=0).fit(X)  # fmt: skip
    online = GaussianMixture(3, covariance_type=covariance_type, random_state=0)
    for _epoch in range(3):
        for chunk in np.array_split(X, 45):
            online.partial_fit(chunk)
    perm = align_components(batch.means_, online.means_)
    np.testing.assert_allclose(online.means_[perm], batch.means_, atol=0.05)
    np.testing.assert_allclose(online.weights_[perm], batch.weights_, atol=0.02)
    # The average log-likelihood of the online parameters is within 1e-3 of the optimum.
    assert online.score(X) > batch.score(X) - 1e-3
    assert online.n_iter_ == 135
    assert len(online.online_log_likelihoods_) == 135


def test_single_full_batch_step_equals_one_em_iteration():
    """eta_1 = 1: the first step's statistics are the batch's own, i.e. one EM iteration."""
    X, _ = _data()
    start = dict(weights_init=[0.3, 0.3, 0.4], means_init=X[:3],
                 precisions_init=np.stack([np.eye(2)] * 3))  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        em1 = GaussianMixture(3, max_iter=1, tol=0, **start).fit(X)
    on = GaussianMixture(3, **start).partial_fit(X)
    for name in ("weights_", "means_", "covariances_"):
        np.testing.assert_allclose(getattr(on, name), getattr(em1, name), rtol=1e-10)


def test_partial_fit_after_fit_continues_and_checks_features():
    X, _ = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gm = GaussianMixture(3, random_state=0).fit(X)
    means = gm.means_.copy()
    gm.partial_fit(X[:500])
    assert gm.n_iter_ == 1
    perm = align_components(means, gm.means_)
    np.testing.assert_allclose(gm.means_[perm], means, atol=0.2)
    with pytest.raises(ValueError, match="features"):
        gm.partial_fit(np.zeros((10, 3)))


def test_first_batch_needs_one_row_per_component():
    with pytest.raises(ValueError, match="at least one row per component"):
        GaussianMixture(5).partial_fit(np.zeros((3, 2)))


def test_schedule_is_kept_across_calls():
    X, _ = _data()
    gm = GaussianMixture(3, random_state=0)
    partial_fit(gm, X[:600], step_size=StepSize(kappa=0.9, t0=5.0))
    gm.partial_fit(X[600:1200])
    assert gm.step_size == StepSize(kappa=0.9, t0=5.0)
    assert gm.n_iter_ == 2
