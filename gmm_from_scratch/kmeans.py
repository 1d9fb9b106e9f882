"""k-means: Lloyd's algorithm with k-means++ seeding (chapter 3).

k-means minimizes the inertia ``sum_n |x_n - c_{z_n}|^2`` (eq. 3.1) by alternating the
assignment step (eq. 3.2) and the update step (eq. 3.3). It is the hard-assignment,
equal-spherical-covariance limit of EM for a Gaussian mixture, and the default way to
initialize one.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from ._params import ParamsMixin
from ._validation import (
    check_array,
    check_positive_int,
    check_random_state,
    check_sample_weight,
    not_fitted_error,
    validate_data,
)
from .em import iter_blocks

__all__ = ["KMeans", "column_variances", "kmeans_plusplus", "squared_distances"]

#: Entries per block of the elementwise work on ``X`` (no temporary the size of the data).
_BLOCK_ENTRIES = 1 << 18


def _block_rows(row_size: int) -> int:
    return max(64, _BLOCK_ENTRIES // max(1, row_size))


def column_variances(X: np.ndarray) -> np.ndarray:
    """Variance of every column, ``np.var(X, axis=0)``, in float64 and in blocks of rows.

    Two passes (the mean, then the mean squared deviation from it), so data far from the
    origin loses no digits, and no temporary the size of ``X`` (float32 data stays as it is).

    Examples
    --------
    >>> X = np.array([[1.0, 10.0], [3.0, 10.0], [5.0, 13.0]], dtype=np.float32)
    >>> bool(np.allclose(column_variances(X), np.var(X.astype(np.float64), axis=0), rtol=1e-15))
    True
    """
    n, d = X.shape
    total = np.zeros(d)
    for rows in iter_blocks(n, _block_rows(d)):
        total += X[rows].sum(axis=0, dtype=np.float64)
    mean = total / n
    squares = np.zeros(d)
    for rows in iter_blocks(n, _block_rows(d)):
        D = X[rows] - mean
        squares += np.einsum("nd,nd->d", D, D)
    return squares / n


def squared_distances(X: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """Squared Euclidean distance from every row of X to every centre, shape (n, K).

    Computed as ``|x - c|^2`` directly (no ``|x|^2 - 2 x.c + |c|^2`` expansion), in blocks.

    Examples
    --------
    >>> squared_distances(np.array([[0.0, 0.0], [3.0, 4.0]]), np.array([[0.0, 0.0], [3.0, 0.0]]))
    array([[ 0.,  9.],
           [25., 16.]])
    """
    n = X.shape[0]
    centers = np.asarray(centers, dtype=np.float64)  # float32 rows are compared in float64
    out = np.empty((n, centers.shape[0]))
    for rows in iter_blocks(n, _block_rows(centers.size)):
        D = X[rows, None, :] - centers[None]
        out[rows] = np.einsum("nkd,nkd->nk", D, D)
    return out


def kmeans_plusplus(
    X: np.ndarray,
    n_clusters: int,
    random_state: Any = None,
    sample_weight: np.ndarray | None = None,
    n_local_trials: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Choose initial centres by k-means++ D² sampling (eq. 3.4; Arthur & Vassilvitskii 2007).

    The first centre is a random row; each next one is drawn with probability proportional to
    its squared distance to the nearest centre chosen so far (times its sample weight). Like
    scikit-learn, it draws ``2 + log K`` candidates each time and keeps the one that lowers
    the inertia most ("greedy" k-means++).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    n_clusters : int
    random_state : None, int or numpy Generator
    sample_weight : array-like of shape (n_samples,), optional
    n_local_trials : int, optional

    Returns
    -------
    centers : ndarray of shape (n_clusters, n_features)
    indices : ndarray of shape (n_clusters,)
        Row index in X of each centre.

    Examples
    --------
    Two tight pairs of points: the second centre is drawn, with probability proportional to the
    squared distance (eq. 3.4), from the pair the first one did not pick.

    >>> X = np.array([[0.0, 0.0], [0.1, 0.0], [5.0, 5.0], [5.1, 5.0]])
    >>> centers, indices = kmeans_plusplus(X, 2, random_state=0)
    >>> sorted(np.round(centers[:, 0]).tolist())
    [0.0, 5.0]
    >>> bool(np.array_equal(centers, X[indices]))
    True
    """
    X = check_array(X, keep_float32=True)
    n_clusters = check_positive_int(n_clusters, "n_clusters")
    n = X.shape[0]
    if n < n_clusters:
        raise ValueError(f"n_samples={n} should be >= n_clusters={n_clusters}.")
    rng = check_random_state(random_state)
    w = check_sample_weight(sample_weight, n)
    w = np.ones(n) if w is None else w
    if n_local_trials is None:
        n_local_trials = 2 + int(np.log(n_clusters))
    indices = np.empty(n_clusters, dtype=np.intp)
    indices[0] = rng.choice(n, p=w / w.sum())
    closest = squared_distances(X, X[indices[:1]])[:, 0]
    for c in range(1, n_clusters):
        p = closest * w
        total = p.sum()
        if total <= 0:  # every remaining point coincides with a centre
            candidates = rng.choice(n, size=n_local_trials, p=w / w.sum())
        else:
            candidates = rng.choice(n, size=n_local_trials, p=p / total)
        dist_cand = np.minimum(closest[None, :], squared_distances(X, X[candidates]).T)
        best = int(np.argmin((dist_cand * w).sum(axis=1)))
        indices[c] = candidates[best]
        closest = dist_cand[best]
    return X[indices].astype(np.float64), indices


