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


def covariance_mistakes(X: np.ndarray, resp: np.ndarray, means: np.ndarray):
    """The usual wrong full covariances (K, d, d) of an M-step, each with its hint.

    ``means`` are the correct new means μ_k. Used by ch05.m_step and, mapped to each covariance
    type, by ch09.m_step_covariances.
    """
    n = X.shape[0]
    nk = resp.sum(axis=0)
    diffs = X[None, :, :] - means[:, None, :]  # (K, n, d)
    scatter = np.einsum("nk,kni,knj->kij", resp, diffs, diffs)  # Σ_n r_nk (x−μ_k)(x−μ_k)ᵀ
    cov = scatter / nk[:, None, None]
    unweighted = np.einsum("kni,knj->kij", diffs, diffs)
    centre = X - X.mean(axis=0)
    overall = np.einsum("nk,ni,nj->kij", resp, centre, centre) / nk[:, None, None]
    K = len(nk)
    glob = np.broadcast_to(centre.T @ centre, (K,) + (X.shape[1],) * 2)
    forgot = (
        "You forgot the responsibilities: each outer product (x_n − μ_k)(x_n − μ_k)ᵀ must be "
        "weighted by r_nk (eq. 5.7), as in the means."
    )
    effective = nk - (resp**2).sum(axis=0) / nk  # what np.cov(..., aweights=r) divides by
    return [
        ("Divide the weighted scatter by N_k, not by N (eq. 5.7).", cov * (nk / n)[:, None, None]),
        (
            "Divide by N_k, not N_k − 1 (np.cov divides by N − 1 unless bias=True): EM's "
            "M-step is a maximum-likelihood estimate.",
            scatter / (nk - 1)[:, None, None],
        ),
        (
            "np.cov(..., aweights=r) applies a bias correction: it divides the weighted scatter "
            "by N_k − Σ_n r_nk²/N_k, not by N_k. Pass bias=True (or divide by N_k yourself, "
            "eq. 5.7): EM's M-step is a maximum-likelihood estimate.",
            scatter / effective[:, None, None],
        ),
        (forgot + " You divided an unweighted sum by N_k.", unweighted / nk[:, None, None]),
        (forgot + " You divided an unweighted sum by N.", unweighted / n),
        (
            "Every component got the covariance of the whole data set: weight each point by its "
            "responsibility r_nk and centre on the component's mean μ_k (eq. 5.7).",
            glob / n,
        ),
        (
            "Every component got np.cov of the whole data set: weight each point by its "
            "responsibility r_nk (aweights=r with bias=True) and centre on μ_k (eq. 5.7).",
            glob / (n - 1) if n > 1 else glob * np.nan,
        ),
        (
            "Each outer product is weighted by r_nk², not r_nk: multiply only one of the two "
            "factors by the responsibilities (or each by √r_nk).",
            np.einsum("nk,kni,knj->kij", resp**2, diffs, diffs) / nk[:, None, None],
        ),
        ("Divide the weighted scatter by N_k (eq. 5.7).", scatter),
        ("Centre the data on each component's NEW mean μ_k, not on the overall mean.", overall),
    ]
