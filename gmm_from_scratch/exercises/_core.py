"""The checker's core: results, the runner, the comparisons, the messages, the guards.

A chapter's checker (``ch05.py``, ...) receives a :class:`Runner` ``r`` and drives it: ``r.start``
names a case, ``r.call(*args)`` runs the student's function on it and returns the output, and
``r.array``, ``r.close`` and ``r.tuple_of`` compare that output with the reference and stop at the
first problem with a plain-words message (``r.fail``). Two runners share that interface:

- :class:`LocalRunner` calls the function in this process (``check()`` in a notebook);
- the grader's runner (:mod:`._sandbox`) sends the arguments to a separate process that holds the
  student's function and receives the output back as plain data.

Either way the call itself goes through :func:`invoke`, which enforces the time limit, reports an
exception, an exit, a borrowed answer or an input modified in place, and turns the output into
plain data (:mod:`._data`); the judgment happens where the runner lives.
"""

from __future__ import annotations

import contextlib
import copy
import dis
import functools
import os
import signal
import sys
import threading
import time
import traceback
import types
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._data import DataError, Opaque, decode, encode, from_json, to_json

#: Seconds a student's function may run, in all, on an exercise's cases (``check()`` and grader).
DEFAULT_TIME_LIMIT = 10.0


# ----------------------------------------------------------------------------- results
@dataclass(frozen=True)
class CheckResult:
    """The outcome of :func:`check`; prints as a plain-words message.

    Attributes
    ----------
    exercise : str
        The exercise's name, e.g. ``"ch05.e_step"``.
    status : {'passed', 'not implemented', 'failed'}
    message : str
        What the student reads.
    case : str or None
        The case on which a failure happened.
    """

    exercise: str
    status: str
    message: str
    case: str | None = None

    @property
    def passed(self) -> bool:
        """True when every case passed."""
        return self.status == "passed"

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return self.message


class Fail(Exception):
    """A problem with the student's output: ``message`` and an optional ``hint``."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class NotImplementedYet(Exception):
    """The student's function still raises ``NotImplementedError`` on its first call."""


class ForbiddenCall(BaseException):
    """Raised by a stub: the package's (or a library's) answer to the exercise was called.

    A ``BaseException``, so that ``except Exception`` in the student's code does not hide it.
    """


class TimeLimitReached(BaseException):
    """Raised in the student's function when its time is up."""


class OsExitCalled(BaseException):
    """Raised instead of ending the process when the student's code calls ``os._exit``."""


# ----------------------------------------------------------------------------- borrowed answers
@dataclass(frozen=True)
class Forbidden:
    """A function the student must not call in an exercise.

    Attributes
    ----------
    module : str
        The module that defines it, e.g. ``"gmm_from_scratch.em"``.
    attr : str
        Its name there; ``"Class.method"`` for a method.
    label : str
        How the message names it.
    by_name : bool
        Also caught when the student's code merely names it (for a library's private function,
        whose name cannot be an accident).
    """

    module: str
    attr: str
    label: str
    by_name: bool = False


INVERSE_DET = (
    Forbidden("numpy.linalg", "inv", "np.linalg.inv"),
    Forbidden("numpy.linalg", "pinv", "np.linalg.pinv"),
    Forbidden("numpy.linalg", "det", "np.linalg.det"),
    Forbidden("numpy.linalg", "slogdet", "np.linalg.slogdet"),
    Forbidden("scipy.linalg", "inv", "scipy.linalg.inv"),
    Forbidden("scipy.linalg", "pinv", "scipy.linalg.pinv"),
    Forbidden("scipy.linalg", "det", "scipy.linalg.det"),
)
INVERSE_HINT = (
    "Never form Σ⁻¹ or det Σ explicitly: take the Cholesky factor Σ = L Lᵀ "
    "(scipy.linalg.cholesky(Σ, lower=True)), solve L z = (x − μ) with "
    "scipy.linalg.solve_triangular (then the Mahalanobis distance is |z|²), and use "
    "log det Σ = 2 Σᵢ log Lᵢᵢ (eqs. 2.3 and 7.3)."
)
_SKLEARN_GM = "sklearn.mixture._gaussian_mixture"


def package_function(qualname: str) -> tuple[Forbidden, ...]:
    """The package's own function ``module.f`` (caught under every name the package gives it)."""
    module, attr = qualname.split(".")
    return (Forbidden(f"gmm_from_scratch.{module}", attr, f"gmm_from_scratch.{attr}"),)


