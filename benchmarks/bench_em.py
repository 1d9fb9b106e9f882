"""EM speed and memory: gmm_from_scratch against scikit-learn, in one run.

For every point of a grid (n samples, d features, K components, covariance type) both
implementations start from the same parameters (``weights_init``, ``means_init``,
``precisions_init``) and run a fixed number of EM iterations (``tol=0``); the script checks that
they land on the same parameters (max relative difference <= 1e-8) and prints

* the wall-clock time of one EM iteration for each (the fastest of the timed iterations, as
  ``timeit`` reports, since other processes only ever add time), and their ratio,
* the achieved matrix-product rate of our iteration, as a fraction of the machine's rate
  measured in the same run with a large ``np.dot``,
* peak memory during ``fit`` of each, measured in separate child processes
  (``ru_maxrss``; the data are created before the fit, in blocks, so the peak is the fit's),
* an exact out-of-core fit: a data file larger than the address space (``RLIMIT_AS``) allowed
  to the process that fits it, streamed block by block, with the same answer as in memory.

Run (from the repository root)::

    .venv/bin/python benchmarks/bench_em.py           # full grid, ~10 minutes
    .venv/bin/python benchmarks/bench_em.py --quick   # small grid, ~1 minute
    .venv/bin/python benchmarks/bench_em.py --large   # also n = 10^7 (needs ~12 GB, slow)
    .venv/bin/python benchmarks/bench_em.py --quick --scaling --online \
        --save benchmarks/results/bench_quick.json   # the data chapter 13 reads

``--save PATH`` writes JSON with the machine (cores, CPU model), the versions (Python, numpy,
scipy, scikit-learn, BLAS), the load average at start and end, and every row; ``--scaling``
adds a series over n (full, d = 8, K = 8) and ``--online`` a trace of the mean log-likelihood
against fitting time for batch and online EM on the same 100,000 points.

On machines where ``OPENBLAS_CORETYPE``/``OPENBLAS_L2_SIZE`` are set (see the README), unset
both for this command only: ``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .venv/bin/python ...``.
Timings depend on the machine and on its load; the script prints the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import numpy as np  # noqa: E402

RTOL = 1e-8
TYPES = ("full", "tied", "diag", "spherical")


# --------------------------------------------------------------------------- data and start
def make_data(n: int, d: int, K: int, seed: int = 0) -> np.ndarray:
    """K correlated Gaussian blobs, written block by block (no n-sized temporaries)."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=3.0, size=(K, d))
    factors = 0.6 * np.eye(d) + rng.normal(scale=0.3 / np.sqrt(d), size=(K, d, d))
    X = np.empty((n, d))
    for start in range(0, n, 65536):
        m = min(65536, n - start)
        z = rng.integers(K, size=m)
        eps = rng.standard_normal((m, d))
        X[start : start + m] = centres[z] + np.einsum("nd,nde->ne", eps, factors[z])
    return X


def common_start(X: np.ndarray, K: int, covariance_type: str, seed: int = 1) -> dict:
    """Uniform weights, K random rows as means, the data's covariance for every component."""
    rng = np.random.default_rng(seed)
    n, d = X.shape
    sub = X[rng.choice(n, size=min(n, 20000), replace=False)]
    means = X[np.sort(rng.choice(n, size=K, replace=False))]
    cov = np.cov(sub, rowvar=False) + 1e-6 * np.eye(d)
    prec = np.linalg.inv(cov)
    prec = 0.5 * (prec + prec.T)
    precisions = {
        "full": np.repeat(prec[None], K, axis=0),
        "tied": prec,
        "diag": np.repeat(1.0 / np.diag(cov)[None], K, axis=0),
        "spherical": np.full(K, 1.0 / np.mean(np.diag(cov))),
    }[covariance_type]
    return {"weights_init": np.full(K, 1.0 / K), "means_init": means, "precisions_init": precisions}


def matmul_flops(n: int, d: int, K: int, covariance_type: str) -> float:
    """Matrix-product flops of one of our EM iterations (E-step + statistics)."""
    return {
        "full": 2 * n * (d + 1) * K * d + 2 * n * K * d * d + 2 * n * K * d,
        "tied": 2 * n * d * d + 2 * n * d * K + 2 * n * d * d + 2 * n * K * d,
        "diag": 4 * n * d * K + 4 * n * K * d,
        "spherical": 2 * n * d * K + 4 * n * K * d,
    }[covariance_type]


