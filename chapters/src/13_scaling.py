# %% [markdown]
# # Scaling EM
#
# :::{admonition} Learning goals
# :class: tip
#
# After this chapter you will be able to
#
# - explain why one EM iteration is a *map-reduce*: the M-step needs only a few sums over the
#   rows, the sufficient statistics, and the sums of parts add up to the sum of the whole;
# - accumulate those sums about a shift so that no digits are lost when the data sit far from
#   the origin;
# - explain why a Python loop over components with $n\times d$ temporaries wastes most of a
#   computer's speed, and how a few large block matrix products recover it;
# - fit a mixture exactly on data that do not fit in memory, streamed block by block;
# - learn from a stream of mini-batches with online (stepwise) EM and its step-size schedule;
# - run the same EM iteration as a map-reduce on a Dask cluster.
# :::
#
# The EM algorithm of chapter 5 touches every data point in every iteration. With a thousand
# points that is instantaneous; with a hundred million points it is the whole cost of the
# method, and the data may not even fit in the memory of one machine. This chapter is about
# that regime. The good news is structural: the M-step never needs the individual points, only
# a handful of *sums* over them. Everything else, computing the sums fast, reading the data
# from disk, from a stream or from many machines, follows from that one observation.

# %%
import json
import logging
import tempfile
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import stats

from gmm_from_scratch import GaussianMixture, em_pass, m_step
from gmm_from_scratch.covariance import precisions_cholesky_from_covariances
from gmm_from_scratch.em import estimate_log_gaussian_prob
from gmm_from_scratch.online import StepSize
from gmm_from_scratch.plotting import BOOK_COLORS, use_book_style

use_book_style()
np.set_printoptions(precision=4, suppress=True)
warnings.filterwarnings("ignore", message=".*did not converge.*")
warnings.filterwarnings("ignore", message="Best performing initialization")

# %% [markdown]
# ## Sufficient statistics: EM as map-reduce
#
# Look again at the M-step (eqs. {eq}`eq-ch05-weights`–{eq}`eq-ch05-covariances`). Given the
# responsibilities $r_{nk} = \gamma(z_{nk})$, the new weights, means and covariances are built
# from three kinds of sums over the rows: a count, a first moment and a second moment per
# component. Taken about a *shift* $\mathbf c_k$ (any fixed point; we will choose it in a
# moment) they are
#
# $$
# \begin{aligned}
# N_k &= \sum_{n=1}^{N} r_{nk}, \qquad
# \mathbf s_k = \sum_{n=1}^{N} r_{nk}\,(\mathbf x_n - \mathbf c_k), \\
# \mathbf S_k &= \sum_{n=1}^{N} r_{nk}\,(\mathbf x_n - \mathbf c_k)(\mathbf x_n - \mathbf c_k)^\top .
# \end{aligned}
# $$ (eq-ch13-stats)
#
# These are the *sufficient statistics* of the mixture: together with the log-likelihood
# $\sum_n \log p(\mathbf x_n)$ they are all the M-step needs. The new parameters follow with
# $\boldsymbol\delta_k = \mathbf s_k / N_k$:
#
# $$
# \pi_k = \frac{N_k}{N}, \qquad
# \boldsymbol\mu_k = \mathbf c_k + \boldsymbol\delta_k, \qquad
# \boldsymbol\Sigma_k = \frac{\mathbf S_k}{N_k} - \boldsymbol\delta_k \boldsymbol\delta_k^\top .
# $$ (eq-ch13-shift)
#
# (Check: with $\mathbf c_k = \boldsymbol\mu_k^{\text{new}}$ we get $\boldsymbol\delta_k = 0$
# and eq. {eq}`eq-ch13-shift` is eq. {eq}`eq-ch05-covariances` itself.)
#
# Two things make this useful.
#
# 1. **Sums of parts add up.** Split the rows into blocks, chunks of a file, or the shards on
#    several machines: the statistics of the whole are the sums of the statistics of the
#    parts. The E-step of a row needs only that row and the current parameters. So one EM
#    iteration is a *map* (E-step and statistics of each part, wherever it lives) followed by
#    a *reduce* (add them up), followed by a tiny M-step. This is the map-reduce form of EM.
# 2. **The shift keeps the digits.** The textbook formula
#    $\boldsymbol\Sigma_k = \overline{\mathbf x\mathbf x^\top} - \boldsymbol\mu_k\boldsymbol\mu_k^\top$
#    (the case $\mathbf c_k = 0$) subtracts two large, nearly equal numbers when the data sit
#    far from the origin: a cluster with $\sigma = 10^{-3}$ at distance $10^3$ loses about
#    $\log_{10}(10^3/10^{-3})^2 = 12$ of the 16 digits of a double. Taking the sums about the
#    current means, which are close to the new ones, makes $\boldsymbol\delta_k$ small and the
#    subtraction harmless.
#
# `gmm_from_scratch` implements exactly this split: `em_pass` is the map (it returns a
# `SufficientStatistics` object), `+` is the reduce, `m_step` is eq. {eq}`eq-ch13-shift`.
# Let us check the additivity on a small problem.