def sklearn_function(module: str, attr: str) -> tuple[Forbidden, ...]:
    """A scikit-learn (private) function or method, e.g. ``_estimate_log_gaussian_prob``."""
    name = attr.split(".")[-1]
    return (Forbidden(module, attr, f"scikit-learn's {name}", by_name=name.startswith("_")),)


def sklearn_mixture(*attrs: str) -> tuple[Forbidden, ...]:
    """Several functions of ``sklearn.mixture._gaussian_mixture`` (methods: ``Class.method``)."""
    return tuple(f for attr in attrs for f in sklearn_function(_SKLEARN_GM, attr))


#: The E-step and the ready-made pieces that make it up (ch04.responsibilities, ch05.e_step).
E_STEP = (
    package_function("em.e_step")
    + package_function("em.estimate_log_gaussian_prob")
    + sklearn_mixture("_estimate_log_gaussian_prob")
    + sklearn_function("sklearn.mixture._base", "BaseMixture._estimate_log_prob_resp")
    + sklearn_function("sklearn.mixture._base", "BaseMixture._estimate_weighted_log_prob")
    + sklearn_function("sklearn.mixture._base", "BaseMixture._e_step")
)


def _package_modules() -> list[types.ModuleType]:
    return [
        module
        for name, module in list(sys.modules.items())
        if (name == "gmm_from_scratch" or name.startswith("gmm_from_scratch."))
        and not name.startswith("gmm_from_scratch.exercises")
        and isinstance(module, types.ModuleType)
    ]


def _owner(target: Forbidden) -> tuple[Any, str] | None:
    module = sys.modules.get(target.module)
    if module is None and target.module.startswith("gmm_from_scratch"):
        import importlib

        module = importlib.import_module(target.module)
    if module is None:  # a library the student has not imported (scikit-learn): nothing to guard
        return None
    *path, attr = target.attr.split(".")
    owner: Any = module
    for part in path:
        owner = getattr(owner, part, None)
        if owner is None:
            return None
    return owner, attr


class Guard:
    """Stubs that replace an exercise's forbidden functions while the student's code runs.

    Each forbidden function is replaced wherever the package exposes it (``em.e_step``,
    ``mixture.e_step``, ``gmm_from_scratch.e_step``), so a re-export, a default argument or a
    ``functools.partial`` made while the stubs are in place reaches the stub too. A stub records
    the call; the allowed helpers stay untouched.

    Parameters
    ----------
    targets : tuple of Forbidden
        The exercise's forbidden functions.
    raising : bool, default False
        Whether a stub raises :class:`ForbiddenCall` (the grader's worker process: the function
        is unavailable) or calls the original after recording the call (``check()``: the verdict
        names the call once the function has returned).
    """

    def __init__(self, targets: tuple[Forbidden, ...], raising: bool = False) -> None:
        self.targets = targets
        self.raising = raising
        self.used: list[str] = []
        self.names = {t.attr.split(".")[-1]: t.label for t in targets if t.by_name}
        self._labels: dict[int, str] = {}
        self._keep: list[Any] = []
        self._places: list[tuple[Any, str, Any, Any]] = []
        self._installed = False
        self._inherited: dict[int, set[str]] = {}
        for target in targets:
            found = _owner(target)
            if found is None:
                continue
            owner, attr = found
            original = getattr(owner, attr, None)
            if original is None or getattr(original, "_gmm_forbidden", None):
                continue
            self._labels[id(original)] = target.label
            self._keep.append(original)
            stub = self._stub(target.label, original)
            places = [(owner, attr)]
            if target.module.startswith("gmm_from_scratch"):
                places += [
                    (module, name)
                    for module in _package_modules()
                    for name, value in list(vars(module).items())
                    if value is original and (module, name) != (owner, attr)
                ]
            self._places += [(own, name, original, stub) for own, name in places]

    def _stub(self, label: str, original: Any) -> Callable[..., Any]:
        used, raising = self.used, self.raising

        def stub(*args: Any, **kwargs: Any) -> Any:
            used.append(label)
            if raising:
                raise ForbiddenCall(
                    f"{label} is not available while this exercise is checked: the point of "
                    "the exercise is to write it yourself."
                )
            return original(*args, **kwargs)

        stub._gmm_forbidden = label  # type: ignore[attr-defined]
        stub.__name__ = stub.__qualname__ = label.split(".")[-1].split(" ")[-1]
        return stub

    def label_of(self, obj: Any) -> str | None:
        """The label of ``obj`` if it is a forbidden function or one of the stubs."""
        label = getattr(obj, "_gmm_forbidden", None) if callable(obj) else None
        return label if isinstance(label, str) else self._labels.get(id(obj))

    def install(self) -> None:
        """Put the stubs in place."""
        for owner, name, _original, stub in self._places:
            if isinstance(owner, type) and name not in vars(owner):
                self._inherited.setdefault(id(owner), set()).add(name)
            setattr(owner, name, stub)
        self._installed = True

    def uninstall(self) -> None:
        """Put the original functions back."""
        for owner, name, original, _stub in reversed(self._places):
            if isinstance(owner, type) and name in self._inherited.get(id(owner), ()):
                delattr(owner, name)  # the class inherited it: let it inherit it again
            else:
                setattr(owner, name, original)
        self._installed = False

    @contextlib.contextmanager
    def active(self) -> Iterator[None]:
        """The stubs in place for the duration of the block (unless already installed)."""
        if self._installed:
            yield
            return
        self.install()
        try:
            yield
        finally:
            self.uninstall()