def machine_matmul_rate(size: int = 4000, repeats: int = 3) -> float:
    a = np.random.default_rng(0).standard_normal((size, size))
    np.dot(a, a)
    best = np.inf
    for _ in range(repeats):
        t = time.perf_counter()
        np.dot(a, a)
        best = min(best, time.perf_counter() - t)
    return 2 * size**3 / best


def _best_seconds(fn, repeats: int = 5) -> float:
    fn()
    best = np.inf
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def machine_rates(gemm_rate: float) -> dict:
    """This machine's rates for the three kinds of work of an EM pass, measured now.

    * ``gemm_flops``: a large ``np.dot`` (4000 x 4000, BLAS with all its threads);
    * ``exp_per_s``: ``np.exp`` of 2**20 doubles into a preallocated array, one thread,
      times the number of cores (NumPy's ufuncs use one thread; the pass uses all cores);
    * ``read_bytes_per_s``: bytes read per second by a streaming copy of 64 MiB (one thread;
      a copy reads and writes every byte, so this counts the reads only).

    The exp and copy are short and repeated many times, keeping the fastest: on a machine
    shared with other work, a short run is more likely to have a core to itself.
    """
    cores = os.cpu_count() or 1
    a = np.random.default_rng(1).standard_normal(1 << 20)
    out = np.empty_like(a)
    t_exp = _best_seconds(lambda: np.exp(a, out=out), repeats=40)
    big = np.ones(1 << 23)
    dst = np.empty_like(big)
    t_copy = _best_seconds(lambda: np.copyto(dst, big), repeats=20)
    return {
        "gemm_flops": gemm_rate,
        "exp_per_s": a.size / t_exp * cores,
        "exp_per_s_one_thread": a.size / t_exp,
        "read_bytes_per_s": big.nbytes / t_copy,
        "cores": cores,
    }


def lower_bound_seconds(n: int, d: int, K: int, covariance_type: str, rates: dict) -> dict:
    """A lower bound on one EM iteration on this machine, and its three parts.

    Each part is the least work an iteration must do, at the machine's best rate for it: the
    products' flops (:func:`matmul_flops`) at the large-GEMM rate, ``n K`` exponentials (the
    responsibilities) at the large-``np.exp`` rate on all cores, and the data read once
    (``8 n d`` bytes) at the streaming rate. The bound is their sum (the pass does them one
    after another for each block); the share of each part shows what limits a type.
    """
    parts = {
        "gemm_s": matmul_flops(n, d, K, covariance_type) / rates["gemm_flops"],
        "exp_s": n * K / rates["exp_per_s"],
        "read_s": 8.0 * n * d / rates["read_bytes_per_s"],
    }
    parts["bound_s"] = parts["gemm_s"] + parts["exp_s"] + parts["read_s"]
    return parts


# ----------------------------------------------------------------------------- the two fits
def fit_sklearn(X, K, covariance_type, start, n_iter):
    """Fit scikit-learn; return the model and the wall-clock time of each EM iteration."""
    from sklearn.mixture import GaussianMixture as SkGaussianMixture

    sk = SkGaussianMixture(
        K, covariance_type=covariance_type, tol=0.0, max_iter=n_iter,
        init_params="random_from_data", random_state=0, **start,
    )  # fmt: skip
    starts: list[float] = []
    e_step = sk._e_step

    def timed_e_step(*args, **kwargs):  # every iteration starts with an E-step (+1 at the end)
        starts.append(time.perf_counter())
        return e_step(*args, **kwargs)

    sk._e_step = timed_e_step
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sk.fit(X)
    return sk, np.diff(starts)


def fit_ours(X, K, covariance_type, start, n_iter):
    """Fit gmm_from_scratch; return the model and the wall-clock time of each EM iteration."""
    from gmm_from_scratch import GaussianMixture

    gm = GaussianMixture(K, covariance_type=covariance_type, tol=0.0, max_iter=n_iter, **start)
    starts: list[float] = []
    em_pass = GaussianMixture._em_pass

    def timed_pass(*args, **kwargs):
        starts.append(time.perf_counter())
        return em_pass(*args, **kwargs)

    gm._em_pass = timed_pass
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gm.fit(X)
    starts.append(time.perf_counter())
    return gm, np.diff(starts)


