"""Self-checking exercises: run a student's function against the reference implementation.

Each exercise notebook in ``exercises/`` calls :func:`check` right after the cell in which the
student writes a function::

    check("ch05.e_step", e_step)

The checker runs the function on several seeded cases, including the traps the chapter warns
about (non-diagonal covariances, points far from every component, a single point, one
component, 1-D data), and returns a :class:`CheckResult`: a short success message, "not
implemented yet" for an untouched stub, or a plain-words description of the first problem it
found and on which case (wrong shape, wrong value with both numbers, NaN or inf produced, an
explicit inverse or determinant used, responsibilities that do not sum to one, an input
modified in place, an exception raised, ...), often with a hint naming the likely mistake.
:func:`check` never raises, so a notebook always runs from top to bottom.

:func:`load_notebook_namespace` and :func:`notebook_checks` let ``pytest exercises/ -m ch05``
check the functions written in a notebook from a terminal.

The reference answers come from the package itself (one source of truth for every formula);
this module imports only NumPy, SciPy and the standard library besides the package.
"""

from __future__ import annotations

import contextlib
import copy
import dis
import json
import linecache
import re
import traceback
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.linalg
import scipy.special

from . import alignment as _alignment
from . import em as _em
from . import gaussian as _gaussian
from . import logspace as _logspace
from .covariance import n_parameters as _n_parameters
from .covariance import precisions_cholesky_from_covariances as _prec_chol
from .kmeans import KMeans as _KMeans
from .kmeans import squared_distances as _squared_distances
from .mixture import GaussianMixture as _GaussianMixture

__all__ = [
    "EXERCISES",
    "CheckResult",
    "check",
    "load_notebook_namespace",
    "notebook_checks",
]


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


class _Fail(Exception):
    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class _NotImplementedYet(Exception):
    pass


# ----------------------------------------------------------------------------- forbidden calls
_INVERSE_DET = (
    (np.linalg, "inv", "np.linalg.inv"),
    (np.linalg, "pinv", "np.linalg.pinv"),
    (np.linalg, "det", "np.linalg.det"),
    (np.linalg, "slogdet", "np.linalg.slogdet"),
    (scipy.linalg, "inv", "scipy.linalg.inv"),
    (scipy.linalg, "pinv", "scipy.linalg.pinv"),
    (scipy.linalg, "det", "scipy.linalg.det"),
)
_INVERSE_HINT = (
    "Never form Σ⁻¹ or det Σ explicitly: take the Cholesky factor Σ = L Lᵀ "
    "(scipy.linalg.cholesky(Σ, lower=True)), solve L z = (x − μ) with "
    "scipy.linalg.solve_triangular (then the Mahalanobis distance is |z|²), and use "
    "log det Σ = 2 Σᵢ log Lᵢᵢ (eqs. 2.3 and 7.3)."
)


def _package_function(qualname: str) -> tuple[tuple[Any, str, str], ...]:
    """The package's own function, both as ``gmm_from_scratch.f`` and ``module.f``."""
    import gmm_from_scratch as pkg

    module_name, attr = qualname.split(".")
    module = getattr(pkg, module_name)
    out = [(module, attr, f"gmm_from_scratch.{attr}")]
    if getattr(pkg, attr, None) is getattr(module, attr):
        out.append((pkg, attr, f"gmm_from_scratch.{attr}"))
    return tuple(out)


def _code_names(code: Any) -> set[str]:
    """Global names a function (and the functions nested in it) loads."""
    names = {
        ins.argval
        for ins in dis.get_instructions(code)
        if ins.opname in ("LOAD_GLOBAL", "LOAD_NAME")
    }
    for const in code.co_consts:
        if hasattr(const, "co_names"):
            names |= _code_names(const)
    return names


def _static_forbidden(func: Callable, forbidden: tuple) -> str | None:
    """A forbidden function reached through a global name (``from numpy.linalg import inv``)."""
    code = getattr(func, "__code__", None)
    glb = getattr(func, "__globals__", None)
    if code is None or glb is None:
        return None
    originals = {id(getattr(mod, attr)): label for mod, attr, label in forbidden}
    for name in sorted(_code_names(code)):
        obj = glb.get(name)
        if obj is not None and id(obj) in originals:
            return originals[id(obj)]
    return None


@contextlib.contextmanager
def _spy(forbidden: tuple) -> Iterator[list[str]]:
    """Temporarily wrap forbidden functions so that calls to them are recorded."""
    used: list[str] = []
    saved = []
    for mod, attr, label in forbidden:
        original = getattr(mod, attr)
        saved.append((mod, attr, original))

        def wrapper(*args: Any, _orig: Callable = original, _label: str = label, **kw: Any):
            used.append(_label)
            return _orig(*args, **kw)

        setattr(mod, attr, wrapper)
    try:
        yield used
    finally:
        for mod, attr, original in reversed(saved):
            setattr(mod, attr, original)


# ----------------------------------------------------------------------------- formatting
def _fmt(x: Any) -> str:
    if isinstance(x, (float, np.floating)):
        return f"{float(x):.6g}"
    if isinstance(x, np.ndarray):
        if x.dtype.kind == "f" and np.all(np.isfinite(x)) and np.all(x == np.round(x)):
            x = x.astype(np.int64)
        with np.printoptions(precision=4, suppress=True, threshold=20):
            return " ".join(np.array2string(x, separator=", ").split())
    return repr(x)


def _idx(index: tuple) -> str:
    return "[" + ", ".join(str(int(i)) for i in index) + "]" if index else ""


def _where_in_student_code(exc: BaseException) -> str:
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


