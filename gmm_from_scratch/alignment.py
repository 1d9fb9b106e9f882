"""Label switching and how to undo it (chapter 11).

A mixture's likelihood does not change when its components are renumbered (eq. 11.3), so two
fits of the same data can call the same cluster "0" and "1" the other way round. These
functions find the renumbering that best matches a reference (eqs. 11.4 and 11.5) with the
Hungarian algorithm (:func:`scipy.optimize.linear_sum_assignment`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

__all__ = ["align_components", "align_labels", "permute_mixture"]


def align_components(reference: np.ndarray, other: np.ndarray, *, by: str = "means") -> np.ndarray:
    """Permutation ``perm``: component ``perm[k]`` of ``other`` matches ``k`` of ``reference``.

    Parameters
    ----------
    reference, other : ndarray
        With ``by='means'``: means of shape (n_components, n_features); the cost of a
        pairing is the squared distance between means. With ``by='responsibilities'``:
        responsibilities of shape (n_samples, n_components) on the same rows; the cost is
        minus their overlap ``sum_n r_nk r'_nj``.
    by : {'means', 'responsibilities'}

    Returns
    -------
    perm : ndarray of shape (n_components,)

    Examples
    --------
    >>> ref = np.array([[0.0, 0.0], [5.0, 5.0]])
    >>> align_components(ref, ref[::-1])
    array([1, 0])
    """
    reference = np.asarray(reference, dtype=np.float64)
    other = np.asarray(other, dtype=np.float64)
    if reference.shape != other.shape or reference.ndim != 2:
        raise ValueError(
            f"reference and other must be 2-D arrays of the same shape, got {reference.shape} "
            f"and {other.shape}."
        )
    if by == "means":
        diff = reference[:, None, :] - other[None, :, :]
        cost = np.einsum("kjd,kjd->kj", diff, diff)
    elif by == "responsibilities":
        cost = -(reference.T @ other)
    else:
        raise ValueError(f"by must be 'means' or 'responsibilities', got {by!r}.")
    rows, cols = linear_sum_assignment(cost)
    perm = np.empty(reference.shape[1] if by == "responsibilities" else reference.shape[0], int)
    perm[rows] = cols
    return perm


def align_labels(reference_labels: Any, labels: Any) -> np.ndarray:
    """Relabel hard ``labels`` so that they agree as much as possible with ``reference_labels``.

    Examples
    --------
    >>> align_labels([0, 0, 1, 1, 2], [2, 2, 0, 0, 1])
    array([0, 0, 1, 1, 2])
    """
    ref = np.asarray(reference_labels)
    lab = np.asarray(labels)
    if ref.shape != lab.shape or ref.ndim != 1:
        raise ValueError("reference_labels and labels must be 1-D arrays of the same length.")
    k = int(max(ref.max(), lab.max())) + 1
    counts = np.zeros((k, k))
    np.add.at(counts, (ref, lab), 1.0)
    rows, cols = linear_sum_assignment(-counts)
    mapping = np.empty(k, dtype=int)
    mapping[cols] = rows
    return mapping[lab]


def permute_mixture(gmm: Any, perm: np.ndarray) -> Any:
    """Renumber the components of a fitted mixture in place: new ``k`` is old ``perm[k]``.

    Returns the same estimator, so that ``permute_mixture(gmm, align_components(...))``
    reads as one step.

    Parameters
    ----------
    gmm : GaussianMixture
        A fitted mixture (any estimator with ``weights_``, ``means_``, ``covariances_``,
        ``precisions_`` and ``precisions_cholesky_``).
    perm : array-like of int, shape (n_components,)
        A permutation of ``0 .. n_components - 1``.

    Returns
    -------
    GaussianMixture
        ``gmm`` itself, renumbered.

    Raises
    ------
    ValueError
        If ``perm`` is not a permutation of the component indices.

    Examples
    --------
    Number the components from left to right:

    >>> from gmm_from_scratch import GaussianMixture
    >>> X = np.array([[0.0], [0.2], [0.4], [5.0], [5.2], [5.4]])
    >>> gmm = GaussianMixture(2, random_state=0).fit(X)
    >>> gmm.means_.ravel().round(2)
    array([5.2, 0.2])
    >>> gmm = permute_mixture(gmm, np.argsort(gmm.means_[:, 0]))
    >>> gmm.means_.ravel().round(2)
    array([0.2, 5.2])
    >>> gmm.predict(np.array([[0.1], [5.1]]))
    array([0, 1])
    """
    perm = np.asarray(perm)
    K = len(gmm.weights_)
    if perm.shape != (K,) or not np.array_equal(np.sort(perm), np.arange(K)):
        raise ValueError(
            f"perm must be a permutation of 0..{K - 1} (each component exactly once), got "
            f"{perm.tolist()}."
        )
    gmm.weights_ = gmm.weights_[perm]
    gmm.means_ = gmm.means_[perm]
    if gmm.covariance_type != "tied":
        gmm.covariances_ = gmm.covariances_[perm]
        gmm.precisions_ = gmm.precisions_[perm]
        gmm.precisions_cholesky_ = gmm.precisions_cholesky_[perm]
    return gmm