def max_relative_difference(ours, ref) -> float:
    worst = 0.0
    for name in ("weights_", "means_", "covariances_", "lower_bound_"):
        a, b = np.asarray(getattr(ours, name)), np.asarray(getattr(ref, name))
        scale = np.maximum(np.abs(b), 1e-12 * np.abs(b).max())
        worst = max(worst, float(np.max(np.abs(a - b) / scale)))
    return worst


def iterations_for(n, d, K):
    work = n * K * (d + 2) ** 2
    return int(np.clip(2e9 / work, 3, 5))


def run_point(n, d, K, covariance_type, rate, rates=None, repeats=None):
    X = make_data(n, d, K)
    start = common_start(X, K, covariance_type)
    n_iter = iterations_for(n, d, K)
    # Cheap points are repeated (interleaved) so that a busy moment does not decide them.
    if repeats is None:
        repeats = 3 if n * K * (d + 2) ** 2 < 1e9 else 1
    t_ours, t_sk = [], []
    for _ in range(repeats):
        ours, t = fit_ours(X, K, covariance_type, start, n_iter)
        t_ours.extend(t)
        sk, t = fit_sklearn(X, K, covariance_type, start, n_iter)
        t_sk.extend(t)
    # The fastest iteration of each (as timeit does): a busy machine only ever adds time.
    t_o, t_s = float(np.min(t_ours)), float(np.min(t_sk))
    flops = matmul_flops(n, d, K, covariance_type)
    row = {
        "n": n, "d": d, "K": K, "type": covariance_type, "iters": n_iter,
        "sklearn_s": t_s, "ours_s": t_o, "speedup": t_s / t_o,
        "gflops": flops / t_o / 1e9, "frac_matmul": flops / t_o / rate,
        "max_rel_diff": max_relative_difference(ours, sk),
        "load_average": list(os.getloadavg()),
    }  # fmt: skip
    if rates is not None:
        bound = lower_bound_seconds(n, d, K, covariance_type, rates)
        row.update(bound, ratio_to_bound=t_o / bound["bound_s"])
    return row


