"""Chapter 11 (Degeneracies, regularization, label switching): the checker's cases."""

from __future__ import annotations

import numpy as np

from .. import alignment as _alignment
from ._core import (
    Exercise,
    Runner,
    fmt,
    package_function,
)


def _plain_distance_matching(ref: np.ndarray, other: np.ndarray) -> np.ndarray:
    """The permutation that minimizes the sum of (unsquared) distances."""
    from scipy.optimize import linear_sum_assignment

    cost = np.sqrt(((ref[:, None, :] - other[None, :, :]) ** 2).sum(axis=2))
    rows, cols = linear_sum_assignment(cost)
    perm = np.empty(len(rows), dtype=int)
    perm[rows] = cols
    return perm


def _ch11_align(r: Runner) -> None:
    rng = np.random.default_rng(110)
    base = rng.normal(scale=5, size=(5, 2))
    cases = [
        (
            "three components, shuffled and jittered",
            (base[:3], base[:3][[2, 0, 1]] + 0.1 * rng.normal(size=(3, 2))),
        ),
        (
            "a greedy matching is not the cheapest",
            (np.array([[1.0, 0.0], [0.0, 0.0]]), np.array([[0.9, 0.0], [3.0, 0.0]])),
        ),
        ("one component", (base[:1], base[:1] + 0.5)),
        (
            "1-D means",
            (np.array([[0.0], [10.0], [20.0], [30.0]]), np.array([[21.0], [-1.0], [29.0], [11.0]])),
        ),
        (
            "plain distances would pick another matching",
            (
                np.array([[-7.0, -1.0], [-4.0, -2.0], [-2.0, -1.0]]),
                np.array([[1.0, 3.0], [0.0, 4.0], [-2.0, 1.0]]),
            ),
        ),
        (
            "five components, a random permutation",
            (base, base[[3, 1, 4, 0, 2]] + 0.2 * rng.normal(size=(5, 2))),
        ),
    ]
    for name, (ref, other) in cases:
        r.start(name)
        K = ref.shape[0]
        got = r.call(ref, other)
        perm = r.array(got, "perm", (K,))
        if not np.array_equal(np.sort(perm), np.arange(K)):
            r.fail(
                f"perm = {fmt(perm)} is not a permutation of 0..{K - 1}: each component "
                "of `means` must be used exactly once.",
                "Matching each reference component to its nearest one can use a component "
                "twice; solve the assignment problem (scipy.optimize.linear_sum_assignment).",
            )
        perm = perm.astype(int)
        best = _alignment.align_components(ref, other)

        def cost(p: np.ndarray, ref: np.ndarray = ref, other: np.ndarray = other) -> float:
            return float(np.sum((ref - other[p]) ** 2))

        if cost(perm) > cost(best) * (1 + 1e-12) + 1e-12:
            hint = None
            inverse = np.argsort(perm)
            if np.isclose(cost(inverse), cost(best)):
                hint = (
                    "You returned the inverse permutation: perm[k] must be the index in "
                    "`means` of the component that matches reference component k, so that "
                    "means[perm] lines up with reference_means."
                )
            elif np.isclose(cost(perm), cost(_plain_distance_matching(ref, other))):
                hint = (
                    "Use the SQUARED distances as the cost (eq. 11.4): the sum of plain "
                    "distances is minimized by another matching here."
                )
            else:
                hint = (
                    "Greedy matching is not optimal in general: minimize the total cost "
                    "(eq. 11.4) with scipy.optimize.linear_sum_assignment."
                )
            r.fail(
                f"means[perm] is {cost(perm):.6g} (total squared distance) away from the "
                f"reference, but the best renumbering {fmt(best)} achieves "
                f"{cost(best):.6g}.",
                hint,
            )


EXERCISES: dict[str, Exercise] = {
    "ch11.align_to_reference": Exercise(
        _ch11_align, ("reference_means", "means"), package_function("alignment.align_components")
    ),
}
