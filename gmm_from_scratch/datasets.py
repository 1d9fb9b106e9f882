"""The data sets the book uses, shipped in the repository's ``data/`` folder."""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = [
    "DATA_DIR",
    "TEACHING_DATASETS",
    "load_old_faithful",
    "make_teaching_dataset",
    "standardize",
]

#: The repository's data folder (the package is installed in editable mode by the Makefile).
DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def load_old_faithful(standardize_columns: bool = False) -> np.ndarray:
    """Old Faithful eruptions: 272 rows of (eruption duration, waiting time), in minutes.

    The same values as R's ``datasets::faithful`` (Härdle 1991; Azzalini & Bowman 1990).

    Parameters
    ----------
    standardize_columns : bool
        Return each column with mean 0 and standard deviation 1, as in Bishop's figure 9.8.

    Returns
    -------
    ndarray of shape (272, 2)

    Examples
    --------
    >>> load_old_faithful().shape
    (272, 2)
    """
    path = DATA_DIR / "old_faithful.csv"
    if not path.exists():
        raise FileNotFoundError(
            f"{path} not found: load_old_faithful reads the data folder of the repository; "
            "install the package with 'pip install -e .' from a clone."
        )
    X = np.loadtxt(path, delimiter=",", skiprows=1)
    return standardize(X) if standardize_columns else X


def standardize(X: np.ndarray) -> np.ndarray:
    """Each column shifted to mean 0 and scaled to standard deviation 1.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)

    Returns
    -------
    ndarray of shape (n_samples, n_features)
        ``(X - mean) / std``, column by column (the standard deviation divides by ``n``).

    Raises
    ------
    ValueError
        If a column is constant.

    Examples
    --------
    >>> Z = standardize(np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 60.0]]))
    >>> bool(np.allclose(Z.mean(axis=0), 0.0)), Z.std(axis=0)
    (True, array([1., 1.]))
    """
    X = np.asarray(X, dtype=np.float64)
    std = X.std(axis=0)
    if np.any(std == 0):
        raise ValueError(
            f"Cannot standardize: column(s) {np.flatnonzero(std == 0).tolist()} are constant "
            "(standard deviation 0). Drop them first."
        )
    return (X - X.mean(axis=0)) / std


#: Names accepted by :func:`make_teaching_dataset`.
TEACHING_DATASETS = ("two_blobs", "elongated", "overlapping", "old_faithful", "duplicates")


def make_teaching_dataset(
    name: str, n_samples: int = 400, random_state: int | None = 0
) -> np.ndarray:
    """Small 2-D data sets the book and the EM explorer use.

    ``two_blobs``: two round, well-separated clusters (k-means and a GMM agree);
    ``elongated``: three sheared clusters where k-means fails and a full-covariance GMM does not;
    ``overlapping``: two overlapping Gaussians of different shapes;
    ``old_faithful``: the geyser data, standardized (``n_samples`` is ignored);
    ``duplicates``: two blobs plus 8 copies of one far point, onto which a component can
    collapse (chapter 11).

    Returns
    -------
    ndarray of shape (n_samples, 2)

    Raises
    ------
    ValueError
        If ``name`` is not one of :data:`TEACHING_DATASETS`.

    Examples
    --------
    >>> make_teaching_dataset("two_blobs", n_samples=100).shape
    (100, 2)
    >>> bool(np.array_equal(make_teaching_dataset("elongated"), make_teaching_dataset("elongated")))
    True
    """
    if name not in TEACHING_DATASETS:
        raise ValueError(f"name must be one of {TEACHING_DATASETS}, got {name!r}.")
    if name == "old_faithful":
        return load_old_faithful(standardize_columns=True)
    rng = np.random.default_rng(random_state)
    if name == "duplicates":
        blobs = make_teaching_dataset("two_blobs", n_samples - 8, random_state)
        return np.vstack([blobs, np.tile([[0.0, 5.0]], (8, 1))])
    if name == "two_blobs":
        sizes = [n_samples // 2, n_samples - n_samples // 2]
        centres = np.array([[-2.5, 0.0], [2.5, 1.0]])
        return np.vstack([rng.normal(c, 0.8, (m, 2)) for c, m in zip(centres, sizes, strict=True)])
    if name == "elongated":
        sizes = [n_samples // 3, n_samples // 3, n_samples - 2 * (n_samples // 3)]
        centres = np.array([[0.0, 0.0], [0.0, 3.0], [3.0, -3.0]])
        shear = np.array([[2.0, 0.0], [1.6, 0.35]])
        return np.vstack(
            [rng.normal(0, 1, (m, 2)) @ shear + c for c, m in zip(centres, sizes, strict=True)]
        )
    sizes = [int(0.6 * n_samples), n_samples - int(0.6 * n_samples)]
    a = rng.multivariate_normal([0.0, 0.0], [[1.5, 0.9], [0.9, 1.0]], sizes[0])
    b = rng.multivariate_normal([1.8, -0.6], [[0.3, -0.1], [-0.1, 0.6]], sizes[1])
    return np.vstack([a, b])