# ------------------------------------------------------------------------- peak memory
def _rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _peak_rss_bytes() -> int:
    """VmHWM: this process's peak resident memory (ru_maxrss would include the parent's)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def memory_child(impl, n, d, K, covariance_type):
    X = make_data(n, d, K)
    start = common_start(X, K, covariance_type)
    import sklearn.mixture  # noqa: F401  (imported by both, so the baselines match)

    import gmm_from_scratch  # noqa: F401

    before = _rss_bytes()
    fit = fit_ours if impl == "ours" else fit_sklearn
    fit(X, K, covariance_type, start, 2)
    peak = _peak_rss_bytes()
    print(json.dumps({"data": X.nbytes, "before": before, "peak": peak}))


def measure_memory(impl, n, d, K, covariance_type):
    cmd = [
        sys.executable,
        __file__,
        "--memory-child",
        impl,
        str(n),
        str(d),
        str(K),
        covariance_type,
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


# ------------------------------------------------------------------ out-of-core (chunked)
def chunked_child(path, d, K, covariance_type, start_file, limit):
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from rowfile import RowFile

    from gmm_from_scratch import GaussianMixture

    start = dict(np.load(start_file))
    X = RowFile(path, d)
    try:
        np.empty(X.shape)  # the whole file does not fit in this process
        fits_whole = True
    except MemoryError:
        fits_whole = False
    t = time.perf_counter()
    gm = GaussianMixture(K, covariance_type=covariance_type, tol=0.0, max_iter=3, **start)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gm.fit(X)
    elapsed = time.perf_counter() - t
    np.savez(start_file + ".out.npz", weights=gm.weights_, means=gm.means_, cov=gm.covariances_)
    peak = _peak_rss_bytes()
    print(json.dumps({"peak": peak, "seconds": elapsed, "fits_whole": fits_whole}))


def run_chunked(n, d, K, covariance_type="full", limit=640 * 2**20):
    from rowfile import RowFile

    from gmm_from_scratch import GaussianMixture

    X = make_data(n, d, K)
    start = common_start(X, K, covariance_type)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "data.f64")
        RowFile.write(path, (X[i : i + 65536] for i in range(0, n, 65536)))
        start_file = os.path.join(tmp, "start.npz")
        np.savez(start_file, **start)
        cmd = [sys.executable, __file__, "--chunked-child", path, str(d), str(K),
               covariance_type, start_file, str(limit)]  # fmt: skip
        res = subprocess.run(cmd, capture_output=True, text=True)
        if res.returncode != 0:
            raise RuntimeError(res.stderr)
        info = json.loads(res.stdout.strip().splitlines()[-1])
        streamed = np.load(start_file + ".out.npz")
        gm = GaussianMixture(K, covariance_type=covariance_type, tol=0.0, max_iter=3, **start)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            gm.fit(X)
        diff = max(
            float(np.max(np.abs(streamed["means"] - gm.means_) / np.abs(gm.means_).max())),
            float(
                np.max(np.abs(streamed["cov"] - gm.covariances_) / np.abs(gm.covariances_).max())
            ),
        )
    info.update(file_bytes=X.nbytes, limit=limit, max_rel_diff=diff)
    return info


# ------------------------------------------------------------------ series for chapter 13
SCALING_SIZES = (10_000, 30_000, 100_000, 300_000, 1_000_000)


def run_scaling(rate, rates=None, d=8, K=8, covariance_type="full"):
    """Time per EM iteration against n (one row per n, as in the grid)."""
    return [run_point(n, d, K, covariance_type, rate, rates) for n in SCALING_SIZES]


def run_online_trace(n=100_000, d=2, K=4, n_batches=200, passes=40, every=10):
    """Mean log-likelihood of all points against the time spent fitting, batch vs online EM.

    Same data, same start (uniform weights, the first K rows as means, identity covariances).
    Only ``fit``/``partial_fit`` are timed; the scoring between them is not.
    """
    from gmm_from_scratch import GaussianMixture
    from gmm_from_scratch.online import StepSize

    rng = np.random.default_rng(3)
    centres = rng.normal(scale=3.0, size=(K, d))
    X = centres[rng.integers(K, size=n)] + rng.normal(size=(n, d))
    X = X[np.random.default_rng(4).permutation(n)]
    init = {"weights_init": np.full(K, 1 / K), "means_init": X[:K] + 0.0,
            "precisions_init": np.stack([np.eye(d)] * K)}  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start_ll = GaussianMixture(K, max_iter=0, **init).fit(X).score(X)
        batch = GaussianMixture(K, warm_start=True, max_iter=1, tol=0.0, **init)
        b_time, b_ll, elapsed = [0.0], [float(start_ll)], 0.0
        for _ in range(passes):
            t = time.perf_counter()
            batch.fit(X)  # one more EM iteration (warm start)
            elapsed += time.perf_counter() - t
            b_time.append(elapsed)
            b_ll.append(float(batch.score(X)))
        online = GaussianMixture(K, **init)
        online.step_size = StepSize(kappa=0.6, t0=2.0)
        o_time, o_ll, o_batches, elapsed = [0.0], [float(start_ll)], [0], 0.0
        for i, part in enumerate(np.array_split(X, n_batches)):
            t = time.perf_counter()
            online.partial_fit(part)
            elapsed += time.perf_counter() - t
            if (i + 1) % every == 0:
                o_time.append(elapsed)
                o_ll.append(float(online.score(X)))
                o_batches.append(i + 1)
    return {
        "n": n, "d": d, "K": K, "batch_size": n // n_batches, "kappa": 0.6, "t0": 2.0,
        "batch": {"passes": list(range(passes + 1)), "seconds": b_time, "mean_loglik": b_ll},
        "online": {"batches": o_batches, "seconds": o_time, "mean_loglik": o_ll},
    }  # fmt: skip


# ---------------------------------------------------------------------------- provenance
def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    import platform

    return platform.processor() or "unknown"


def numpy_simd() -> list[str]:
    """The processor's SIMD extensions that NumPy found (AVX512F gives it vectorized ``exp``)."""
    try:
        from numpy._core._multiarray_umath import __cpu_features__
    except ImportError:  # a private module: it may move in another NumPy
        return []
    return sorted(name for name, present in __cpu_features__.items() if present)


def provenance() -> dict:
    import platform

    import scipy
    import sklearn
    from threadpoolctl import threadpool_info

    import gmm_from_scratch

    return {
        "machine": {"cores": os.cpu_count(), "cpu_model": cpu_model(),
                    "platform": platform.platform(), "numpy_simd": numpy_simd()},
        "versions": {
            "python": platform.python_version(), "numpy": np.__version__,
            "scipy": scipy.__version__, "scikit-learn": sklearn.__version__,
            "gmm_from_scratch": getattr(gmm_from_scratch, "__version__", "unknown"),
            "blas": [{"library": i["internal_api"], "version": i["version"],
                      "architecture": i.get("architecture"), "threads": i["num_threads"]}
                     for i in threadpool_info() if i["user_api"] == "blas"],
        },
    }  # fmt: skip


