"""Self-checking exercises: run a student's function against the reference implementation.

Each exercise notebook in ``exercises/`` calls :func:`check` right after the cell in which the
student writes a function::

    check("ch05.e_step", e_step)

The checker runs the function on several seeded cases, including the traps the chapter warns
about (non-diagonal covariances, points far from every component, a single point, one
component, 1-D data), and returns a :class:`CheckResult`: a short success message, "not
implemented yet" for an untouched stub, or a plain-words description of the first problem it
found and on which case (wrong shape, wrong value with both numbers, NaN or inf produced, complex
numbers or text where real numbers belong, an explicit inverse or determinant used, the
package's own answer called, responsibilities that do not sum to one, an input modified in
place, an exception raised, ``sys.exit`` called, more than the time limit used, ...), often with
a hint naming the likely mistake. :func:`check` never raises, so a notebook always runs from top
to bottom.

:func:`load_notebook_namespace` and :func:`notebook_checks` let ``pytest exercises/ -m ch05``
check the functions written in a notebook from a terminal; ``python -m gmm_from_scratch.grade``
grades a whole class, each student's code in a separate process (:mod:`._sandbox`).

The package has the shape of the book: a small core (:mod:`._core`: the runner, the
comparisons, the messages, the guards; :mod:`._data`: outputs as plain data;
:mod:`._notebooks`: reading notebooks) and one module of cases per chapter (``ch01`` ...
``ch12``, ``ch13``, ``ch14``, ``ch15``). The reference answers come from the package itself
(one source of truth for every formula); these modules import only NumPy, SciPy and the
standard library besides the package.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from typing import Any

import numpy as np  # noqa: F401 - the namespace of the doctests below

from . import (
    _cases,
    _core,
    _data,
    _notebooks,
    ch01,
    ch02,
    ch03,
    ch04,
    ch05,
    ch06,
    ch07,
    ch08,
    ch09,
    ch10,
    ch11,
    ch12,
    ch13,
    ch14,
    ch15,
)
from ._core import (
    DEFAULT_TIME_LIMIT,
    CheckResult,
    Exercise,
    Guard,
    LocalRunner,
    Runner,
    failure,
    forbidden_hint,
    judge,
    one_blas_thread,
    static_forbidden,
)
from ._notebooks import (
    NotebookError,
    load_notebook_namespace,
    missing_function_message,
    notebook_checks,
)

__all__ = [
    "DEFAULT_TIME_LIMIT",
    "EXERCISES",
    "CheckResult",
    "NotebookError",
    "check",
    "load_notebook_namespace",
    "missing_function_message",
    "notebook_checks",
]

CHAPTERS = (
    ch01,
    ch02,
    ch03,
    ch04,
    ch05,
    ch06,
    ch07,
    ch08,
    ch09,
    ch10,
    ch11,
    ch12,
    ch13,
    ch14,
    ch15,
)

#: Every exercise by name (``"ch05.e_step"``), in the order of the book.
EXERCISES: dict[str, Exercise] = {
    name: exercise for chapter in CHAPTERS for name, exercise in chapter.EXERCISES.items()
}

# The runner under its former name (the checker was one module, ``_Runner`` its runner class).
_Runner = Runner


# ----------------------------------------------------------------------------- tamper check
def _checker_parts() -> dict[tuple[Any, str], Any]:
    """Every function and class of the checker, and every attribute of its classes."""
    parts: dict[tuple[Any, str], Any] = {}
    modules = (_core, _data, _cases, _notebooks, *CHAPTERS, sys.modules[__name__])
    for module in modules:
        for name, value in list(vars(module).items()):
            if isinstance(value, (types.FunctionType, type)) or name == "EXERCISES":
                parts[(module, name)] = value
            if isinstance(value, type) and value.__module__ == module.__name__:
                for attr, member in list(vars(value).items()):
                    parts[(value, attr)] = member
    return parts


_PRISTINE = _checker_parts()
_PRISTINE_EXERCISES = dict(EXERCISES)


def _restore_checker() -> list[str]:
    """Put back any part of the checker that was replaced in this session; name what was."""
    changed = []
    for (owner, name), value in _PRISTINE.items():
        if vars(owner).get(name, None) is not value:
            changed.append(f"{getattr(owner, '__name__', owner)}.{name}")
            setattr(owner, name, value)
    current = _core.Runner, LocalRunner
    for cls in current:
        for attr in [a for a in vars(cls) if (cls, a) not in _PRISTINE]:
            changed.append(f"{cls.__name__}.{attr}")
            delattr(cls, attr)
    if EXERCISES != _PRISTINE_EXERCISES:
        changed.append("EXERCISES")
        EXERCISES.clear()
        EXERCISES.update(_PRISTINE_EXERCISES)
    return changed


# ----------------------------------------------------------------------------- check
def check(
    name: str, func: Callable, *, time_limit: float | None = DEFAULT_TIME_LIMIT
) -> CheckResult:
    """Check a student's implementation of exercise ``name`` against the reference.

    Parameters
    ----------
    name : str
        The exercise, e.g. ``"ch05.e_step"`` (see :data:`EXERCISES`).
    func : callable
        The student's function.
    time_limit : float or None, default 10
        Seconds the function may run, in all, on the exercise's cases (``None``: no limit). The
        limit interrupts Python code in the main thread; the grader enforces it on any code.

    Returns
    -------
    CheckResult
        Prints as a plain-words message; ``.passed`` is true when every case passed. Never
        raises: an unimplemented stub gives ``status == 'not implemented'`` and any exception
        from the student's code is reported with the case on which it happened.

    Examples
    --------
    A correct implementation passes; a stub is "not implemented"; a classic mistake is named:

    >>> def fit_gaussian_1d(x):
    ...     x = np.asarray(x, float)
    ...     return x.mean(), x.std()
    >>> check("ch01.fit_gaussian_1d", fit_gaussian_1d).passed
    True
    >>> def fit_gaussian_1d(x):
    ...     raise NotImplementedError
    >>> check("ch01.fit_gaussian_1d", fit_gaussian_1d).status
    'not implemented'
    >>> def fit_gaussian_1d(x):
    ...     x = np.asarray(x, float)
    ...     return x.mean(), x.std(ddof=1)
    >>> result = check("ch01.fit_gaussian_1d", fit_gaussian_1d)
    >>> result.status, "n − 1" in result.message
    ('failed', True)
    """
    tampered = _restore_checker()
    exercise = EXERCISES.get(name)
    if exercise is None:
        known = ", ".join(sorted(EXERCISES))
        return CheckResult(name, "failed", f"✗ {name}: there is no such exercise. Known: {known}.")
    if tampered:
        return failure(
            name,
            f"the checker itself was modified in this session ({', '.join(tampered[:3])}); "
            "it has been put back, so run this cell again.",
            "Change your own code, never the checker's: the grader runs the real one.",
        )
    if not callable(func):
        return failure(
            name,
            f"expected a function, got {type(func).__name__}. Pass the function itself: "
            f"check({name!r}, f).",
        )
    guard = Guard(exercise.forbidden)
    label = static_forbidden(func, guard)
    if label is not None:
        return failure(name, f"your function uses {label}.", forbidden_hint(label))
    with one_blas_thread():
        return judge(name, exercise, LocalRunner(func, exercise.params, guard, time_limit))
