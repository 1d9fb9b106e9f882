"""Input checks shared by every estimator: clear errors instead of NumPy tracebacks.

Every check raises :class:`ValueError` (or :class:`NotFittedError`, a subclass) whose
message names the problem and, where possible, what the user should change.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

__all__ = [
    "ConvergenceWarning",
    "NotFittedError",
    "check_array",
    "check_positive_int",
    "check_random_state",
    "check_sample_weight",
]


class NotFittedError(ValueError, AttributeError):
    """Raised when a method that needs fitted parameters is called before ``fit``.

    It subclasses both :class:`ValueError` and :class:`AttributeError`, as scikit-learn's
    exception of the same name does, so ``except ValueError`` catches it.
    """


class ConvergenceWarning(UserWarning):
    """Warned when the best EM run stopped at ``max_iter`` before reaching ``tol``."""


def check_array(
    X: Any,
    *,
    name: str = "X",
    min_samples: int = 1,
    n_features: int | None = None,
    allow_1d: bool = False,
) -> np.ndarray:
    """Validate a data matrix and return it as a float64 array.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The data. A 1-D array is accepted only when ``allow_1d`` is true.
    name : str
        How the array is called in error messages.
    min_samples : int
        The smallest number of rows accepted.
    n_features : int, optional
        If given, the number of columns the array must have (the number seen in ``fit``).
    allow_1d : bool
        Accept a 1-D array and return it unchanged in shape.

    Returns
    -------
    ndarray of float64

    Raises
    ------
    ValueError
        If the array is not numeric, has the wrong number of dimensions, too few rows,
        the wrong number of columns, or contains NaN or infinity.
    """
    arr: np.ndarray
    if isinstance(X, np.memmap):
        arr = X
    else:
        try:
            arr = np.asarray(X)
        except Exception as exc:  # ragged lists and the like
            raise ValueError(f"{name} could not be converted to a numeric array: {exc}") from exc
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.bool_)
    ):
        raise ValueError(f"{name} must contain numbers, got an array of dtype {arr.dtype}.")
    if np.issubdtype(arr.dtype, np.complexfloating):
        raise ValueError(f"{name} must be real-valued, got complex numbers.")
    if allow_1d and arr.ndim == 1:
        pass
    elif arr.ndim != 2:
        hint = ""
        if arr.ndim == 1:
            hint = (
                " Reshape your data with X.reshape(-1, 1) if it has a single feature, "
                "or X.reshape(1, -1) if it is a single sample."
            )
        raise ValueError(
            f"{name} must be a 2-D array of shape (n_samples, n_features), "
            f"got {arr.ndim}-D with shape {arr.shape}.{hint}"
        )
    if arr.shape[0] == 0:
        raise ValueError(f"{name} is empty: it has 0 samples (shape {arr.shape}).")
    if arr.ndim == 2 and arr.shape[1] == 0:
        raise ValueError(f"{name} has 0 features (shape {arr.shape}).")
    if arr.shape[0] < min_samples:
        raise ValueError(
            f"{name} has {arr.shape[0]} sample(s), but at least {min_samples} are needed."
        )
    if n_features is not None and arr.ndim == 2 and arr.shape[1] != n_features:
        raise ValueError(
            f"{name} has {arr.shape[1]} features, but the model was fitted with "
            f"{n_features} features."
        )
    if not isinstance(arr, np.memmap):
        arr = np.asarray(arr, dtype=np.float64)
        if not np.isfinite(arr).all():
            raise ValueError(_non_finite_message(arr, name))
    return arr


def _non_finite_message(arr: np.ndarray, name: str) -> str:
    n_nan = int(np.isnan(arr).sum())
    n_inf = int(np.isinf(arr).sum())
    parts = []
    if n_nan:
        parts.append(f"{n_nan} NaN value(s)")
    if n_inf:
        parts.append(f"{n_inf} infinite value(s)")
    first = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
    return (
        f"{name} contains {' and '.join(parts)} (the first at index {first}). "
        "Remove or impute them before fitting."
    )


def check_finite_block(block: np.ndarray, name: str = "X") -> np.ndarray:
    """Convert one block of a streamed array to float64 and reject NaN or infinity."""
    block = np.asarray(block, dtype=np.float64)
    if not np.isfinite(block).all():
        raise ValueError(_non_finite_message(block, name))
    return block


def check_sample_weight(sample_weight: Any, n_samples: int) -> np.ndarray | None:
    """Validate per-sample weights.

    An integer weight ``w`` counts a row ``w`` times; a zero weight leaves it out.

    Returns
    -------
    ndarray of shape (n_samples,) or None
        ``None`` when no weights were given (every row counts once).

    Raises
    ------
    ValueError
        If the weights have the wrong shape, are not finite, are negative or all zero.
    """
    if sample_weight is None:
        return None
    w = np.asarray(sample_weight, dtype=np.float64)
    if w.ndim == 0:
        w = np.full(n_samples, float(w))
    if w.ndim != 1 or w.shape[0] != n_samples:
        raise ValueError(
            f"sample_weight must have shape ({n_samples},), one weight per sample, "
            f"got shape {w.shape}."
        )
    if not np.isfinite(w).all():
        raise ValueError("sample_weight contains NaN or infinite values.")
    if (w < 0).any():
        raise ValueError(
            f"sample_weight must be non-negative, got {int((w < 0).sum())} negative weight(s) "
            f"(the smallest is {w.min():.6g})."
        )
    if w.sum() <= 0:
        raise ValueError("sample_weight sums to zero: at least one sample must have weight > 0.")
    return w


def check_positive_int(value: Any, name: str, minimum: int = 1) -> int:
    """Return ``value`` as an int if it is an integer ``>= minimum``, else raise ValueError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}.")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}.")
    return int(value)


def check_random_state(random_state: Any) -> np.random.Generator:
    """Turn ``None``, an int, a numpy ``Generator`` or a ``RandomState`` into a Generator.

    A Generator is returned unchanged, so that successive calls share its stream.
    """
    if random_state is None:
        return np.random.default_rng()
    if isinstance(random_state, numbers.Integral):
        return np.random.default_rng(int(random_state))
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(2**31 - 1))
    raise ValueError(
        "random_state must be None, an int, a numpy Generator or RandomState, "
        f"got {random_state!r}."
    )