def _code_objects(code: Any) -> Iterator[Any]:
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _code_objects(const)


def _global_names(code: Any) -> set[str]:
    return {
        ins.argval
        for c in _code_objects(code)
        for ins in dis.get_instructions(c)
        if ins.opname in ("LOAD_GLOBAL", "LOAD_NAME")
    }


def static_forbidden(
    func: Any, guard: Guard, depth: int = 0, seen: set | None = None
) -> str | None:
    """A forbidden function that ``func`` reaches before it even runs, or ``None``.

    Looks through the global names its code loads (``from numpy.linalg import inv``), its
    default arguments, its closure, a ``functools.partial`` and a bound method, and follows the
    student's own helper functions a few levels deep. A library's private function
    (:attr:`Forbidden.by_name`) is caught by its name alone.
    """
    seen = set() if seen is None else seen
    if depth > 4 or id(func) in seen:
        return None
    seen.add(id(func))
    label = guard.label_of(func)
    if label is not None:
        return label
    children: list[Any] = []
    if isinstance(func, functools.partial):
        children = [func.func, *func.args, *func.keywords.values()]
    elif isinstance(func, types.MethodType):
        children = [func.__func__]
    elif isinstance(func, (list, tuple)):
        children = list(func)
    elif isinstance(func, types.FunctionType):
        code = func.__code__
        for c in _code_objects(code):
            for name in c.co_names:
                if name in guard.names:
                    return guard.names[name]
        children = list(func.__defaults__ or ()) + list((func.__kwdefaults__ or {}).values())
        for cell in func.__closure__ or ():
            with contextlib.suppress(ValueError):
                children.append(cell.cell_contents)
        glb = func.__globals__
        children += [glb[name] for name in sorted(_global_names(code)) if name in glb]
    for child in children:
        if callable(child) or isinstance(child, (list, tuple)):
            label = static_forbidden(child, guard, depth + 1, seen)
            if label is not None:
                return label
    return None


# ----------------------------------------------------------------------------- running the student
def one_blas_thread() -> contextlib.AbstractContextManager[Any]:
    """Single-threaded BLAS while an exercise is checked (a no-op without ``threadpoolctl``).

    The cases are small: on a busy machine a multi-threaded BLAS spends its time waiting for
    cores (a 2 × 2 triangular solve took 15 ms at a load of 8 on 2 cores), and the time limit
    would measure that rather than the student's code.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        return contextlib.nullcontext()
    return threadpool_limits(limits=1)


@contextlib.contextmanager
def _time_limit(seconds: float | None) -> Iterator[None]:
    """Raise :class:`TimeLimitReached` in this thread after ``seconds`` (main thread, Unix)."""
    usable = (
        seconds is not None
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        raise TimeLimitReached

    previous = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, max(float(seconds or 0.0), 1e-3))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0.0)
        signal.signal(signal.SIGALRM, previous)


def _refuse_os_exit(code: Any = 0) -> None:
    raise OsExitCalled(code)


@contextlib.contextmanager
def _no_os_exit() -> Iterator[None]:
    saved = os._exit
    os._exit = _refuse_os_exit  # type: ignore[assignment]
    try:
        yield
    finally:
        os._exit = saved


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else ""


def where_in_student_code(exc: BaseException) -> str:
    """The line of the student's code that raised ``exc`` (as a message suffix), or ``""``."""
    frames = traceback.extract_tb(exc.__traceback__)
    for frame in reversed(frames):
        fname = frame.filename.replace("\\", "/")
        if "site-packages" in fname or "/numpy/" in fname or "/scipy/" in fname:
            continue
        if "/gmm_from_scratch/" in fname:
            continue
        if frame.line:
            return f"\n  The error was raised at this line of your code:  {frame.line.strip()}"
    return ""


