"""Chapter 7 (Log-space numerics): the checker's cases."""

from __future__ import annotations

import numpy as np

from .. import logspace as _logspace
from ._core import (
    Exercise,
    Forbidden,
    Runner,
    fmt,
    is_numeric,
    package_function,
)


def _ch07_logsumexp(r: Runner) -> None:
    ninf = -np.inf
    cases = [
        ("a small vector", (np.array([1.0, 2.0, 3.0]), None)),
        ("large values (exp overflows)", (np.array([1000.0, 1000.0, 999.0]), None)),
        ("very negative values (exp underflows)", (np.array([-1000.0, -1001.0]), None)),
        ("a matrix, axis=1", (np.array([[0.0, -800.0, 1.0], [700.0, 710.0, 705.0]]), 1)),
        ("a matrix, axis=0", (np.array([[0.0, -800.0], [1000.0, 3.0], [2.0, 4.0]]), 0)),
        (
            "a row of all −inf (a point no component can explain)",
            (np.array([[ninf, ninf], [0.0, ninf]]), 1),
        ),
        ("a single element", (np.array([-3.5]), None)),
    ]
    for name, (a, axis) in cases:
        r.start(name)
        got = r.call(a, axis)
        want = _logspace.logsumexp(a, axis=axis)
        if axis is not None and a.ndim == 2 and is_numeric(got):
            shape = np.shape(np.asarray(got, dtype=float))
            if shape != np.shape(want) and shape == (a.shape[axis],):
                r.fail(
                    f"logsumexp has shape {shape}, but it should be an array of shape "
                    f"{np.shape(want)}: a has shape {a.shape} and axis={axis}.",
                    f"You reduced along axis {1 - axis}: pass axis=axis (here {axis}) to every "
                    "max and sum, so that the reduced axis is the one asked for.",
                )
        got = r.array(got, "logsumexp", np.shape(want))
        if np.any(np.isnan(got)) and np.any(np.isneginf(want)):
            r.fail(
                f"you returned {fmt(got)}, but the answer is {fmt(np.asarray(want))}.",
                "When every entry is −inf, the maximum is −inf and a − max = −inf − (−inf) "
                "is NaN: replace a non-finite maximum by 0 before subtracting.",
            )

        def mistakes(a=a, axis=axis, want=want):
            top = np.max(a)
            safe = top if np.isfinite(top) else 0.0
            m = np.max(a, axis=axis)
            per_axis = (
                "You subtracted one maximum over the whole array; take the maximum per slice "
                "along `axis` (np.max(a, axis=axis, keepdims=True)): a slice far below the "
                "global maximum underflows to log 0 = −inf."
            )
            return [
                (per_axis, safe + np.log(np.sum(np.exp(a - safe), axis=axis))),
                (per_axis, top + np.log(np.sum(np.exp(a - top), axis=axis))),
                (
                    "Add the maximum back after the log: log Σ exp(a) = m + log Σ exp(a − m) "
                    "(eq. 7.1).",
                    want - np.where(np.isfinite(m), m, 0.0),
                ),
            ]

        r.close(
            got,
            want,
            "logsumexp",
            rtol=1e-12,
            atol=1e-12,
            mistakes=mistakes,
            nan_hint="exp(1000) overflows to inf and exp(−1000) underflows to 0: subtract "
            "the maximum before exponentiating and add it back after the log (eq. 7.1).",
        )


EXERCISES: dict[str, Exercise] = {
    "ch07.logsumexp": Exercise(
        _ch07_logsumexp,
        ("a", "axis"),
        (Forbidden("scipy.special", "logsumexp", "scipy.special.logsumexp"),)
        + package_function("logspace.logsumexp"),
    ),
}
