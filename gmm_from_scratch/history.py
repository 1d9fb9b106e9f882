"""A record of every EM iteration, for teaching and animation (chapters 5 and 6)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["EMHistory"]


@dataclass
class EMHistory:
    """Parameters, responsibilities and log-likelihood at every EM iteration.

    Iteration ``t`` (0-based) starts from the parameters ``weights[t]``, ``means[t]``,
    ``covariances[t]``; its E-step gives ``responsibilities[t]`` and ``log_likelihood[t]``
    (the mean log-likelihood of those parameters); its M-step gives the parameters at index
    ``t + 1``. So the parameter lists are one longer than the others.

    Attributes
    ----------
    covariance_type : str
    weights, means, covariances : list of ndarray
        ``n_iter + 1`` entries each.
    responsibilities : list of ndarray of shape (n_samples, n_components)
        ``n_iter`` entries.
    log_likelihood : list of float
        ``n_iter`` entries; never decreasing (chapter 6).

    Examples
    --------
    >>> from gmm_from_scratch import GaussianMixture
    >>> X = np.array([[0.0], [0.2], [0.4], [5.0], [5.2], [5.4]])
    >>> gmm = GaussianMixture(2, init_params="random", random_state=0, record_history=True).fit(X)
    >>> h = gmm.history_
    >>> h.n_iter == gmm.n_iter_, len(h.means) == h.n_iter + 1
    (True, True)
    >>> bool(np.all(np.diff(h.log_likelihood) >= -1e-12))  # EM never goes down
    True
    >>> h.full_covariances(0).shape
    (2, 1, 1)
    """

    covariance_type: str
    weights: list[np.ndarray] = field(default_factory=list)
    means: list[np.ndarray] = field(default_factory=list)
    covariances: list[np.ndarray] = field(default_factory=list)
    responsibilities: list[np.ndarray] = field(default_factory=list)
    log_likelihood: list[float] = field(default_factory=list)

    def record_parameters(
        self, weights: np.ndarray, means: np.ndarray, covariances: np.ndarray
    ) -> None:
        """Store a copy of the parameters at the start of an iteration (or the end of the last)."""
        self.weights.append(np.array(weights, copy=True))
        self.means.append(np.array(means, copy=True))
        self.covariances.append(np.array(covariances, copy=True))

    def record_e_step(self, responsibilities: np.ndarray, log_likelihood: float) -> None:
        """Store the result of an E-step."""
        self.responsibilities.append(np.array(responsibilities, copy=True))
        self.log_likelihood.append(float(log_likelihood))

    @property
    def n_iter(self) -> int:
        """Number of completed EM iterations."""
        return len(self.log_likelihood)

    def full_covariances(self, t: int) -> np.ndarray:
        """Covariances at index ``t`` as ``(n_components, d, d)`` matrices, whatever the type."""
        cov = self.covariances[t]
        K, d = self.means[t].shape
        if self.covariance_type == "full":
            return cov
        if self.covariance_type == "tied":
            return np.broadcast_to(cov, (K, d, d)).copy()
        if self.covariance_type == "diag":
            return np.stack([np.diag(c) for c in cov])
        return cov[:, None, None] * np.eye(d)[None]
