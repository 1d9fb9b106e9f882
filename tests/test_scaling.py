"""The fast EM pass against direct formulas, and exact EM over chunks (memmap, on-disk rows).

References are independent: the statistics are recomputed here with plain numpy loops over
components (``sum_n r_nk (x_n - c_k)(x_n - c_k)^T``), responsibilities come from scipy.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from _helpers import blobs, full_covariances, random_covariances
from scipy import special, stats

from gmm_from_scratch import GaussianMixture, SufficientStatistics, em_pass, m_step
from gmm_from_scratch.covariance import precisions_cholesky_from_covariances
from gmm_from_scratch.em import accumulate_statistics, is_streamed

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from rowfile import RowFile  # noqa: E402


def _problem(covariance_type, seed=0, K=3, d=4, n=700, offset=0.0):
    rng = np.random.default_rng(seed)
    means = rng.normal(scale=3.0, size=(K, d)) + offset
    cov = random_covariances(rng, covariance_type, K, d, scale=1.0)
    X = np.vstack([rng.normal(scale=3.0, size=(n, d)) + offset, means + 0.1])
    weights = rng.dirichlet(np.ones(K))
    return X, weights, means, cov


def _reference_statistics(X, weights, means, cov, covariance_type, sample_weight=None):
    K, d = means.shape
    full = full_covariances(cov, covariance_type, K, d)
    log_joint = np.column_stack(
        [stats.multivariate_normal.logpdf(X, means[k], full[k]) for k in range(K)]
    ) + np.log(weights)
    log_norm = special.logsumexp(log_joint, axis=1)
    R = np.exp(log_joint - log_norm[:, None])
    w = np.ones(len(X)) if sample_weight is None else sample_weight
    R = R * w[:, None]
    nk = R.sum(axis=0)
    D = [X - means[k] for k in range(K)]
    sum_x = np.stack([R[:, k] @ D[k] for k in range(K)])
    S = np.stack([(D[k] * R[:, k, None]).T @ D[k] for k in range(K)])
    return nk, sum_x, S, float(w @ log_norm)


@pytest.mark.parametrize("block_size", [None, 37])
@pytest.mark.parametrize("offset", [0.0, 1e6])
def test_em_pass_statistics_match_direct_formulas(covariance_type, block_size, offset):
    X, weights, means, cov = _problem(covariance_type, offset=offset)
    sw = np.random.default_rng(1).uniform(0.2, 2.0, size=len(X))
    P = precisions_cholesky_from_covariances(cov, covariance_type)
    st, resp = em_pass(X, weights, means, P, covariance_type, sw, block_size, True)
    nk, sum_x, S, ll = _reference_statistics(X - offset, weights, means - offset, cov,
                                             covariance_type, sw)  # fmt: skip
    np.testing.assert_allclose(st.nk, nk, rtol=1e-10)
    np.testing.assert_allclose(st.sum_x, sum_x, rtol=1e-9, atol=1e-9 * np.abs(sum_x).max())
    # diag keeps the diagonal of each scatter matrix, spherical its trace.
    expected = {"full": S, "tied": S.sum(axis=0), "diag": np.einsum("kii->ki", S)}.get(
        covariance_type, np.einsum("kii->k", S)
    )
    np.testing.assert_allclose(st.scatter, expected, rtol=1e-9, atol=1e-10 * np.abs(S).max())
    np.testing.assert_allclose(st.log_likelihood, ll, rtol=1e-10)
    np.testing.assert_allclose(st.total_weight, sw.sum(), rtol=1e-14)


def test_far_tight_component_scatter_is_accurate(covariance_type):
    """A component with sigma = 1e-3 sitting 1e3 away from another: the expansion about a
    common centre would lose ~eps (1e3/1e-3)^2 = 2e-4; the direct fallback must kick in."""
    rng = np.random.default_rng(5)
    d = 3
    tight = 1e3 + 1e-3 * rng.normal(size=(300, d))
    wide = rng.normal(size=(300, d))
    X = np.vstack([tight, wide])
    means = np.array([tight.mean(0) + 1e-4, wide.mean(0)])
    cov = {"full": np.stack([1e-6 * np.eye(d), np.eye(d)]), "tied": 1e-6 * np.eye(d),
           "diag": np.array([[1e-6] * d, [1.0] * d]), "spherical": np.array([1e-6, 1.0])}[
        covariance_type
    ]  # fmt: skip
    weights = np.array([0.5, 0.5])
    P = precisions_cholesky_from_covariances(cov, covariance_type)
    st, _ = em_pass(X, weights, means, P, covariance_type)
    R = np.zeros((600, 2))
    R[:300, 0] = 1.0
    R[300:, 1] = 1.0
    D0 = tight - means[0]
    S0 = D0.T @ D0
    got = st.scatter[0]
    if covariance_type == "tied":
        D1 = wide - means[1]
        np.testing.assert_allclose(st.scatter, S0 + D1.T @ D1, rtol=1e-9)
    else:
        ref = {"full": S0, "diag": np.diag(S0)}.get(covariance_type, np.trace(S0))
        np.testing.assert_allclose(got, ref, rtol=1e-8, atol=1e-8 * np.abs(ref).max())


def test_accumulate_statistics_blocks_add_up(covariance_type):
    X, weights, means, cov = _problem(covariance_type, n=200)
    P = precisions_cholesky_from_covariances(cov, covariance_type)
    st, resp = em_pass(X, weights, means, P, covariance_type, keep_responsibilities=True)
    acc = SufficientStatistics.zeros(means, covariance_type)
    for rows in (slice(0, 50), slice(50, 51), slice(51, None)):
        accumulate_statistics(acc, X[rows], resp[rows], covariance_type)
    np.testing.assert_allclose(acc.nk, st.nk, rtol=1e-12)
    np.testing.assert_allclose(
        acc.scatter, st.scatter, rtol=1e-9, atol=1e-9 * abs(st.scatter).max()
    )


def test_recentred_statistics_give_the_same_m_step(covariance_type):
    X, weights, means, cov = _problem(covariance_type)
    P = precisions_cholesky_from_covariances(cov, covariance_type)
    st, _ = em_pass(X, weights, means, P, covariance_type)
    moved = st.recentred(means + np.random.default_rng(0).normal(size=means.shape))
    for a, b in zip(m_step(st, covariance_type, 1e-6), m_step(moved, covariance_type, 1e-6),
                    strict=True):  # fmt: skip
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
    half = st.scaled(0.5)
    for a, b in zip(m_step(st, covariance_type, 0.0), m_step(half, covariance_type, 0.0),
                    strict=True):  # fmt: skip
        np.testing.assert_allclose(a, b, rtol=1e-12)


def _start(X, covariance_type, K=3):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = GaussianMixture(K, covariance_type=covariance_type, max_iter=2, random_state=0).fit(X)
    return dict(weights_init=g.weights_, means_init=g.means_, precisions_init=g.precisions_)


def _fit(X, covariance_type, start, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return GaussianMixture(
            3, covariance_type=covariance_type, tol=0.0, max_iter=15, **start, **kw
        ).fit(X)


def test_memmap_and_on_disk_rows_give_the_in_memory_fit(covariance_type, tmp_path):
    X, _, _ = blobs(2, n_per=400, d=3)
    start = _start(X, covariance_type)
    ref = _fit(X, covariance_type, start)
    mm = np.memmap(tmp_path / "x.f64", dtype=np.float64, mode="w+", shape=X.shape)
    mm[:] = X
    mm.flush()
    ro = np.memmap(tmp_path / "x.f64", dtype=np.float64, mode="r", shape=X.shape)
    rf = RowFile(tmp_path / "x.f64", X.shape[1])
    assert is_streamed(ro) and is_streamed(rf) and not is_streamed(X)
    for data in (ro, rf):
        got = _fit(data, covariance_type, start, block_size=101)
        for name in ("weights_", "means_", "covariances_", "lower_bound_"):
            np.testing.assert_allclose(getattr(got, name), getattr(ref, name), rtol=1e-9,
                                       atol=1e-12)  # fmt: skip
        np.testing.assert_allclose(got.predict_proba(X), ref.predict_proba(X), atol=1e-9)


def test_streamed_fit_initializes_from_a_sample_and_converges(tmp_path, monkeypatch):
    X, labels, centres = blobs(3, n_per=500, d=2)
    path = tmp_path / "x.f64"
    RowFile.write(path, [X[:700], X[700:]])
    rf = RowFile(path, 2)
    from gmm_from_scratch import em

    monkeypatch.setattr(em, "INIT_MAX_ROWS", 300)  # force the subsample path
    gm = GaussianMixture(3, random_state=0, tol=1e-8, max_iter=200).fit(rf)
    assert gm.converged_
    found = np.sort(gm.means_[:, 0])
    np.testing.assert_allclose(found, np.sort(centres[:, 0]), atol=0.3)


def test_streamed_nan_is_reported(tmp_path):
    X, _, _ = blobs(0, n_per=50, d=2)
    X[77, 1] = np.nan
    mm = np.memmap(tmp_path / "x.f64", dtype=np.float64, mode="w+", shape=X.shape)
    mm[:] = X
    with pytest.raises(ValueError, match="NaN"):
        GaussianMixture(2, means_init=X[:2] * 0, weights_init=[0.5, 0.5],
                        precisions_init=np.stack([np.eye(2)] * 2)).fit(mm)  # fmt: skip


@pytest.mark.parametrize("n_threads", [2, 3])
def test_threaded_pass_equals_sequential_pass(covariance_type, n_threads, monkeypatch):
    from gmm_from_scratch import em

    X, weights, means, cov = _problem(covariance_type, n=2000)
    sw = np.random.default_rng(2).uniform(0.1, 3.0, size=len(X))
    P = precisions_cholesky_from_covariances(cov, covariance_type)
    monkeypatch.setattr(em, "N_THREADS", 1)
    seq, r_seq = em_pass(X, weights, means, P, covariance_type, sw, 64, True)
    monkeypatch.setattr(em, "N_THREADS", n_threads)
    monkeypatch.setattr(em, "THREAD_MIN_WORK", 0)
    par, r_par = em_pass(X, weights, means, P, covariance_type, sw, 64, True)
    np.testing.assert_allclose(r_par, r_seq, rtol=1e-13, atol=1e-300)
    for name in ("nk", "sum_x", "scatter"):
        a, b = getattr(par, name), getattr(seq, name)
        np.testing.assert_allclose(a, b, rtol=1e-11, atol=1e-12 * np.abs(b).max())
    np.testing.assert_allclose(par.log_likelihood, seq.log_likelihood, rtol=1e-13)


def test_readme_speed_table_is_the_stored_benchmark():
    """The README's speed tables and sentences come from benchmarks/results/bench_*.json."""
    import json

    from results_table import goals_summary, grid_table, table

    root = Path(__file__).resolve().parents[1]
    readme = " ".join((root / "README.md").read_text().split("\n\n"))
    result = json.loads((root / "benchmarks" / "results" / "bench_goals.json").read_text())
    assert table(result) in (root / "README.md").read_text()
    grid = json.loads((root / "benchmarks" / "results" / "bench_grid.json").read_text())
    assert grid_table(grid) in (root / "README.md").read_text()
    assert all(r["max_rel_diff"] <= 1e-8 and r["speedup"] > 1 for r in grid["rows"])
    rows = result["rows"]
    assert all(r["max_rel_diff"] <= 1e-8 for r in rows)  # the same answer
    # Which goals are met, and our time over the bound: the verdict printed from the file.
    assert goals_summary(result) in readme
    text = " ".join(readme[readme.index("Of the goals of issue 18") :].split()[:400])

    def small(rows):  # diag and spherical at 16 x 16
        return [r for r in rows if r["d"] == 16 and r["type"] in ("diag", "spherical")]

    def span(values, digits):
        return f"{min(values):.{digits}f}–{max(values):.{digits}f}×"

    # The processor: AVX-512 exponentials, six times the rate of the grid's processor.
    rate, grid_rate = result["machine_rates"]["exp_per_s"], grid["machine_rates"]["exp_per_s"]
    assert f"{rate / 1e9:.1f} billion exponentials a second" in text
    assert 5.8 < rate / grid_rate < 6.8  # "six times the rate"
    share = [100 * r["exp_s"] / r["bound_s"] for r in small(rows)]
    assert f"the exponentials are only {min(share):.0f}–{max(share):.0f} % of the bound" in text
    # scikit-learn's own time over the bound, and how close 8x would have to come to it.
    own = [r["sklearn_s"] / r["bound_s"] for r in small(rows)]
    need = [r["sklearn_s"] / 8.0 / r["bound_s"] for r in small(rows)]
    assert f"scikit-learn's iteration is {span(own, 0)} the bound" in text
    ours = [r["ratio_to_bound"] for r in small(rows)]
    assert f"within {span(need, 1)} of it; we are at {span(ours, 1)}" in text
    # The same command on the processor without AVX-512.
    other = json.loads((root / "benchmarks" / "results" / "bench_goals_no_avx512.json").read_text())
    assert other["machine_rates"]["exp_per_s"] < rate / 4  # no SIMD exponentials there
    speed = {ct: [r["speedup"] for r in other["rows"] if r["type"] == ct and r["d"] == 16]
             for ct in ("full", "diag", "spherical")}  # fmt: skip
    assert (
        f"gave full {speed['full'][0]:.1f}×, diag {span(speed['diag'], 1)} and spherical "
        f"{span(speed['spherical'], 1)}" in text
    )
    assert all(0.45 <= r["exp_s"] / r["bound_s"] <= 0.55 for r in small(other["rows"]))  # half
    need_other = [r["sklearn_s"] / 8.0 / r["bound_s"] for r in small(other["rows"])]
    assert f"8× would have meant {span(need_other, 1)} of it" in text
    assert all(t["peak_ratio"] <= 0.5 for t in result["float32"]["types"].values())