def same(a: Any, b: Any, depth: int = 0) -> bool:
    """Whether an argument is unchanged: arrays, lists and a model's array attributes compared."""
    if depth > 4 or isinstance(a, np.random.Generator) or isinstance(b, np.random.Generator):
        return True  # a random generator is meant to advance
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        try:
            return bool(np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True))
        except TypeError:
            return bool(np.array_equal(np.asarray(a), np.asarray(b)))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y, depth + 1) for x, y in zip(a, b, strict=True))
    if isinstance(a, (int, float, str, type(None))):
        return a == b or (a != a and b != b)
    if type(a) is type(b) and hasattr(a, "__dict__") and hasattr(b, "__dict__"):
        va, vb = vars(a), vars(b)
        keys = [k for k in va if isinstance(va[k], (np.ndarray, int, float, str, list, tuple))]
        return all(k in vb and same(va[k], vb[k], depth + 1) for k in keys)
    return True


def invoke(
    func: Callable,
    args: tuple,
    params: tuple[str, ...],
    guard: Guard,
    time_left: float | None,
) -> dict[str, Any]:
    """Call the student's function once and describe what happened, as plain data.

    Parameters
    ----------
    func : callable
        The student's function.
    args : tuple
        The case's arguments.
    params : tuple of str
        Their names (for "modified its input `X` in place").
    guard : Guard
        The exercise's stubs, put in place during the call.
    time_left : float or None
        Seconds left for this exercise (``None``: no limit here; the grader kills the process).

    Returns
    -------
    dict
        ``status`` ('ok', 'not implemented', 'error', 'forbidden', 'exit', 'os._exit',
        'timeout', 'bad output'), ``output`` (encoded, see :mod:`._data`), ``message``,
        ``error_type``, ``where``, ``label``, ``mutated``, ``elapsed`` and ``rng_states``.
    """
    snapshot = [
        None
        if isinstance(a, np.random.Generator)
        else a.copy()
        if isinstance(a, np.ndarray)
        else copy.deepcopy(a)
        for a in args
    ]
    guard.used.clear()
    out: dict[str, Any] = {"status": "ok", "output": None, "message": "", "error_type": ""}
    out.update(where="", label="", mutated="", rng_states={})
    start = time.perf_counter()
    try:
        with (
            np.errstate(all="ignore"),
            warnings.catch_warnings(),
            guard.active(),
            _no_os_exit(),
            _time_limit(time_left),
        ):
            warnings.simplefilter("ignore")
            try:
                result = func(*args)
            except NotImplementedError as exc:
                out.update(status="not implemented", message=_first_line(exc))
            except ForbiddenCall:
                out.update(status="forbidden")
            except SystemExit as exc:
                out.update(status="exit", message=_short(exc.code))
            except OsExitCalled as exc:
                out.update(status="os._exit", message=_short(exc.args[0] if exc.args else 0))
            except (TimeLimitReached, KeyboardInterrupt):
                raise
            except BaseException as exc:
                kind = "MemoryError" if isinstance(exc, MemoryError) else type(exc).__name__
                out.update(status="error", error_type=kind[:100])
                out.update(message=_first_line(exc), where=where_in_student_code(exc))
            else:
                try:
                    out["output"] = encode(result)
                except DataError as exc:
                    out.update(status="bad output", message=str(exc))
    except TimeLimitReached:
        out.update(status="timeout", output=None)
    out["elapsed"] = time.perf_counter() - start
    if time_left is not None and out["elapsed"] > time_left and out["status"] != "timeout":
        out.update(status="timeout", output=None)  # the limit's signal was caught and ignored
    if guard.used and (out["status"] in ("ok", "bad output") or guard.raising):
        out.update(status="forbidden", label=guard.used[0], output=None)
    for name, before, after in zip(params, snapshot, args, strict=False):
        if not same(before, after):
            out["mutated"] = name
            break
    for i, arg in enumerate(args):
        if isinstance(arg, np.random.Generator):
            out["rng_states"][str(i)] = arg.bit_generator.state
    return out


