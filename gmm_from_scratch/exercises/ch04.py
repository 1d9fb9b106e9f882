"""Chapter 4 (The mixture as a generative model): the checker's cases."""

from __future__ import annotations

import numpy as np

from ._cases import random_covariance, ref_e_step, standard_cases
from ._core import (
    E_STEP,
    Exercise,
    Runner,
    fmt,
)


def _ch04_sample(r: Runner) -> None:
    rng = np.random.default_rng(40)
    c2 = np.stack(
        [
            np.array([[1.0, 0.8], [0.8, 1.0]]),
            np.array([[0.5, -0.3], [-0.3, 0.4]]),
            random_covariance(rng, 2, 0.5),
        ]
    )
    cases = [
        (
            "three 2-D components, non-diagonal covariances, weights 0.6/0.3/0.1",
            (
                np.array([0.6, 0.3, 0.1]),
                np.array([[0.0, 0.0], [5.0, 5.0], [-5.0, 4.0]]),
                c2,
                20_000,
            ),
        ),
        ("one component", (np.array([1.0]), np.array([[1.0, -1.0]]), c2[:1], 5_000)),
        (
            "1-D data (d = 1)",
            (
                np.array([0.25, 0.75]),
                np.array([[-3.0], [2.0]]),
                np.array([[[0.25]], [[4.0]]]),
                10_000,
            ),
        ),
        (
            "a single sample",
            (np.array([0.6, 0.3, 0.1]), np.array([[0.0, 0.0], [5.0, 5.0], [-5.0, 4.0]]), c2, 1),
        ),
    ]
    for name, (w, means, covs, n) in cases:
        r.start(name)
        K, d = means.shape
        X, z = r.tuple_of(r.call(w, means, covs, n, np.random.default_rng(123)), 2, "X, z")
        X = r.array(X, "X", (n, d))
        z = r.array(z, "z", (n,))
        if not np.all(np.isfinite(X)):
            r.fail("X contains NaN or inf.")
        if not np.all((z == np.round(z)) & (z >= 0) & (z < K)):
            r.fail(f"z should hold component indices 0..{K - 1}; it holds {fmt(np.unique(z))}.")
        X2, z2 = r.tuple_of(r.call(w, means, covs, n, np.random.default_rng(123)), 2, "X, z")
        if not (np.array_equal(np.asarray(X2), X) and np.array_equal(np.asarray(z2), z)):
            r.fail(
                "two calls with the same seeded `rng` gave different samples.",
                "Draw every random number from the `rng` argument (rng.choice, "
                "rng.standard_normal, ...), not from np.random.",
            )
        if n < 100:
            continue
        z = z.astype(int)
        counts = np.bincount(z, minlength=K)
        for k in range(K):
            sd = np.sqrt(n * w[k] * (1 - w[k]))
            if abs(counts[k] - n * w[k]) > 5 * sd + 1:
                hint = None
                if np.all(np.abs(counts - n / K) <= 5 * np.sqrt(n / K) + 1):
                    hint = "Your components are equally frequent: draw z with p=weights."
                r.fail(
                    f"component {k} was drawn {counts[k]} times out of {n}, but its weight "
                    f"{w[k]:g} makes about {n * w[k]:.0f} expected.",
                    hint,
                )
            Xk = X[z == k]
            nk = len(Xk)
            se = np.sqrt(np.diag(covs[k]) / nk)
            mean_k = Xk.mean(axis=0)
            if np.any(np.abs(mean_k - means[k]) > 6 * se):
                r.fail(
                    f"the points labelled {k} have mean {fmt(mean_k)}, but component {k}'s "
                    f"mean is {fmt(means[k])}.",
                    "Each point of component k is μ_k plus noise with covariance Σ_k.",
                )
            emp = np.atleast_2d(np.cov(Xk.T, bias=True))
            v = np.diag(covs[k])
            se_cov = np.sqrt((covs[k] ** 2 + np.outer(v, v)) / nk)
            if np.any(np.abs(emp - covs[k]) > 6 * se_cov):
                off = ~np.eye(d, dtype=bool)
                if d > 1 and np.all(np.abs(emp[off]) < 6 * se_cov[off]):
                    r.fail(
                        f"the points labelled {k} have covariance {fmt(emp)}, but Σ_{k} is "
                        f"{fmt(covs[k])}.",
                        "Your features are uncorrelated: scaling each by its standard "
                        "deviation ignores the off-diagonal entries of Σ. Use the Cholesky "
                        "factor, x = μ + e Lᵀ with Σ = L Lᵀ.",
                    )
                r.fail(
                    f"the points labelled {k} have covariance {fmt(emp)}, but Σ_{k} is "
                    f"{fmt(covs[k])}.",
                    "With L the lower Cholesky factor (Σ = L Lᵀ) and e a standard normal "
                    "row vector, x = μ + e Lᵀ has covariance Σ. Check the transpose, and use "
                    "the factor L, not Σ itself.",
                )


def _ch04_resp(r: Runner) -> None:
    for name, (X, w, m, c) in standard_cases(far=False):
        r.start(name)
        got = r.call(X, w, m, c)
        want = np.exp(ref_e_step(X, w, m, c)[1])
        got = r.array(got, "the responsibilities", want.shape)
        sums = got.sum(axis=1)
        if np.all(np.isfinite(got)) and not np.allclose(sums, 1.0, rtol=0, atol=1e-9):
            i = int(np.argmax(np.abs(sums - 1)))
            hint = "Divide each row by its sum over the components (eq. 4.2)."
            if np.all(got <= 0) and np.allclose(np.exp(got).sum(axis=1), 1.0, atol=1e-9):
                hint = (
                    "These are the LOGARITHMS of the responsibilities: exponentiate them "
                    "(np.exp) before returning."
                )
            elif got.shape[0] > 1 and np.allclose(got.sum(axis=0), 1.0, atol=1e-9):
                hint = (
                    "Each COLUMN of yours sums to one: you divided by the sum over the points. "
                    "Divide each row by its sum over the components (axis=1, keepdims=True)."
                )
            r.fail(f"the responsibilities of point {i} sum to {fmt(float(sums[i]))}, not 1.", hint)

        def mistakes(X=X, w=w, m=m, c=c):
            K = len(w)
            return [
                (
                    "You forgot the mixing weights π_k in the numerator (eq. 4.2).",
                    np.exp(ref_e_step(X, np.full(K, 1.0 / K), m, c)[1]),
                )
            ]

        r.close(got, want, "the responsibilities", rtol=1e-7, atol=1e-10, mistakes=mistakes)


EXERCISES: dict[str, Exercise] = {
    "ch04.sample_mixture": Exercise(
        _ch04_sample, ("weights", "means", "covariances", "n_samples", "rng")
    ),
    "ch04.responsibilities": Exercise(_ch04_resp, ("X", "weights", "means", "covariances"), E_STEP),
}
