"""Chapter 8 (Initialization and local optima): the checker's cases."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..mixture import GaussianMixture as _GaussianMixture
from ._core import (
    Exercise,
    Runner,
    fmt,
    package_function,
    short,
    sklearn_function,
)


def _ch08_kmeanspp(r: Runner) -> None:
    pts = np.array([[0.0], [1.0], [2.0], [6.0], [15.0]])
    r.start("returns K distinct row indices")
    rng = np.random.default_rng(80)
    X3 = np.concatenate([rng.normal(c, 0.3, size=(8, 2)) for c in ([0, 0], [5, 0], [0, 5])])
    for K in (1, 3):
        idx = r.array(r.call(X3, K, np.random.default_rng(1)), "indices", (K,))
        if not np.all((idx == np.round(idx)) & (idx >= 0) & (idx < len(X3))):
            r.fail(f"indices should be row numbers 0..{len(X3) - 1}; got {fmt(idx)}.")
        if len(np.unique(idx)) != K:
            r.fail(
                f"the indices {fmt(idx)} repeat a point.",
                "A point already chosen has distance 0 to the nearest centre, so D² "
                "sampling can never pick it again.",
            )
    again = r.call(X3, 3, np.random.default_rng(1))
    if not np.array_equal(np.asarray(again), idx):
        r.fail(
            "two calls with the same seeded `rng` gave different indices.",
            "Draw every random number from the `rng` argument.",
        )

    r.start("duplicated points (fewer distinct points than K)")
    Xdup = np.array([[0.0, 0.0]] * 3 + [[1.0, 1.0]] * 3)
    idx = r.array(
        r.call(Xdup, 3, np.random.default_rng(2)),
        "indices",
        (3,),
    )
    if not np.all((idx >= 0) & (idx < 6)):
        r.fail(f"indices should be row numbers 0..5; got {fmt(idx)}.")

    r.start("the D² probabilities (4000 seeded draws on 5 points in 1-D)")
    rng = np.random.default_rng(81)
    n_draws = 4000
    pairs = np.empty((n_draws, 2), dtype=int)
    for t, out in enumerate(r.call_repeated(n_draws, pts, 2, rng)):
        out = r.array(out, "indices", (2,))
        if not np.all((out == np.round(out)) & (out >= 0) & (out < len(pts))):
            r.fail(f"indices should be row numbers 0..{len(pts) - 1}; got {fmt(out)}.")
        pairs[t] = out
    first = np.bincount(pairs[:, 0], minlength=5)
    expected_first = n_draws / 5
    if np.any(np.abs(first - expected_first) > 6 * np.sqrt(expected_first)):
        r.fail(
            f"the first centre should be a uniformly random point (about {expected_first:.0f}"
            f" times each), but the counts were {first.tolist()}."
        )
    d2 = (pts[:, 0][:, None] - pts[:, 0][None, :]) ** 2

    def deviation(power: float) -> tuple[float, int, int, float, float]:
        worst = (0.0, 0, 0, 0.0, 0.0)
        for i in range(5):
            sel = pairs[pairs[:, 0] == i, 1]
            if sel.size == 0:
                continue
            p = d2[i] ** (power / 2)
            p = p / p.sum()
            obs = np.bincount(sel, minlength=5) / sel.size
            z = np.abs(obs - p) / np.sqrt(p * (1 - p) / sel.size + 1e-12)
            j = int(np.argmax(z))
            if z[j] > worst[0]:
                worst = (float(z[j]), i, j, float(obs[j]), float(p[j]))
        return worst

    z, i, j, obs, p = deviation(2.0)
    if z > 6:
        hint = None
        if deviation(1.0)[0] < 6:
            hint = "You sampled proportionally to the distance D: square it (eq. 3.4)."
        elif deviation(0.0)[0] < 6 or deviation(0.0)[0] < z / 3:
            hint = (
                "The second centre looks uniformly chosen: draw it with probabilities "
                "D(x)² / Σ D² (eq. 3.4)."
            )
        r.fail(
            f"given the first centre x = {pts[i, 0]:g}, your function picked x = "
            f"{pts[j, 0]:g} as the second centre {100 * obs:.1f}% of the time, but D² "
            f"sampling picks it with probability {100 * p:.1f}%.",
            hint,
        )


def _other_setup_hint(X: np.ndarray, K: int, n_init: int, seed: int, lb: float) -> str | None:
    """Name the setup of the student's runs when it is not the one the exercise asks for."""
    setups: list[tuple[dict[str, Any], str]] = [
        (
            {"init_params": "random"},
            "Your runs use init_params='random': every one of them starts near the saddle "
            "where all components coincide and stops there (chapter 8), so the best of them is "
            "as poor as the others. Use init_params='random_from_data'.",
        ),
        (
            {"init_params": "kmeans"},
            "Your runs use the default k-means start: use init_params='random_from_data' "
            "as the exercise says, so that the runs differ.",
        ),
        (
            {"init_params": "random_from_data", "max_iter": 100},
            "Use max_iter=200 as the exercise says (the default 100 stops some runs early).",
        ),
    ]
    setups.append(
        (
            {"init_params": "random_from_data", "offset": -seed},
            "Run i must use random_state=seed + i (your runs seem to use random_state=i): "
            "the seed argument makes the result reproducible.",
        )
    )
    for kwargs, hint in setups:
        for i in range(n_init):
            options = {"max_iter": 200, **kwargs}
            state = seed + i + int(options.pop("offset", 0))
            gm = _GaussianMixture(K, random_state=state, **options)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if np.isclose(gm.fit(X).lower_bound_, lb, rtol=1e-10):
                    return hint
    return None


