"""Chapter 6 (Why EM works): the checker's cases."""

from __future__ import annotations

import numpy as np
import scipy.special

from .. import em as _em
from ..covariance import precisions_cholesky_from_covariances as _prec_chol
from ._cases import mixture_problem, ref_e_step
from ._core import (
    INVERSE_DET,
    Exercise,
    Runner,
    short,
)


def _ref_elbo(X, resp, w, means, covs) -> float:
    log_joint = _em.estimate_log_gaussian_prob(X, means, _prec_chol(covs, "full"), "full")
    log_joint = log_joint + np.log(w)
    return float(np.sum(resp * log_joint) - np.sum(scipy.special.xlogy(resp, resp)))


def _ch06_elbo(r: Runner) -> None:
    cases = []
    X, w, m, c = mixture_problem(60, 20, 2, 2, spread=2.0)
    post = np.exp(ref_e_step(X, w, m, c)[1])
    cases.append(
        ("responsibilities equal to the posterior (ELBO = log-likelihood)", (X, post, w, m, c))
    )
    rng = np.random.default_rng(61)
    X, w, m, c = mixture_problem(62, 15, 3, 2, spread=2.0)
    cases.append(
        (
            "arbitrary responsibilities (ELBO < log-likelihood)",
            (X, rng.dirichlet(np.ones(3), size=15), w, m, c),
        )
    )
    hard = np.zeros((15, 3))
    hard[np.arange(15), np.arange(15) % 3] = 1.0
    cases.append(("hard 0/1 responsibilities (0 · log 0 = 0)", (X, hard, w, m, c)))
    X, w, m, c = mixture_problem(63, 10, 1, 1)
    cases.append(("one component in 1-D", (X, np.ones((10, 1)), w, m, c)))
    for name, args in cases:
        r.start(name)
        got = r.array(r.call(*args), "the ELBO", ())
        X, resp, w, m, c = args
        want = _ref_elbo(*args)
        loglik = float(ref_e_step(X, w, m, c)[0].sum())

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


def _ch06_monotone(r: Runner) -> None:
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
            r.fail(f"your function returned {short(got)}; it should return an int or None.")
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


EXERCISES: dict[str, Exercise] = {
    "ch06.elbo": Exercise(
        _ch06_elbo, ("X", "resp", "weights", "means", "covariances"), INVERSE_DET
    ),
    "ch06.first_decrease": Exercise(_ch06_monotone, ("values", "tol")),
}