# ----------------------------------------------------------------------------- formatting
def fmt(x: Any) -> str:
    """A number or an array, short and readable."""
    if isinstance(x, (float, np.floating)):
        return f"{float(x):.6g}"
    if isinstance(x, np.ndarray):
        if x.dtype.kind == "f" and np.all(np.isfinite(x)) and np.all(x == np.round(x)):
            x = x.astype(np.int64)
        with np.printoptions(precision=4, suppress=True, threshold=20):
            return " ".join(np.array2string(x, separator=", ").split())
    return repr(x)


def idx(index: tuple) -> str:
    """``[i, j]`` for an index tuple (empty for a scalar)."""
    return "[" + ", ".join(str(int(i)) for i in index) + "]" if index else ""


def _short(x: Any) -> str:
    try:
        s = repr(x)
    except Exception:
        s = f"<{type(x).__name__}>"
    return s if len(s) < 60 else s[:57] + "..."


short = _short


def type_name(x: Any) -> str:
    """The name of ``x``'s type (for an output received as :class:`Opaque`, the original's)."""
    if isinstance(x, Opaque):
        return str(x.__dict__["_type_name"])
    return type(x).__name__


NAN_HINT = (
    "NaN comes from 0/0, inf − inf or the log of a negative number; inf from dividing by zero or "
    "exponentiating a large number. Look for a division by a count or a density that can be 0."
)


#: What the rows and the columns of a 2-D output are, by the name the messages give it.
_AXES = {
    "the responsibilities": ("points", "components"),
    "log_resp": ("points", "components"),
    "means": ("components", "features"),
    "new_centers": ("components", "features"),
    "covariances ('diag')": ("components", "features"),
    "X": ("points", "features"),
}


def shape_hint(what: str, got: tuple[int, ...], want: tuple[int, ...]) -> str | None:
    """The likely reason why an output named ``what`` has shape ``got`` instead of ``want``.

    >>> print(shape_hint("means", (2, 3), (3, 2)))  # doctest: +NORMALIZE_WHITESPACE
    means is transposed: it should have one row per component and one column per feature,
    shape (K, d) = (3, 2); yours has one row per feature.
    >>> "extra axis of length 1" in shape_hint("logsumexp", (2, 1), (2,))
    True
    """
    if len(want) == 2 and got == want[::-1] and want[0] != want[1]:
        rows, cols = _AXES.get(what, ("", ""))
        if rows:
            sym = {"points": "n", "components": "K", "features": "d"}
            return (
                f"{what} is transposed: it should have one row per {rows[:-1]} and one column "
                f"per {cols[:-1]}, shape ({sym[rows]}, {sym[cols]}) = {want}; yours has one "
                f"row per {cols[:-1]}."
            )
        return f"Your array is transposed: shape {got} instead of {want} (use .T)."
    if want == () and len(got) >= 1 and int(np.prod(got)) == 1:
        return (
            f"You returned an array of shape {got}, not a number: if it holds one value per "
            "point, did you forget to sum over the points? Then return the number itself "
            "(float(...) or .item(); a reduction with keepdims=True keeps an axis)."
        )
    if want == () and len(got) == 1:
        return "Did you forget to sum over the points?"
    if got == () and want != ():
        return (
            f"You returned a single number where an array of shape {want} belongs: reduce "
            "only along the axis the exercise names (axis=...), not over every entry."
        )
    if tuple(n for n in got if n != 1) == tuple(n for n in want if n != 1) and len(got) > len(want):
        return (
            "Your array has an extra axis of length 1: the reduced axis must disappear from "
            "the shape (keepdims=False, or np.squeeze(..., axis=axis) at the end)."
        )
    return None


#: Hints for the errors NumPy raises on the usual slips, by a fragment of the error message.
_ERROR_HINTS = (
    (
        "incompatible numbers of samples and aweights",
        "np.cov treats every ROW as a variable by default: pass rowvar=False (or the "
        "transposed data X.T), so that the columns are the features.",
    ),
    (
        "fweights must be integer",
        "fweights are whole repeat counts; responsibilities are weights: use "
        "aweights=r together with bias=True (which divides by N_k), or write the weighted sum "
        "yourself.",
    ),
    (
        "could not be broadcast together",
        "Two arrays whose shapes do not line up: print their .shape. A reduction (sum, max) "
        "with keepdims=True keeps the reduced axis with length 1, so that its result "
        "broadcasts against the array it came from; [:, None] adds such an axis.",
    ),
    (
        "matrices are not aligned",
        "Check the shapes on both sides of @ or np.dot: (n, d) @ (d, K) gives (n, K).",
    ),
    (
        "mismatch in its core dimension",
        "Check the shapes on both sides of @: (n, d) @ (d, K) gives (n, K); a transpose "
        "(.T) may be missing or extra.",
    ),
)