# %%
rng = np.random.default_rng(0)
true_means = np.array([[-4.0, 0.0], [0.0, 3.0], [4.0, -1.0]])
X_small = np.vstack([rng.normal(m, 1.0, size=(400, 2)) for m in true_means])
weights0 = np.full(3, 1 / 3)
means0 = true_means + rng.normal(scale=0.5, size=(3, 2))
cov0 = np.stack([np.eye(2)] * 3)
prec_chol0 = precisions_cholesky_from_covariances(cov0, "full")

whole, _ = em_pass(X_small, weights0, means0, prec_chol0, "full")
part_a, _ = em_pass(X_small[:500], weights0, means0, prec_chol0, "full")
part_b, _ = em_pass(X_small[500:], weights0, means0, prec_chol0, "full")
summed = part_a + part_b
print("N_k of the whole:      ", whole.nk)
print("N_k of part a + part b:", summed.nk)
print("scatter matrices agree:", np.allclose(whole.scatter, summed.scatter, rtol=1e-12))

# %% [markdown]
# **Check against the formulas.** Below, the responsibilities are computed independently with
# `scipy.stats`, the sums of eq. {eq}`eq-ch13-stats` with plain numpy about the shift
# $\mathbf c_k = \boldsymbol\mu_k$, and the parameters with eq. {eq}`eq-ch13-shift`; they must
# equal the package's M-step.

# %%
# check: eqs. 13.1 and 13.2 written out with numpy and scipy
dens = np.column_stack([w * stats.multivariate_normal(m, c).pdf(X_small)
                        for w, m, c in zip(weights0, means0, cov0, strict=True)])
R = dens / dens.sum(axis=1, keepdims=True)
Nk = R.sum(axis=0)
s = np.stack([R[:, k] @ (X_small - means0[k]) for k in range(3)])
S = np.stack([(R[:, k, None] * (X_small - means0[k])).T @ (X_small - means0[k]) for k in range(3)])
delta = s / Nk[:, None]
hand_means = means0 + delta
hand_cov = S / Nk[:, None, None] - delta[:, :, None] * delta[:, None, :]

pkg_weights, pkg_means, pkg_cov = m_step(summed, "full", reg_covar=0.0)
print("weights agree:    ", np.allclose(pkg_weights, Nk / Nk.sum(), rtol=1e-10))
print("means agree:      ", np.allclose(pkg_means, hand_means, rtol=1e-10))
print("covariances agree:", np.allclose(pkg_cov, hand_cov, rtol=1e-10))