# ------------------------------------------------------------------------------- driver
#: The points of issue 18's goals (types at each): speed-up vs scikit-learn and the bound.
GOAL_POINTS = [(400_000, 16, 16, TYPES), (1_000_000, 16, 16, ("tied", "diag", "spherical")),
               (200_000, 64, 32, ("diag",))]  # fmt: skip


def grid(quick: bool, large: bool, goals: bool = False):
    if goals:
        return [(n, d, K, ct) for (n, d, K, types) in GOAL_POINTS for ct in types]
    if quick:
        sizes = [(10_000, 16, 16), (100_000, 16, 16), (100_000, 2, 2), (100_000, 64, 4)]
    else:
        sizes = [(10_000, 16, 16), (100_000, 16, 16), (1_000_000, 16, 16),
                 (100_000, 2, 16), (100_000, 64, 16), (100_000, 16, 2), (100_000, 16, 64),
                 (10_000, 2, 2), (1_000_000, 2, 2)]  # fmt: skip
    if large:
        sizes.append((10_000_000, 16, 16))
    return [(n, d, K, ct) for (n, d, K) in sizes for ct in TYPES]


def print_table(rows):
    head = (
        f"| {'n':>9} | {'d':>2} | {'K':>2} | {'type':<9} | {'sklearn s/it':>12} | "
        f"{'ours s/it':>9} | {'speed-up':>8} | {'GFLOP/s':>7} | {'of matmul':>9} | "
        f"{'max rel diff':>12} | {'bound s':>8} | {'x bound':>7} | {'load':>4} |"
    )
    print(head)
    print("|" + "|".join("-" * (len(c)) for c in head.split("|")[1:-1]) + "|")
    for r in rows:
        _print_row(r)


# --------------------------------------------------------------------------- missing values
# Chapter 15: exact EM with 20 % of the entries missing completely at random, against the
# complete-data iteration on the same data and against a naive per-row implementation.
def naive_missing_iteration(X, weights, means, covariances):
    """One EM iteration for data with NaN, one row and one component at a time (full type)."""
    n, d = X.shape
    K = len(weights)
    nk, sx, sxx = np.zeros(K), np.zeros((K, d)), np.zeros((K, d, d))
    for x in X:
        o = ~np.isnan(x)
        m = ~o
        logp = np.empty(K)
        cond = []
        for k in range(K):
            S = covariances[k]
            L = np.linalg.cholesky(S[np.ix_(o, o)])
            z = np.linalg.solve(L, x[o] - means[k][o])
            logp[k] = (np.log(weights[k]) - 0.5 * z @ z - np.log(np.diag(L)).sum()
                       - 0.5 * o.sum() * np.log(2 * np.pi))  # fmt: skip
            G = np.linalg.solve(L, S[np.ix_(o, m)])  # L^-1 Sigma_om
            xhat = x.copy()
            xhat[m] = means[k][m] + G.T @ z
            C = np.zeros((d, d))
            C[np.ix_(m, m)] = S[np.ix_(m, m)] - G.T @ G
            cond.append((xhat, C))
        r = np.exp(logp - logp.max())
        r /= r.sum()
        for k, (xhat, C) in enumerate(cond):
            nk[k] += r[k]
            sx[k] += r[k] * xhat
            sxx[k] += r[k] * (np.outer(xhat, xhat) + C)
    mu = sx / nk[:, None]
    return nk / n, mu, sxx / nk[:, None, None] - mu[:, :, None] * mu[:, None, :]