def error_hint(message: str) -> str | None:
    """A hint for an error message raised by the student's code, or ``None``."""
    for fragment, hint in _ERROR_HINTS:
        if fragment in message:
            return hint
    return None


def own_code_hint(label: str) -> str:
    """The hint for a borrowed answer."""
    return (
        f"{label} is the package's (or a library's) ready-made answer: the point of the "
        "exercise is to write it yourself."
    )


def forbidden_hint(label: str) -> str:
    """The hint for a forbidden call: the Cholesky route, or "write it yourself"."""
    return INVERSE_HINT if ("inv" in label or "det" in label) else own_code_hint(label)


def diagnose(got: np.ndarray, mistakes: Callable | None) -> str | None:
    """The hint of the first known mistake whose output matches the student's."""
    if mistakes is None:
        return None
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for hint, wrong in mistakes():
            wrong = np.asarray(wrong, dtype=float)
            if wrong.shape == got.shape and np.allclose(
                got, wrong, rtol=1e-6, atol=1e-9, equal_nan=True
            ):
                return hint
    return None


def is_numeric(x: Any) -> bool:
    """Whether ``x`` is a real number or an array of real numbers."""
    try:
        arr = np.asarray(x)
    except (TypeError, ValueError):
        return False
    if arr.dtype.kind == "O":
        return all(_real_scalar(v) for v in arr.ravel())
    return arr.dtype.kind in "biuf"


def _real_scalar(v: Any) -> bool:
    return isinstance(v, (bool, int, float, np.bool_, np.integer, np.floating))


