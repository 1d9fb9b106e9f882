"""The data sets the book uses, shipped in the repository's ``data/`` folder."""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = ["DATA_DIR", "load_old_faithful", "standardize"]

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
    """Each column shifted to mean 0 and scaled to standard deviation 1."""
    X = np.asarray(X, dtype=np.float64)
    return (X - X.mean(axis=0)) / X.std(axis=0)
