"""Online (stepwise) EM: learn from mini-batches as they arrive (chapter 13).

Batch EM alternates an E-step over *all* rows with an M-step. Stepwise EM (Cappé and
Moulines, 2009) keeps a running average ``s_t`` of the per-sample sufficient statistics
(eq. 13.1, divided by the batch weight) and, after each mini-batch ``B_t``, moves it towards
the batch's statistics by a step ``eta_t``:

    s_t = (1 - eta_t) s_{t-1} + eta_t s(B_t; theta_{t-1}),     theta_t = M-step(s_t).

The E-step, the statistics and the M-step are the very functions batch EM uses
(:func:`~gmm_from_scratch.em.em_pass`, :class:`~gmm_from_scratch.em.SufficientStatistics`,
:func:`~gmm_from_scratch.em.m_step`); only the averaging is new. Because the M-step does not
change when every statistic is multiplied by the same factor, averages serve as well as sums.

Step sizes
----------
``eta_1 = 1`` (the first batch alone), then ``eta_t = (t + t0)^(-kappa)`` for ``t >= 2``, with
``kappa`` in ``(0.5, 1]`` and ``t0 >= 0``. Any such schedule satisfies the Robbins–Monro
conditions ``sum eta_t = inf`` and ``sum eta_t^2 < inf`` under which stepwise EM converges to a
stationary point of the likelihood. ``kappa = 1, t0 = 0`` weights every batch seen so far
equally (an exact running mean of the statistics); smaller ``kappa`` forgets old batches,
computed under older and worse parameters, faster. The default ``kappa = 0.6, t0 = 2``
works well for mini-batches of a few hundred rows or more.

Examples
--------
>>> import numpy as np
>>> from gmm_from_scratch import GaussianMixture
>>> rng = np.random.default_rng(0)
>>> X = np.vstack([rng.normal(-3, 1, (5000, 2)), rng.normal(3, 1, (5000, 2))])
>>> rng.shuffle(X)
>>> gmm = GaussianMixture(2, random_state=0)
>>> for batch in np.array_split(X, 20):
...     _ = gmm.partial_fit(batch)
>>> np.round(np.sort(gmm.means_[:, 0]), 1)
array([-3.,  3.])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ._validation import check_random_state, check_sample_weight, validate_data
from .covariance import precisions_cholesky_from_covariances, precisions_from_cholesky
from .em import SufficientStatistics, em_pass, m_step

# This module knows the estimator only through its attributes: ``GaussianMixture`` imports
# it for ``partial_fit``, never the other way round.

__all__ = ["StepSize", "partial_fit"]


@dataclass(frozen=True)
class StepSize:
    """The step-size schedule ``eta_1 = 1``, ``eta_t = (t + t0)^(-kappa)`` for ``t >= 2``.

    Parameters
    ----------
    kappa : float, default=0.6
        Decay exponent, in ``(0.5, 1]``.
    t0 : float, default=2.0
        Offset, ``>= 0``; larger values take smaller early steps.

    Examples
    --------
    ``kappa = 1, t0 = 0`` gives ``eta_t = 1/t``: the running average of all batches so far.

    >>> eta = StepSize(kappa=1.0, t0=0.0)
    >>> [eta(t) for t in (1, 2, 4)]
    [1.0, 0.5, 0.25]
    """

    kappa: float = 0.6
    t0: float = 2.0

    def __post_init__(self) -> None:
        if not (0.5 < self.kappa <= 1.0):
            raise ValueError(
                f"kappa must lie in (0.5, 1] for stepwise EM to converge, got {self.kappa}."
            )
        if not (np.isfinite(self.t0) and self.t0 >= 0):
            raise ValueError(f"t0 must be a finite number >= 0, got {self.t0}.")

    def __call__(self, t: int) -> float:
        """The step ``eta_t`` for the ``t``-th batch (``t = 1, 2, ...``)."""
        return 1.0 if t <= 1 else float((t + self.t0) ** (-self.kappa))


def partial_fit(
    gmm: Any,
    X: Any,
    sample_weight: Any = None,
    step_size: StepSize | None = None,
) -> Any:
    """One step of stepwise EM on the mini-batch ``X``; updates ``gmm`` in place.

    Parameters
    ----------
    gmm : GaussianMixture
        Its ``n_components``, ``covariance_type``, ``reg_covar``, ``init_params``,
        ``*_init`` and ``random_state`` are used. On the first call (or when it has not been
        fitted) its parameters are initialized from this batch as ``fit`` would; after
        ``fit`` the steps continue from the fitted parameters.
    X : array-like of shape (n_batch, n_features)
    sample_weight : array-like of shape (n_batch,), optional
    step_size : StepSize, optional
        The schedule. By default ``gmm.step_size`` if set, else ``StepSize()``. It is stored
        on ``gmm.step_size`` so that later calls continue the same schedule.

    Returns
    -------
    gmm
        With ``n_iter_`` the number of batches seen, ``lower_bound_`` the mean
        log-likelihood of this batch under the parameters *before* the step, and
        ``online_log_likelihoods_`` that value for every batch so far.

    Examples
    --------
    Twenty mini-batches from two clusters, each seen once:

    >>> from gmm_from_scratch import GaussianMixture
    >>> rng = np.random.default_rng(0)
    >>> gmm = GaussianMixture(2, random_state=0)
    >>> for _ in range(20):
    ...     batch = np.concatenate([rng.normal(-3, 1, (50, 1)), rng.normal(3, 1, (50, 1))])
    ...     gmm = partial_fit(gmm, batch)
    >>> gmm.n_iter_, len(gmm.online_log_likelihoods_)
    (20, 20)
    >>> np.round(np.sort(gmm.means_.ravel()), 1)
    array([-3. ,  2.9])
    """
    first = not hasattr(gmm, "means_")
    X = validate_data(gmm, X, reset=first, keep_float32=True)
    n, d = X.shape
    sw = check_sample_weight(sample_weight, n)
    if sw is not None:
        sw = sw / sw.max()  # only the ratios matter (see GaussianMixture.fit)
    schedule = step_size or getattr(gmm, "step_size", None) or StepSize()
    gmm.step_size = schedule
    if first:  # never fitted: initialize from this batch, as fit would
        gmm._check_parameters(d)
        if n < gmm.n_components:
            raise ValueError(
                f"The first batch has {n} rows but n_components={gmm.n_components}: the first "
                "batch must have at least one row per component."
            )
        rng = check_random_state(gmm.random_state)
        weights, means, cov, prec_chol = gmm._initial_parameters(X, sw, rng)
        _set_parameters(gmm, weights, means, cov, prec_chol)
        gmm.n_features_in_ = d
        gmm._fitted_structure = (gmm.n_components, gmm.covariance_type)
        gmm._sampling_rng = check_random_state(gmm.random_state)
    elif gmm._fitted_structure != (gmm.n_components, gmm.covariance_type):
        K, covariance_type = gmm._fitted_structure
        raise ValueError(
            f"partial_fit continues the current model, which has n_components={K} and "
            f"covariance_type={covariance_type!r}, but they are now "
            f"n_components={gmm.n_components} and covariance_type={gmm.covariance_type!r}. "
            "Use a new estimator (or sklearn.base.clone(gmm)) to start a different model."
        )
    if getattr(gmm, "_online_means", None) is not gmm.means_:
        # First step, or the parameters were set by fit() since: start a new running average.
        gmm._online_stats = None
        gmm.n_iter_ = 0
        gmm.online_log_likelihoods_ = []
    t = gmm.n_iter_ + 1
    eta = schedule(t)
    ct = gmm.covariance_type
    batch, _ = em_pass(X, gmm.weights_, gmm.means_, gmm.precisions_cholesky_, ct, sw)
    batch_ll = batch.mean_log_likelihood
    batch = batch.scaled(1.0 / batch.total_weight)  # per-sample averages
    previous: SufficientStatistics | None = gmm._online_stats
    stats = batch.scaled(eta) if previous is None else batch.scaled(eta) + previous.scaled(1 - eta)
    weights, means, cov = m_step(stats, ct, gmm.reg_covar)
    prec_chol = precisions_cholesky_from_covariances(cov, ct)
    _set_parameters(gmm, weights, means, cov, prec_chol)
    gmm._online_stats = stats
    gmm._online_means = gmm.means_
    gmm.n_iter_ = t
    gmm.lower_bound_ = batch_ll
    gmm.online_log_likelihoods_.append(batch_ll)
    gmm.converged_ = False
    return gmm


def _set_parameters(gmm, weights, means, cov, prec_chol) -> None:
    gmm.weights_, gmm.means_, gmm.covariances_ = weights, means, cov
    gmm.precisions_cholesky_ = prec_chol
    gmm.precisions_ = precisions_from_cholesky(prec_chol, gmm.covariance_type)