# %% [markdown]
# ## Where the time goes: loops over components versus block matrix products
#
# A direct translation of the E-step loops over the $K$ components and, for each, forms the
# $n\times d$ matrix of centred points $\mathbf X - \boldsymbol\mu_k$, multiplies it by the
# precision factor $\mathbf U_k$ (eq. {eq}`eq-ch02-cholesky`), squares and sums. The M-step
# loops again, forming $r_{nk}(\mathbf X - \boldsymbol\mu_k)$ for every component. Every
# iteration therefore writes and re-reads $4K$ arrays of size $n\times d$ from main memory,
# and each matrix product, $n\times d$ times $d\times d$, is too thin to keep the processor's
# vector units busy. This is how scikit-learn's `GaussianMixture` works, and on $10^6$ points,
# 16 dimensions and 16 components it reaches about 3% of the rate at which the same machine
# multiplies large matrices.
#
# `gmm_from_scratch.em` reorganizes the same arithmetic:
#
# - **Blocks of rows, as features.** The rows are processed a block at a time (a few thousand
#   rows), so the temporaries stay in the processor's cache and the memory needed does not grow
#   with $n$. Each block is centred at a point $\mathbf c$ near the data and written, in one
#   pass, as a *features* array with one column per row: $\mathbf x-\mathbf c$, its squares
#   and a constant 1 for diagonal covariances; for spherical ones, which see only distances,
#   the squared norm $|\mathbf x-\mathbf c|^2$ instead of the $d$ squares; for full
#   covariances the products $(x_i-c_i)(x_j-c_j)$, $i\le j$, as well.
# - **All components in one product.** Stack the $K$ factors side by side and append the row
#   $-\boldsymbol\mu_k^\top\mathbf U_k$: then
#   $[\mathbf x_n^\top,\ 1]\,\bigl[\mathbf U_1 \cdots \mathbf U_K;\ -\boldsymbol\mu_1^\top\mathbf U_1 \cdots\bigr]$
#   gives $(\mathbf x_n - \boldsymbol\mu_k)^\top\mathbf U_k$ for every $k$ in *one* matrix
#   product of a block with a $(d+1)\times Kd$ matrix. That is the linear form of the
#   Mahalanobis distance, which loses no digits to cancellation. $\mathbf U_k$ is triangular,
#   so the first half of its columns needs only the first half of the features: splitting the
#   product in two saves about a quarter of its work. For the diagonal and spherical types
#   the whole log-joint $\log\pi_k + \log\mathcal N$, constants included, is one product of a
#   $K\times(2d+1)$ matrix (spherical: $K\times(d+2)$) with the features (for the tied
#   type, with the block whitened by the shared factor, $\mathbf U^\top(\mathbf x-\mathbf c)$,
#   and its squared norm).
# - **All sufficient statistics in one product.** The features times the responsibilities,
#   $\mathbf F\,\mathbf r^\top$, give $N_k$ (from the constant feature),
#   $\sum_n r_{nk}(\mathbf x_n-\mathbf c)$ and the scatter (from the squares, the squared
#   norm, whose sum is the trace the spherical M-step needs, or the products $x_ix_j$) of all
#   $K$ components at once: eq. {eq}`eq-ch13-stats` as a single matrix product.
# - **Exponentials.** The responsibilities need $nK$ exponentials. A processor with AVX-512
#   lets NumPy compute eight at a time; without it (the benchmark machine below) the C library
#   computes them one at a time, and for the diagonal type they then take longer than all its
#   matrix products (the benchmark measures both rates). The C library's `exp` takes a slower
#   path when its argument is below $-512$ (the result might underflow); in a log-joint such
#   arguments are mixed with ordinary ones, so the processor also mispredicts the branch. Computing
#   $e^{a} = (e^{a/2})^2$ keeps every argument on the fast path, at the price of one rounding;
#   the package does so only where NumPy has no AVX-512 loop, which has no slow path.
# - **Both cores.** Blocks are independent, so two threads process them at the same time, each
#   adding to its own statistics, which are summed at the end: the map-reduce again, in
#   miniature.
# - **Centring.** Because every block is centred at $\mathbf c$, shifting all the data by
#   $10^6$ changes nothing. Components far from $\mathbf c$ compared to their width (where
#   expanding about $\mathbf c$ would lose digits) are accumulated directly. The expanded
#   distances of the diagonal, spherical and tied types carry a bound on their rounding error;
#   one test per component and block finds the rare components whose bound is not negligible,
#   and their distances are recomputed directly.
#
# The check below confirms the one-product log-densities against scipy, including a tight
# cluster far from the origin.

# %%
# check: the blocked log-density against scipy, for points far from the origin
far = 1e3
means_far = far + rng.normal(scale=1e-2, size=(3, 2))
cov_far = np.stack([1e-6 * np.array([[1.0, 0.3], [0.3, 0.5]])] * 3)
X_far = np.vstack([rng.multivariate_normal(m, c, size=5) for m, c in zip(means_far, cov_far,
                                                                          strict=True)])
ours = estimate_log_gaussian_prob(X_far, means_far,
                                  precisions_cholesky_from_covariances(cov_far, "full"), "full")
ref = np.column_stack([stats.multivariate_normal(np.zeros(2), c).logpdf(X_far - m)
                       for m, c in zip(means_far, cov_far, strict=True)])
print("largest relative difference from scipy below 1e-9:",
      bool(np.max(np.abs(ours - ref) / np.abs(ref)) < 1e-9))


# %% [markdown]
# ### A benchmark
#
# The repository's `benchmarks/bench_em.py` runs both implementations from the same initial
# parameters for a fixed number of iterations (`tol=0`), checks that they reach the same
# parameters (to $10^{-8}$ relative) and records the time per iteration and the peak memory.
# Timings measured while this book is built would be noise: the build shares its machine with
# other work. So the chapter does not time anything. It reads what the benchmark stored in
# `benchmarks/results/bench_quick.json`, together with the machine and the library versions that
# produced it (rerun `bench_em.py --quick --scaling --online --save ...` to measure yours).

# %%
def find_results(name="bench_quick.json"):
    """The stored benchmark file, looked up from the current folder upwards."""
    for folder in [Path.cwd(), *Path.cwd().parents]:
        candidate = folder / "benchmarks" / "results" / name
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"benchmarks/results/{name}")


bench = json.loads(find_results().read_text())
machine, versions = bench["machine"], bench["versions"]
blas = versions["blas"][0]
print(f"measured {bench['date_utc'][:10]} on {machine['cores']} cores ({machine['cpu_model']}), "
      f"load average {bench['load_average']['start'][0]:.1f} at the start")
print(f"numpy {versions['numpy']}, scipy {versions['scipy']}, "
      f"scikit-learn {versions['scikit-learn']}, {blas['library']} {blas['version']}")

