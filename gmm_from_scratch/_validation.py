"""Input checks shared by every estimator: clear errors instead of NumPy tracebacks.

Every check raises :class:`ValueError` (or a subclass: :class:`NotFittedError`,
:class:`NonNumericDataError`) whose message names the problem and, where possible, what the
user should change.

scikit-learn is optional at run time. When it is installed, the errors and warnings raised
here are *also* instances of scikit-learn's classes of the same name
(``sklearn.exceptions.NotFittedError``, ``sklearn.exceptions.ConvergenceWarning``), so code
that catches or filters those catches ours; scikit-learn is imported only when such an error
or warning is raised, never by ``import gmm_from_scratch``.
"""

from __future__ import annotations

import functools
import importlib
import numbers
import warnings
from typing import Any

import numpy as np

__all__ = [
    "ConvergenceWarning",
    "NonNumericDataError",
    "NotFittedError",
    "check_array",
    "check_positive_int",
    "check_random_state",
    "check_sample_weight",
    "convergence_warning",
    "not_fitted_error",
    "validate_data",
]


class NotFittedError(ValueError, AttributeError):
    """Raised when a method that needs fitted parameters is called before ``fit``.

    It subclasses both :class:`ValueError` and :class:`AttributeError`, as scikit-learn's
    exception of the same name does, so ``except ValueError`` catches it. When scikit-learn
    is installed, the raised error is also a ``sklearn.exceptions.NotFittedError``.
    """


class ConvergenceWarning(UserWarning):
    """Warned when the best EM run stopped at ``max_iter`` before reaching ``tol``.

    When scikit-learn is installed, the warning is also a
    ``sklearn.exceptions.ConvergenceWarning``, so its warning filters apply.
    """


class NonNumericDataError(ValueError, TypeError):
    """Raised for input that is not a dense array of real numbers (strings, sparse matrices).

    A :class:`ValueError` like every input error of the package, and also a
    :class:`TypeError`, which is what NumPy and scikit-learn raise for such input.
    """


@functools.cache
def _with_sklearn_base(cls: type, sklearn_name: str) -> type:
    """``cls``, or a subclass of ``cls`` and scikit-learn's class ``sklearn_name`` if installed."""
    try:
        sklearn_exceptions = importlib.import_module("sklearn.exceptions")
    except ImportError:  # pragma: no cover - scikit-learn is optional
        return cls
    return type(cls.__name__, (cls, getattr(sklearn_exceptions, sklearn_name)), {
        "__module__": cls.__module__, "__doc__": cls.__doc__,
    })  # fmt: skip


def not_fitted_error(estimator: Any) -> NotFittedError:
    """The :class:`NotFittedError` to raise when ``estimator`` is used before ``fit``."""
    error_class = _with_sklearn_base(NotFittedError, "NotFittedError")
    name = type(estimator).__name__
    return error_class(  # type: ignore[no-any-return]
        f"This {name} instance is not fitted yet: call fit(X) before using it."
    )


def convergence_warning(message: str, stacklevel: int = 2) -> None:
    """Warn ``message`` as a :class:`ConvergenceWarning` (scikit-learn's too, if installed)."""
    category = _with_sklearn_base(ConvergenceWarning, "ConvergenceWarning")
    warnings.warn(message, category, stacklevel=stacklevel + 1)


