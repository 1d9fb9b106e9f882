"""Chapter 1 (The 1-D Gaussian and maximum likelihood): the checker's cases."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import gaussian as _gaussian
from ._core import (
    Exercise,
    Runner,
    package_function,
)


def _ch01_fit(r: Runner) -> None:
    rng = np.random.default_rng(10)
    cases: list[tuple[str, Any]] = [
        ("four small numbers", np.array([1.0, 2.0, 3.0, 6.0])),
        ("50 draws from N(3, 2²)", rng.normal(3.0, 2.0, size=50)),
        ("data far from zero (mean 1e6, std 1)", 1e6 + rng.normal(0.0, 1.0, size=200)),
        ("a single point", np.array([2.5])),
        ("a Python list instead of an array", [1.0, 2.0, 4.0]),
    ]
    for name, x in cases:
        r.start(name)
        got = r.tuple_of(r.call(x), 2, "mean, std")
        want = _gaussian.fit_gaussian_1d(x)
        xa = np.asarray(x, float)
        n = xa.size

        def std_mistakes(xa=xa, n=n, want=want):
            m, s = want
            out = [
                (
                    "You returned the variance; the exercise asks for the standard deviation "
                    "(its square root).",
                    s**2,
                ),
                (
                    "E[x²] − E[x]² loses all its digits when the mean is large compared with "
                    "the spread: subtract the mean first, then average the squares.",
                    np.sqrt(abs(np.mean(xa**2) - np.mean(xa) ** 2)),
                ),
            ]
            if n > 1:
                out.insert(
                    0,
                    (
                        "You divided by n − 1. The maximum-likelihood variance divides by "
                        "n (eq. 1.4); n − 1 gives the unbiased estimate, which is not the "
                        "MLE.",
                        s * np.sqrt(n / (n - 1)),
                    ),
                )
            return out

        def mean_mistakes(want: tuple[float, float] = want) -> list[tuple[str, Any]]:
            return [
                ("You swapped the two return values: return mean, std.", want[1]),
                (
                    "The mean was rounded to a whole number: keep it a float (no int(...), "
                    "no integer division //).",
                    float(int(want[0])),
                ),
            ]

        pair = r.array(got, "(mean, std)", (2,))
        r.close(pair[0], want[0], "the mean", rtol=1e-10, mistakes=mean_mistakes)
        r.close(
            pair[1],
            want[1],
            "the standard deviation",
            rtol=1e-7,
            mistakes=std_mistakes,
            nan_hint="With a single point, n − 1 = 0: the MLE divides by n (eq. 1.4).",
        )


def _ch01_loglik(r: Runner) -> None:
    rng = np.random.default_rng(11)
    cases = [
        ("one point at the mean", (np.array([0.0]), 0.0, 1.0)),
        ("20 draws, mean 1.5, std 0.5", (rng.normal(1.5, 0.5, size=20), 1.5, 0.5)),
        ("a wide Gaussian (std 30)", (rng.normal(-4.0, 30.0, size=10), -4.0, 30.0)),
        ("a point 100 standard deviations away", (np.array([0.2, 100.0]), 0.0, 1.0)),
    ]
    for name, (x, mean, std) in cases:
        r.start(name)
        got = r.call(x, mean, std)
        want = _gaussian.log_likelihood_1d(x, mean, std)

        def mistakes(x=x, mean=mean, std=std):
            z2 = ((x - mean) / std) ** 2
            n = x.size
            return [
                (
                    "You used log σ² where log σ belongs (or forgot the ½ in front of log σ²).",
                    -0.5 * n * _gaussian.LOG_2PI - n * np.log(std**2) - 0.5 * z2.sum(),
                ),
                (
                    "The constant −½ log(2π) is missing from each point's term (eq. 1.2).",
                    -n * np.log(std) - 0.5 * z2.sum(),
                ),
                (
                    "The ½ in front of the squared standardized distance is missing.",
                    -0.5 * n * _gaussian.LOG_2PI - n * np.log(std) - z2.sum(),
                ),
                (
                    "You averaged over the points: the log-likelihood is the SUM of the points' "
                    "log-densities (eq. 1.2), not their mean.",
                    _gaussian.log_likelihood_1d(x, mean, std) / n,
                ),
                (
                    "Standardize by σ, not σ²: the squared distance is ((x − μ)/σ)² (eq. 1.2).",
                    -0.5 * n * _gaussian.LOG_2PI
                    - n * np.log(std)
                    - 0.5 * np.sum(((x - mean) / std**2) ** 2),
                ),
            ]

        r.close(
            r.array(got, "the log-likelihood", ()),
            want,
            "the log-likelihood",
            rtol=1e-9,
            mistakes=mistakes,
            nan_hint="Taking np.log of the density underflows to log 0 = −inf for a point "
            "far away: write the log-density directly, −½log(2π) − log σ − ½((x−μ)/σ)².",
        )


EXERCISES: dict[str, Exercise] = {
    "ch01.fit_gaussian_1d": Exercise(
        _ch01_fit, ("x",), package_function("gaussian.fit_gaussian_1d")
    ),
    "ch01.log_likelihood_1d": Exercise(
        _ch01_loglik,
        ("x", "mean", "std"),
        package_function("gaussian.log_likelihood_1d") + package_function("gaussian.log_pdf_1d"),
    ),
}