# %% [markdown]
# The series below is full covariances, $d=8$, $K=8$ and growing $n$; each time is the fastest
# of the timed iterations (other processes only ever add time).

# %%
scaling = pd.DataFrame(bench["scaling"]).set_index("n")
table = pd.DataFrame({
    "scikit-learn (s/iter)": scaling["sklearn_s"],
    "gmm_from_scratch (s/iter)": scaling["ours_s"],
    "speed-up": scaling["speedup"],
    "max relative difference": scaling["max_rel_diff"],
})
assert (table["max relative difference"] <= 1e-8).all()  # the same answer, every n
table.style.format({"scikit-learn (s/iter)": "{:.4f}", "gmm_from_scratch (s/iter)": "{:.4f}",
                    "speed-up": "{:.1f}×", "max relative difference": "{:.1e}"}
                   ).set_uuid("ch13-scaling")

# %%
slopes = {name: np.polyfit(np.log10(table.index), np.log10(table[col]), 1)[0]
          for name, col in [("scikit-learn", "scikit-learn (s/iter)"),
                            ("gmm_from_scratch", "gmm_from_scratch (s/iter)")]}
print("slope of log(time) against log(n):",
      ", ".join(f"{k} {v:.2f}" for k, v in slopes.items()))
print(f"speed-up from {table['speed-up'].min():.1f}× to {table['speed-up'].max():.1f}×")
load = bench["load_average"]
print(f"load average {load['start'][0]:.1f} at the start, {load['end'][0]:.1f} at the end")
assert all(0.75 < v < 1.15 for v in slopes.values())
assert 3 < table["speed-up"].min() < 4 and 7 < table["speed-up"].max() < 9
assert table["speed-up"].iloc[-1] == table["speed-up"].max()  # largest at the largest n
assert 1 < load["start"][0] < 2.5 and 1 < load["end"][0] < 2.5  # one other busy process

# %% [markdown]
# On the log-log plot of {numref}`fig-ch13-scaling` both lines rise with a slope close to one
# (the two slopes printed above are fitted over the whole range): the time of an iteration
# grows about in proportion to $n$. `gmm_from_scratch`'s slope is a little below one because
# its smallest sizes pay a fixed cost per iteration (starting the threads, the M-step) that a
# few thousand rows do not amortize; its speed-up therefore grows with $n$, from between 3
# and 4 times at $n = 10^4$ to about 8 times at $n = 10^6$, and both reached the same
# parameters at every size. The load average, between 1 and 2 on two cores while the
# benchmark ran, means that about one other process competed for the processor, which makes
# every time a little longer and noisier than on a quiet computer. Timings on your machine
# will differ (processor, load, BLAS library); rerun the benchmark to see yours.

# %% mystnb={"figure": {"caption": "Time per EM iteration against the number of points, read from the stored benchmark (full covariances, d = 8, K = 8). Both axes are logarithmic; the dotted line has slope one.", "name": "fig-ch13-scaling"}, "image": {"alt": "Log-log plot of seconds per EM iteration against n for scikit-learn and gmm_from_scratch; both rise with slope near one, gmm_from_scratch lower."}}
fig, ax = plt.subplots(figsize=(6, 4))
ax.loglog(table.index, table["scikit-learn (s/iter)"], "o-", color=BOOK_COLORS[0],
          label="scikit-learn (loop over components)")
ax.loglog(table.index, table["gmm_from_scratch (s/iter)"], "s-", color=BOOK_COLORS[1],
          label="gmm_from_scratch (block products)")
n_ref = np.array([table.index[0], table.index[-1]])
ax.loglog(n_ref, table["scikit-learn (s/iter)"].iloc[-1] * n_ref / n_ref[-1], ":",
          color="0.4", label="slope one (time ∝ n)")
ax.set_xlabel("number of points n")
ax.set_ylabel("time per EM iteration (s)")
ax.set_title("EM iteration time, full covariances, d = 8, K = 8")
ax.legend(loc="upper left")
plt.show()

# %% [markdown]
# The same file holds the benchmark's small grid (two to sixty-four features, two to sixteen
# components, all four covariance types) and the peak memory of each implementation, each
# fitted in a separate process.

# %%
grid = pd.DataFrame(bench["rows"])
point = grid.query("n == 100_000 and d == 16 and K == 16 and type == 'full'").iloc[0]
memory = {impl: {k: v / 2**20 for k, v in m.items()} for impl, m in bench["memory"].items()}
print(f"grid: {len(grid)} points, speed-up {grid['speedup'].min():.1f}× to "
      f"{grid['speedup'].max():.1f}×,\n      largest relative difference "
      f"{grid['max_rel_diff'].max():.0e}")
print(f"n = 100,000, d = 16, K = 16, full: {point['sklearn_s']:.3f} s vs {point['ours_s']:.3f} s "
      f"per iteration ({point['speedup']:.1f}×)")
