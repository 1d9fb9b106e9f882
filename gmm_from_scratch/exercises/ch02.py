"""Chapter 2 (The multivariate Gaussian): the checker's cases."""

from __future__ import annotations

import numpy as np

from .. import gaussian as _gaussian
from ._cases import random_covariance
from ._core import (
    INVERSE_DET,
    Exercise,
    Runner,
    is_numeric,
    package_function,
    sklearn_mixture,
)


def _ch02_log_pdf(r: Runner) -> None:
    rng = np.random.default_rng(20)
    cases = []
    cov = np.array([[2.0, 1.2], [1.2, 1.0]])
    cases.append(
        ("2-D, non-diagonal covariance", (rng.normal(size=(6, 2)), np.array([0.5, -1.0]), cov))
    )
    c3 = random_covariance(rng, 3, scale=2.0)
    cases.append(("3-D, strongly correlated", (rng.normal(size=(5, 3)), rng.normal(size=3), c3)))
    cases.append(("a single point", (np.array([[1.0, 2.0]]), np.zeros(2), cov)))
    cases.append(
        ("1-D data (d = 1)", (rng.normal(size=(4, 1)), np.array([0.3]), np.array([[0.49]])))
    )
    cases.append(
        ("points far from the mean", (np.array([[50.0, -40.0], [300.0, 0.0]]), np.zeros(2), cov))
    )
    for name, (X, mean, cov) in cases:
        r.start(name)
        got = r.call(X, mean, cov)
        want = _gaussian.log_pdf(X, mean, cov)
        n, d = X.shape
        if n != d and is_numeric(got) and np.shape(np.asarray(got, dtype=float)) == (d,):
            r.fail(
                f"log_pdf has shape ({d},), but it should be an array of shape ({n},): one "
                "value per row of X.",
                "You summed over the points instead of the features: with Z of shape (d, n) "
                "the squared norms are np.sum(Z**2, axis=0).",
            )

        def mistakes(X=X, mean=mean, cov=cov):
            diff = X - mean
            d = X.shape[1]
            logdet = np.linalg.slogdet(cov)[1]
            wrong_maha = np.einsum("ni,ij,nj->n", diff, cov, diff)
            right_maha = np.einsum("ni,ij,nj->n", diff, np.linalg.inv(cov), diff)
            L = np.linalg.cholesky(cov)
            diag_only = np.sum((diff / np.diag(L)) ** 2, axis=1)
            return [
                (
                    "Your triangular solve used only the diagonal of the factor: "
                    "scipy.linalg.cholesky returns the UPPER factor unless lower=True, and "
                    "solve_triangular assumes an upper triangle unless lower=True. Pass "
                    "lower=True to both.",
                    -0.5 * (d * _gaussian.LOG_2PI + logdet + diag_only),
                ),
                (
                    "The Mahalanobis term is the SQUARED norm |z|² = Σᵢ zᵢ², not |z|.",
                    -0.5 * (d * _gaussian.LOG_2PI + logdet + np.sqrt(right_maha)),
                ),
                (
                    "You used Σ where Σ⁻¹ belongs in the quadratic form (the classic trap): the "
                    "Mahalanobis distance is (x−μ)ᵀ Σ⁻¹ (x−μ) (eq. 2.2).",
                    -0.5 * (d * _gaussian.LOG_2PI + logdet + wrong_maha),
                ),
                (
                    "The sign of the log-determinant term is wrong: it is −½ log det Σ.",
                    -0.5 * (d * _gaussian.LOG_2PI - logdet + right_maha),
                ),
                (
                    "log det Σ = 2 Σᵢ log Lᵢᵢ: the factor 2 (or the ½ in front) is missing.",
                    -0.5 * (d * _gaussian.LOG_2PI + 0.5 * logdet + right_maha),
                ),
                (
                    "The constant is −(d/2) log(2π), with d the number of features.",
                    -0.5 * (_gaussian.LOG_2PI + logdet + right_maha),
                ),
            ]

        r.close(
            got,
            want,
            "log_pdf",
            rtol=1e-9,
            atol=1e-9,
            mistakes=mistakes,
            nan_hint="Computing the density and then its log underflows to log 0 = −inf far "
            "from the mean: stay in log space all the way (eq. 2.3).",
        )


EXERCISES: dict[str, Exercise] = {
    "ch02.log_pdf": Exercise(
        _ch02_log_pdf,
        ("X", "mean", "covariance"),
        INVERSE_DET
        + package_function("gaussian.log_pdf")
        + sklearn_mixture("_estimate_log_gaussian_prob"),
    ),
}