class KMeans(ParamsMixin):
    """k-means clustering with Lloyd's algorithm.

    Parameters
    ----------
    n_clusters : int, default=8
    init : {'k-means++', 'random'} or ndarray of shape (n_clusters, n_features)
        ``'random'`` picks ``n_clusters`` distinct rows at random.
    n_init : int, default=10
        Number of runs from different seeds; the run with the lowest inertia is kept.
    max_iter : int, default=300
    tol : float, default=1e-4
        Stop when the centres move less than ``tol`` times the mean feature variance
        (squared Frobenius norm of the shift), as scikit-learn does.
    random_state : None, int or numpy Generator

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
    labels_ : ndarray of shape (n_samples,)
    inertia_ : float
        Sum of (weighted) squared distances to the nearest centre (eq. 3.1).
    n_iter_ : int
    n_features_in_ : int

    Examples
    --------
    >>> X = np.array([[0.0, 0.0], [0.1, 0.0], [5.0, 5.0], [5.1, 5.0]])
    >>> km = KMeans(n_clusters=2, random_state=0).fit(X)
    >>> sorted(np.bincount(km.labels_).tolist())
    [2, 2]
    """

    _estimator_kind = "clusterer"
    _fitted_attribute = "cluster_centers_"

    def __init__(
        self,
        n_clusters: int = 8,
        *,
        init: str | np.ndarray = "k-means++",
        n_init: int = 10,
        max_iter: int = 300,
        tol: float = 1e-4,
        random_state: Any = None,
    ) -> None:
        self.n_clusters = n_clusters
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    def _check_params(self, n_features: int) -> None:
        check_positive_int(self.n_clusters, "n_clusters")
        check_positive_int(self.n_init, "n_init")
        check_positive_int(self.max_iter, "max_iter")
        if not (isinstance(self.tol, numbers.Real) and self.tol >= 0):
            raise ValueError(f"tol must be a non-negative number, got {self.tol!r}.")
        if isinstance(self.init, str):
            if self.init not in ("k-means++", "random"):
                raise ValueError(
                    f"init must be 'k-means++', 'random' or an array, got {self.init!r}."
                )
        else:
            init = np.asarray(self.init, dtype=np.float64)
            if init.shape != (self.n_clusters, n_features):
                raise ValueError(
                    f"init array must have shape {(self.n_clusters, n_features)}, got {init.shape}."
                )

    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> KMeans:
        """Run Lloyd's algorithm ``n_init`` times and keep the best run."""
        X = validate_data(self, X, reset=True, keep_float32=True)
        self._check_params(X.shape[1])
        n = X.shape[0]
        if n < self.n_clusters:
            raise ValueError(
                f"n_samples={n} should be >= n_clusters={self.n_clusters}: "
                "there are fewer points than clusters."
            )
        w = check_sample_weight(sample_weight, n)
        w = np.ones(n) if w is None else w
        if np.count_nonzero(w) < self.n_clusters:
            raise ValueError(
                f"Only {np.count_nonzero(w)} samples have non-zero weight, fewer than "
                f"n_clusters={self.n_clusters}."
            )
        rng = check_random_state(self.random_state)
        tol = self.tol * float(np.mean(column_variances(X)))
        n_runs = self.n_init if isinstance(self.init, str) else 1
        best = None
        for _ in range(n_runs):
            centers = self._initial_centers(X, rng, w)
            result = self._lloyd(X, centers, w, tol)
            if best is None or result[2] < best[2]:
                best = result
        assert best is not None
        self.cluster_centers_, self.labels_, self.inertia_, self.n_iter_ = best
        self.n_features_in_ = X.shape[1]
        return self

    def _initial_centers(self, X: np.ndarray, rng: np.random.Generator, w: np.ndarray):
        if isinstance(self.init, str) and self.init == "k-means++":
            return kmeans_plusplus(X, self.n_clusters, rng, sample_weight=w)[0]
        if isinstance(self.init, str):
            idx = rng.choice(X.shape[0], size=self.n_clusters, replace=False, p=w / w.sum())
            return X[idx].astype(np.float64)
        return np.asarray(self.init, dtype=np.float64).copy()

    def _lloyd(self, X, centers, w, tol):
        n_iter = 0
        for n_iter in range(1, self.max_iter + 1):  # noqa: B007 (n_iter is used after the loop)
            labels = np.argmin(squared_distances(X, centers), axis=1)  # eq. 3.2
            new_centers = centers.copy()
            counts = np.bincount(labels, weights=w, minlength=self.n_clusters)
            sums = np.zeros_like(centers)
            for rows in iter_blocks(X.shape[0], _block_rows(X.shape[1])):  # no n x d temporary
                np.add.at(sums, labels[rows], X[rows] * w[rows, None])
            nonempty = counts > 0
            new_centers[nonempty] = sums[nonempty] / counts[nonempty, None]  # eq. 3.3
            # An empty cluster keeps its centre; it can win points back later.
            shift = float(np.sum((new_centers - centers) ** 2))
            centers = new_centers
            if shift <= tol:
                break
        dist = squared_distances(X, centers)
        labels = np.argmin(dist, axis=1)
        inertia = float(np.sum(w * dist[np.arange(X.shape[0]), labels]))
        return centers, labels, inertia, n_iter

    def predict(self, X: Any) -> np.ndarray:
        """Index of the nearest centre for each row of X."""
        if not hasattr(self, "cluster_centers_"):
            raise not_fitted_error(self)
        X = validate_data(self, X, reset=False, keep_float32=True)
        return np.argmin(squared_distances(X, self.cluster_centers_), axis=1)

    def fit_predict(self, X: Any, y: Any = None, sample_weight: Any = None) -> np.ndarray:
        """Fit and return ``labels_``."""
        return self.fit(X, sample_weight=sample_weight).labels_