extra = {impl: memory[impl]["peak"] - memory[impl]["before"] for impl in memory}
print(f"memory of the fit, above the process holding the data ({memory['ours']['data']:.0f} MiB):")
for impl, name in [("sklearn", "scikit-learn"), ("ours", "gmm_from_scratch")]:
    print(f"{name:>16}: {extra[impl]:3.0f} MiB (process peak {memory[impl]['peak']:.0f} MiB)")
print(f"scikit-learn needed {extra['sklearn'] / extra['ours']:.1f} times as much")
fastest, slowest = grid.loc[grid["speedup"].idxmax()], grid.loc[grid["speedup"].idxmin()]
for label, row in [("largest", fastest), ("smallest", slowest)]:
    print(f"{label} speed-up: {row['type']}, n = {row['n']:,}, d = {row['d']}, K = {row['K']}")
assert (grid["speedup"] > 1).all() and (grid["max_rel_diff"] <= 1e-8).all()
assert 1.5 < grid["speedup"].min() < 2.5 and 6.5 < grid["speedup"].max() < 8
assert fastest["type"] == "tied" and slowest["type"] in ("diag", "spherical")
assert 3 < extra["sklearn"] / extra["ours"] < 4.5
# the exponentials take longer than the diagonal type's products (section on the pass), on a
# machine that computes them one at a time (AVX-512 makes NumPy's exp about five times faster)
diag = grid.query("n == 100_000 and d == 16 and K == 16 and type == 'diag'").iloc[0]
assert diag["exp_s"] > diag["gemm_s"] and bench["machine_rates"]["exp_per_s"] < 1e9

# %% [markdown]
# `gmm_from_scratch` was faster at every point of the grid and always reached the same
# parameters. The speed-up is smallest, about 2×, for diagonal and spherical covariances,
# whose E-step is cheap in either design (its time goes to the exponentials and to reading
# the data), and largest, above 6×, for the tied type, where scikit-learn multiplies every
# component's centred copy of the data by the shared factor. The memory lines are the other
# half of the story: scikit-learn keeps several $n\times K$ arrays and $n\times d$
# temporaries alive at once, so its fit needed more than three times as much memory beyond
# what the process already held, and that grows with $n$; the blocked pass keeps only a few
# blocks per thread, however large $n$ is. The full grid (`bench_em.py` without `--quick`, up to $n=10^6$) and the out-of-core run
# below are described in the repository's README.

# %% [markdown]
# ## Exact EM on data larger than memory
#
# Because one EM iteration is a single pass that only *adds* to the statistics, the data never
# need to be in memory all at once. `GaussianMixture.fit` accepts a `numpy.memmap` (a file on
# disk that looks like an array) or any 2-D array-like with `shape`, `dtype` and row slicing,
# such as an HDF5 dataset or a Zarr array, and reads it one block at a time in each iteration.
# The result is not an approximation: it is the same EM, giving the same parameters as the
# in-memory fit from the same start. (Only the k-means initialization, if you do not give
# initial parameters, reads a random sample of at most 100,000 rows.)
#
# The benchmark script demonstrates this on a 1 GiB file in a process whose address space is
# limited to 640 MiB, so that loading the file is impossible. Here a small file suffices to
# check that the answers agree.

# %%
def make_blobs(n, d, K, seed=0):
    r = np.random.default_rng(seed)
    centres = r.normal(scale=3.0, size=(K, d))
    return centres[r.integers(K, size=n)] + r.normal(size=(n, d))


def common_start(X, K, seed=1):
    r = np.random.default_rng(seed)
    prec = np.linalg.inv(np.cov(X[:5000], rowvar=False))
    return dict(weights_init=np.full(K, 1 / K),
                means_init=X[r.choice(len(X), K, replace=False)],
                precisions_init=np.repeat(prec[None], K, axis=0))


X_disk = make_blobs(50_000, 4, 3, seed=2)
start = common_start(X_disk, 3)
in_memory = GaussianMixture(3, tol=0.0, max_iter=20, **start).fit(X_disk)

with tempfile.TemporaryDirectory() as tmp:
    path = Path(tmp) / "points.f64"
    mm = np.memmap(path, dtype=np.float64, mode="w+", shape=X_disk.shape)
    mm[:] = X_disk
    mm.flush()
    del mm
    on_disk = np.memmap(path, dtype=np.float64, mode="r", shape=X_disk.shape)
    streamed = GaussianMixture(3, tol=0.0, max_iter=20, block_size=4096, **start).fit(on_disk)
    del on_disk

print("means agree:      ", np.allclose(streamed.means_, in_memory.means_, rtol=1e-10))
print("covariances agree:", np.allclose(streamed.covariances_, in_memory.covariances_, rtol=1e-10))
print(f"mean log-likelihood: {streamed.lower_bound_:.6f} (streamed), "
      f"{in_memory.lower_bound_:.6f} (in memory)")

