"""Seeded test data shared by several chapters' checkers."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import em as _em
from ..covariance import precisions_cholesky_from_covariances as _prec_chol


def random_covariance(rng: np.random.Generator, d: int, scale: float = 1.0) -> np.ndarray:
    """A symmetric positive definite matrix with strong correlations (non-diagonal)."""
    q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    eig = scale * rng.uniform(0.2, 2.0, size=d)
    cov = (q * eig) @ q.T
    return 0.5 * (cov + cov.T)


def mixture_problem(seed: int, n: int, K: int, d: int, spread: float = 4.0, weights: Any = None):
    rng = np.random.default_rng(seed)
    means = rng.normal(scale=spread, size=(K, d))
    covs = np.stack([random_covariance(rng, d) for _ in range(K)])
    w = rng.dirichlet(np.full(K, 3.0)) if weights is None else np.asarray(weights, float)
    z = rng.choice(K, size=n, p=w)
    X = np.empty((n, d))
    for k in range(K):
        idx = z == k
        X[idx] = rng.multivariate_normal(means[k], covs[k], size=int(idx.sum()))
    return X, w, means, covs


def ref_e_step(X, weights, means, covariances):
    return _em.e_step(X, weights, means, _prec_chol(covariances, "full"), "full")


def standard_cases(far: bool) -> list[tuple[str, tuple]]:
    """(case name, (X, weights, means, covariances)) for responsibilities and the E-step."""
    cases = []
    X, w, m, c = mixture_problem(1, 12, 2, 2, spread=2.0)
    cases.append(("two 2-D components with non-diagonal covariances", (X, w, m, c)))
    X, w, m, c = mixture_problem(2, 15, 3, 3, spread=1.5, weights=[0.7, 0.2, 0.1])
    cases.append(("three 3-D components with unequal weights", (X, w, m, c)))
    X, w, m, c = mixture_problem(3, 8, 1, 2)
    cases.append(("one component", (X, w, m, c)))
    X, w, m, c = mixture_problem(4, 1, 3, 2)
    cases.append(("a single point", (X, w, m, c)))
    X, w, m, c = mixture_problem(5, 10, 2, 1)
    cases.append(("1-D data (d = 1)", (X, w, m, c)))
    if far:
        X, w, m, c = mixture_problem(6, 6, 3, 2, spread=1.0)
        X = X.copy()
        X[:3] += np.array([300.0, -200.0])  # hundreds of standard deviations away
        cases.append(("points far from every component", (X, w, m, c)))
    return cases