# ----------------------------------------------------------------------------- the runner
class _Runner:
    """Calls the student's function safely and compares its output with the reference."""

    def __init__(self, func: Callable, params: tuple[str, ...], forbidden: tuple) -> None:
        self.func = func
        self.params = params
        self.forbidden = forbidden
        self.cases: list[str] = []
        self.n_calls = 0

    @property
    def case(self) -> str | None:
        return self.cases[-1] if self.cases else None

    def start(self, name: str) -> None:
        self.cases.append(name)

    def fail(self, message: str, hint: str | None = None) -> None:
        raise _Fail(message, hint)

    def call(self, *args: Any) -> Any:
        snapshot = copy.deepcopy(args)
        with (
            _spy(self.forbidden) as used,
            np.errstate(all="ignore"),
            warnings.catch_warnings(),
        ):
            warnings.simplefilter("ignore")
            try:
                out = self.func(*args)
            except NotImplementedError as exc:
                if self.n_calls == 0:
                    raise _NotImplementedYet from None
                self.fail(f"your function raised NotImplementedError: {exc}")
            except (_Fail, _NotImplementedYet):
                raise
            except Exception as exc:
                msg = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
                self.fail(
                    f"your function raised {type(exc).__name__}: {msg}"
                    + _where_in_student_code(exc)
                )
            finally:
                self.n_calls += 1
        if used:
            self.fail(
                f"your function calls {used[0]}.",
                _INVERSE_HINT if "inv" in used[0] or "det" in used[0] else _own_code_hint(used[0]),
            )
        for name, before, after in zip(self.params, snapshot, args, strict=False):
            if not _same(before, after):
                self.fail(
                    f"your function modified its input `{name}` in place.",
                    "Work on a copy (e.g. `X = X - mean`, not `X -= mean`): the caller still "
                    "needs its data unchanged.",
                )
        return out

    # -- comparisons -------------------------------------------------------------
    def array(self, got: Any, what: str, shape: tuple | None = None, dtype: Any = float):
        try:
            arr = np.asarray(got, dtype=dtype)
        except (TypeError, ValueError):
            self.fail(
                f"{what} should be a number or an array, but you returned "
                f"{type(got).__name__} {_short(got)}."
            )
        if shape is not None and arr.shape != tuple(shape):
            kind = "a single number" if shape == () else f"an array of shape {tuple(shape)}"
            hint = None
            if arr.shape == tuple(shape)[::-1] and len(shape) == 2:
                hint = "Your array is transposed: rows are points, columns are components."
            elif shape == () and arr.ndim == 1:
                hint = "Did you forget to sum over the points?"
            self.fail(f"{what} has shape {arr.shape}, but it should be {kind}.", hint)
        return arr

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
        want = np.asarray(want, dtype=float)
        got = self.array(got, what, want.shape)
        bad = ~np.isfinite(got) & np.isfinite(want)
        if bad.any():
            i = tuple(np.argwhere(bad)[0])
            kind = "NaN" if np.isnan(got[i]) else _fmt(float(got[i]))
            others = int(bad.sum()) - 1
            more = f" ({others} other entries are not finite either)" if others > 0 else ""
            self.fail(
                f"{what}{_idx(i)} is {kind}, but it should be {_fmt(float(want[i]))}{more}.",
                _diagnose(got, mistakes) or nan_hint or _NAN_HINT,
            )
        mismatch = ~np.isclose(got, want, rtol=rtol, atol=atol, equal_nan=True)
        if mismatch.any():
            err = np.where(mismatch, np.abs(np.nan_to_num(got - want, nan=np.inf)), -1.0)
            i = tuple(np.unravel_index(int(np.argmax(err)), got.shape))
            others = int(mismatch.sum()) - 1
            more = f" ({others} other entries are wrong too)" if others > 0 else ""
            self.fail(
                f"{what}{_idx(i)} is {_fmt(float(got[i]))}, but it should be "
                f"{_fmt(float(want[i]))}{more}.",
                _diagnose(got, mistakes),
            )
        return got

    def tuple_of(self, got: Any, n: int, names: str) -> tuple:
        sequence = isinstance(got, (tuple, list)) or (isinstance(got, np.ndarray) and got.ndim >= 1)
        if not sequence or len(got) != n:
            got_desc = (
                f"a {type(got).__name__} of length {len(got)}"
                if sequence
                else f"a {type(got).__name__}"
            )
            self.fail(
                f"your function should return {n} values ({names}), but it returned {got_desc}.",
                f"End your function with `return {names}`.",
            )
        return tuple(got)


_NAN_HINT = (
    "NaN comes from 0/0, inf − inf or the log of a negative number; inf from dividing by zero or "
    "exponentiating a large number. Look for a division by a count or a density that can be 0."
)


def _short(x: Any) -> str:
    s = repr(x)
    return s if len(s) < 60 else s[:57] + "..."


def _own_code_hint(label: str) -> str:
    return (
        f"{label} is the package's (or a library's) ready-made answer: the point of the "
        "exercise is to write it yourself."
    )


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        try:
            return bool(np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True))
        except TypeError:
            return bool(np.array_equal(np.asarray(a), np.asarray(b)))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, (int, float, str, type(None))):
        return a == b or (a != a and b != b)
    return True  # objects such as a Generator or a fitted model are allowed to change


def _diagnose(got: np.ndarray, mistakes: Callable | None) -> str | None:
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


# ----------------------------------------------------------------------------- test data
def _random_covariance(rng: np.random.Generator, d: int, scale: float = 1.0) -> np.ndarray:
    """A symmetric positive definite matrix with strong correlations (non-diagonal)."""
    q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    eig = scale * rng.uniform(0.2, 2.0, size=d)
    cov = (q * eig) @ q.T
    return 0.5 * (cov + cov.T)


def _mixture_problem(seed: int, n: int, K: int, d: int, spread: float = 4.0, weights: Any = None):
    rng = np.random.default_rng(seed)
    means = rng.normal(scale=spread, size=(K, d))
    covs = np.stack([_random_covariance(rng, d) for _ in range(K)])
    w = rng.dirichlet(np.full(K, 3.0)) if weights is None else np.asarray(weights, float)
    z = rng.choice(K, size=n, p=w)
    X = np.empty((n, d))
    for k in range(K):
        idx = z == k
        X[idx] = rng.multivariate_normal(means[k], covs[k], size=int(idx.sum()))
    return X, w, means, covs


def _ref_e_step(X, weights, means, covariances):
    return _em.e_step(X, weights, means, _prec_chol(covariances, "full"), "full")


def _standard_cases(far: bool) -> list[tuple[str, tuple]]:
    """(case name, (X, weights, means, covariances)) for responsibilities and the E-step."""
    cases = []
    X, w, m, c = _mixture_problem(1, 12, 2, 2, spread=2.0)
    cases.append(("two 2-D components with non-diagonal covariances", (X, w, m, c)))
    X, w, m, c = _mixture_problem(2, 15, 3, 3, spread=1.5, weights=[0.7, 0.2, 0.1])
    cases.append(("three 3-D components with unequal weights", (X, w, m, c)))
    X, w, m, c = _mixture_problem(3, 8, 1, 2)
    cases.append(("one component", (X, w, m, c)))
    X, w, m, c = _mixture_problem(4, 1, 3, 2)
    cases.append(("a single point", (X, w, m, c)))
    X, w, m, c = _mixture_problem(5, 10, 2, 1)
    cases.append(("1-D data (d = 1)", (X, w, m, c)))
    if far:
        X, w, m, c = _mixture_problem(6, 6, 3, 2, spread=1.0)
        X = X.copy()
        X[:3] += np.array([300.0, -200.0])  # hundreds of standard deviations away
        cases.append(("points far from every component", (X, w, m, c)))
    return cases


# ----------------------------------------------------------------------------- chapter 1
def _ch01_fit(r: _Runner) -> None:
    rng = np.random.default_rng(10)
    cases: list[tuple[str, Any]] = [
        ("four small numbers", np.array([1.0, 2.0, 3.0, 6.0])),
        ("50 draws from N(3, 2²)", rng.normal(3.0, 2.0, size=50)),
        ("data far from zero (mean 1e6, std 1)", 1e6 + rng.normal(0.0, 1.0, size=200)),
        ("a single point", np.array([2.5])),
        ("a Python list instead of an array", [1.0, 2.0, 4.0]),
    ]
    for name, x in cases:
        r.start(name)
        got = r.tuple_of(r.call(x), 2, "mean, std")
        want = _gaussian.fit_gaussian_1d(x)
        xa = np.asarray(x, float)
        n = xa.size

        def std_mistakes(xa=xa, n=n, want=want):
            m, s = want
            out = [
                (
                    "You returned the variance; the exercise asks for the standard deviation "
                    "(its square root).",
                    s**2,
                ),
                (
                    "E[x²] − E[x]² loses all its digits when the mean is large compared with "
                    "the spread: subtract the mean first, then average the squares.",
                    np.sqrt(abs(np.mean(xa**2) - np.mean(xa) ** 2)),
                ),
            ]
            if n > 1:
                out.insert(
                    0,
                    (
                        "You divided by n − 1. The maximum-likelihood variance divides by "
                        "n (eq. 1.4); n − 1 gives the unbiased estimate, which is not the "
                        "MLE.",
                        s * np.sqrt(n / (n - 1)),
                    ),
                )
            return out

        def mean_mistakes(want: tuple[float, float] = want) -> list[tuple[str, Any]]:
            return [("You swapped the two return values: return mean, std.", want[1])]

        pair = r.array(got, "(mean, std)", (2,))
        r.close(pair[0], want[0], "the mean", rtol=1e-10, mistakes=mean_mistakes)
        r.close(
            pair[1],
            want[1],
            "the standard deviation",
            rtol=1e-7,
            mistakes=std_mistakes,
            nan_hint="With a single point, n − 1 = 0: the MLE divides by n (eq. 1.4).",
        )