# %% [markdown]
# ## Online EM: learning from a stream
#
# Exact EM still reads *all* the data in every iteration. When the data arrive as a stream, or
# when one pass over them is already expensive, we would like to improve the parameters after
# every mini-batch. scikit-learn has no `partial_fit` for mixtures; `gmm_from_scratch` does.
#
# **Stepwise EM** {cite}`cappe2009` keeps a running average $\bar{\mathbf s}_t$ of the
# per-point sufficient statistics (eq. {eq}`eq-ch13-stats` divided by the batch size). After
# the $t$-th mini-batch $B_t$ it takes a step of size $\eta_t$ towards that batch's statistics,
# computed with the current parameters, and re-runs the M-step:
#
# $$
# \begin{aligned}
# \bar{\mathbf s}_t &= (1-\eta_t)\,\bar{\mathbf s}_{t-1} + \eta_t\,\mathbf s(B_t;\,\theta_{t-1}),\\
# \theta_t &= \text{M-step}(\bar{\mathbf s}_t), \qquad \eta_t = (t + t_0)^{-\kappa}.
# \end{aligned}
# $$ (eq-ch13-stepwise)
#
# The step sizes must shrink, but not too fast: with $\kappa\in(0.5, 1]$ they satisfy
# $\sum_t\eta_t = \infty$ (every batch can still move the estimate) and
# $\sum_t\eta_t^2 < \infty$ (the noise of single batches averages out), the Robbins–Monro
# conditions under which stepwise EM converges. $\kappa = 1, t_0 = 0$ averages all batches
# equally; a smaller $\kappa$ forgets the early batches, computed under poor parameters,
# faster. The package uses $\eta_1 = 1$ and the default $\kappa = 0.6$, $t_0 = 2$
# (`gmm_from_scratch.online.StepSize`). The E-step, the statistics and the M-step are the same
# functions as in batch EM (the M-step does not mind whether it gets sums or averages).
#
# Below, online EM (mini-batches of 500 points) makes one pass over 100,000 points, recording
# the mean log-likelihood of the *whole* data set after every tenth mini-batch. The loop is the
# one `bench_em.py --online` ran; it gives the same log-likelihoods as the stored trace, which
# adds the times (and the same curve for batch EM, one EM iteration per pass).

# %%
trace = bench["online"]
X_stream = make_blobs(trace["n"], trace["d"], trace["K"], seed=3)
X_stream = X_stream[np.random.default_rng(4).permutation(len(X_stream))]
K_stream = trace["K"]
init = dict(weights_init=np.full(K_stream, 1 / K_stream), means_init=X_stream[:K_stream] + 0.0,
            precisions_init=np.stack([np.eye(trace["d"])] * K_stream))