def run_missing(n=100_000, d=8, K=5, fraction=0.2, naive_rows=2_000, repeats=5):
    """Seconds per EM iteration: complete data, missing values (exact EM), naive per row."""
    import timeit

    from gmm_from_scratch.covariance import precisions_cholesky_from_covariances
    from gmm_from_scratch.em import em_pass, m_step
    from gmm_from_scratch.missing import find_patterns, missing_em_pass

    X = make_data(n, d, K)
    rng = np.random.default_rng(2)
    mask = rng.uniform(size=X.shape) < fraction
    mask[mask.all(axis=1), 0] = False  # every row keeps a value
    Xm = np.where(mask, np.nan, X)
    start = common_start(X, K, "full")
    w, mu = start["weights_init"], start["means_init"]
    cov = np.linalg.inv(start["precisions_init"])
    U = precisions_cholesky_from_covariances(cov, "full")
    patterns = find_patterns(Xm)

    def complete():
        m_step(em_pass(X, w, mu, U, "full")[0], "full", 1e-6)

    def missing():
        stats = missing_em_pass(Xm, w, mu, U, "full", patterns=patterns, covariances=cov)[0]
        m_step(stats, "full", 1e-6)

    t_complete = min(timeit.repeat(complete, number=1, repeat=repeats))
    t_missing = min(timeit.repeat(missing, number=1, repeat=repeats))
    sub = Xm[:naive_rows]
    t0 = time.perf_counter()
    naive = naive_missing_iteration(sub, w, mu, cov)
    t_naive = (time.perf_counter() - t0) * n / naive_rows
    ours = m_step(missing_em_pass(sub, w, mu, U, "full", covariances=cov)[0], "full", 0.0)
    diff = max(float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))
               for a, b in zip(ours, naive, strict=True))  # fmt: skip
    return {
        "n": n, "d": d, "K": K, "missing_fraction": fraction, "patterns": len(patterns.rows),
        "complete_s": t_complete, "missing_s": t_missing, "naive_s": t_naive,
        "naive_rows_timed": naive_rows, "max_rel_diff_vs_naive": diff,
    }  # fmt: skip


def print_goals(rows):
    """Each goal point against its target speed-up (diag at d = 64: 3x) and 2.5x the bound."""
    from results_table import GOAL_BOUND_RATIO, goal_speedup

    print("\ngoals (issue 18): speed-up target / reached; time over the machine's bound")
    for r in rows:
        target = goal_speedup(r)
        print(
            f"  {r['n']:>9,} x {r['d']} x {r['K']} {r['type']:<9}: {r['speedup']:5.1f}x "
            f"(goal {target:g}x: {'met' if r['speedup'] >= target else 'NOT met'}); "
            f"{r['ratio_to_bound']:.1f}x the bound (aim {GOAL_BOUND_RATIO}x: "
            f"{'met' if r['ratio_to_bound'] <= GOAL_BOUND_RATIO else 'not met'})"
        )


def run_float32(n=400_000, d=16, K=16):
    """float32 vs float64 fits of the same values: tracemalloc peak and time per iteration.

    ``copy_then_fit`` is what the package did before float32 support (and what a float64-only
    implementation must do): convert the data to float64, then fit; it is measured here with
    the current package, so the previous version's extra temporaries are not counted.
    """
    import tracemalloc

    X32 = make_data(n, d, K).astype(np.float32)
    X64 = X32.astype(np.float64)
    out = {"n": n, "d": d, "K": K, "data_bytes_float32": X32.nbytes, "types": {}}
    for ct in TYPES:
        start = common_start(X64, K, ct)
        fit_ours(X32[:1000], K, ct, start, 1)  # first-call imports are not the fit's memory
        peaks = {}
        for name in ("float32", "copy_then_fit"):
            tracemalloc.start()
            fit_ours(X32 if name == "float32" else X32.astype(np.float64), K, ct, start, 2)
            peaks[name] = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        m32, t32 = fit_ours(X32, K, ct, start, 4)
        m64, t64 = fit_ours(X64, K, ct, start, 4)
        out["types"][ct] = {
            "peak_float32": peaks["float32"], "peak_copy_then_fit": peaks["copy_then_fit"],
            "peak_ratio": peaks["float32"] / peaks["copy_then_fit"],
            "float32_s": float(np.min(t32)), "float64_s": float(np.min(t64)),
            "max_rel_diff_vs_float64": max_relative_difference(m32, m64),
        }  # fmt: skip
    return out


def print_float32(r):
    print(
        f"\nfloat32 input (n = {r['n']:,}, d = {r['d']}, K = {r['K']}; data "
        f"{r['data_bytes_float32'] / 2**20:.0f} MiB as float32), tracemalloc peak of fit:"
    )
    for ct, v in r["types"].items():
        print(
            f"  {ct:<9} float32 {v['peak_float32'] / 2**20:6.1f} MiB | float64 copy + fit "
            f"{v['peak_copy_then_fit'] / 2**20:6.1f} MiB | ratio {v['peak_ratio']:.2f} | "
            f"s/it {v['float32_s']:.4f} (float32) vs {v['float64_s']:.4f} (float64) | "
            f"same fit to {v['max_rel_diff_vs_float64']:.1e}"
        )


