"""Chapter 13 (Scaling EM): the checker's cases."""

from __future__ import annotations

import numpy as np

from ._core import Exercise, Runner, package_function


def _sums(X: np.ndarray, r: np.ndarray, shift: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """N, s, S of one component about ``shift``, summed directly (the reference)."""
    D = X - shift
    return float(r.sum()), r @ D, (r[:, None] * D).T @ D


def _ch13_cases() -> list[tuple[str, tuple]]:
    rng = np.random.default_rng(130)
    cases = []
    for name, (n_a, n_b, d, far, gap) in [
        ("2-D, two machines, shifts close together", (40, 60, 2, 0.0, 0.5)),
        ("3-D, shifts far apart", (30, 25, 3, 0.0, 5.0)),
        ("1-D data", (20, 35, 1, 0.0, 2.0)),
        ("data far from the origin (1e4)", (50, 50, 2, 1e4, 1.0)),
    ]:
        centre = np.full(d, far) + rng.normal(size=d)
        Xa = centre + rng.normal(size=(n_a, d))
        Xb = centre + rng.normal(size=(n_b, d))
        ra, rb = rng.uniform(0.1, 1.0, n_a), rng.uniform(0.1, 1.0, n_b)
        ca = centre + rng.normal(scale=gap, size=d)
        cb = centre + rng.normal(scale=gap, size=d)
        c = centre + rng.normal(scale=gap, size=d)
        cases.append((name, (Xa, ra, ca, Xb, rb, cb, c)))
    return cases


def _ch13_merge(r: Runner) -> None:
    for name, (Xa, ra, ca, Xb, rb, cb, c) in _ch13_cases():
        r.start(name)
        Na, sa, Sa = _sums(Xa, ra, ca)
        Nb, sb, Sb = _sums(Xb, rb, cb)
        got = r.tuple_of(r.call((Na, sa, Sa, ca), (Nb, sb, Sb, cb), c), 3, "N, s, S")
        N, s, S = _sums(np.vstack([Xa, Xb]), np.concatenate([ra, rb]), c)
        d = len(c)
        r.close(r.array(got[0], "N", ()), N, "N", rtol=1e-10)

        def s_mistakes(sa=sa, sb=sb, Na=Na, Nb=Nb, da=ca - c, db=cb - c, c=c):
            return [
                (
                    "You added s_a and s_b as they are: they are sums about different shifts. "
                    "Move each to c first: s' = s + N Δ with Δ = c_old − c.",
                    sa + sb,
                ),
                (
                    "The sign of Δ is wrong: x − c = (x − c_old) + (c_old − c), so "
                    "Δ = c_old − c and s' = s + N Δ.",
                    sa - Na * da + sb - Nb * db,
                ),
                (
                    "Δ is the DIFFERENCE of the two shifts, c_old − c, not the old shift itself.",
                    sa + Na * (da + c) + sb + Nb * (db + c),
                ),
            ]

        def S_mistakes(Sa=Sa, Sb=Sb, sa=sa, sb=sb, Na=Na, Nb=Nb, da=ca - c, db=cb - c):
            one_sided = (
                "S' must stay symmetric: it needs BOTH cross terms, s Δᵀ + Δ sᵀ "
                "(which differ), not s Δᵀ alone or twice."
            )

            def cross(first, dl):
                return np.outer(first, dl) + np.outer(dl, first)

            return [
                (
                    "You added S_a and S_b without moving them to the common shift c "
                    "(eq. 13.2 read backwards).",
                    Sa + Sb,
                ),
                (
                    "The N Δ Δᵀ term is missing: S' = S + s Δᵀ + Δ sᵀ + N Δ Δᵀ.",
                    Sa + cross(sa, da) + Sb + cross(sb, db),
                ),
                (
                    "The cross terms s Δᵀ + Δ sᵀ are missing: S' = S + s Δᵀ + Δ sᵀ + N Δ Δᵀ.",
                    Sa + Na * np.outer(da, da) + Sb + Nb * np.outer(db, db),
                ),
                (
                    one_sided,
                    Sa + np.outer(sa, da) + Na * np.outer(da, da)
                    + Sb + np.outer(sb, db) + Nb * np.outer(db, db),
                ),
                (
                    one_sided,
                    Sa + 2 * np.outer(sa, da) + Na * np.outer(da, da)
                    + Sb + 2 * np.outer(sb, db) + Nb * np.outer(db, db),
                ),
                (
                    "The sign of Δ is wrong: Δ = c_old − c (then s Δᵀ + Δ sᵀ changes sign).",
                    Sa - cross(sa, da) + Na * np.outer(da, da)
                    + Sb - cross(sb, db) + Nb * np.outer(db, db),
                ),
            ]  # fmt: skip

        scale = 1.0 + float(np.abs(S).max())
        r.close(got[1], s, "s", rtol=1e-8, atol=1e-9 * scale, mistakes=s_mistakes)
        r.close(
            r.array(got[2], "S", (d, d)), S, "S", rtol=1e-8, atol=1e-9 * scale, mistakes=S_mistakes
        )


EXERCISES: dict[str, Exercise] = {
    "ch13.merge_statistics": Exercise(
        _ch13_merge,
        ("part_a", "part_b", "shift"),
        package_function("em.SufficientStatistics"),
    ),
}