def _ch01_loglik(r: _Runner) -> None:
    rng = np.random.default_rng(11)
    cases = [
        ("one point at the mean", (np.array([0.0]), 0.0, 1.0)),
        ("20 draws, mean 1.5, std 0.5", (rng.normal(1.5, 0.5, size=20), 1.5, 0.5)),
        ("a wide Gaussian (std 30)", (rng.normal(-4.0, 30.0, size=10), -4.0, 30.0)),
        ("a point 100 standard deviations away", (np.array([0.2, 100.0]), 0.0, 1.0)),
    ]
    for name, (x, mean, std) in cases:
        r.start(name)
        got = r.call(x, mean, std)
        want = _gaussian.log_likelihood_1d(x, mean, std)

        def mistakes(x=x, mean=mean, std=std):
            z2 = ((x - mean) / std) ** 2
            n = x.size
            return [
                (
                    "You used log σ² where log σ belongs (or forgot the ½ in front of log σ²).",
                    -0.5 * n * _gaussian.LOG_2PI - n * np.log(std**2) - 0.5 * z2.sum(),
                ),
                (
                    "The constant −½ log(2π) is missing from each point's term (eq. 1.2).",
                    -n * np.log(std) - 0.5 * z2.sum(),
                ),
                (
                    "The ½ in front of the squared standardized distance is missing.",
                    -0.5 * n * _gaussian.LOG_2PI - n * np.log(std) - z2.sum(),
                ),
            ]

        r.close(
            r.array(got, "the log-likelihood", ()),
            want,
            "the log-likelihood",
            rtol=1e-9,
            mistakes=mistakes,
            nan_hint="Taking np.log of the density underflows to log 0 = −inf for a point "
            "far away: write the log-density directly, −½log(2π) − log σ − ½((x−μ)/σ)².",
        )


# ----------------------------------------------------------------------------- chapter 2
def _ch02_log_pdf(r: _Runner) -> None:
    rng = np.random.default_rng(20)
    cases = []
    cov = np.array([[2.0, 1.2], [1.2, 1.0]])
    cases.append(
        ("2-D, non-diagonal covariance", (rng.normal(size=(6, 2)), np.array([0.5, -1.0]), cov))
    )
    c3 = _random_covariance(rng, 3, scale=2.0)
    cases.append(("3-D, strongly correlated", (rng.normal(size=(5, 3)), rng.normal(size=3), c3)))
    cases.append(("a single point", (np.array([[1.0, 2.0]]), np.zeros(2), cov)))
    cases.append(
        ("1-D data (d = 1)", (rng.normal(size=(4, 1)), np.array([0.3]), np.array([[0.49]])))
    )
    cases.append(
        ("points far from the mean", (np.array([[50.0, -40.0], [300.0, 0.0]]), np.zeros(2), cov))
    )
    for name, (X, mean, cov) in cases:
        r.start(name)
        got = r.call(X, mean, cov)
        want = _gaussian.log_pdf(X, mean, cov)

        def mistakes(X=X, mean=mean, cov=cov):
            diff = X - mean
            d = X.shape[1]
            logdet = np.linalg.slogdet(cov)[1]
            wrong_maha = np.einsum("ni,ij,nj->n", diff, cov, diff)
            right_maha = np.einsum("ni,ij,nj->n", diff, np.linalg.inv(cov), diff)
            return [
                (
                    "You used Σ where Σ⁻¹ belongs in the quadratic form (the classic trap): the "
                    "Mahalanobis distance is (x−μ)ᵀ Σ⁻¹ (x−μ) (eq. 2.2).",
                    -0.5 * (d * _gaussian.LOG_2PI + logdet + wrong_maha),
                ),
                (
                    "The sign of the log-determinant term is wrong: it is −½ log det Σ.",
                    -0.5 * (d * _gaussian.LOG_2PI - logdet + right_maha),
                ),
                (
                    "log det Σ = 2 Σᵢ log Lᵢᵢ: the factor 2 (or the ½ in front) is missing.",
                    -0.5 * (d * _gaussian.LOG_2PI + 0.5 * logdet + right_maha),
                ),
                (
                    "The constant is −(d/2) log(2π), with d the number of features.",
                    -0.5 * (_gaussian.LOG_2PI + logdet + right_maha),
                ),
            ]

        r.close(
            got,
            want,
            "log_pdf",
            rtol=1e-9,
            atol=1e-9,
            mistakes=mistakes,
            nan_hint="Computing the density and then its log underflows to log 0 = −inf far "
            "from the mean: stay in log space all the way (eq. 2.3).",
        )


# ----------------------------------------------------------------------------- chapter 3
def _ch03_lloyd(r: _Runner) -> None:
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
                f"{_fmt(dist[i])}); {wrong.size} label(s) differ in all.",
                hint,
            )
        r.close(
            got[1],
            want_centers,
            "new_centers",
            rtol=1e-9,
            nan_hint="A centre with no points gives a mean of 0/0 = NaN: keep the old "
            "centre of an empty cluster.",
        )


# ----------------------------------------------------------------------------- chapter 4
def _ch04_sample(r: _Runner) -> None:
    rng = np.random.default_rng(40)
    c2 = np.stack(
        [
            np.array([[1.0, 0.8], [0.8, 1.0]]),
            np.array([[0.5, -0.3], [-0.3, 0.4]]),
            _random_covariance(rng, 2, 0.5),
        ]
    )
    cases = [
        (
            "three 2-D components, non-diagonal covariances, weights 0.6/0.3/0.1",
            (
                np.array([0.6, 0.3, 0.1]),
                np.array([[0.0, 0.0], [5.0, 5.0], [-5.0, 4.0]]),
                c2,
                20_000,
            ),
        ),
        ("one component", (np.array([1.0]), np.array([[1.0, -1.0]]), c2[:1], 5_000)),
        (
            "1-D data (d = 1)",
            (
                np.array([0.25, 0.75]),
                np.array([[-3.0], [2.0]]),
                np.array([[[0.25]], [[4.0]]]),
                10_000,
            ),
        ),
        (
            "a single sample",
            (np.array([0.6, 0.3, 0.1]), np.array([[0.0, 0.0], [5.0, 5.0], [-5.0, 4.0]]), c2, 1),
        ),
    ]
    for name, (w, means, covs, n) in cases:
        r.start(name)
        K, d = means.shape
        X, z = r.tuple_of(r.call(w, means, covs, n, np.random.default_rng(123)), 2, "X, z")
        X = r.array(X, "X", (n, d))
        z = r.array(z, "z", (n,))
        if not np.all(np.isfinite(X)):
            r.fail("X contains NaN or inf.")
        if not np.all((z == np.round(z)) & (z >= 0) & (z < K)):
            r.fail(f"z should hold component indices 0..{K - 1}; it holds {_fmt(np.unique(z))}.")
        X2, z2 = r.tuple_of(r.call(w, means, covs, n, np.random.default_rng(123)), 2, "X, z")
        if not (np.array_equal(np.asarray(X2), X) and np.array_equal(np.asarray(z2), z)):
            r.fail(
                "two calls with the same seeded `rng` gave different samples.",
                "Draw every random number from the `rng` argument (rng.choice, "
                "rng.standard_normal, ...), not from np.random.",
            )
        if n < 100:
            continue
        z = z.astype(int)
        counts = np.bincount(z, minlength=K)
        for k in range(K):
            sd = np.sqrt(n * w[k] * (1 - w[k]))
            if abs(counts[k] - n * w[k]) > 5 * sd + 1:
                hint = None
                if np.all(np.abs(counts - n / K) <= 5 * np.sqrt(n / K) + 1):
                    hint = "Your components are equally frequent: draw z with p=weights."
                r.fail(
                    f"component {k} was drawn {counts[k]} times out of {n}, but its weight "
                    f"{w[k]:g} makes about {n * w[k]:.0f} expected.",
                    hint,
                )
            Xk = X[z == k]
            nk = len(Xk)
            se = np.sqrt(np.diag(covs[k]) / nk)
            mean_k = Xk.mean(axis=0)
            if np.any(np.abs(mean_k - means[k]) > 6 * se):
                r.fail(
                    f"the points labelled {k} have mean {_fmt(mean_k)}, but component {k}'s "
                    f"mean is {_fmt(means[k])}.",
                    "Each point of component k is μ_k plus noise with covariance Σ_k.",
                )
            emp = np.atleast_2d(np.cov(Xk.T, bias=True))
            v = np.diag(covs[k])
            se_cov = np.sqrt((covs[k] ** 2 + np.outer(v, v)) / nk)
            if np.any(np.abs(emp - covs[k]) > 6 * se_cov):
                r.fail(
                    f"the points labelled {k} have covariance {_fmt(emp)}, but Σ_{k} is "
                    f"{_fmt(covs[k])}.",
                    "With L the lower Cholesky factor (Σ = L Lᵀ) and e a standard normal "
                    "row vector, x = μ + e Lᵀ has covariance Σ. Check the transpose, and use "
                    "the factor L, not Σ itself.",
                )


