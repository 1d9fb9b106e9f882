"""Chapter 9 (Covariance types): the checker's cases."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import em as _em
from ._cases import covariance_mistakes, mixture_problem, ref_e_step
from ._core import (
    Exercise,
    Runner,
    diagnose,
    is_numeric,
    package_function,
    sklearn_mixture,
)


def _as_type(full: np.ndarray, nk: np.ndarray, cov_type: str) -> np.ndarray:
    """Full covariances (K, d, d) turned into the estimate of ``cov_type`` (eqs. 9.1-9.4)."""
    if cov_type == "tied":
        return np.einsum("k,kij->ij", nk, full) / nk.sum()
    diag = np.diagonal(full, axis1=1, axis2=2)
    if cov_type == "diag":
        return diag
    if cov_type == "spherical":
        return diag.mean(axis=1)
    return full


def _type_shape_hint(cov_type: str, got: tuple, full: tuple) -> str | None:
    """What a wrong shape means for ``cov_type`` (``full`` = (K, d, d))."""
    K, d = full[0], full[1]
    if cov_type == "diag" and got == full:
        return (
            "For 'diag' return only the variances, shape (K, d): the diagonals "
            "np.diagonal(S, axis1=1, axis2=2), not diagonal matrices."
        )
    if cov_type == "tied" and got == full:
        return (
            "'tied' shares ONE covariance among all components: return the weighted average "
            "Σ_k (N_k / N) S_k, shape (d, d) (eq. 9.2)."
        )
    if cov_type == "spherical" and got in ((K, d), full):
        return (
            "'spherical' keeps ONE variance per component: the mean of the diagonal of S_k "
            "over the d features, shape (K,) (eq. 9.4)."
        )
    return None


def _ch09_covariances(r: Runner) -> None:
    cases = []
    for i, cov_type in enumerate(("full", "tied", "diag", "spherical")):
        X, w, m, c = mixture_problem(90 + i, 40, 3, 3, spread=2.0, weights=[0.6, 0.3, 0.1])
        cases.append(
            (
                f"covariance_type='{cov_type}', three 3-D components",
                (X, np.exp(ref_e_step(X, w, m, c)[1]), cov_type),
            )
        )
    X, w, m, c = mixture_problem(95, 20, 2, 1, spread=3.0)
    cases.append(
        ("covariance_type='tied', 1-D data", (X, np.exp(ref_e_step(X, w, m, c)[1]), "tied"))
    )
    X, *_ = mixture_problem(96, 15, 1, 2)
    cases.append(("covariance_type='spherical', one component", (X, np.ones((15, 1)), "spherical")))
    for name, (X, resp, cov_type) in cases:
        r.start(name)
        weights, means, want = _em.estimate_parameters(X, resp, cov_type, 0.0)
        got = r.call(X, resp, means, cov_type)
        full = _em.estimate_parameters(X, resp, "full", 0.0)[2]
        nk = resp.sum(axis=0)

        def mistakes(
            full: np.ndarray = full,
            nk: np.ndarray = nk,
            cov_type: str = cov_type,
            X: np.ndarray = X,
            resp: np.ndarray = resp,
            means: np.ndarray = means,
        ) -> list[tuple[str, Any]]:
            diag = np.diagonal(full, axis1=1, axis2=2)
            own: list[tuple[str, Any]] = []
            if cov_type == "tied":
                own = [
                    (
                        "The tied covariance weights each component's covariance by N_k / N "
                        "(eq. 9.2); a plain average over k ignores the counts.",
                        full.mean(axis=0),
                    ),
                    (
                        "Divide Σ_k N_k S_k by N = Σ_k N_k (eq. 9.2): the weights N_k / N sum "
                        "to one.",
                        np.einsum("k,kij->ij", nk, full),
                    ),
                ]
            elif cov_type == "spherical":
                own = [
                    (
                        "A spherical variance is the MEAN of the diagonal over the d features "
                        "(eq. 9.4), not the sum.",
                        diag.sum(axis=1),
                    ),
                    (
                        "Take the mean of the variances, not of their square roots.",
                        np.sqrt(diag).mean(axis=1),
                    ),
                    (
                        "Return the variance σ_k² (the mean of the diagonal), not the standard "
                        "deviation σ_k.",
                        np.sqrt(diag.mean(axis=1)),
                    ),
                ]
            elif cov_type == "diag":
                own = [("For 'diag' return only the variances, shape (K, d).", full)]
            # the full-covariance mistakes of the M-step, seen through this type
            shared = [
                (hint, _as_type(wrong, nk, cov_type))
                for hint, wrong in covariance_mistakes(X, resp, means)
            ]
            return own + shared

        shape_hint = {"full": "(K, d, d)", "tied": "(d, d)", "diag": "(K, d)", "spherical": "(K,)"}[
            cov_type
        ]
        g = np.asarray(got, dtype=float) if is_numeric(got) else None
        if g is not None and g.shape != want.shape:
            hint = diagnose(g, mistakes) if g.shape == full.shape else None
            hint = hint or _type_shape_hint(cov_type, g.shape, full.shape)
            r.fail(
                f"for covariance_type='{cov_type}' the covariances have shape {g.shape}, but "
                f"they should have shape {want.shape} = {shape_hint}.",
                hint,
            )
        r.close(got, want, f"covariances ('{cov_type}')", rtol=1e-8, atol=1e-10, mistakes=mistakes)


EXERCISES: dict[str, Exercise] = {
    "ch09.m_step_covariances": Exercise(
        _ch09_covariances,
        ("X", "resp", "means", "covariance_type"),
        package_function("em.estimate_parameters")
        + package_function("em.m_step")
        + sklearn_mixture(
            "_estimate_gaussian_parameters",
            "_estimate_gaussian_covariances_full",
            "_estimate_gaussian_covariances_tied",
            "_estimate_gaussian_covariances_diag",
            "_estimate_gaussian_covariances_spherical",
        ),
    ),
}