online_model = GaussianMixture(K_stream, **init)
online_model.step_size = StepSize(kappa=trace["kappa"], t0=trace["t0"])
online_curve = []
for i, batch in enumerate(np.array_split(X_stream, trace["n"] // trace["batch_size"])):
    online_model.partial_fit(batch)
    if (i + 1) % 10 == 0:
        online_curve.append(online_model.score(X_stream))
assert np.allclose(online_curve, trace["online"]["mean_loglik"][1:], rtol=1e-6, atol=0)
batch_curve = np.array(trace["batch"]["mean_loglik"])
print(f"start:                        mean log-likelihood {batch_curve[0]:.4f}")
print(f"batch EM after {trace['batch']['passes'][-1]} iterations: mean log-likelihood "
      f"{batch_curve[-1]:.4f}")
print(f"online EM after one pass:     mean log-likelihood {online_curve[-1]:.4f}")

# %%
batch_t, batch_ll = np.array(trace["batch"]["seconds"]), batch_curve
online_t = np.array(trace["online"]["seconds"])
online_ll = np.array(trace["online"]["mean_loglik"])
online_seen = np.array(trace["online"]["batches"]) * trace["batch_size"] / trace["n"]  # passes
# Where is online EM ahead, measured in seconds of fitting? Compare with batch EM's curve.
ahead = online_ll[1:] > np.interp(online_t[1:], batch_t, batch_ll)
last_ahead = online_t[1:][ahead].max()
passes_equal = int(np.argmax(batch_ll > online_ll[1]))  # batch passes to do better
print(f"online EM after {online_seen[1]:.0%} of one pass: {online_ll[1]:.4f};\n"
      f"batch EM needs {passes_equal} full passes to do better ({batch_ll[passes_equal]:.4f})")
passes_in_online_time = int(np.searchsorted(batch_t, online_t[-1])) - 1
print(f"one online pass took {online_t[-1]:.1f} s, as long as {passes_in_online_time} batch passes")
print(f"in seconds, online EM is ahead from its first point ({online_t[1]:.1f} s)\n"
      f"to about {last_ahead:.1f} s; batch EM then overtakes it")
assert passes_equal == 4 and online_ll[1] > batch_ll[3] and 20 <= passes_in_online_time <= 30
assert ahead[: int(np.sum(online_t[1:] <= last_ahead))].all() and 0.25 < last_ahead < 0.4
assert 0.05 < online_t[1] < 0.15
assert batch_ll[1] < online_ll[1] and batch_ll[-1] > online_ll[-1]

# %% mystnb={"figure": {"caption": "Mean log-likelihood of all 100,000 points, batch EM (one point per pass) against online EM (one point per ten mini-batches of 500). Left: against the number of passes over the data (logarithmic). Right: against the time spent fitting, from the stored benchmark trace.", "name": "fig-ch13-online"}, "image": {"alt": "Two panels. Left: online EM reaches a high log-likelihood after a few percent of one pass, batch EM needs many passes. Right: against seconds, online EM is ahead until about a third of a second, then batch EM overtakes it."}}
fig, axes = plt.subplots(1, 2, figsize=(8.5, 3.8), sharey=True)
axes[0].semilogx(np.arange(1, len(batch_ll)), batch_ll[1:], "o-", ms=3, color=BOOK_COLORS[0],
                 label="batch EM")
axes[0].semilogx(online_seen[1:], online_ll[1:], ".-", color=BOOK_COLORS[1], label="online EM")
axes[0].set_xlabel("passes over the data (points read / n)")
axes[0].set_title("Per point read")
axes[1].plot(batch_t[1:], batch_ll[1:], "o-", ms=3, color=BOOK_COLORS[0], label="batch EM")
axes[1].plot(online_t[1:], online_ll[1:], ".-", color=BOOK_COLORS[1], label="online EM")
axes[1].set_xlabel("time spent fitting (s), stored benchmark")
axes[1].set_xlim(0, None)
axes[1].set_title("Per second, on the benchmark machine")
axes[0].set_ylabel("mean log-likelihood of all points")
axes[0].set_ylim(batch_ll[-1] - 0.3, batch_ll[-1] + 0.03)
for ax in axes:
    ax.legend(loc="lower right")
plt.show()

# %% [markdown]
# {numref}`fig-ch13-online` shows both runs. Per point read (left), online EM is far ahead:
# after 10 mini-batches, 5% of one pass, its
# log-likelihood is already higher than batch EM's after three full passes, because it
# updates the parameters after every mini-batch (200 times in one pass here) while batch EM
# updates them once per pass. Per *second* the picture is closer. Each `partial_fit` call
# has a fixed cost (validation, an M-step, bookkeeping) that a mini-batch of 500 points does
# not amortize, so on the benchmark machine one online pass took as long as more than 20
# batch passes. In seconds (right), online EM leads from its first recorded point, about a
# tenth of a second in, to about a third of a second; then
# batch EM overtakes it and ends higher: the last mini-batches still move the online
# estimate by a small random amount, and batch EM converges to the exact fixed point. So
# online EM is the tool when reading the data is the expensive part (data plentiful, on
# disk, or arriving continuously) and when batches are large enough to amortize each update;
# batch EM (in memory or streamed) when you need the exact maximum-likelihood fixed point.

# %% [markdown]
# ## Distributed EM with Dask
#
# The map-reduce form carries over to many machines without change. A
# [Dask](https://www.dask.org) array is split into chunks that may live on different workers.
# `gmm_from_scratch.scale.DaskGaussianMixture` is `GaussianMixture` with one difference: each
# EM pass maps `em_pass` over the chunks where they are, adds the per-chunk
# `SufficientStatistics` in a tree, and brings only the sum (a few kilobytes) back for the
# M-step. The parameters travel to the workers once per iteration; the data never move.
#
# Below we start a `LocalCluster`, two worker processes on this machine talking over the
# loopback address. Connecting the `Client` to the scheduler of a real cluster instead
# (`Client("tcp://scheduler-address:8786")`) runs the *same* code on many machines. Dask is an
# optional extra: `pip install "gmm_from_scratch[scale]"`; the core package never imports it.

# %%
import dask.array as da
from dask.distributed import Client, LocalCluster

from gmm_from_scratch.scale import DaskGaussianMixture

cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                       dashboard_address=":0", silence_logs=logging.ERROR)
client = Client(cluster)

X_dask = da.from_array(X_disk, chunks=(10_000, 4))  # five chunks of 10,000 rows
distributed = DaskGaussianMixture(3, tol=0.0, max_iter=20, **start).fit(X_dask)
print("chunks:", X_dask.numblocks[0], "| workers:", len(client.scheduler_info()["workers"]))
print("same parameters as in memory:",
      np.allclose(distributed.means_, in_memory.means_, rtol=1e-10)
      and np.allclose(distributed.covariances_, in_memory.covariances_, rtol=1e-10))

client.close()
cluster.close()

# %% [markdown]
# On one small machine the cluster is slower than the in-memory fit (every iteration pays
# for scheduling and messages), so Dask pays off only when the data are too big for one
# machine or already live on a cluster. The point here is the *shape* of the computation: EM
# is a map-reduce, and the same pure functions serve every scale.
#
# ## Exercises
#
# ```{exercise}
# :label: ex-ch13-merge
#
# Two machines computed statistics about *different* shifts $\mathbf c_k$ and $\mathbf c'_k$.
# Show that $\mathbf S_k$ about $\mathbf c'_k$ equals
# $\mathbf S_k + \mathbf s_k\boldsymbol\Delta_k^\top + \boldsymbol\Delta_k\mathbf s_k^\top + N_k\boldsymbol\Delta_k\boldsymbol\Delta_k^\top$
# with $\boldsymbol\Delta_k = \mathbf c_k - \mathbf c'_k$, and check it numerically with
# `SufficientStatistics.recentred`.
# ```
#
# ````{solution} ex-ch13-merge
# :class: dropdown
#
# Write $\mathbf x_n - \mathbf c'_k = (\mathbf x_n - \mathbf c_k) + \boldsymbol\Delta_k$ and
# expand the outer product; summing with weights $r_{nk}$ gives the four terms, because
# $\sum_n r_{nk}(\mathbf x_n - \mathbf c_k) = \mathbf s_k$ and $\sum_n r_{nk} = N_k$. Numerically:
#
# ```python
# moved = whole.recentred(means0 + 1.0)
# direct = sum(R[n, 0] * np.outer(X_small[n] - means0[0] - 1, X_small[n] - means0[0] - 1)
#              for n in range(len(X_small)))
# np.allclose(moved.scatter[0], direct)   # True
# ```
# ````
#
# ```{exercise}
# :label: ex-ch13-kappa
#
# Rerun the online-EM experiment with $\kappa = 1, t_0 = 0$ and with $\kappa = 0.51$. Which
# reaches a good log-likelihood sooner, and which ends closer to the batch optimum? Explain
# with eq. {eq}`eq-ch13-stepwise`.
# ```
#
# ```{solution} ex-ch13-kappa
# :class: dropdown
#
# With $\kappa = 1, t_0 = 0$ every batch gets the same final weight $1/T$, including the early
# ones whose statistics were computed under poor parameters, so the estimate keeps a memory of
# the bad start and improves slowly. With $\kappa = 0.51$ the steps stay large: the early
# batches are forgotten quickly and the log-likelihood rises fast, but each new batch moves the
# estimate noticeably, so the curve ends noisier. The default $\kappa = 0.6$ is a compromise.
# ```
#
# ```{exercise}
# :label: ex-ch13-memory
#
# How much memory does one EM iteration need in the loop-over-components design, for
# $n = 10^6$, $d = 16$, $K = 16$? Count the $n\times K$ arrays (log-densities,
# responsibilities) and the $n\times d$ temporaries alive at the same time, and compare with
# the blocked design, whose temporaries are a few $(K, d, \text{rows})$ blocks.
# ```
#
# ```{solution} ex-ch13-memory
# :class: dropdown
#
# The data take $10^6\cdot 16\cdot 8$ bytes $= 128$ MB. Each $n\times K$ array takes another
# 128 MB, and the E-step keeps several (log-densities, weighted log-densities,
# log-responsibilities, responsibilities), plus $n\times d$ temporaries of 128 MB in every
# component's step: close to 1 GB in all, as the benchmark measures. The blocked design keeps
# only the block temporaries, about 4 MB each, whatever $n$.
# ```
#
# ## Summary
#
# - The M-step needs only the sufficient statistics (eq. {eq}`eq-ch13-stats`): counts, first
#   and second moments per component. Sums over parts add up, so an EM iteration is a map
#   (E-step and statistics per block, chunk or machine) and a reduce (addition).
# - Taking the moments about a shift near the data (eq. {eq}`eq-ch13-shift`) keeps every digit
#   that the textbook $\overline{\mathbf x\mathbf x^\top} - \boldsymbol\mu\boldsymbol\mu^\top$
#   would lose.
# - Speed comes from doing the arithmetic as a few large matrix products over cache-sized
#   blocks of rows, not from a Python loop over components with $n\times d$ temporaries; memory
#   is then bounded by the block size, not by $n$.
# - The same pass streams data from disk (exact EM on data larger than memory), feeds online
#   stepwise EM with `partial_fit` and the schedule $\eta_t = (t+t_0)^{-\kappa}$, and runs as a
#   map-reduce on a Dask cluster.