def _ch04_resp(r: _Runner) -> None:
    for name, (X, w, m, c) in _standard_cases(far=False):
        r.start(name)
        got = r.call(X, w, m, c)
        want = np.exp(_ref_e_step(X, w, m, c)[1])
        got = r.array(got, "the responsibilities", want.shape)
        sums = got.sum(axis=1)
        if np.all(np.isfinite(got)) and not np.allclose(sums, 1.0, rtol=0, atol=1e-9):
            i = int(np.argmax(np.abs(sums - 1)))
            r.fail(
                f"the responsibilities of point {i} sum to {_fmt(float(sums[i]))}, not 1.",
                "Divide each row by its sum over the components (eq. 4.2).",
            )

        def mistakes(X=X, w=w, m=m, c=c):
            K = len(w)
            return [
                (
                    "You forgot the mixing weights π_k in the numerator (eq. 4.2).",
                    np.exp(_ref_e_step(X, np.full(K, 1.0 / K), m, c)[1]),
                )
            ]

        r.close(got, want, "the responsibilities", rtol=1e-7, atol=1e-10, mistakes=mistakes)


# ----------------------------------------------------------------------------- chapter 5
def _ch05_e_step(r: _Runner) -> None:
    for name, (X, w, m, c) in _standard_cases(far=True):
        r.start(name)
        got = r.tuple_of(r.call(X, w, m, c), 2, "log_prob_norm, log_resp")
        want_norm, want_log_resp = _ref_e_step(X, w, m, c)
        log_resp = r.array(got[1], "log_resp", want_log_resp.shape)
        if np.all(np.isfinite(log_resp) | (log_resp == -np.inf)):
            sums = np.exp(log_resp).sum(axis=1)
            if not np.allclose(sums, 1.0, rtol=0, atol=1e-8):
                i = int(np.argmax(np.abs(sums - 1)))
                hint = None
                if np.allclose(log_resp, np.exp(want_log_resp), atol=1e-12):
                    hint = "You returned the responsibilities themselves, not their logarithms."
                r.fail(
                    f"the responsibilities exp(log_resp) of point {i} sum to "
                    f"{_fmt(float(sums[i]))}, not 1.",
                    hint
                    or "Subtract log p(x_n) = logsumexp over k from every entry of row n "
                    "(eq. 7.2).",
                )

        def mistakes(X=X, w=w, m=m, c=c):
            K = len(w)
            return [
                (
                    "You forgot the mixing weights: add log π_k to each component's "
                    "log-density (eq. 5.2).",
                    _ref_e_step(X, np.full(K, 1.0 / K), m, c)[1],
                )
            ]

        far_hint = (
            "Exponentiating log-densities of points far from every component underflows "
            "to 0, and 0/0 = NaN. Normalize in log space with logsumexp (eqs. 7.1, 7.2)."
        )
        r.close(
            log_resp,
            want_log_resp,
            "log_resp",
            rtol=1e-7,
            atol=1e-8,
            mistakes=mistakes,
            nan_hint=far_hint,
        )
        r.close(got[0], want_norm, "log_prob_norm", rtol=1e-9, atol=1e-8, nan_hint=far_hint)


def _ch05_m_step(r: _Runner) -> None:
    cases = []
    X, w, m, c = _mixture_problem(50, 40, 3, 2, spread=2.0)
    cases.append(
        ("soft responsibilities, three 2-D components", (X, np.exp(_ref_e_step(X, w, m, c)[1])))
    )
    X, w, m, c = _mixture_problem(51, 30, 2, 3, spread=3.0, weights=[0.8, 0.2])
    hard = np.zeros((30, 2))
    hard[np.arange(30), (np.arange(30) % 3 == 0).astype(int)] = 1.0
    cases.append(("hard 0/1 responsibilities with unequal counts", (X, hard)))
    X, *_ = _mixture_problem(52, 25, 1, 2)
    cases.append(("one component (the plain MLE)", (X, np.ones((25, 1)))))
    X, w, m, c = _mixture_problem(53, 20, 2, 1, spread=3.0)
    cases.append(("1-D data (d = 1)", (X, np.exp(_ref_e_step(X, w, m, c)[1]))))
    for name, (X, resp) in cases:
        r.start(name)
        got = r.tuple_of(r.call(X, resp), 3, "weights, means, covariances")
        want = _em.estimate_parameters(X, resp, "full", 0.0)
        nk = resp.sum(axis=0)
        n = X.shape[0]

        def w_mistakes(nk=nk):
            return [
                ("These are the N_k themselves: divide by the number of points N (eq. 5.4).", nk)
            ]

        r.close(got[0], want[0], "weights", rtol=1e-9, mistakes=w_mistakes)

        def m_mistakes(X=X, resp=resp, n=n):
            return [
                (
                    "Each mean must be weighted by the responsibilities (eq. 5.5): "
                    "μ_k = Σ_n r_nk x_n / N_k.",
                    np.tile(X.mean(axis=0), (resp.shape[1], 1)),
                ),
                ("Divide the weighted sum by N_k, not by N (eq. 5.5).", resp.T @ X / n),
            ]

        r.close(got[1], want[1], "means", rtol=1e-9, atol=1e-10, mistakes=m_mistakes)

        def c_mistakes(X=X, resp=resp, want=want, nk=nk, n=n):
            cov = want[2]
            unweighted = np.stack([(X - mu).T @ (X - mu) / len(X) for mu in want[1]])
            centre = X - X.mean(axis=0)
            old_centre = np.einsum("nk,ni,nj->kij", resp, centre, centre) / nk[:, None, None]
            return [
                (
                    "Divide the weighted scatter by N_k, not by N (eq. 5.6).",
                    cov * (nk / n)[:, None, None],
                ),
                (
                    "Divide by N_k, not N_k − 1: EM's M-step is a maximum-likelihood estimate.",
                    cov * (nk / (nk - 1))[:, None, None],
                ),
                ("The outer products must be weighted by r_nk (eq. 5.6).", unweighted),
                (
                    "Centre the data on each component's NEW mean μ_k, not on the overall mean.",
                    old_centre,
                ),
            ]

        r.close(got[2], want[2], "covariances", rtol=1e-8, atol=1e-10, mistakes=c_mistakes)


