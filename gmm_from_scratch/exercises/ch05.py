"""Chapter 5 (EM: the E-step and the M-step): the checker's cases."""

from __future__ import annotations

import numpy as np

from .. import em as _em
from ._cases import covariance_mistakes, mixture_problem, ref_e_step, standard_cases
from ._core import (
    E_STEP,
    INVERSE_DET,
    Exercise,
    Runner,
    fmt,
    is_numeric,
    package_function,
    sklearn_mixture,
)


def _ch05_e_step(r: Runner) -> None:
    for name, (X, w, m, c) in standard_cases(far=True):
        r.start(name)
        got = r.tuple_of(r.call(X, w, m, c), 2, "log_prob_norm, log_resp")
        want_norm, want_log_resp = ref_e_step(X, w, m, c)
        shapes = [np.shape(g) if is_numeric(g) else None for g in got]
        if want_log_resp.ndim == 2 and shapes == [want_log_resp.shape, want_norm.shape] != [
            want_norm.shape,
            want_log_resp.shape,
        ]:
            r.fail(
                f"log_resp has shape {shapes[1]}, but it should be an array of shape "
                f"{want_log_resp.shape}.",
                "You swapped the two return values: return log_prob_norm, log_resp.",
            )
        log_resp = r.array(got[1], "log_resp", want_log_resp.shape)
        if np.all(np.isfinite(log_resp) | (log_resp == -np.inf)):
            sums = np.exp(log_resp).sum(axis=1)
            if not np.allclose(sums, 1.0, rtol=0, atol=1e-8):
                i = int(np.argmax(np.abs(sums - 1)))
                hint = None
                if np.allclose(log_resp, np.exp(want_log_resp), atol=1e-12):
                    hint = "You returned the responsibilities themselves, not their logarithms."
                elif log_resp.shape[0] > 1 and np.allclose(
                    np.exp(log_resp).sum(axis=0), 1.0, atol=1e-8
                ):
                    hint = (
                        "Each COLUMN of exp(log_resp) sums to one: you took logsumexp over the "
                        "points. log p(x_n) is the logsumexp over the components, axis=1."
                    )
                r.fail(
                    f"the responsibilities exp(log_resp) of point {i} sum to "
                    f"{fmt(float(sums[i]))}, not 1.",
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
                    ref_e_step(X, np.full(K, 1.0 / K), m, c)[1],
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


def _ch05_m_step(r: Runner) -> None:
    cases = []
    X, w, m, c = mixture_problem(50, 40, 3, 2, spread=2.0)
    cases.append(
        ("soft responsibilities, three 2-D components", (X, np.exp(ref_e_step(X, w, m, c)[1])))
    )
    X, w, m, c = mixture_problem(51, 30, 2, 3, spread=3.0, weights=[0.8, 0.2])
    hard = np.zeros((30, 2))
    hard[np.arange(30), (np.arange(30) % 3 == 0).astype(int)] = 1.0
    cases.append(("hard 0/1 responsibilities with unequal counts", (X, hard)))
    X, *_ = mixture_problem(52, 25, 1, 2)
    cases.append(("one component (the plain MLE)", (X, np.ones((25, 1)))))
    X, w, m, c = mixture_problem(53, 20, 2, 1, spread=3.0)
    cases.append(("1-D data (d = 1)", (X, np.exp(ref_e_step(X, w, m, c)[1]))))
    for name, (X, resp) in cases:
        r.start(name)
        got = r.tuple_of(r.call(X, resp), 3, "weights, means, covariances")
        want = _em.estimate_parameters(X, resp, "full", 0.0)
        nk = resp.sum(axis=0)
        n = X.shape[0]

        def w_mistakes(nk=nk):
            return [
                ("These are the N_k themselves: divide by the number of points N (eq. 5.5).", nk)
            ]

        r.close(got[0], want[0], "weights", rtol=1e-9, mistakes=w_mistakes)

        def m_mistakes(X=X, resp=resp, n=n):
            return [
                (
                    "Each mean must be weighted by the responsibilities (eq. 5.6): "
                    "μ_k = Σ_n r_nk x_n / N_k.",
                    np.tile(X.mean(axis=0), (resp.shape[1], 1)),
                ),
                ("Divide the weighted sum by N_k, not by N (eq. 5.6).", resp.T @ X / n),
                ("Divide the weighted sum Σ_n r_nk x_n by N_k (eq. 5.6).", resp.T @ X),
            ]

        r.close(got[1], want[1], "means", rtol=1e-9, atol=1e-10, mistakes=m_mistakes)

        def c_mistakes(X=X, resp=resp, means=want[1]):
            return covariance_mistakes(X, resp, means)

        r.close(got[2], want[2], "covariances", rtol=1e-8, atol=1e-10, mistakes=c_mistakes)


EXERCISES: dict[str, Exercise] = {
    "ch05.e_step": Exercise(
        _ch05_e_step,
        ("X", "weights", "means", "covariances"),
        INVERSE_DET + E_STEP,
    ),
    "ch05.m_step": Exercise(
        _ch05_m_step,
        ("X", "resp"),
        package_function("em.m_step")
        + package_function("em.estimate_parameters")
        + sklearn_mixture(
            "_estimate_gaussian_parameters",
            "_estimate_gaussian_covariances_full",
            "GaussianMixture._m_step",
        ),
    ),
}
