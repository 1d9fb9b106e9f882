"""EM as map-reduce on Dask: one EM iteration = one map over chunks + one sum (chapter 13).

The sufficient statistics (eq. 13.1) are sums over rows, so the statistics of a data set are
the sum of the statistics of its chunks. Each iteration therefore

1. *maps* :func:`~gmm_from_scratch.em.em_pass` over the row chunks of a ``dask.array``, where
   they live (on the workers of a cluster), giving one small
   :class:`~gmm_from_scratch.em.SufficientStatistics` per chunk, all about the same shift;
2. *reduces* them by addition in a tree, and sends only the result (``K d^2`` numbers for
   full covariances) back to the client;
3. runs the M-step (:func:`~gmm_from_scratch.em.m_step`) locally.

The same code runs on a thread pool, a :class:`dask.distributed.LocalCluster` or a cluster of
many machines: whichever scheduler is active (for distributed, the one of the current
``Client``) executes the graph. Data never travel to the client; parameters (small) travel to
the workers once per iteration.

This is the only module that imports Dask, and only when its functions are called: install it
with ``pip install "gmm_from_scratch[scale]"``.

Examples
--------
>>> import dask.array as da  # doctest: +SKIP
>>> X = da.from_array(big_numpy_array, chunks=(100_000, -1))  # doctest: +SKIP
>>> gmm = DaskGaussianMixture(16, random_state=0).fit(X)  # doctest: +SKIP
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from ._validation import check_finite_block
from .em import SufficientStatistics, em_pass
from .mixture import GaussianMixture

__all__ = ["DaskGaussianMixture", "dask_em_pass"]


def _import_dask():
    try:
        import dask
        import dask.array as da
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise ImportError(
            "The Dask path needs dask: install it with pip install 'gmm_from_scratch[scale]'."
        ) from exc
    return dask, da


def _chunk_statistics(
    chunk: np.ndarray,
    weights: np.ndarray,
    means: np.ndarray,
    precisions_cholesky: np.ndarray,
    covariance_type: str,
    sample_weight: np.ndarray | None,
    block_size: int | None,
) -> SufficientStatistics:
    """The map step: statistics of one chunk (runs on a worker)."""
    chunk = check_finite_block(chunk)
    stats, _ = em_pass(
        chunk, weights, means, precisions_cholesky, covariance_type, sample_weight, block_size,
        refine=False,  # a chunk's sums are partial: their precision is judged on the whole
    )  # fmt: skip
    return stats


def _tree_sum(dask: Any, parts: list) -> Any:
    """Add delayed statistics pairwise, in a tree of depth ``log2(len(parts))``."""
    add = dask.delayed(operator.add, pure=True)
    while len(parts) > 1:
        parts = [add(a, b) if b is not None else a for a, b in _pairs(parts)]
    return parts[0]


def _pairs(items: list) -> list:
    it = iter(items)
    return [(a, next(it, None)) for a in it]


def dask_em_pass(
    X: Any,
    weights: np.ndarray,
    means: np.ndarray,
    precisions_cholesky: np.ndarray,
    covariance_type: str,
    sample_weight: Any = None,
    block_size: int | None = None,
    keep_responsibilities: bool = False,
    refine: bool = False,
) -> tuple[SufficientStatistics, None]:
    """One EM pass over a ``dask.array`` as a map-reduce; same result as :func:`.em_pass`.

    The direct second pass of :func:`.em_pass` (``refine``) is not done: a map-reduce has
    no cheap second look at the rows. A component that collapses onto a few points may
    therefore keep fewer digits in its covariance than in the in-memory fit.

    Parameters are those of :func:`~gmm_from_scratch.em.em_pass`; ``X`` is a 2-D
    ``dask.array`` (or anything ``dask.array.asarray`` accepts), ``sample_weight`` a NumPy
    or Dask array of one weight per row. Responsibilities cannot be kept (they would be as
    large as the data): ``keep_responsibilities=True`` raises ``ValueError``.

    Examples
    --------
    >>> import dask.array as da
    >>> from gmm_from_scratch.covariance import precisions_cholesky_from_covariances
    >>> X = np.arange(12.0).reshape(6, 2)
    >>> weights, means = np.array([0.5, 0.5]), np.array([[0.0, 1.0], [10.0, 11.0]])
    >>> U = precisions_cholesky_from_covariances(np.array([4.0, 4.0]), "spherical")
    >>> stats, _ = dask_em_pass(da.from_array(X, chunks=(2, 2)), weights, means, U, "spherical")
    >>> ref, _ = em_pass(X, weights, means, U, "spherical")
    >>> bool(np.allclose(stats.nk, ref.nk))
    True
    >>> bool(np.isclose(stats.log_likelihood, ref.log_likelihood))
    True
    """
    if keep_responsibilities:
        raise ValueError(
            "The Dask pass does not keep responsibilities (record_history=True): they are as "
            "large as the data. Record the history on an in-memory sample instead."
        )
    dask, da = _import_dask()
    X = da.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D dask array, got {X.ndim}-D.")
    X = X.rechunk({1: -1})  # whole rows in every chunk
    chunks = X.to_delayed().ravel()
    if sample_weight is None:
        weight_chunks = [None] * len(chunks)
    else:
        sw = da.asarray(sample_weight).rechunk((X.chunks[0],))
        weight_chunks = list(sw.to_delayed().ravel())
    stat = dask.delayed(_chunk_statistics, pure=True)
    parts = [
        stat(c, weights, means, precisions_cholesky, covariance_type, w, block_size)
        for c, w in zip(chunks, weight_chunks, strict=True)
    ]
    (total,) = dask.compute(_tree_sum(dask, parts))
    return total, None


class DaskGaussianMixture(GaussianMixture):
    """:class:`~gmm_from_scratch.mixture.GaussianMixture` whose EM passes run on Dask.

    Same parameters, attributes and results (from the same start) as the in-memory
    estimator. ``fit`` takes a ``dask.array``; each EM iteration is one map-reduce over its
    row chunks (:func:`dask_em_pass`), executed by the active Dask scheduler, e.g. a
    ``dask.distributed.Client`` connected to a ``LocalCluster`` or to a multi-machine
    cluster. The initialization (k-means, unless all ``*_init`` are given) reads a random
    subset of at most :data:`~gmm_from_scratch.em.INIT_MAX_ROWS` rows.
    ``record_history=True`` is not supported.

    Examples
    --------
    The same fit as the in-memory estimator, from a Dask array in chunks of 100 rows:

    >>> import dask.array as da
    >>> from gmm_from_scratch import GaussianMixture
    >>> rng = np.random.default_rng(0)
    >>> X = np.concatenate([rng.normal(-3, 1, (200, 2)), rng.normal(3, 1, (200, 2))])
    >>> dgmm = DaskGaussianMixture(2, random_state=0).fit(da.from_array(X, chunks=(100, 2)))
    >>> gmm = GaussianMixture(2, random_state=0).fit(X)
    >>> bool(np.allclose(dgmm.means_, gmm.means_)), dgmm.n_iter_ == gmm.n_iter_
    (True, True)
    """

    _em_pass = staticmethod(dask_em_pass)