# ----------------------------------------------------------------------------- chapter 6
def _ref_elbo(X, resp, w, means, covs) -> float:
    log_joint = _em.estimate_log_gaussian_prob(X, means, _prec_chol(covs, "full"), "full")
    log_joint = log_joint + np.log(w)
    return float(np.sum(resp * log_joint) - np.sum(scipy.special.xlogy(resp, resp)))


def _ch06_elbo(r: _Runner) -> None:
    cases = []
    X, w, m, c = _mixture_problem(60, 20, 2, 2, spread=2.0)
    post = np.exp(_ref_e_step(X, w, m, c)[1])
    cases.append(
        ("responsibilities equal to the posterior (ELBO = log-likelihood)", (X, post, w, m, c))
    )
    rng = np.random.default_rng(61)
    X, w, m, c = _mixture_problem(62, 15, 3, 2, spread=2.0)
    cases.append(
        (
            "arbitrary responsibilities (ELBO < log-likelihood)",
            (X, rng.dirichlet(np.ones(3), size=15), w, m, c),
        )
    )
    hard = np.zeros((15, 3))
    hard[np.arange(15), np.arange(15) % 3] = 1.0
    cases.append(("hard 0/1 responsibilities (0 · log 0 = 0)", (X, hard, w, m, c)))
    X, w, m, c = _mixture_problem(63, 10, 1, 1)
    cases.append(("one component in 1-D", (X, np.ones((10, 1)), w, m, c)))
    for name, args in cases:
        r.start(name)
        got = r.array(r.call(*args), "the ELBO", ())
        X, resp, w, m, c = args
        want = _ref_elbo(*args)
        loglik = float(_ref_e_step(X, w, m, c)[0].sum())

        def mistakes(args=args, want=want):
            X, resp, w, m, c = args
            ent = -float(np.sum(scipy.special.xlogy(resp, resp)))
            return [
                (
                    "The entropy term −Σ r log r is missing: with it, the ELBO equals the "
                    "log-likelihood when r is the posterior.",
                    want - ent,
                ),
                (
                    "The entropy term has the wrong sign: the ELBO is Σ r (log π N) − Σ r log r.",
                    want - 2 * ent,
                ),
                (
                    "You forgot log π_k in the expected complete-data log-likelihood.",
                    want - float(np.sum(resp * np.log(w))),
                ),
            ]

        r.close(
            got,
            want,
            "the ELBO",
            rtol=1e-9,
            mistakes=mistakes,
            nan_hint="0 · log 0 gives NaN in floating point; its limit is 0. Use "
            "scipy.special.xlogy(r, r) or mask the zeros.",
        )
        if "posterior" in name:
            r.close(got, loglik, "the ELBO at the posterior (the log-likelihood)", rtol=1e-9)


def _ref_first_decrease(values, tol):
    for t in range(1, len(values)):
        if values[t] < values[t - 1] - tol:
            return t
    return None


def _ch06_monotone(r: _Runner) -> None:
    cases = [
        ("an increasing sequence", ([-5.0, -3.0, -2.5, -2.4, -2.39], 1e-10)),
        ("a drop at iteration 3", ([-5.0, -3.0, -2.5, -2.7, -2.0], 1e-10)),
        ("a rounding-size drop within tol", ([-5.0, -3.0, -3.0 - 1e-13, -2.9], 1e-10)),
        ("a drop at the very end", ([1.0, 2.0, 3.0, 2.0], 0.0)),
        ("a single value", ([-1.0], 1e-10)),
        ("no values at all", ([], 1e-10)),
    ]
    for name, (values, tol) in cases:
        r.start(name)
        got = r.call(list(values), tol)
        want = _ref_first_decrease(values, tol)
        if got is not None and not isinstance(got, (int, np.integer)):
            r.fail(f"your function returned {_short(got)}; it should return an int or None.")
        if (got is None) != (want is None) or (got is not None and int(got) != want):
            hint = None
            if want is not None and got is not None and int(got) == want - 1:
                hint = (
                    "Off by one: return the index t of the value that is smaller than its "
                    "predecessor values[t − 1]."
                )
            elif want is None and got is not None and "tol" in name:
                hint = "Allow a decrease of up to tol: rounding makes EM wiggle by ~1e-13."
            r.fail(
                f"for values={values} and tol={tol:g} you returned {got!r}, but the answer "
                f"is {want!r}.",
                hint,
            )


# ----------------------------------------------------------------------------- chapter 7
def _ch07_logsumexp(r: _Runner) -> None:
    ninf = -np.inf
    cases = [
        ("a small vector", (np.array([1.0, 2.0, 3.0]), None)),
        ("large values (exp overflows)", (np.array([1000.0, 1000.0, 999.0]), None)),
        ("very negative values (exp underflows)", (np.array([-1000.0, -1001.0]), None)),
        ("a matrix, axis=1", (np.array([[0.0, -800.0, 1.0], [700.0, 710.0, 705.0]]), 1)),
        ("a matrix, axis=0", (np.array([[0.0, -800.0], [1000.0, 3.0], [2.0, 4.0]]), 0)),
        (
            "a row of all −inf (a point no component can explain)",
            (np.array([[ninf, ninf], [0.0, ninf]]), 1),
        ),
        ("a single element", (np.array([-3.5]), None)),
    ]
    for name, (a, axis) in cases:
        r.start(name)
        got = r.call(a, axis)
        want = _logspace.logsumexp(a, axis=axis)
        got = r.array(got, "logsumexp", np.shape(want))
        if np.any(np.isnan(got)) and np.any(np.isneginf(want)):
            r.fail(
                f"you returned {_fmt(got)}, but the answer is {_fmt(np.asarray(want))}.",
                "When every entry is −inf, the maximum is −inf and a − max = −inf − (−inf) "
                "is NaN: replace a non-finite maximum by 0 before subtracting.",
            )
        r.close(
            got,
            want,
            "logsumexp",
            rtol=1e-12,
            atol=1e-12,
            nan_hint="exp(1000) overflows to inf and exp(−1000) underflows to 0: subtract "
            "the maximum before exponentiating and add it back after the log (eq. 7.1).",
        )