# ----------------------------------------------------------------------------- the runner
class Runner:
    """Runs a student's function on the cases and compares its outputs with the reference.

    Subclasses provide :meth:`_invoke` (one call, described by :func:`invoke`).

    Parameters
    ----------
    params : tuple of str
        The names of the function's parameters.
    time_limit : float or None
        Seconds for the whole exercise.
    """

    def __init__(self, params: tuple[str, ...], time_limit: float | None) -> None:
        self.params = params
        self.time_limit = time_limit
        self.cases: list[str] = []
        self.n_calls = 0
        self.elapsed = 0.0

    @property
    def case(self) -> str | None:
        """The case being run."""
        return self.cases[-1] if self.cases else None

    def start(self, name: str) -> None:
        """Name the next case."""
        self.cases.append(name)

    def fail(self, message: str, hint: str | None = None) -> None:
        """Stop: the student's function is wrong on this case."""
        raise Fail(message, hint)

    def _invoke(self, args: tuple) -> dict[str, Any]:
        raise NotImplementedError

    def _invoke_repeated(self, n: int, args: tuple) -> list[dict[str, Any]]:
        outcomes = []
        for _ in range(n):
            outcomes.append(self._invoke(args))
            if outcomes[-1].get("status") != "ok" or outcomes[-1].get("mutated"):
                break
        return outcomes

    def time_left(self) -> float | None:
        """Seconds left for this exercise, or ``None`` without a limit."""
        return None if self.time_limit is None else self.time_limit - self.elapsed

    def call(self, *args: Any) -> Any:
        """Run the student's function on ``args`` and return its output (as plain data)."""
        first = self.n_calls == 0
        outcome = self._invoke(args)
        self.n_calls += 1
        return self.read_outcome(outcome, first)

    def call_repeated(self, n: int, *args: Any) -> list[Any]:
        """Run the student's function ``n`` times on the same ``args`` (a random generator among
        them advances from call to call); return the ``n`` outputs."""
        first = self.n_calls == 0
        outputs = []
        for k, outcome in enumerate(self._invoke_repeated(n, args)):
            self.n_calls += 1
            outputs.append(self.read_outcome(outcome, first and k == 0))
        if len(outputs) != n:
            self.fail(f"your function was called {n} times but answered {len(outputs)} times.")
        return outputs

    def read_outcome(self, outcome: Any, first: bool) -> Any:
        """Check the description of a call (:func:`invoke`) and return the output."""
        try:
            status, message = _text(outcome, "status"), _text(outcome, "message")
            label, mutated = _text(outcome, "label"), _text(outcome, "mutated")
            output = decode(outcome.get("output"))
        except DataError as exc:
            self.fail(f"what your function returned could not be read back ({exc}).")
        if status == "not implemented":
            if first:
                raise NotImplementedYet
            self.fail(f"your function raised NotImplementedError: {message}")
        if status == "timeout":
            self.fail(
                f"your function did not finish within the time limit ({self.time_limit:g} s for "
                "all the cases of this exercise).",
                "Look for a loop whose condition never becomes false (`while True:` without a "
                "`break`), or work on whole arrays rather than point by point.",
            )
        if status == "forbidden":
            self.fail(f"your function calls {label}.", forbidden_hint(label))
        if status == "exit":
            self.fail(
                f"your function called sys.exit({message}) (or raised SystemExit).",
                "A function hands its result back with `return`; sys.exit stops the whole program.",
            )
        if status == "os._exit":
            self.fail(
                f"your function called os._exit({message}), which ends the whole process.",
                "A function hands its result back with `return`.",
            )
        if status == "crashed":
            self.fail(message)
        if status == "error":
            error_type, where = _text(outcome, "error_type"), _text(outcome, "where")
            hint = error_hint(message)
            if error_type == "MemoryError":
                hint = (
                    "Your function needs more memory than it is allowed: look for an array far "
                    "larger than the data (n × n, or one d × d matrix per point)."
                )
            self.fail(f"your function raised {error_type}: {message}" + where, hint)
        if status == "bad output":
            self.fail(f"what your function returned cannot be checked: {message}.")
        if status != "ok":
            self.fail(f"the checker received an unknown verdict {status!r} from your code.")
        if mutated:
            self.fail(
                f"your function modified its input `{mutated}` in place.",
                "Work on a copy (e.g. `X = X - mean`, not `X -= mean`): the caller still "
                "needs its data unchanged.",
            )
        return output

    # -- comparisons -------------------------------------------------------------
    def array(self, got: Any, what: str, shape: tuple | None = None, dtype: Any = float):
        """``got`` as an array of real numbers (of ``shape``), or a message saying why not."""
        if dtype is float:
            self._real(got, what)
        try:
            arr = np.asarray(got, dtype=dtype)
        except (TypeError, ValueError):
            self.fail(
                f"{what} should be a number or an array, but you returned "
                f"{type_name(got)} {_short(got)}."
            )
        if shape is not None and arr.shape != tuple(shape):
            kind = "a single number" if shape == () else f"an array of shape {tuple(shape)}"
            self.fail(
                f"{what} has shape {arr.shape}, but it should be {kind}.",
                shape_hint(what, arr.shape, tuple(shape)),
            )
        return arr

    def _real(self, got: Any, what: str) -> None:
        """Refuse complex numbers and strings (NumPy would silently drop or parse them)."""
        try:
            raw = np.asarray(got)
        except (TypeError, ValueError):
            return  # ragged: array() says it is not a number or an array
        kinds = {raw.dtype.kind}
        if raw.dtype.kind == "O":
            kinds = {np.asarray(v).dtype.kind for v in raw.ravel() if not isinstance(v, Opaque)}
        if "c" in kinds:
            self.fail(
                f"{what} holds complex numbers (e.g. {_short(_first_of(raw, complex))}), but it "
                "should hold real numbers.",
                "A log-density, a probability or a parameter is real: look for a square root or "
                "a log of a negative number computed in complex arithmetic, or a stray `j`.",
            )
        if kinds & {"U", "S"}:
            self.fail(
                f"{what} holds text ({_short(_first_of(raw, str))}), but it should hold numbers.",
                "Return the numbers themselves, not their string representation.",
            )

    def close(
        self,
        got: Any,
        want: Any,
        what: str,
        *,
        rtol: float = 1e-7,
        atol: float = 1e-9,
        mistakes: Callable[[], list[tuple[str, Any]]] | None = None,
        nan_hint: str | None = None,
    ) -> np.ndarray:
        """Compare ``got`` with ``want`` entry by entry; name the worst entry if they differ."""
        want = np.asarray(want, dtype=float)
        got = self.array(got, what, want.shape)
        bad = ~np.isfinite(got) & np.isfinite(want)
        if bad.any():
            i = tuple(np.argwhere(bad)[0])
            kind = "NaN" if np.isnan(got[i]) else fmt(float(got[i]))
            others = int(bad.sum()) - 1
            more = f" ({others} other entries are not finite either)" if others > 0 else ""
            self.fail(
                f"{what}{idx(i)} is {kind}, but it should be {fmt(float(want[i]))}{more}.",
                diagnose(got, mistakes) or nan_hint or NAN_HINT,
            )
        mismatch = ~np.isclose(got, want, rtol=rtol, atol=atol, equal_nan=True)
        if mismatch.any():
            err = np.where(mismatch, np.abs(np.nan_to_num(got - want, nan=np.inf)), -1.0)
            i = tuple(np.unravel_index(int(np.argmax(err)), got.shape))
            others = int(mismatch.sum()) - 1
            more = f" ({others} other entries are wrong too)" if others > 0 else ""
            self.fail(
                f"{what}{idx(i)} is {fmt(float(got[i]))}, but it should be "
                f"{fmt(float(want[i]))}{more}.",
                diagnose(got, mistakes),
            )
        return got

    def tuple_of(self, got: Any, n: int, names: str) -> tuple:
        """``got`` as a tuple of ``n`` values, or a message naming what to return."""
        sequence = isinstance(got, (tuple, list)) or (isinstance(got, np.ndarray) and got.ndim >= 1)
        if not sequence or len(got) != n:
            got_desc = (
                f"a {type_name(got)} of length {len(got)}" if sequence else f"a {type_name(got)}"
            )
            self.fail(
                f"your function should return {n} values ({names}), but it returned {got_desc}.",
                f"End your function with `return {names}`.",
            )
        return tuple(got)