def check_array(
    X: Any,
    *,
    name: str = "X",
    min_samples: int = 1,
    n_features: int | None = None,
    allow_1d: bool = False,
    estimator_name: str | None = None,
    keep_float32: bool = False,
) -> np.ndarray:
    """Validate a data matrix and return it as a float64 array (or float32, unchanged).

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
    estimator_name : str, optional
        The estimator's class name, for the message about a wrong number of features.
    keep_float32 : bool
        Return a float32 array as it is, without a float64 copy (for the estimators that
        read their data in blocks and convert each block to float64 as they go).

    Returns
    -------
    ndarray of float64 (or float32, with ``keep_float32``)

    Raises
    ------
    NonNumericDataError
        If the array is sparse or holds entries that are not numbers (strings, objects).
    ValueError
        If the array is complex, has the wrong number of dimensions, too few rows, the wrong
        number of columns, or contains NaN or infinity.

    Examples
    --------
    >>> check_array([[1, 2], [3, 4]]).dtype
    dtype('float64')
    >>> check_array(np.array([[1, 2]], dtype=object))  # numbers stored as objects convert
    array([[1., 2.]])
    >>> check_array(np.ones((2, 2), dtype=np.float32), keep_float32=True).dtype
    dtype('float32')
    """
    arr: np.ndarray
    if hasattr(X, "toarray") or type(X).__module__.startswith("scipy.sparse"):
        raise NonNumericDataError(
            f"{name} is a sparse matrix, but dense data is required: a Gaussian mixture uses "
            f"every entry. Convert it with {name}.toarray() if it fits in memory."
        )
    if isinstance(X, np.memmap):
        arr = X
    else:
        try:
            arr = np.asarray(X)
        except Exception as exc:  # ragged lists and the like
            raise ValueError(f"{name} could not be converted to a numeric array: {exc}") from exc
    if arr.dtype == object:
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise NonNumericDataError(
                f"{name} must contain numbers, but an entry could not be converted: {exc}"
            ) from exc
    if not (np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.bool_)):
        raise NonNumericDataError(
            f"{name} must contain numbers, got an array of dtype {arr.dtype}."
        )
    if np.issubdtype(arr.dtype, np.complexfloating):
        raise ValueError(f"Complex data not supported: {name} must be real-valued.")
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
        raise ValueError(
            f"{name} has 0 feature(s) (shape={arr.shape}) while a minimum of 1 is required."
        )
    if arr.shape[0] < min_samples:
        raise ValueError(
            f"{name} has {arr.shape[0]} sample(s), but at least {min_samples} are needed."
        )
    if n_features is not None and arr.ndim == 2 and arr.shape[1] != n_features:
        raise ValueError(
            f"{name} has {arr.shape[1]} features, but {estimator_name or 'the model'} is "
            f"expecting {n_features} features as input (the number it was fitted with)."
        )
    if isinstance(arr, np.memmap):
        # Left on disk, but read once in blocks so that NaN or infinity is named here.
        rows = max(1, (1 << 22) // (8 * max(1, arr[0].size)))
        for start in range(0, arr.shape[0], rows):
            check_finite_block(arr[start : start + rows], name, first_row=start)
    else:
        if not (keep_float32 and arr.dtype == np.float32):
            arr = np.asarray(arr, dtype=np.float64)
        if not _all_finite(arr):
            raise ValueError(_non_finite_message(arr, name))
    return arr


def _all_finite(arr: np.ndarray) -> bool:
    """``np.isfinite(arr).all()``, in blocks of rows (no boolean array the size of ``arr``)."""
    if arr.ndim < 2 or arr.size <= 1 << 20:
        return bool(np.isfinite(arr).all())
    rows = max(1, (1 << 20) // max(1, arr.shape[1]))
    return all(
        bool(np.isfinite(arr[start : start + rows]).all()) for start in range(0, arr.shape[0], rows)
    )


def _non_finite_message(arr: np.ndarray, name: str, first_row: int = 0) -> str:
    n_nan = int(np.isnan(arr).sum())
    n_inf = int(np.isinf(arr).sum())
    parts = []
    if n_nan:
        parts.append(f"{n_nan} NaN value(s)")
    if n_inf:
        parts.append(f"{n_inf} infinite value(s)")
    first = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
    first = (first[0] + first_row, *first[1:])
    return (
        f"{name} contains {' and '.join(parts)} (the first at index {first}). "
        "Remove or impute them before fitting."
    )


def check_finite_block(block: np.ndarray, name: str = "X", first_row: int = 0) -> np.ndarray:
    """Convert one block of a streamed array to float64 and reject NaN or infinity.

    ``first_row`` is the block's first row in the whole array (for the error message).
    """
    block = np.asarray(block, dtype=np.float64)
    if not np.isfinite(block).all():
        raise ValueError(_non_finite_message(block, name, first_row))
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


def feature_names(X: Any) -> np.ndarray | None:
    """The column names of a data frame when they are all strings, else ``None``.

    Raises
    ------
    NonNumericDataError
        If some column names are strings and others are not (as scikit-learn refuses).
    """
    columns = getattr(X, "columns", None)
    if columns is None or isinstance(X, np.ndarray):
        return None
    names = np.asarray(list(columns), dtype=object)
    if names.size == 0:
        return None
    types = sorted({type(v).__qualname__ for v in names})
    if len(types) > 1 and "str" in types:
        raise NonNumericDataError(
            "Feature names are only supported if all input features have string names, but "
            f"the columns have names of types {types}. Convert them all to strings, e.g. "
            "X.columns = X.columns.astype(str)."
        )
    return names if types == ["str"] else None


def _check_feature_names(estimator: Any, X: Any, reset: bool) -> None:
    """Set ``feature_names_in_`` (``reset``) or check X's columns against it."""
    names = feature_names(X)
    name = type(estimator).__name__
    if reset:
        if names is not None:
            estimator.feature_names_in_ = names
        elif hasattr(estimator, "feature_names_in_"):
            del estimator.feature_names_in_
        return
    fitted = getattr(estimator, "feature_names_in_", None)
    if fitted is None and names is None:
        return
    if fitted is None:
        warnings.warn(
            f"X has feature names, but {name} was fitted without feature names", stacklevel=4
        )
        return
    if names is None:
        warnings.warn(
            f"X does not have valid feature names, but {name} was fitted with feature names",
            stacklevel=4,
        )
        return
    if len(fitted) == len(names) and np.all(fitted == names):
        return
    message = "The feature names should match those that were passed during fit.\n"
    unseen = sorted(set(names) - set(fitted))
    missing = sorted(set(fitted) - set(names))
    if unseen:
        message += "Feature names unseen at fit time:\n" + _name_list(unseen)
    if missing:
        message += "Feature names seen at fit time, yet now missing:\n" + _name_list(missing)
    if not unseen and not missing:
        message += "Feature names must be in the same order as they were in fit.\n"
    raise ValueError(message)


def _name_list(names: list[str], shown: int = 5) -> str:
    lines = [f"- {n}\n" for n in names[:shown]]
    return "".join(lines) + ("- ...\n" if len(names) > shown else "")


def validate_data(
    estimator: Any, X: Any, *, reset: bool, min_samples: int = 1, keep_float32: bool = False
) -> np.ndarray:
    """Check X for ``estimator``: in ``fit`` (``reset=True``) or against what fit saw.

    With ``reset=True`` it records the column names of a data frame in
    ``feature_names_in_``; otherwise it checks that X has the fitted number of features and,
    for a data frame, the fitted column names in the same order (a clear error if not).
    ``keep_float32`` returns float32 data without a float64 copy (see :func:`check_array`).

    Examples
    --------
    >>> class Model:
    ...     n_features_in_ = 2
    >>> validate_data(Model(), [[1.0, 2.0, 3.0]], reset=False)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: X has 3 features, but Model is expecting 2 features as input ...
    """
    _check_feature_names(estimator, X, reset)
    arr = check_array(
        X,
        min_samples=min_samples,
        n_features=None if reset else estimator.n_features_in_,
        estimator_name=type(estimator).__name__,
        keep_float32=keep_float32,
    )
    if reset and not isinstance(arr, np.memmap):
        check_range(arr)
    return arr


#: Largest accepted ``n d range^2``: sums of squared distances must stay well inside float64.
MAX_SQUARED_SPREAD = 1e300


def check_range(X: np.ndarray, name: str = "X") -> None:
    """Refuse data so spread out that sums of squared distances overflow float64.

    The spread is the largest range of a column; a constant offset (data far from the origin)
    does not matter, because distances are taken between points.

    Raises
    ------
    ValueError
        If ``n_samples * n_features * range**2`` exceeds :data:`MAX_SQUARED_SPREAD`.

    Examples
    --------
    >>> check_range(np.array([[1e6], [1e6 + 1]]))  # far from 0, but a small spread: fine
    >>> check_range(np.array([[0.0], [1e160]]))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: X spans a range of 1e+160 in some column: sums of squared distances would ...
    """
    # Extremes per column, subtracted in float64 (float32 data: its range may exceed float32).
    spread = float(np.max(np.max(X, axis=0).astype(np.float64) - np.min(X, axis=0)))
    n, d = X.shape
    with np.errstate(over="ignore"):
        too_large = not np.isfinite(spread) or spread * spread * n * d > MAX_SQUARED_SPREAD
    if too_large:
        raise ValueError(
            f"{name} spans a range of {spread:.3g} in some column: sums of squared distances "
            "would overflow float64 (its largest number is 1.8e308). Divide X by a constant "
            "(e.g. standardize it); the fit is the same up to the change of units."
        )