# ----------------------------------------------------------------------------- chapter 8
def _ch08_kmeanspp(r: _Runner) -> None:
    pts = np.array([[0.0], [1.0], [2.0], [6.0], [15.0]])
    r.start("returns K distinct row indices")
    rng = np.random.default_rng(80)
    X3 = np.concatenate([rng.normal(c, 0.3, size=(8, 2)) for c in ([0, 0], [5, 0], [0, 5])])
    for K in (1, 3):
        idx = r.array(r.call(X3, K, np.random.default_rng(1)), "indices", (K,))
        if not np.all((idx == np.round(idx)) & (idx >= 0) & (idx < len(X3))):
            r.fail(f"indices should be row numbers 0..{len(X3) - 1}; got {_fmt(idx)}.")
        if len(np.unique(idx)) != K:
            r.fail(
                f"the indices {_fmt(idx)} repeat a point.",
                "A point already chosen has distance 0 to the nearest centre, so D² "
                "sampling can never pick it again.",
            )
    again = r.call(X3, 3, np.random.default_rng(1))
    if not np.array_equal(np.asarray(again), idx):
        r.fail(
            "two calls with the same seeded `rng` gave different indices.",
            "Draw every random number from the `rng` argument.",
        )

    r.start("duplicated points (fewer distinct points than K)")
    Xdup = np.array([[0.0, 0.0]] * 3 + [[1.0, 1.0]] * 3)
    idx = r.array(
        r.call(Xdup, 3, np.random.default_rng(2)),
        "indices",
        (3,),
    )
    if not np.all((idx >= 0) & (idx < 6)):
        r.fail(f"indices should be row numbers 0..5; got {_fmt(idx)}.")

    r.start("the D² probabilities (4000 seeded draws on 5 points in 1-D)")
    rng = np.random.default_rng(81)
    n_draws = 4000
    pairs = np.empty((n_draws, 2), dtype=int)
    for t in range(n_draws):
        out = np.asarray(r.call(pts, 2, rng))
        if out.shape != (2,):
            r.fail(f"indices has shape {out.shape}, but it should be (2,).")
        pairs[t] = out
    first = np.bincount(pairs[:, 0], minlength=5)
    expected_first = n_draws / 5
    if np.any(np.abs(first - expected_first) > 6 * np.sqrt(expected_first)):
        r.fail(
            f"the first centre should be a uniformly random point (about {expected_first:.0f}"
            f" times each), but the counts were {first.tolist()}."
        )
    d2 = (pts[:, 0][:, None] - pts[:, 0][None, :]) ** 2

    def deviation(power: float) -> tuple[float, int, int, float, float]:
        worst = (0.0, 0, 0, 0.0, 0.0)
        for i in range(5):
            sel = pairs[pairs[:, 0] == i, 1]
            if sel.size == 0:
                continue
            p = d2[i] ** (power / 2)
            p = p / p.sum()
            obs = np.bincount(sel, minlength=5) / sel.size
            z = np.abs(obs - p) / np.sqrt(p * (1 - p) / sel.size + 1e-12)
            j = int(np.argmax(z))
            if z[j] > worst[0]:
                worst = (float(z[j]), i, j, float(obs[j]), float(p[j]))
        return worst

    z, i, j, obs, p = deviation(2.0)
    if z > 6:
        hint = None
        if deviation(1.0)[0] < 6:
            hint = "You sampled proportionally to the distance D: square it (eq. 3.4)."
        elif deviation(0.0)[0] < 6 or deviation(0.0)[0] < z / 3:
            hint = (
                "The second centre looks uniformly chosen: draw it with probabilities "
                "D(x)² / Σ D² (eq. 3.4)."
            )
        r.fail(
            f"given the first centre x = {pts[i, 0]:g}, your function picked x = "
            f"{pts[j, 0]:g} as the second centre {100 * obs:.1f}% of the time, but D² "
            f"sampling picks it with probability {100 * p:.1f}%.",
            hint,
        )


def _ch08_best_run(r: _Runner) -> None:
    rng = np.random.default_rng(82)
    X = np.concatenate(
        [rng.normal(c, 0.6, size=(40, 2)) for c in ([0, 0], [3, 0], [0, 3], [3, 3], [1.5, 6])]
    )
    for name, (K, n_init, seed) in [
        ("5 blobs, K = 5, 6 runs", (5, 6, 0)),
        ("5 blobs, K = 3, 4 runs", (3, 4, 7)),
        ("a single run", (2, 1, 3)),
    ]:
        r.start(name)
        got = r.call(X, K, n_init, seed)
        bounds = []
        for i in range(n_init):
            gm = _GaussianMixture(K, init_params="random", max_iter=200, random_state=seed + i)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                bounds.append(gm.fit(X).lower_bound_)
        if not hasattr(got, "lower_bound_"):
            r.fail(
                f"your function returned {_short(got)}; it should return the fitted "
                "GaussianMixture of the best run."
            )
        lb = float(got.lower_bound_)
        if not np.isclose(lb, max(bounds), rtol=1e-10, atol=1e-12):
            hint = None
            if np.isclose(lb, min(bounds), rtol=1e-10):
                hint = (
                    "You kept the worst run. k-means keeps the LOWEST inertia, but EM keeps "
                    "the HIGHEST log-likelihood (lower_bound_)."
                )
            elif np.isclose(lb, bounds[-1], rtol=1e-10):
                hint = "You returned the last run: compare every run's lower_bound_."
            r.fail(
                f"the returned model has lower_bound_ = {lb:.6g}, but the best of the runs "
                f"with random_state = {seed}..{seed + n_init - 1} reaches {max(bounds):.6g} "
                f"(all runs: {', '.join(f'{b:.6g}' for b in bounds)}).",
                hint,
            )


# ----------------------------------------------------------------------------- chapter 9
def _ch09_covariances(r: _Runner) -> None:
    cases = []
    for i, cov_type in enumerate(("full", "tied", "diag", "spherical")):
        X, w, m, c = _mixture_problem(90 + i, 40, 3, 3, spread=2.0, weights=[0.6, 0.3, 0.1])
        cases.append(
            (
                f"covariance_type='{cov_type}', three 3-D components",
                (X, np.exp(_ref_e_step(X, w, m, c)[1]), cov_type),
            )
        )
    X, w, m, c = _mixture_problem(95, 20, 2, 1, spread=3.0)
    cases.append(
        ("covariance_type='tied', 1-D data", (X, np.exp(_ref_e_step(X, w, m, c)[1]), "tied"))
    )
    X, *_ = _mixture_problem(96, 15, 1, 2)
    cases.append(("covariance_type='spherical', one component", (X, np.ones((15, 1)), "spherical")))
    for name, (X, resp, cov_type) in cases:
        r.start(name)
        weights, means, want = _em.estimate_parameters(X, resp, cov_type, 0.0)
        got = r.call(X, resp, means, cov_type)
        full = _em.estimate_parameters(X, resp, "full", 0.0)[2]
        nk = resp.sum(axis=0)

        def mistakes(full=full, nk=nk, cov_type=cov_type):
            diag = np.diagonal(full, axis1=1, axis2=2)
            if cov_type == "tied":
                return [
                    (
                        "The tied covariance weights each component's covariance by N_k / N "
                        "(eq. 9.2); a plain average over k ignores the counts.",
                        full.mean(axis=0),
                    )
                ]
            if cov_type == "spherical":
                return [
                    (
                        "A spherical variance is the MEAN of the diagonal over the d features "
                        "(eq. 9.4), not the sum.",
                        diag.sum(axis=1),
                    ),
                    (
                        "Take the mean of the variances, not of their square roots.",
                        np.sqrt(diag).mean(axis=1),
                    ),
                ]
            if cov_type == "diag":
                return [("For 'diag' return only the variances, shape (K, d).", full)]
            return []

        shape_hint = {"full": "(K, d, d)", "tied": "(d, d)", "diag": "(K, d)", "spherical": "(K,)"}[
            cov_type
        ]
        g = np.asarray(got, dtype=float) if _is_numeric(got) else None
        if g is not None and g.shape != want.shape:
            hint = _diagnose(g, mistakes) if g.shape == full.shape else None
            r.fail(
                f"for covariance_type='{cov_type}' the covariances have shape {g.shape}, but "
                f"they should have shape {want.shape} = {shape_hint}.",
                hint,
            )
        r.close(got, want, f"covariances ('{cov_type}')", rtol=1e-8, atol=1e-10, mistakes=mistakes)


def _is_numeric(x: Any) -> bool:
    try:
        np.asarray(x, dtype=float)
        return True
    except (TypeError, ValueError):
        return False


# ----------------------------------------------------------------------------- chapter 10
def _ch10_n_params(r: _Runner) -> None:
    cases = [
        (K, d, t) for t in ("full", "tied", "diag", "spherical") for K, d in ((3, 2), (2, 5))
    ] + [(1, 1, "full"), (4, 1, "tied")]
    for K, d, t in cases:
        r.start(f"K={K}, d={d}, '{t}'")
        got = r.call(K, d, t)
        want = _n_parameters(K, d, t)
        if not isinstance(got, (int, np.integer)) or int(got) != want:
            cov = {"full": K * d * d, "tied": d * d}.get(t)
            hint = None
            if cov is not None and got == cov + K * d + K - 1 and d > 1:
                hint = "A symmetric d×d matrix has d(d+1)/2 free entries, not d² (eq. 9.5)."
            elif got == want + 1:
                hint = "The K weights sum to one, so only K − 1 of them are free."
            elif got == want - K * d:
                hint = "Count the K·d entries of the means too."
            r.fail(
                f"n_free_parameters({K}, {d}, '{t}') returned {got!r}, but a '{t}' mixture "
                f"with K={K} components in d={d} dimensions has {want} free parameters.",
                hint,
            )