def print_missing(r):
    print(
        f"missing values (n = {r['n']:,}, d = {r['d']}, K = {r['K']}, full, "
        f"{r['missing_fraction']:.0%} MCAR, {r['patterns']} patterns), seconds per EM "
        f"iteration:\n  complete data {r['complete_s']:.4f} | exact EM with NaN "
        f"{r['missing_s']:.4f} ({r['missing_s'] / r['complete_s']:.1f}x) | naive per row "
        f"{r['naive_s']:.2f} (extrapolated from {r['naive_rows_timed']:,} rows; "
        f"{r['naive_s'] / r['missing_s']:.0f}x slower) | same answer as naive: "
        f"{r['max_rel_diff_vs_naive']:.1e} relative",
        flush=True,
    )


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="small grid (about a minute)")
    p.add_argument("--large", action="store_true", help="add n = 10^7 (about 12 GB of memory)")
    p.add_argument("--no-memory", action="store_true", help="skip the peak-memory children")
    p.add_argument("--no-chunked", action="store_true", help="skip the out-of-core fit")
    p.add_argument("--json", help="also write the results to this file")
    p.add_argument(
        "--save",
        metavar="PATH",
        help="write JSON with the machine, versions, load average and every row to PATH",
    )
    p.add_argument("--scaling", action="store_true", help="add a series over n (full, d=8, K=8)")
    p.add_argument("--goals", action="store_true", help="the grid of issue 18's goal points")
    p.add_argument(
        "--float32", action="store_true", help="add float32 vs float64: peak memory and time"
    )
    p.add_argument("--online", action="store_true", help="add an online-vs-batch EM trace")
    p.add_argument(
        "--blas-threads", type=int, help="limit BLAS threads for both implementations (fair)"
    )
    p.add_argument(
        "--missing", action="store_true", help="only the missing-values case (chapter 15)"
    )
    p.add_argument("--memory-child", nargs=5, help=argparse.SUPPRESS)
    p.add_argument("--chunked-child", nargs=6, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.blas_threads:
        from threadpoolctl import threadpool_limits

        threadpool_limits(args.blas_threads, user_api="blas")
        os.environ["OPENBLAS_NUM_THREADS"] = str(args.blas_threads)  # for the children
    if args.memory_child:
        impl, n, d, K, ct = args.memory_child
        return memory_child(impl, int(n), int(d), int(K), ct)
    if args.chunked_child:
        path, d, K, ct, start_file, limit = args.chunked_child
        return chunked_child(path, int(d), int(K), ct, start_file, int(limit))
    if args.missing:
        return print_missing(run_missing())

    import sklearn
    from threadpoolctl import threadpool_info

    blas = [f"{i['internal_api']} {i['version']} {i.get('architecture')} x{i['num_threads']}"
            for i in threadpool_info() if i["user_api"] == "blas"]  # fmt: skip
    print(f"numpy {np.__version__}, scikit-learn {sklearn.__version__}, BLAS: {'; '.join(blas)}")
    load_start = os.getloadavg()
    print(f"cores: {os.cpu_count()}, load average at start: {load_start}")
    rate = machine_matmul_rate()
    if args.blas_threads:
        print(f"BLAS limited to {args.blas_threads} thread(s) for both implementations")
    print(f"machine matrix-multiply rate (np.dot 4000x4000): {rate / 1e9:.1f} GFLOP/s")
    rates = machine_rates(rate)
    print(
        f"np.exp: {rates['exp_per_s_one_thread'] / 1e6:.0f} M/s per thread "
        f"(x {rates['cores']} cores); streaming copy: {rates['read_bytes_per_s'] / 1e9:.1f} GB/s "
        "read. Lower bound of an iteration = flops / GEMM rate + n K exp / exp rate + 8 n d "
        "bytes / copy rate ('x bound': our time over it). Other processes share these cores: "
        "the load average (1 min) is printed with every row.\n"
    )
    t0 = time.perf_counter()
    rows = []
    print_table([])
    for n, d, K, ct in grid(args.quick, args.large, args.goals):
        # The goal points are few: each is repeated (interleaved), as the cheap ones are,
        # because the time of one fit on these shared cores moves by 30 % from run to run.
        row = run_point(n, d, K, ct, rate, rates, repeats=3 if args.goals else None)
        rows.append(row)
        _print_row(row)
    bad = [r for r in rows if r["max_rel_diff"] > RTOL]
    slower = [r for r in rows if r["speedup"] < 1]
    print(f"\nsame answer (<= {RTOL:g} relative): {len(rows) - len(bad)}/{len(rows)}; "
          f"points where we are slower than scikit-learn: {len(slower)}")  # fmt: skip
    result = {"rate": rate, "machine_rates": rates, "rows": rows}
    if args.goals:
        print_goals(rows)
    if args.float32:
        result["float32"] = run_float32()
        print_float32(result["float32"])
    if args.scaling:
        print("\nscaling in n (full, d = 8, K = 8):")
        print_table([])
        result["scaling"] = run_scaling(rate, rates)
        for row in result["scaling"]:
            _print_row(row)
    if args.online:
        trace = run_online_trace()
        result["online"] = trace
        b, o = trace["batch"], trace["online"]
        print(
            f"\nonline vs batch EM (n = {trace['n']:,}): batch after {b['passes'][-1]} passes "
            f"{b['mean_loglik'][-1]:.4f} in {b['seconds'][-1]:.2f} s; online after one pass "
            f"{o['mean_loglik'][-1]:.4f} in {o['seconds'][-1]:.2f} s"
        )
    if not args.no_memory:
        n, d, K = (100_000, 16, 16) if args.quick else (1_000_000, 16, 16)
        print(f"\npeak memory during fit (n={n:,}, d={d}, K={K}, full; separate processes):")
        mem = {impl: measure_memory(impl, n, d, K, "full") for impl in ("sklearn", "ours")}
        for impl, m in mem.items():
            print(
                f"  {impl:<8} data {m['data'] / 2**20:7.1f} MiB | process peak "
                f"{m['peak'] / 2**20:7.1f} MiB | peak above the data-holding process "
                f"{(m['peak'] - m['before']) / 2**20:7.1f} MiB"
            )
        work = {k: v["peak"] - v["before"] for k, v in mem.items()}
        print(
            f"  working set, ours / sklearn: {work['ours'] / max(work['sklearn'], 1):.3f}; "
            f"process peak, ours / sklearn: {mem['ours']['peak'] / mem['sklearn']['peak']:.3f}"
        )
        result["memory"] = mem
    if not args.no_chunked:
        n = 1 << 22 if args.quick else 1 << 23
        info = run_chunked(n, 16, 4)
        print(
            f"\nout-of-core: a {info['file_bytes'] / 2**20:.0f} MiB file fitted (full, K=4, 3 "
            f"iterations) in a process limited to {info['limit'] / 2**20:.0f} MiB of address "
            f"space (whole file fits: {info['fits_whole']}); peak RSS "
            f"{info['peak'] / 2**20:.0f} MiB, {info['seconds']:.1f} s; max relative difference "
            f"from the in-memory fit {info['max_rel_diff']:.1e}"
        )
        result["chunked"] = info
    load_end = os.getloadavg()
    print(f"\ntotal time {time.perf_counter() - t0:.0f} s; load average at end: {load_end}")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1))
    if args.save:
        saved = {
            **provenance(),
            "command": " ".join(
                ["benchmarks/bench_em.py", *(argv if argv is not None else sys.argv[1:])]
            ),
            "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "blas_threads_limit": args.blas_threads,
            "load_average": {"start": list(load_start), "end": list(load_end)},
            "matmul_rate_flops": rate,
            "rtol": RTOL,
            **{k: v for k, v in result.items() if k != "rate"},
        }
        out = Path(args.save)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(saved, indent=1) + "\n")
        print(f"saved to {out}")


def _print_row(r):
    print(
        f"| {r['n']:>9,} | {r['d']:>2} | {r['K']:>2} | {r['type']:<9} | "
        f"{r['sklearn_s']:>12.4f} | {r['ours_s']:>9.4f} | {r['speedup']:>7.1f}x | "
        f"{r['gflops']:>7.1f} | {r['frac_matmul']:>8.1%} | {r['max_rel_diff']:>12.1e} | "
        f"{r.get('bound_s', np.nan):>8.4f} | {r.get('ratio_to_bound', np.nan):>6.1f}x | "
        f"{r.get('load_average', [np.nan])[0]:>4.1f} |",
        flush=True,
    )


if __name__ == "__main__":
    main()
