"""Chapter 15 (Missing data): the checker's cases."""

from __future__ import annotations

import numpy as np

from .. import missing as _missing
from ._cases import random_covariance
from ._core import (
    INVERSE_DET,
    Exercise,
    Runner,
    package_function,
)


def _ch15_cases() -> list[tuple[str, tuple[np.ndarray, np.ndarray, np.ndarray]]]:
    rng = np.random.default_rng(150)
    cases = []
    cov = np.array([[2.0, 1.2, 0.3], [1.2, 1.5, -0.4], [0.3, -0.4, 1.0]])
    mean = np.array([1.0, -2.0, 0.5])
    cases.append(("3-D, the last value missing", (np.array([2.0, -1.0, np.nan]), mean, cov)))
    cases.append(("3-D, the middle value missing", (np.array([0.0, np.nan, 1.5]), mean, cov)))
    c4 = random_covariance(rng, 4, scale=2.0)
    x4 = rng.multivariate_normal(np.zeros(4), c4)
    x4[[0, 2]] = np.nan
    cases.append(("4-D, strongly correlated, two values missing", (x4, rng.normal(size=4), c4)))
    x1 = np.array([np.nan, 0.7, np.nan, np.nan])
    cases.append(("4-D, only one value observed", (x1, np.zeros(4), c4)))
    cases.append(
        (
            "a diagonal covariance (the observed values say nothing)",
            (np.array([3.0, np.nan]), np.array([1.0, 2.0]), np.diag([0.5, 4.0])),
        )
    )
    far = np.array([1e3 + 0.5, np.nan, 1e3 - 0.25])
    cases.append(("data far from the origin", (far, np.full(3, 1e3), cov)))
    return cases


def _ch15_conditional(r: Runner) -> None:
    for name, (x, mean, cov) in _ch15_cases():
        r.start(name)
        got = r.tuple_of(r.call(x, mean, cov), 2, "mean_m, cov_mm")
        want_mean, want_cov = _missing.conditional_gaussian(x, mean, cov)
        o, m = ~np.isnan(x), np.isnan(x)
        S_oo, S_mo, S_mm = cov[np.ix_(o, o)], cov[np.ix_(m, o)], cov[np.ix_(m, m)]
        gain = np.linalg.solve(S_oo, S_mo.T).T
        dev = x[o] - mean[o]

        def mean_mistakes(dev=dev, gain=gain, mean=mean, m=m, S_oo=S_oo, S_mo=S_mo, xo=x[o]):
            return [
                (
                    "You returned the component mean μ_m: the observed values move the "
                    "missing ones through the correlations, + Σ_mo Σ_oo⁻¹ (x_o − μ_o) "
                    "(eq. 15.3).",
                    mean[m],
                ),
                (
                    "The sign of the correction is wrong: it is μ_m + Σ_mo Σ_oo⁻¹ (x_o − μ_o).",
                    mean[m] - gain @ dev,
                ),
                (
                    "You multiplied by Σ_oo where its inverse belongs: solve Σ_oo z = x_o − μ_o "
                    "and use Σ_mo z.",
                    mean[m] + S_mo @ S_oo @ dev,
                ),
                (
                    "You used x_o instead of x_o − μ_o in the correction.",
                    mean[m] + gain @ xo,
                ),
                (
                    "Σ_oo⁻¹ is missing from the correction: solve Σ_oo z = x_o − μ_o and use "
                    "Σ_mo z (eq. 15.3).",
                    mean[m] + S_mo @ dev,
                ),
            ]

        def cov_mistakes(S_mm=S_mm, gain=gain, S_mo=S_mo):
            return [
                (
                    "You returned Σ_mm, the covariance before anything was observed: subtract "
                    "what the observed values explain, Σ_mo Σ_oo⁻¹ Σ_om (the Schur complement, "
                    "eq. 15.4).",
                    S_mm,
                ),
                (
                    "The sign is wrong: knowing x_o can only reduce the uncertainty, "
                    "Σ_mm − Σ_mo Σ_oo⁻¹ Σ_om.",
                    S_mm + gain @ S_mo.T,
                ),
            ]

        k = int(m.sum())
        r.close(
            r.array(got[0], "mean_m", (k,)),
            want_mean,
            "mean_m",
            rtol=1e-9,
            atol=1e-9,
            mistakes=mean_mistakes,
        )
        r.close(
            r.array(got[1], "cov_mm", (k, k)),
            want_cov,
            "cov_mm",
            rtol=1e-9,
            atol=1e-9,
            mistakes=cov_mistakes,
        )


EXERCISES: dict[str, Exercise] = {
    "ch15.conditional_gaussian": Exercise(
        _ch15_conditional,
        ("x", "mean", "covariance"),
        INVERSE_DET
        + package_function("missing.conditional_gaussian")
        + package_function("missing.conditional_mean_impute"),
    ),
}
