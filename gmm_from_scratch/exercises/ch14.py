"""Chapter 14 (Bayesian mixtures): the checker's cases."""

from __future__ import annotations

import numpy as np
from scipy.special import digamma, gammaln

from ._core import Exercise, Runner, is_numeric, package_function


def _ch14_expected_log_weights(r: Runner) -> None:
    cases = [
        ("three components", np.array([0.5, 2.0, 30.0])),
        ("an almost empty component (alpha = 0.01)", np.array([0.01, 120.0, 80.0, 0.01])),
        ("one component", np.array([3.0])),
        ("large counts", np.array([400.0, 1000.0])),
    ]
    for name, alpha in cases:
        r.start(name)
        got = r.call(alpha)
        want = digamma(alpha) - digamma(alpha.sum())

        def mistakes(alpha=alpha):
            return [
                (
                    "You used the plug-in log(α_k / Σα), the log of the posterior MEAN weight. "
                    "E[log π_k] is smaller (Jensen): ψ(α_k) − ψ(Σ_j α_j) with the digamma "
                    "function scipy.special.digamma (eq. 14.7).",
                    np.log(alpha / alpha.sum()),
                ),
                (
                    "Subtract ψ of the SUM of all α_j, not of each α_k.",
                    digamma(alpha) - digamma(alpha),
                ),
                (
                    "You used the gamma function's logarithm (gammaln); E[log π_k] needs its "
                    "derivative, the digamma function ψ.",
                    gammaln(alpha) - gammaln(alpha.sum()),
                ),
                (
                    "ψ of the mean weight is not E[log π_k]: subtract the two digammas, "
                    "ψ(α_k) − ψ(Σ_j α_j) (eq. 14.7).",
                    digamma(alpha / alpha.sum()),
                ),
            ]

        r.close(r.array(got, "E[log pi]", alpha.shape), want, "E[log pi]", rtol=1e-9,
                mistakes=mistakes)  # fmt: skip


def _ch14_weights_m_step(r: Runner) -> None:
    rng = np.random.default_rng(140)
    cases = []
    for n, K, alpha0 in [(50, 3, 0.01), (200, 5, 1.0), (30, 2, 100.0)]:
        resp = rng.dirichlet(np.full(K, 0.5), size=n)
        cases.append((f"N = {n}, K = {K}, alpha_0 = {alpha0:g}", (resp, alpha0)))
    resp = np.zeros((20, 3))
    resp[:, 0] = 1.0
    cases.append(("two components own nothing", (resp, 0.1)))
    for name, (resp, alpha0) in cases:
        r.start(name)
        got = r.tuple_of(r.call(resp, alpha0), 2, "alpha, weights")
        nk = resp.sum(axis=0)
        alpha = alpha0 + nk
        K = resp.shape[1]
        if resp.shape[0] != K and is_numeric(got[0]) and np.shape(got[0]) == (resp.shape[0],):
            r.fail(
                f"alpha has shape {np.shape(got[0])}, but it should be an array of shape ({K},).",
                "N_k sums the responsibilities over the POINTS: resp.sum(axis=0).",
            )

        def alpha_mistakes(nk=nk, alpha0=alpha0, n=resp.shape[0]):
            return [
                ("α_k = α_0 + N_k: you forgot the prior's α_0.", nk),
                ("N_k is the SUM of the responsibilities over the points, not their mean.",
                 alpha0 + nk / n),
            ]  # fmt: skip

        def weight_mistakes(nk=nk, n=resp.shape[0], alpha0=alpha0):
            return [
                (
                    "These are the maximum-likelihood weights N_k / N: the posterior mean is "
                    "α_k / Σ_j α_j (eq. 14.11).",
                    nk / n,
                ),
                (
                    "The denominator is Σ_j α_j = K α_0 + N: the prior adds α_0 to EVERY "
                    "component, not once.",
                    (nk + alpha0) / (n + alpha0),
                ),
            ]

        r.close(r.array(got[0], "alpha", (K,)), alpha, "alpha", rtol=1e-10,
                mistakes=alpha_mistakes)  # fmt: skip
        r.close(r.array(got[1], "weights", (K,)), alpha / alpha.sum(), "weights", rtol=1e-10,
                mistakes=weight_mistakes)  # fmt: skip


EXERCISES: dict[str, Exercise] = {
    "ch14.expected_log_weights": Exercise(
        _ch14_expected_log_weights,
        ("alpha",),
        package_function("bayesian.expected_log_weights"),
    ),
    "ch14.weights_m_step": Exercise(
        _ch14_weights_m_step,
        ("resp", "alpha0"),
        package_function("bayesian.variational_m_step")
        + package_function("bayesian.posterior_mean_weights"),
    ),
}