def _ch08_best_run(r: Runner) -> None:
    rng = np.random.default_rng(82)
    X = np.concatenate(
        [rng.normal(c, 0.6, size=(40, 2)) for c in ([0, 0], [3, 0], [0, 3], [3, 3], [1.5, 6])]
    )
    for name, (K, n_init, seed) in [
        ("5 blobs, K = 5, 6 runs", (5, 6, 0)),
        ("5 blobs, K = 3, 4 runs", (3, 4, 7)),
        ("a single run", (2, 1, 3)),
    ]:
        r.start(name)
        got = r.call(X, K, n_init, seed)
        bounds = []
        for i in range(n_init):
            gm = _GaussianMixture(
                K, init_params="random_from_data", max_iter=200, random_state=seed + i
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                bounds.append(gm.fit(X).lower_bound_)
        if not hasattr(got, "lower_bound_"):
            r.fail(
                f"your function returned {short(got)}; it should return the fitted "
                "GaussianMixture of the best run."
            )
        lb = float(got.lower_bound_)
        if not np.isclose(lb, max(bounds), rtol=1e-10, atol=1e-12):
            hint = None
            if np.isclose(lb, min(bounds), rtol=1e-10):
                hint = (
                    "You kept the worst run. k-means keeps the LOWEST inertia, but EM keeps "
                    "the HIGHEST log-likelihood (lower_bound_)."
                )
            elif np.isclose(lb, bounds[-1], rtol=1e-10):
                hint = "You returned the last run: compare every run's lower_bound_."
            elif np.isclose(lb, bounds[0], rtol=1e-10):
                hint = (
                    "You returned the first run, or every run used the same random_state "
                    "(then all runs are the same): use random_state=seed + i for run i and "
                    "keep the one with the highest lower_bound_."
                )
            else:
                hint = _other_setup_hint(X, K, n_init, seed, lb)
            r.fail(
                f"the returned model has lower_bound_ = {lb:.6g}, but the best of the runs "
                f"with random_state = {seed}..{seed + n_init - 1} reaches {max(bounds):.6g} "
                f"(all runs: {', '.join(f'{b:.6g}' for b in bounds)}).",
                hint,
            )


EXERCISES: dict[str, Exercise] = {
    "ch08.kmeans_plusplus": Exercise(
        _ch08_kmeanspp,
        ("X", "n_clusters", "rng"),
        package_function("kmeans.kmeans_plusplus")
        + sklearn_function("sklearn.cluster", "kmeans_plusplus")
        + sklearn_function("sklearn.cluster._kmeans", "_kmeans_plusplus"),
    ),
    "ch08.best_of_n_init": Exercise(_ch08_best_run, ("X", "n_components", "n_init", "seed")),
}
