"""Chapter 3 (k-means and its limits): the checker's cases."""

from __future__ import annotations

import numpy as np

from ..kmeans import KMeans as _KMeans
from ..kmeans import squared_distances as _squared_distances
from ._core import (
    Exercise,
    Runner,
    fmt,
)


def _ch03_lloyd(r: Runner) -> None:
    rng = np.random.default_rng(30)
    blobs = np.concatenate([rng.normal(c, 0.5, size=(10, 2)) for c in ([0, 0], [4, 0], [0, 4])])
    cases = [
        ("three blobs", (blobs, blobs[[0, 1, 2]] + 0.1)),
        (
            "an empty cluster (one centre far from every point)",
            (blobs, np.array([[0.0, 0.0], [4.0, 0.0], [100.0, 100.0]])),
        ),
        ("one cluster", (blobs[:7], blobs[:1].copy())),
        ("a single point and one centre", (np.array([[1.0, -2.0]]), np.array([[0.0, 0.0]]))),
        ("1-D data (d = 1)", (rng.normal(size=(9, 1)) * 3, np.array([[-1.0], [1.0]]))),
    ]
    for name, (X, centers) in cases:
        r.start(name)
        got = r.tuple_of(r.call(X, centers), 2, "labels, new_centers")
        dist = _squared_distances(X, centers)
        want_labels = np.argmin(dist, axis=1)
        km = _KMeans(centers.shape[0], init=centers, n_init=1, max_iter=1, tol=0.0).fit(X)
        want_centers = km.cluster_centers_
        labels = r.array(got[0], "labels", want_labels.shape)
        if not np.all(labels == np.round(labels)):
            r.fail("labels should be whole numbers (the index of a centre).")
        wrong = np.flatnonzero(labels != want_labels)
        if wrong.size:
            i = int(wrong[0])
            hint = None
            if np.array_equal(labels, np.argmax(dist, axis=1)):
                hint = "You assigned each point to its farthest centre: use argmin (eq. 3.2)."
            r.fail(
                f"labels[{i}] is {int(labels[i])}, but point {i} is closest to centre "
                f"{int(want_labels[i])} (squared distances to the centres: "
                f"{fmt(dist[i])}); {wrong.size} label(s) differ in all.",
                hint,
            )

        def c_mistakes(X=X, centers=centers, labels=want_labels, want=want_centers):
            empty = np.bincount(labels, minlength=len(centers)) == 0
            return [
                (
                    "A centre that received no point must keep its old position; yours moved "
                    "to the origin.",
                    np.where(empty[:, None], 0.0, want),
                )
            ]

        r.close(
            got[1],
            want_centers,
            "new_centers",
            rtol=1e-9,
            mistakes=c_mistakes,
            nan_hint="A centre with no points gives a mean of 0/0 = NaN: keep the old "
            "centre of an empty cluster.",
        )


EXERCISES: dict[str, Exercise] = {
    "ch03.lloyd_step": Exercise(_ch03_lloyd, ("X", "centers")),
}