def _first_of(raw: np.ndarray, kind: type) -> Any:
    for v in raw.ravel():
        if isinstance(v, (kind, np.generic)) and np.asarray(v).dtype.kind in (
            "c" if kind is complex else "US"
        ):
            return v.item() if isinstance(v, np.generic) else v
    return raw.ravel()[0] if raw.size else raw


def _text(outcome: Any, key: str) -> str:
    if not isinstance(outcome, dict):
        raise DataError("a call's description must be a mapping")
    value = outcome.get(key, "")
    if not isinstance(value, str):
        raise DataError(f"{key} must be text")
    return value[:2000]


class LocalRunner(Runner):
    """Calls the student's function in this process (``check()`` in a notebook).

    The output still goes through the grader's round trip (:mod:`._data`), so that ``check()``
    and the grader judge the same thing.
    """

    def __init__(
        self, func: Callable, params: tuple[str, ...], guard: Guard, time_limit: float | None
    ) -> None:
        super().__init__(params, time_limit)
        self.func = func
        self.guard = guard

    def _invoke(self, args: tuple) -> dict[str, Any]:
        left = self.time_left()
        if left is not None and left <= 0:
            return {"status": "timeout"}
        outcome = invoke(self.func, args, self.params, self.guard, left)
        self.elapsed += outcome.pop("elapsed")
        return from_json(to_json(outcome))


# ----------------------------------------------------------------------------- the verdict
@dataclass(frozen=True)
class Exercise:
    """An exercise: its checker, the names of its parameters, what the student may not call.

    Attributes
    ----------
    checker : callable
        Drives a :class:`Runner` through the exercise's cases (one per chapter module).
    params : tuple of str
        The names of the student's function's parameters, in order.
    forbidden : tuple of Forbidden
        The package's and libraries' functions that would be the answer itself.
    """

    checker: Callable[[Runner], None]
    params: tuple[str, ...]
    forbidden: tuple[Forbidden, ...] = ()


def judge(name: str, exercise: Exercise, runner: Runner) -> CheckResult:
    """Run ``exercise``'s checker with ``runner``; its outcome as a :class:`CheckResult`."""
    try:
        exercise.checker(runner)
    except NotImplementedYet:
        return CheckResult(
            name,
            "not implemented",
            f"… {name}: not implemented yet. Replace `raise NotImplementedError` in the cell "
            "above with your code, then run both cells again.",
        )
    except Fail as fail:
        msg = f"✗ {name} failed on the case “{runner.case}”:\n  {fail.message}"
        if fail.hint:
            msg += f"\n  Hint: {fail.hint}"
        return CheckResult(name, "failed", msg, runner.case)
    except Exception as exc:  # an output so odd that a comparison itself broke
        msg = (
            f"✗ {name} failed on the case “{runner.case}”: your function's output could not "
            f"be checked ({type(exc).__name__}: {exc}). Check the type and shape of what "
            "you return."
        )
        return CheckResult(name, "failed", msg, runner.case)
    cases = "; ".join(runner.cases)
    return CheckResult(name, "passed", f"✓ {name}: all {len(runner.cases)} cases passed ({cases}).")


def failure(name: str, message: str, hint: str | None = None) -> CheckResult:
    """A failed :class:`CheckResult` that happened before any case ran."""
    text = f"✗ {name}: {message}" + (f"\n  Hint: {hint}" if hint else "")
    return CheckResult(name, "failed", text)
