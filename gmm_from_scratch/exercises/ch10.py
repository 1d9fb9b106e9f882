"""Chapter 10 (Choosing the number of components): the checker's cases."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..covariance import n_parameters as _n_parameters
from ..mixture import GaussianMixture as _GaussianMixture
from ._core import (
    Exercise,
    Fail,
    Forbidden,
    Runner,
    package_function,
    sklearn_mixture,
)

#: The covariance part of the count (eq. 9.5), as a formula and its value.
_COV_PART = {
    "full": ("K·d(d+1)/2", lambda K, d: K * d * (d + 1) // 2),
    "tied": ("d(d+1)/2", lambda K, d: d * (d + 1) // 2),
    "diag": ("K·d", lambda K, d: K * d),
    "spherical": ("K", lambda K, d: K),
}
_SYMMETRIC = "a symmetric d×d matrix has d(d+1)/2 free entries, not d² (eq. 9.5)"
_ONE_EACH = "each of the K components has its own covariance"


def _count_slips(t: str) -> list[tuple[str, Any, str]]:
    """(part, wrong count of that part as a function of K and d, what is wrong)."""
    own = {
        "full": [
            (lambda K, d: K * d * d, _SYMMETRIC),
            (lambda K, d: d * (d + 1) // 2, f"{_ONE_EACH} in 'full', K·d(d+1)/2"),
            (lambda K, d: d * d, f"{_ONE_EACH} in 'full' and {_SYMMETRIC}"),
            (
                lambda K, d: K * d * (d - 1) // 2,
                "the d variances on the diagonal count too: d(d−1)/2 covariances plus d "
                "variances make d(d+1)/2 per component",
            ),
            (lambda K, d: K * d, "a 'full' covariance has d(d+1)/2 free entries, not only d"),
        ],
        "tied": [
            (lambda K, d: d * d, _SYMMETRIC),
            (
                lambda K, d: K * d * (d + 1) // 2,
                "'tied' shares ONE covariance among all the components: d(d+1)/2",
            ),
            (lambda K, d: K * d * d, "'tied' shares ONE covariance, and " + _SYMMETRIC),
            (
                lambda K, d: d * (d - 1) // 2,
                "the d variances on the diagonal count too: d(d+1)/2 in all",
            ),
        ],
        "diag": [
            (lambda K, d: d, "each of the K components has its own d variances: K·d"),
            (lambda K, d: K, "a 'diag' component has d variances, one per feature: K·d"),
            (
                lambda K, d: K * d * (d + 1) // 2,
                "'diag' keeps only the d variances of each component (no covariances): K·d",
            ),
            (lambda K, d: K * d * d, "'diag' keeps only the d variances of each component: K·d"),
        ],
        "spherical": [
            (lambda K, d: 1, "each of the K components has its own variance: K"),
            (lambda K, d: K * d, "'spherical' has ONE variance per component, not d: K"),
            (lambda K, d: d, "'spherical' has ONE variance per component: K"),
        ],
    }[t]
    slips: list[tuple[str, Any, str]] = [
        ("weights", lambda K, d: K, "the K weights sum to one, so only K − 1 of them are free"),
        ("weights", lambda K, d: 0, "they are missing: K − 1 of them are free"),
        ("means", lambda K, d: 0, "they are missing: count the K·d entries of the means"),
        ("means", lambda K, d: d, "each of the K components has its own mean: K·d"),
        ("means", lambda K, d: K, "each mean has d entries: K·d"),
    ]
    slips += [("covariances", f, why) for f, why in own]
    slips.append(("covariances", lambda K, d: 0, "they are missing"))
    return slips


def _count_hint(r: Runner, K: int, d: int, t: str, got: Any) -> str:
    """The breakdown of the count, and the part the student's counts get wrong."""
    if isinstance(got, (float, np.floating)) and got == _n_parameters(K, d, t):
        return (
            "Return an int: d(d+1)/2 written with / is a float. Use // (d(d+1) is always even) "
            "or int(...)."
        )
    formula, cov = _COV_PART[t]
    breakdown = (
        f"Count in three parts and add them (eq. 9.5): the weights, K − 1 = {K - 1} (they sum "
        f"to one); the means, K·d = {K * d}; the covariances, {formula} = {cov(K, d)} for "
        f"'{t}'; {_n_parameters(K, d, t)} in all."
    )
    # the student's counts on a few more sizes, to tell apart slips that agree on this one
    answers = {(K, d): got}
    for K2, d2 in ((2, 5), (4, 3), (3, 2)):
        if (K2, d2) in answers:
            continue
        try:
            answers[(K2, d2)] = r.call(K2, d2, t)
        except Fail:
            pass
    right = {"weights": lambda K, d: K - 1, "means": lambda K, d: K * d, "covariances": cov}
    found: dict[str, str] = {}  # part -> what is wrong; some slips give the same counts
    for part, wrong, why in _count_slips(t):
        if part not in found and all(
            isinstance(v, (int, np.integer, float, np.floating))
            and v == _n_parameters(k, dd, t) - right[part](k, dd) + wrong(k, dd)
            for (k, dd), v in answers.items()
        ):
            found[part] = why
    if found:
        return (
            f"{breakdown} Your count is off in the "
            + "; or in the ".join(f"{part}: {why}" for part, why in found.items())
            + "."
        )
    if isinstance(got, (int, np.integer, float, np.floating)):
        diff = float(got) - _n_parameters(K, d, t)
        return (
            f"{breakdown} Yours is {abs(diff):g} too {'many' if diff > 0 else 'few'}: compare "
            "each part."
        )
    return f"{breakdown} Return that number as an int."


def _ch10_n_params(r: Runner) -> None:
    cases = [
        (K, d, t) for t in ("full", "tied", "diag", "spherical") for K, d in ((3, 2), (2, 5))
    ] + [(1, 1, "full"), (4, 1, "tied")]
    for K, d, t in cases:
        r.start(f"K={K}, d={d}, '{t}'")
        got = r.call(K, d, t)
        want = _n_parameters(K, d, t)
        if not isinstance(got, (int, np.integer)) or int(got) != want:
            hint = _count_hint(r, K, d, t, got)
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