def _ch10_bic_aic(r: _Runner) -> None:
    rng = np.random.default_rng(100)
    X2 = np.concatenate([rng.normal(c, 0.7, size=(60, 2)) for c in ([0, 0], [4, 1])])
    X1 = np.concatenate([rng.normal(c, 0.5, size=(50, 1)) for c in (-2.0, 2.0)])
    cases = [
        ("K = 2, 'full', 2-D", (X2, 2, "full")),
        ("K = 3, 'diag', 2-D", (X2, 3, "diag")),
        ("K = 2, 'spherical', 1-D", (X1, 2, "spherical")),
    ]
    for name, (X, K, t) in cases:
        r.start(name)
        gm = _GaussianMixture(K, covariance_type=t, random_state=0).fit(X)
        want = (gm.bic(X), gm.aic(X))
        n = X.shape[0]
        total = float(gm.score(X) * n)
        p = _n_parameters(K, X.shape[1], t)

        def forbidden(*args, _name="", **kw):
            raise _Fail(f"your function calls gmm.{_name}().", _own_code_hint(f"gmm.{_name}"))

        setattr(gm, "bic", lambda *a, **k: forbidden(_name="bic"))  # noqa: B010
        setattr(gm, "aic", lambda *a, **k: forbidden(_name="aic"))  # noqa: B010
        got = r.tuple_of(r.call(gm, X), 2, "bic, aic")

        def mistakes(total=total, p=p, n=n, mean=total / n):
            return [
                (
                    "Use the TOTAL log-likelihood Σ_n log p(x_n), not the mean per point "
                    "(gmm.score(X) is the mean).",
                    (-2 * mean + p * np.log(n), -2 * mean + 2 * p),
                ),
                (
                    "BIC penalizes p·log n and AIC 2p: they are swapped.",
                    (-2 * total + 2 * p, -2 * total + p * np.log(n)),
                ),
                (
                    "Both criteria start from −2 log L (lower is better); the sign is wrong.",
                    (2 * total + p * np.log(n), 2 * total + 2 * p),
                ),
            ]

        r.close(
            np.asarray(r.array(got, "(bic, aic)", (2,))),
            np.array(want),
            "(bic, aic)",
            rtol=1e-9,
            mistakes=mistakes,
        )


# ----------------------------------------------------------------------------- chapter 11
def _ch11_align(r: _Runner) -> None:
    rng = np.random.default_rng(110)
    base = rng.normal(scale=5, size=(5, 2))
    cases = [
        (
            "three components, shuffled and jittered",
            (base[:3], base[:3][[2, 0, 1]] + 0.1 * rng.normal(size=(3, 2))),
        ),
        (
            "a greedy matching is not the cheapest",
            (np.array([[1.0, 0.0], [0.0, 0.0]]), np.array([[0.9, 0.0], [3.0, 0.0]])),
        ),
        ("one component", (base[:1], base[:1] + 0.5)),
        (
            "1-D means",
            (np.array([[0.0], [10.0], [20.0], [30.0]]), np.array([[21.0], [-1.0], [29.0], [11.0]])),
        ),
        (
            "five components, a random permutation",
            (base, base[[3, 1, 4, 0, 2]] + 0.2 * rng.normal(size=(5, 2))),
        ),
    ]
    for name, (ref, other) in cases:
        r.start(name)
        K = ref.shape[0]
        got = r.call(ref, other)
        perm = r.array(got, "perm", (K,))
        if not np.array_equal(np.sort(perm), np.arange(K)):
            r.fail(
                f"perm = {_fmt(perm)} is not a permutation of 0..{K - 1}: each component "
                "of `means` must be used exactly once.",
                "Matching each reference component to its nearest one can use a component "
                "twice; solve the assignment problem (scipy.optimize.linear_sum_assignment).",
            )
        perm = perm.astype(int)
        best = _alignment.align_components(ref, other)

        def cost(p: np.ndarray, ref: np.ndarray = ref, other: np.ndarray = other) -> float:
            return float(np.sum((ref - other[p]) ** 2))

        if cost(perm) > cost(best) * (1 + 1e-12) + 1e-12:
            hint = None
            inverse = np.argsort(perm)
            if np.isclose(cost(inverse), cost(best)):
                hint = (
                    "You returned the inverse permutation: perm[k] must be the index in "
                    "`means` of the component that matches reference component k, so that "
                    "means[perm] lines up with reference_means."
                )
            else:
                hint = (
                    "Greedy matching is not optimal in general: minimize the total cost "
                    "(eq. 11.4) with scipy.optimize.linear_sum_assignment."
                )
            r.fail(
                f"means[perm] is {cost(perm):.6g} (total squared distance) away from the "
                f"reference, but the best renumbering {_fmt(best)} achieves "
                f"{cost(best):.6g}.",
                hint,
            )


# ----------------------------------------------------------------------------- chapter 12
def _anomaly_models():
    rng = np.random.default_rng(120)
    X2 = np.concatenate([rng.normal(c, 0.8, size=(150, 2)) for c in ([0, 0], [4, 2])])
    X1 = rng.normal(0, 1, size=(200, 1))
    gm2 = _GaussianMixture(2, random_state=0).fit(X2)
    gm1 = _GaussianMixture(1, random_state=0).fit(X1)
    return (gm2, X2), (gm1, X1)


def _ch12_threshold(r: _Runner) -> None:
    (gm2, X2), (gm1, X1) = _anomaly_models()
    cases = [
        ("2-D, contamination 0.05", (gm2, X2, 0.05)),
        ("2-D, contamination 0.01", (gm2, X2, 0.01)),
        ("1-D, contamination 0.1", (gm1, X1, 0.1)),
        ("contamination 0 (flag nothing in the training data)", (gm1, X1, 0.0)),
    ]
    for name, (gm, X, c) in cases:
        r.start(name)
        got = r.call(gm, X, c)
        scores = gm.score_samples(X)
        want = float(np.quantile(scores, c))

        def mistakes(scores=scores, c=c):
            return [
                (
                    "That is the (1 − contamination) quantile: anomalies are the LEAST likely "
                    "points, so take the low tail.",
                    np.quantile(scores, 1 - c),
                ),
                (
                    "That threshold is a density, not a log-density: compare with "
                    "score_samples, which returns log p(x).",
                    np.quantile(np.exp(scores), c),
                ),
                (
                    "Use np.quantile(scores, contamination) with its default (linear) "
                    "interpolation.",
                    np.percentile(scores, c),
                ),
            ]

        r.close(
            r.array(got, "the threshold", ()), want, "the threshold", rtol=1e-10, mistakes=mistakes
        )


def _ch12_flag(r: _Runner) -> None:
    (gm2, X2), (gm1, X1) = _anomaly_models()
    new2 = np.array([[0.0, 0.0], [4.0, 2.0], [10.0, -10.0], [2.0, 1.0], [-3.0, 5.0]])
    t2 = float(np.quantile(gm2.score_samples(X2), 0.05))
    new1 = np.array([[0.0], [5.0], [-2.5], [1.0]])
    t1 = float(np.quantile(gm1.score_samples(X1), 0.05))
    for name, (gm, X, t) in [
        ("2-D new points", (gm2, new2, t2)),
        ("1-D new points", (gm1, new1, t1)),
        ("a single point", (gm2, new2[2:3], t2)),
    ]:
        r.start(name)
        got = r.call(gm, X, t)
        want = gm.score_samples(X) < t
        g = r.array(got, "the flags", want.shape, dtype=object)
        if not all(isinstance(v, (bool, np.bool_)) for v in g.ravel()):
            r.fail("the flags should be booleans (True for an anomaly), e.g. `scores < t`.")
        g = g.astype(bool)
        if not np.array_equal(g, want):
            i = int(np.flatnonzero(g != want)[0])
            hint = (
                "Anomalies have a LOW log-density: flag score_samples(X) < threshold."
                if np.array_equal(g, ~want)
                else None
            )
            r.fail(
                f"point {i} ({_fmt(X[i])}, log-density "
                f"{float(gm.score_samples(X[i : i + 1])[0]):.6g}, threshold {t:.6g}) should "
                f"be flagged {bool(want[i])}, but you flagged it {bool(g[i])}.",
                hint,
            )


