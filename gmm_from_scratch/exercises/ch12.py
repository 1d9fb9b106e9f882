"""Chapter 12 (Applications: anomaly detection): the checker's cases."""

from __future__ import annotations

import numpy as np

from ..mixture import GaussianMixture as _GaussianMixture
from ._core import (
    Exercise,
    Runner,
    fmt,
)


def _anomaly_models():
    rng = np.random.default_rng(120)
    X2 = np.concatenate([rng.normal(c, 0.8, size=(150, 2)) for c in ([0, 0], [4, 2])])
    X1 = rng.normal(0, 1, size=(200, 1))
    gm2 = _GaussianMixture(2, random_state=0).fit(X2)
    gm1 = _GaussianMixture(1, random_state=0).fit(X1)
    return (gm2, X2), (gm1, X1)


def _ch12_threshold(r: Runner) -> None:
    (gm2, X2), (gm1, X1) = _anomaly_models()
    cases = [
        ("2-D, contamination 0.05", (gm2, X2, 0.05)),
        ("2-D, contamination 0.01", (gm2, X2, 0.01)),
        ("1-D, contamination 0.1", (gm1, X1, 0.1)),
        ("contamination 0 (flag nothing in the training data)", (gm1, X1, 0.0)),
    ]
    for name, (gm, X, c) in cases:
        r.start(name)
        scores = gm.score_samples(X)  # before the call, which might modify the model
        want = float(np.quantile(scores, c))
        got = r.call(gm, X, c)

        def mistakes(scores=scores, c=c):
            return [
                (
                    "That is the (1 − contamination) quantile: anomalies are the LEAST likely "
                    "points, so take the low tail.",
                    np.quantile(scores, 1 - c),
                ),
                (
                    "That threshold is a density, not a log-density: compare with "
                    "score_samples, which returns log p(x).",
                    np.quantile(np.exp(scores), c),
                ),
                (
                    "np.percentile takes percents (0-100), np.quantile fractions (0-1): use "
                    "np.quantile(scores, contamination).",
                    np.percentile(scores, c),
                ),
                (
                    "Sorting and indexing picks one of the scores; np.quantile(scores, "
                    "contamination) interpolates linearly between the two nearest ones.",
                    np.sort(scores)[min(int(c * len(scores)), len(scores) - 1)],
                ),
            ]

        r.close(
            r.array(got, "the threshold", ()), want, "the threshold", rtol=1e-10, mistakes=mistakes
        )


def _ch12_flag(r: Runner) -> None:
    (gm2, X2), (gm1, X1) = _anomaly_models()
    new2 = np.array([[0.0, 0.0], [4.0, 2.0], [10.0, -10.0], [2.0, 1.0], [-3.0, 5.0]])
    t2 = float(np.quantile(gm2.score_samples(X2), 0.05))
    new1 = np.array([[0.0], [5.0], [-2.5], [1.0]])
    t1 = float(np.quantile(gm1.score_samples(X1), 0.05))
    for name, (gm, X, t) in [
        ("2-D new points", (gm2, new2, t2)),
        ("1-D new points", (gm1, new1, t1)),
        ("a single point", (gm2, new2[2:3], t2)),
    ]:
        r.start(name)
        scores = gm.score_samples(X)  # before the call, which might modify the model
        want = scores < t
        got = r.call(gm, X, t)
        g = r.array(got, "the flags", want.shape, dtype=object)
        if not all(isinstance(v, (bool, np.bool_)) for v in g.ravel()):
            r.fail("the flags should be booleans (True for an anomaly), e.g. `scores < t`.")
        g = g.astype(bool)
        if not np.array_equal(g, want):
            i = int(np.flatnonzero(g != want)[0])
            hint = (
                "Anomalies have a LOW log-density: flag score_samples(X) < threshold."
                if np.array_equal(g, ~want)
                else None
            )
            r.fail(
                f"point {i} ({fmt(X[i])}, log-density "
                f"{float(scores[i]):.6g}, threshold {t:.6g}) should "
                f"be flagged {bool(want[i])}, but you flagged it {bool(g[i])}.",
                hint,
            )


EXERCISES: dict[str, Exercise] = {
    "ch12.anomaly_threshold": Exercise(_ch12_threshold, ("gmm", "X_train", "contamination")),
    "ch12.flag_anomalies": Exercise(_ch12_flag, ("gmm", "X", "threshold")),
}
