"""Chapter 10 (Choosing the number of components): the checker's cases."""

from __future__ import annotations

import numpy as np

from ..covariance import n_parameters as _n_parameters
from ..mixture import GaussianMixture as _GaussianMixture
from ._core import (
    Exercise,
    Forbidden,
    Runner,
    package_function,
    sklearn_mixture,
)


def _ch10_n_params(r: Runner) -> None:
    cases = [
        (K, d, t) for t in ("full", "tied", "diag", "spherical") for K, d in ((3, 2), (2, 5))
    ] + [(1, 1, "full"), (4, 1, "tied")]
    for K, d, t in cases:
        r.start(f"K={K}, d={d}, '{t}'")
        got = r.call(K, d, t)
        want = _n_parameters(K, d, t)
        if not isinstance(got, (int, np.integer)) or int(got) != want:
            cov = {"full": K * d * d, "tied": d * d}.get(t)
            hint = None
            if cov is not None and got == cov + K * d + K - 1 and d > 1:
                hint = "A symmetric d×d matrix has d(d+1)/2 free entries, not d² (eq. 9.5)."
            elif got == want + 1:
                hint = "The K weights sum to one, so only K − 1 of them are free."
            elif got == want - K * d:
                hint = "Count the K·d entries of the means too."
            else:
                per = {"full": "K·d(d+1)/2", "tied": "d(d+1)/2", "diag": "K·d", "spherical": "K"}
                hint = (
                    "Count in three parts and add them (eq. 9.5): the weights, K − 1 free "
                    "(they sum to one); the means, K·d; the covariances, "
                    f"{per[t]} for '{t}'."
                )
            r.fail(
                f"n_free_parameters({K}, {d}, '{t}') returned {got!r}, but a '{t}' mixture "
                f"with K={K} components in d={d} dimensions has {want} free parameters.",
                hint,
            )


def _ch10_bic_aic(r: Runner) -> None:
    rng = np.random.default_rng(100)
    X2 = np.concatenate([rng.normal(c, 0.7, size=(60, 2)) for c in ([0, 0], [4, 1])])
    X1 = np.concatenate([rng.normal(c, 0.5, size=(50, 1)) for c in (-2.0, 2.0)])
    cases = [
        ("K = 2, 'full', 2-D", (X2, 2, "full")),
        ("K = 3, 'diag', 2-D", (X2, 3, "diag")),
        ("K = 2, 'spherical', 1-D", (X1, 2, "spherical")),
    ]
    for name, (X, K, t) in cases:
        r.start(name)
        gm = _GaussianMixture(K, covariance_type=t, random_state=0).fit(X)
        want = (gm.bic(X), gm.aic(X))
        n = X.shape[0]
        total = float(gm.score(X) * n)
        p = _n_parameters(K, X.shape[1], t)

        got = r.tuple_of(r.call(gm, X), 2, "bic, aic")

        def mistakes(total=total, p=p, n=n, mean=total / n):
            return [
                (
                    "Use the TOTAL log-likelihood Σ_n log p(x_n), not the mean per point "
                    "(gmm.score(X) is the mean).",
                    (-2 * mean + p * np.log(n), -2 * mean + 2 * p),
                ),
                (
                    "BIC penalizes p·log n and AIC 2p: they are swapped.",
                    (-2 * total + 2 * p, -2 * total + p * np.log(n)),
                ),
                (
                    "Both criteria start from −2 log L (lower is better); the sign is wrong.",
                    (2 * total + p * np.log(n), 2 * total + 2 * p),
                ),
            ]

        r.close(
            np.asarray(r.array(got, "(bic, aic)", (2,))),
            np.array(want),
            "(bic, aic)",
            rtol=1e-9,
            mistakes=mistakes,
        )


EXERCISES: dict[str, Exercise] = {
    "ch10.n_free_parameters": Exercise(
        _ch10_n_params,
        ("n_components", "n_features", "covariance_type"),
        package_function("covariance.n_parameters")
        + sklearn_mixture("GaussianMixture._n_parameters"),
    ),
    "ch10.bic_aic": Exercise(
        _ch10_bic_aic,
        ("gmm", "X"),
        (
            Forbidden("gmm_from_scratch.mixture", "GaussianMixture.bic", "gmm.bic"),
            Forbidden("gmm_from_scratch.mixture", "GaussianMixture.aic", "gmm.aic"),
        ),
    ),
}