# ----------------------------------------------------------------------------- registry
@dataclass(frozen=True)
class _Exercise:
    checker: Callable[[_Runner], None]
    params: tuple[str, ...]
    forbidden: tuple = ()


EXERCISES: dict[str, _Exercise] = {
    "ch01.fit_gaussian_1d": _Exercise(
        _ch01_fit, ("x",), _package_function("gaussian.fit_gaussian_1d")
    ),
    "ch01.log_likelihood_1d": _Exercise(
        _ch01_loglik,
        ("x", "mean", "std"),
        _package_function("gaussian.log_likelihood_1d") + _package_function("gaussian.log_pdf_1d"),
    ),
    "ch02.log_pdf": _Exercise(
        _ch02_log_pdf,
        ("X", "mean", "covariance"),
        _INVERSE_DET + _package_function("gaussian.log_pdf"),
    ),
    "ch03.lloyd_step": _Exercise(_ch03_lloyd, ("X", "centers")),
    "ch04.sample_mixture": _Exercise(
        _ch04_sample, ("weights", "means", "covariances", "n_samples", "rng")
    ),
    "ch04.responsibilities": _Exercise(
        _ch04_resp, ("X", "weights", "means", "covariances"), _package_function("em.e_step")
    ),
    "ch05.e_step": _Exercise(
        _ch05_e_step,
        ("X", "weights", "means", "covariances"),
        _INVERSE_DET + _package_function("em.e_step"),
    ),
    "ch05.m_step": _Exercise(
        _ch05_m_step,
        ("X", "resp"),
        _package_function("em.m_step")
        + ((_em, "estimate_parameters", "gmm_from_scratch.em.estimate_parameters"),),
    ),
    "ch06.elbo": _Exercise(
        _ch06_elbo, ("X", "resp", "weights", "means", "covariances"), _INVERSE_DET
    ),
    "ch06.first_decrease": _Exercise(_ch06_monotone, ("values", "tol")),
    "ch07.logsumexp": _Exercise(
        _ch07_logsumexp,
        ("a", "axis"),
        ((scipy.special, "logsumexp", "scipy.special.logsumexp"),)
        + _package_function("logspace.logsumexp"),
    ),
    "ch08.kmeans_plusplus": _Exercise(
        _ch08_kmeanspp, ("X", "n_clusters", "rng"), _package_function("kmeans.kmeans_plusplus")
    ),
    "ch08.best_of_n_init": _Exercise(_ch08_best_run, ("X", "n_components", "n_init", "seed")),
    "ch09.m_step_covariances": _Exercise(
        _ch09_covariances,
        ("X", "resp", "means", "covariance_type"),
        (
            (_em, "estimate_parameters", "gmm_from_scratch.em.estimate_parameters"),
            (_em, "m_step", "gmm_from_scratch.m_step"),
        ),
    ),
    "ch10.n_free_parameters": _Exercise(
        _ch10_n_params,
        ("n_components", "n_features", "covariance_type"),
        _package_function("covariance.n_parameters"),
    ),
    "ch10.bic_aic": _Exercise(_ch10_bic_aic, ("gmm", "X")),
    "ch11.align_to_reference": _Exercise(
        _ch11_align, ("reference_means", "means"), _package_function("alignment.align_components")
    ),
    "ch12.anomaly_threshold": _Exercise(_ch12_threshold, ("gmm", "X_train", "contamination")),
    "ch12.flag_anomalies": _Exercise(_ch12_flag, ("gmm", "X", "threshold")),
}


def check(name: str, func: Callable) -> CheckResult:
    """Check a student's implementation of exercise ``name`` against the reference.

    Parameters
    ----------
    name : str
        The exercise, e.g. ``"ch05.e_step"`` (see :data:`EXERCISES`).
    func : callable
        The student's function.

    Returns
    -------
    CheckResult
        Prints as a plain-words message; ``.passed`` is true when every case passed. Never
        raises: an unimplemented stub gives ``status == 'not implemented'`` and any exception
        from the student's code is reported with the case on which it happened.

    Examples
    --------
    The reference passes; a stub is "not implemented"; a classic mistake is named:

    >>> from gmm_from_scratch import fit_gaussian_1d
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
    exercise = EXERCISES.get(name)
    if exercise is None:
        known = ", ".join(sorted(EXERCISES))
        return CheckResult(name, "failed", f"✗ {name}: there is no such exercise. Known: {known}.")
    if not callable(func):
        return CheckResult(
            name,
            "failed",
            f"✗ {name}: expected a function, got "
            f"{type(func).__name__}. Pass the function itself: check({name!r}, f).",
        )
    label = _static_forbidden(func, exercise.forbidden)
    if label is not None:
        hint = _INVERSE_HINT if ("inv" in label or "det" in label) else _own_code_hint(label)
        return CheckResult(name, "failed", f"✗ {name}: your function uses {label}.\n  Hint: {hint}")
    runner = _Runner(func, exercise.params, exercise.forbidden)
    try:
        exercise.checker(runner)
    except _NotImplementedYet:
        return CheckResult(
            name,
            "not implemented",
            f"… {name}: not implemented yet. Replace `raise NotImplementedError` in the cell "
            "above with your code, then run both cells again.",
        )
    except _Fail as fail:
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


# ----------------------------------------------------------------------------- notebooks
_CHECK_CALL = re.compile(r"""check\(\s*["'](ch\d\d\.\w+)["']\s*,\s*(\w+)\s*\)""")


def _code_cells(path: Path) -> list[dict]:
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    return [c for c in nb["cells"] if c.get("cell_type") == "code"]


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def notebook_checks(path: str | Path) -> list[tuple[str, str]]:
    """``(exercise name, function name)`` for every ``check("...", f)`` call in a notebook."""
    out = []
    for cell in _code_cells(Path(path)):
        out.extend(_CHECK_CALL.findall(_source(cell)))
    return out


def load_notebook_namespace(path: str | Path) -> dict[str, Any]:
    """Run a notebook's setup and exercise cells (not its checks) and return their namespace.

    The cells run are those tagged ``setup`` or ``exercise``, and any cell containing
    ``YOUR CODE HERE``. IPython magics (lines starting with ``%`` or ``!``) are skipped.
    """
    path = Path(path)
    namespace: dict[str, Any] = {"__name__": f"exercise_{path.stem}"}
    for i, cell in enumerate(_code_cells(path)):
        tags = set(cell.get("metadata", {}).get("tags", []))
        src = _source(cell)
        if not (tags & {"setup", "exercise"} or "YOUR CODE HERE" in src):
            continue
        lines = [ln for ln in src.splitlines() if not ln.lstrip().startswith(("%", "!"))]
        src = "\n".join(lines) + "\n"
        filename = f"<{path.name} cell {i + 1}>"
        linecache.cache[filename] = (len(src), None, src.splitlines(True), filename)
        exec(compile(src, filename, "exec"), namespace)  # noqa: S102 - the student's own code
    return namespace
