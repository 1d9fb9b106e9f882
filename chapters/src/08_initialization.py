# %% [markdown]
# # Initialization and local optima
#
# :::{admonition} Learning goals
# :class: tip
#
# After this chapter you will be able to
#
# - explain why EM finds *a* local maximum of the likelihood, not necessarily *the* maximum,
#   and what a bad local optimum looks like on a scatter plot;
# - describe the four ways `GaussianMixture` can start (`init_params='random'`,
#   `'random_from_data'`, `'kmeans'`, `'k-means++'`) and predict how each behaves;
# - read the distribution of the final log-likelihood over many restarts, and turn it into
#   the probability that `n_init` restarts find the best optimum;
# - choose the stopping rule (`tol`, `max_iter`) knowingly, recognise a run that stopped too
#   early, and handle a `ConvergenceWarning`.
# :::
#
# Chapter 6 proved that every EM iteration raises the log-likelihood (or leaves it unchanged).
# That guarantee is about *climbing*, not about *where* the climb ends. The log-likelihood of a
# mixture is not a single smooth hill: it has many peaks, and EM climbs whichever one it starts
# on. So the answer EM gives depends on where it starts, and this chapter is about starting
# well, restarting wisely, and knowing when to stop.

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import HTML
from sklearn.mixture import GaussianMixture as SkGaussianMixture

from gmm_from_scratch import INIT_METHODS, ConvergenceWarning, GaussianMixture, load_old_faithful
from gmm_from_scratch.animation import curve_limits, em_animation_html
from gmm_from_scratch.plotting import BOOK_COLORS, BOOK_MARKERS, plot_mixture, use_book_style

use_book_style()
np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## Why there are several peaks
#
# The mixture log-likelihood
#
# $$
# \ell(\theta) = \sum_{n=1}^{N} \log \sum_{k=1}^{K} \pi_k\,
# \mathcal N(\mathbf x_n \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)
# $$ (eq-ch08-loglik)
#
# has more than one maximum for two different reasons.
#
# 1. **Relabelling.** Swapping the labels of two components (their weights, means and
#    covariances together) leaves {eq}`eq-ch08-loglik` unchanged, so every maximum comes in
#    $K!$ identical copies. These copies are harmless: they are the same model with the
#    components listed in another order (chapter 11 aligns them).
# 2. **Genuinely different solutions.** Picture three well-separated clusters and $K=3$.
#    If two components start inside the same cluster and the third straddles the other two
#    clusters, EM can settle there: the two crowded components split one cluster between
#    them, and the third stretches a wide covariance over two clusters. Moving one component
#    to where it belongs would raise the likelihood a lot, but every *small* move lowers it,
#    and EM only makes small moves. This is a **local optimum**, and it is a different,
#    worse model.
#
# The more components and the more clusters of unequal size, the more such traps there are.
# Here is a data set built to have some: seven round clusters, two sizes, on an uneven grid.

# %%
rng = np.random.default_rng(0)
centres = np.array([[0, 0], [4, 0], [8, 0], [0, 4], [4, 4], [8, 4], [2, 8]], dtype=float)
sizes = [100, 50, 100, 50, 100, 50, 50]
X = np.vstack([rng.normal(c, 0.8, (m, 2)) for c, m in zip(centres, sizes, strict=True)])
K = 7
print("data:", X.shape, " clusters:", len(centres), " components fitted: K =", K)

# %% [markdown]
# ## Four ways to start
#
# EM needs a first set of parameters $(\pi_k, \boldsymbol\mu_k, \boldsymbol\Sigma_k)$. Like
# scikit-learn, `GaussianMixture` builds them the same way for every method: it chooses
# initial **responsibilities** $r_{nk}$ (short for the $\gamma(z_{nk})$ of chapter 5) and runs one M-step (equations 5.4 to 5.7) on them.
# The methods differ only in how they choose $r_{nk}$:
#
# | `init_params` | initial responsibilities | cost | character |
# |---|---|---|---|
# | `'random'` | uniform random numbers, each row normalized to sum to 1 | none | every component starts as (almost) the whole data set |
# | `'random_from_data'` | $K$ distinct data points, each owning one component | none | diverse but blind: two seeds can land in the same cluster |
# | `'kmeans'` (default) | the hard labels of a full k-means run (chapter 3) | one k-means | starts close to a good answer |
# | `'k-means++'` | the $K$ seeds of k-means++ (eq. 3.4), one point each | $O(NK)$ | spread-out seeds, no Lloyd iterations |
#
# The `'random'` start deserves a second look. With random responsibilities, each component
# is a weighted average of *all* the points with weights near $1/K$, so every mean starts
# near the overall mean and every covariance near the overall covariance. All $K$ components
# are nearly the same Gaussian. This is close to a **saddle point** of the likelihood: a
# perfectly symmetric start (all $r_{nk}=1/K$) is a fixed point of EM, which would never
# break the tie. The small random differences do break it, but slowly.
#
# Let us fit the seven-cluster data 50 times with each method, each run from a different
# seed, and keep the final mean log-likelihood per sample (`lower_bound_`). All other
# settings are the defaults: `tol=1e-3`, `max_iter=100`.

# %%
n_restarts = 50
final = {}
converged = {}
fits = {}
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)  # counted below instead
    for method in INIT_METHODS:
        runs = [
            GaussianMixture(K, init_params=method, random_state=seed).fit(X)
            for seed in range(n_restarts)
        ]
        final[method] = np.array([g.lower_bound_ for g in runs])
        converged[method] = np.array([g.converged_ for g in runs])
        fits[method] = runs

best_overall = max(v.max() for v in final.values())
print(f"best mean log-likelihood found by any run: {best_overall:.4f}\n")
print(f"{'init_params':>17}  {'best':>8}  {'median':>8}  {'worst':>8}  converged  median n_iter")
for method in INIT_METHODS:
    v = final[method]
    n_iter = np.median([g.n_iter_ for g in fits[method]])
    print(
        f"{method:>17}  {v.max():8.4f}  {np.median(v):8.4f}  {v.min():8.4f}  "
        f"{converged[method].sum():5d}/50  {n_iter:9.1f}"
    )

# %% tags=["remove-cell"]
# The four stories told below, checked on the printed table.
rand_iters = np.array([g.n_iter_ for g in fits["random"]])
assert np.ptp(final["random"]) < 0.005 and converged["random"].all()  # same to 2 decimals
assert np.all(rand_iters <= 3) and final["random"].max() < best_overall - 0.5
hit_rate = {m: np.mean(final[m] > best_overall - 0.01) for m in INIT_METHODS}
assert hit_rate["kmeans"] >= 0.9 and hit_rate["k-means++"] < hit_rate["kmeans"]
assert np.ptp(final["random_from_data"]) > 0.2

# %% [markdown]
# The key figure of the chapter, {numref}`fig-ch08-runs`, shows every run as a dot. The
# dashed line marks the best value any run reached.

# %% mystnb={"figure": {"caption": "Final mean log-likelihood per sample of 50 EM runs for each initialization method on the seven-cluster data (K = 7), one dot per run, jittered vertically; the dashed line is the best value any run reached.", "name": "fig-ch08-runs"}, "image": {"alt": "Dot plot with one row per init_params value. The kmeans and k-means++ dots pile up at the best value near -4.14; the random dots all sit together far to the left near -5.0; the random_from_data dots are spread between about -4.45 and the best value."}}
fig, ax = plt.subplots(figsize=(6.4, 3.8))
jitter = np.random.default_rng(1)
for i, method in enumerate(INIT_METHODS):
    v = final[method]
    ax.scatter(v, i + jitter.uniform(-0.18, 0.18, v.size), s=22, alpha=0.7,
               color=BOOK_COLORS[i], marker=BOOK_MARKERS[i], label=method)
ax.axvline(best_overall, color="0.3", linestyle="--", linewidth=1.2, label="best found")
ax.set_yticks(range(len(INIT_METHODS)), INIT_METHODS)
ax.set_ylim(len(INIT_METHODS) - 0.5, -0.5)
ax.set_xlabel("final mean log-likelihood per sample (nats)")
ax.set_ylabel("init_params")
ax.set_title("50 EM runs per initialization method (K = 7)")
ax.legend(loc="lower left", fontsize=8)
plt.show()

# %% [markdown]
# Four different stories:
#
# - **`'kmeans'`** lands on the best optimum in almost every run. k-means already solved the
#   hard, combinatorial part ("which points go together"); EM only refines shapes and weights.
# - **`'k-means++'`** is nearly as good and much cheaper: its seeds are spread out by the
#   $D^2$ rule, so two seeds rarely share a cluster. When they do, EM is stuck with it.
# - **`'random_from_data'`** picks seeds blindly. With seven clusters, the chance that seven
#   random points fall in seven different clusters is small, and when two share a cluster EM
#   usually cannot pull one of them out. Its runs are spread over many local optima.
# - **`'random'`** is the surprise: all 50 runs end at the *same*, much worse value, after
#   about two iterations, and all of them report `converged_ = True`. They did not find a
#   local maximum. They stopped at the near-symmetric start, where the likelihood is almost
#   flat, so the first improvement was smaller than `tol`. We come back to this below.
#
# What does a local optimum look like? {numref}`fig-ch08-optima` shows the best and the worst
# `'random_from_data'` runs side by side.

# %% mystnb={"figure": {"caption": "The best (left) and the worst (right) of the 50 'random_from_data' runs: the data in grey and each component's 2-sigma ellipse and mean, one colour and marker per component.", "name": "fig-ch08-optima"}, "image": {"alt": "Two scatter plots of the seven round clusters. On the left each cluster has one ellipse of its own. On the right four small ellipses crowd into the top cluster, while three tall ellipses each stretch over two of the six lower clusters."}}
rfd = fits["random_from_data"]
best_run = rfd[int(np.argmax(final["random_from_data"]))]
worst_run = rfd[int(np.argmin(final["random_from_data"]))]
fig, axes = plt.subplots(1, 2, figsize=(7.5, 3.9), sharex=True, sharey=True)
for ax, g, name in zip(axes, (best_run, worst_run), ("best run", "worst run"), strict=True):
    plot_mixture(ax, X, g.means_, g.covariances_, "full", point_size=6, n_std=(2.0,),
                 label_components=False)
    ax.set_title(f"{name}: {g.lower_bound_:.3f} nats/sample")
    ax.set_xlabel("$x_1$")
    ax.set_aspect("equal")
axes[0].set_ylabel("$x_2$")
axes[0].plot([], [], "o", color="0.3", markeredgecolor="black", label="component means")
axes[0].legend(loc="upper right", fontsize=8)
fig.suptitle("A good optimum and a local one (2σ ellipses)")
plt.show()

# %% [markdown]
# On the right, four components crowd into the top cluster, while each of the other three
# stretches an elongated ellipse over two clusters. Each EM step is locally the best
# improvement, so nothing moves a component across the empty space between clusters.

# %% tags=["remove-cell"]
# Four means of the worst run sit in the top cluster, centre (2, 8); the best run has one
# mean in each cluster.
nearest = np.argmin(((worst_run.means_[:, None, :] - centres[None]) ** 2).sum(-1), axis=1)
assert np.sum(nearest == 6) == 4
nearest_best = np.argmin(((best_run.means_[:, None] - centres[None]) ** 2).sum(-1), axis=1)
assert sorted(nearest_best) == list(range(7))

# %% [markdown]
# How does a run end up in such a configuration? The animation ({numref}`fig-ch08-replay`)
# replays the worst run iteration by iteration (the same seed, refitted with its history
# recorded): the components that start in the same cluster never find their way out, because
# every EM step only moves them uphill from where they are.
#
# The first iteration starts from a poor guess, so its log-likelihood is far below the
# rest; the curve on the right is therefore drawn from the second iteration on, on a scale
# where the later climb is visible.

# %%
replay = GaussianMixture(**{**worst_run.get_params(), "record_history": True}).fit(X)
assert np.isclose(replay.lower_bound_, worst_run.lower_bound_)
ll_replay = np.asarray(replay.history_.log_likelihood)
print(f"mean log-likelihood: iteration 1 {ll_replay[0]:.4g}, iteration 2 {ll_replay[1]:.4f}, "
      f"last ({len(ll_replay)}) {ll_replay[-1]:.4f}")
assert ll_replay[0] < ll_replay[1] - 100 * (ll_replay[-1] - ll_replay[1])  # far off the scale
assert curve_limits(ll_replay)[0] == 1  # so the animation's axis starts at iteration 2

# %% tags=["nbval-ignore-output"] mystnb={"figure": {"caption": "The worst 'random_from_data' run, replayed: each iteration after its E-step and after its M-step (left), and the mean log-likelihood from the second iteration on (right). Use the buttons or the slider to step through it.", "name": "fig-ch08-replay"}}
HTML(em_animation_html(
    X, replay.history_, max_frames=40, dpi=70, feature_names=("$x_1$", "$x_2$"),
    legend_loc="upper right",
    description=(
        "Animation of EM on the seven-cluster data from the worst random_from_data start. "
        "Several components start inside the top cluster and stay there while the others "
        "stretch over two lower clusters each; the ellipses settle within a few iterations, "
        "and the log-likelihood curve on the right rises and then flattens, never falling."
    ),
))

# %% [markdown]
# ## Why `n_init` helps, in numbers
#
# `n_init` runs EM from `n_init` different starts and keeps the run with the **highest**
# log-likelihood. (Some tutorials say "lowest"; that would keep the worst run. It is the
# *negative* log-likelihood, or the BIC, that one minimizes.)
#
# If a single run reaches the best optimum with probability $p$, and the runs are
# independent, then all $m$ runs miss it with probability $(1-p)^m$, so
#
# $$
# P(\text{best optimum found with } m \text{ restarts}) = 1 - (1-p)^m .
# $$ (eq-ch08-restarts)
#
# We estimate $p$ from the 50 runs above as the fraction that ended within 0.01 nats/sample
# of the best value (runs on the same peak differ slightly because each stops once it
# improves by less than `tol`; different peaks differ by more, as the figure shows).

# %%
hit_tol = 0.01
p_hat = {m: float(np.mean(final[m] > best_overall - hit_tol)) for m in INIT_METHODS}
m_values = np.array([1, 2, 3, 5, 10, 20])
print(f"{'init_params':>17}  p_hat   " + "  ".join(f"m={m:<3d}" for m in m_values))
for method in INIT_METHODS:
    probs = 1 - (1 - p_hat[method]) ** m_values
    print(f"{method:>17}  {p_hat[method]:.2f}   " + "  ".join(f"{q:.3f}" for q in probs))

# %% [markdown]
# {numref}`fig-ch08-restarts` draws equation {eq}`eq-ch08-restarts` for up to 30 restarts.

# %% mystnb={"figure": {"caption": "Probability that the best of m restarts reaches the best optimum, equation (8.2) with the success rate p estimated from the 50 runs of each method; the dotted line marks 99%.", "name": "fig-ch08-restarts"}, "image": {"alt": "Four curves against the number of restarts from 1 to 30. kmeans and k-means++ reach 99% within a few restarts; random_from_data rises slowly and is still just below 99% at 30; random stays at zero."}}
m_grid = np.arange(1, 31)
fig, ax = plt.subplots()
for i, method in enumerate(INIT_METHODS):
    ax.plot(m_grid, 1 - (1 - p_hat[method]) ** m_grid, marker=BOOK_MARKERS[i], markersize=4,
            color=BOOK_COLORS[i], label=f"{method} (p = {p_hat[method]:.2f})")
ax.axhline(0.99, color="0.4", linestyle=":", linewidth=1.2, label="99%")
ax.set_xlabel("number of restarts n_init")
ax.set_ylabel("P(best optimum found)")
ax.set_title("Restarts turn a small chance into near certainty")
ax.set_ylim(-0.03, 1.03)
ax.legend(loc="center right", fontsize=8)
plt.show()

# %% [markdown]
# For `'random_from_data'`, about $\log(0.01)/\log(1-p)$ restarts give a 99% chance (the
# exercise asks you to derive it). For `'random'` no number of restarts helps, because the
# method never leaves the saddle with the default `tol`: restarts help only when the method
# *sometimes* succeeds.
#
# **Check.** Equation {eq}`eq-ch08-restarts` assumes independent runs. Let us test its
# prediction for `'random_from_data'` with `n_init=5`, using fresh seeds (100 to 139), so that
# these runs are not the ones $p$ was estimated from.

# %%
m = 5
hits = []
for seed in range(100, 140):
    g = GaussianMixture(K, init_params="random_from_data", n_init=m, random_state=seed).fit(X)
    hits.append(g.lower_bound_ > best_overall - hit_tol)
predicted = 1 - (1 - p_hat["random_from_data"]) ** m
print(f"n_init={m}: predicted P(best) = {predicted:.3f}, "
      f"observed {np.sum(hits)}/{len(hits)} = {np.mean(hits):.3f}")
# "within sampling error": two standard errors of a fraction from 40 trials
assert abs(np.mean(hits) - predicted) < 2 * np.sqrt(predicted * (1 - predicted) / len(hits))

# %% [markdown]
# The observed fraction is within sampling error of the prediction (with 40 trials the
# standard error of a fraction near 0.5 is about 0.08, and $\hat p$ itself is estimated
# from only 50 runs).
#
# :::{note}
# Restarts cost time in proportion to `n_init`. A better starting method is usually cheaper
# than more restarts: one `'kmeans'` start here is worth more than ten `'random_from_data'`
# starts. Use both for hard problems: `init_params='k-means++'` with `n_init=5` to `10`.
# :::
#
# ## When to stop: `tol` and `max_iter`
#
# EM never reaches the maximum exactly; it approaches it. `GaussianMixture` stops after
# iteration $t$ when the mean log-likelihood per sample improved by less than `tol`,
#
# $$
# \bigl|\,\bar\ell^{(t)} - \bar\ell^{(t-1)}\bigr| < \texttt{tol},
# \qquad \bar\ell = \ell/N,
# $$ (eq-ch08-stop)
#
# or after `max_iter` iterations, whichever comes first, and reports which in `converged_`.
# Because $\bar\ell$ is a *per-sample* average, the same `tol` means the same thing for 300
# points and for 3 million.
#
# The rule has a blind spot: it cannot tell "near the top" from "on a flat stretch". On a
# plateau, such as the symmetric start of `'random'`, the improvement is tiny, so a loose
# `tol` stops there. Old Faithful (standardized) with two components shows it clearly. We fit
# from the same `'random'` start three times, changing only `tol`.

# %%
faithful = load_old_faithful(standardize_columns=True)
rows = []
for tol in (1e-1, 1e-3, 1e-6):
    g = GaussianMixture(2, init_params="random", tol=tol, max_iter=500, random_state=1)
    g.fit(faithful)
    order = np.argsort(g.weights_)
    rows.append((tol, g))
    print(f"tol={tol:<6g} n_iter={g.n_iter_:3d} converged={g.converged_} "
          f"weights={g.weights_[order]}")
    print(f"{'':11s}lower_bound_={g.lower_bound_:.5f}")

# %% tags=["remove-cell"]
(_, g_loose), (_, g_default), (_, g_tight) = rows
for g in (g_loose, g_default):
    assert g.n_iter_ == 2 and g.converged_ and np.allclose(g.weights_, 0.5, atol=0.05)
assert np.allclose(np.sort(g_tight.weights_), [0.356, 0.644], atol=5e-4)
assert round(g_tight.lower_bound_ - g_default.lower_bound_, 2) == 0.59
assert g_tight.n_iter_ == 48

# %% [markdown]
# With `tol=1e-1` and even with the default `1e-3`, EM declares convergence after two
# iterations with weights $\approx 0.5/0.5$ and both means near the centre of the data: a
# useless model that nonetheless says `converged_=True`. With `tol=1e-6` the same start
# escapes the plateau and reaches weights $0.356/0.644$ (short and long eruptions) and a
# mean log-likelihood higher by about $0.59$ nats per sample. The trajectory
# ({numref}`fig-ch08-tol`) explains it:

# %% mystnb={"figure": {"caption": "Mean log-likelihood per sample at each EM iteration on Old Faithful (standardized, two components) from the same 'random' start with three tolerances.", "name": "fig-ch08-tol"}, "image": {"alt": "The tol = 1e-6 curve stays flat near -2.0 for about 30 iterations, then climbs steeply to about -1.42 by iteration 45. The two loose runs are two large markers at the far left, on the flat part, where they stopped after two iterations."}}
fig, ax = plt.subplots()
styles = {1e-1: ("s", 10), 1e-3: ("D", 7), 1e-6: ("o", 3)}
for (tol, g), color in zip(rows[::-1], BOOK_COLORS[2::-1], strict=True):
    steps = np.arange(1, len(g.lower_bounds_) + 1)
    marker, size = styles[tol]
    ax.plot(steps, g.lower_bounds_, marker=marker, markersize=size, color=color,
            markerfacecolor="none" if tol == 1e-1 else color, markeredgewidth=2,
            label=f"tol = {tol:g} (stopped after {g.n_iter_} iterations)")
ax.set_xlabel("EM iteration")
ax.set_ylabel("mean log-likelihood per sample (nats)")
ax.set_title("A flat start fools a loose tolerance (Old Faithful, 'random' init)")
ax.legend(loc="center left")
plt.show()

# %% [markdown]
# The tight-`tol` curve is flat for about 30 iterations while the two components slowly drift
# apart, then climbs steeply to the real optimum. The two loose runs (the large markers at the
# far left) stopped on the flat part after two iterations.
#
# **Check against scikit-learn.** This is not a quirk of our package: scikit-learn's
# `'random'` initialization and stopping rule are the same, and with its default `tol` it too
# stops at once on this start. We compare the number of iterations and the smaller weight.

# %%
for tol in (1e-3, 1e-6):
    sk = SkGaussianMixture(2, init_params="random", tol=tol, max_iter=500, random_state=1)
    sk.fit(faithful)
    print(f"scikit-learn, tol={tol:g}: n_iter_={sk.n_iter_}, smaller weight "
          f"{sk.weights_.min():.3f}, lower_bound_={sk.lower_bound_:.4f}")
    if tol == 1e-3:
        assert sk.n_iter_ <= 2  # stops at once with the default tol, like ours
    else:
        assert sk.n_iter_ == 34 and round(sk.weights_.min(), 3) == 0.356
        assert round(sk.lower_bound_, 4) == round(g_tight.lower_bound_, 4) == -1.4171

# %% [markdown]
# Both libraries reach the same optimum ($-1.4171$ nats/sample, smaller weight $0.356$) and both stop at once with the default `tol`. The iteration counts differ (48 here, 34 in scikit-learn) because the same seed gives different random numbers in the two libraries (numpy's `Generator` here, the legacy `RandomState` there), so the random starts differ slightly and one of them sits on the plateau longer.
#
# So a tighter `tol` is not only "more digits": with a poor start it can change the answer
# completely. With a good start (`'kmeans'`), the default `tol` already lands within about
# $10^{-5}$ nats/sample of the optimum here, and tightening it only polishes the digits:

# %%
for tol in (1e-1, 1e-3, 1e-8):
    g = GaussianMixture(2, init_params="kmeans", tol=tol, max_iter=500, random_state=1)
    g.fit(faithful)
    print(f"kmeans start, tol={tol:<6g} n_iter={g.n_iter_:2d} weights={np.sort(g.weights_)}")
    print(f"{'':13s}lower_bound_={g.lower_bound_:.6f}")
    if tol == 1e-3:
        default_lb = g.lower_bound_
assert 0 <= g.lower_bound_ - default_lb < 3e-5  # default tol: about 1e-5 below tol=1e-8

# %% [markdown]
# ### `max_iter` and the `ConvergenceWarning`
#
# If the rule {eq}`eq-ch08-stop` is still not met after `max_iter` iterations, EM stops
# anyway, `converged_` is `False`, and a `ConvergenceWarning` says so. The parameters are
# still the best the run reached, but they may be far from a maximum. Here `max_iter=5` is
# too few for the tight-`tol` run above, which needed dozens of iterations. We catch the
# warning and print it, as you would in a script that must not be noisy:

# %%
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always", ConvergenceWarning)
    g = GaussianMixture(2, init_params="random", tol=1e-6, max_iter=5, random_state=1)
    g.fit(faithful)
print("converged_ =", g.converged_, " n_iter_ =", g.n_iter_)
print("smaller weight:", round(float(g.weights_.min()), 3))
for w in caught:
    print(f"{w.category.__name__}: {w.message}")

# %% [markdown]
# The remedies the message lists are the ones this chapter taught: more iterations, a
# different tolerance, or better starts. In a loop over many fits (say, when choosing $K$ in
# chapter 10), record `converged_` for each fit rather than silencing the warning
# blindly.
#
# :::{admonition} Practical recipe
# :class: important
#
# - Keep the default `init_params='kmeans'` (or `'k-means++'` for large $N$ or $K$).
# - Use `n_init` of 5 to 10 when $K$ is large or the clusters are uneven; keep the run with
#   the highest log-likelihood (`GaussianMixture` does this for you).
# - Avoid `init_params='random'` unless you also tighten `tol`; check `n_iter_`: a run that
#   "converged" in one or two iterations deserves suspicion.
# - Treat a `ConvergenceWarning` as information: raise `max_iter` and look at
#   `lower_bounds_`.
# :::
#
# ## Exercises
#
# ```{exercise}
# :label: ex-ch08-symmetric
#
# Show that the perfectly symmetric start, $r_{nk}=1/K$ for all $n,k$, is a fixed point of
# EM: after the M-step every component has $\pi_k=1/K$, the sample mean and the sample
# covariance; compute the E-step that follows. Then check it numerically: fit
# `GaussianMixture(3, weights_init=..., means_init=..., precisions_init=...)` on the Old
# Faithful data with all three components equal to the single-Gaussian fit, `tol=0`,
# `max_iter=50`, and look at `means_` afterwards.
# ```
#
# ````{solution} ex-ch08-symmetric
# :class: dropdown
#
# With $r_{nk}=1/K$, equation 5.4 gives $N_k=N/K$, so $\pi_k=1/K$; equations 5.6 and 5.7
# give every component the sample mean $\bar{\mathbf x}$ and the sample covariance $S$.
# In the next E-step every component has the same density at every point, so the
# responsibilities are $\pi_k\mathcal N/\sum_j\pi_j\mathcal N = 1/K$ again: nothing changes,
# ever. Numerically:
#
# ```python
# Xf = load_old_faithful(standardize_columns=True)
# mean, cov = Xf.mean(axis=0), np.cov(Xf.T, bias=True)
# prec = np.linalg.inv(cov)
# g = GaussianMixture(3, weights_init=np.full(3, 1 / 3), means_init=np.tile(mean, (3, 1)),
#                     precisions_init=np.tile(prec, (3, 1, 1)), tol=0, max_iter=50)
# with warnings.catch_warnings():
#     warnings.simplefilter("ignore", ConvergenceWarning)
#     g.fit(Xf)
# print(g.means_)   # three identical rows: the symmetric point never breaks
# ```
#
# The `'random'` start is a small perturbation of this fixed point, which is why EM leaves it
# so slowly.
# ````
#
# ```{exercise}
# :label: ex-ch08-restarts
#
# (a) From {eq}`eq-ch08-restarts`, derive the smallest number of restarts $m$ that reaches a
# success probability of at least $1-\delta$. (b) Evaluate it for $\delta=0.01$ and each
# $\hat p$ above. (c) Estimate the uncertainty of $\hat p$ for `'random_from_data'` (50
# Bernoulli trials) and say how it propagates to $m$.
# ```
#
# ```{solution} ex-ch08-restarts
# :class: dropdown
#
# (a) $1-(1-p)^m\ge 1-\delta \iff m \ge \log\delta/\log(1-p)$, so
# $m=\lceil \log\delta/\log(1-p)\rceil$ (for $0<p<1$). (b) In code:
# `np.ceil(np.log(0.01) / np.log(1 - p_hat[method]))`. For `'kmeans'` one or two runs
# suffice; for `'random_from_data'` a few dozen; for `'random'` ($\hat p=0$) no finite $m$.
# (c) The standard error is $\sqrt{\hat p(1-\hat p)/50}$, about $0.05$ for $\hat p$ near
# $0.15$. Since $m\approx \log(1/\delta)/p$ for small $p$, a relative error of a third in
# $\hat p$ is a relative error of a third in $m$: the order of magnitude is reliable, the
# exact number is not.
# ```
#
# ```{exercise}
# :label: ex-ch08-separation
#
# Re-create the seven-cluster data with the cluster standard deviation 0.8 replaced by 0.4
# (better separated) and by 1.4 (strongly overlapping). Repeat the 50-run experiment for
# `'random_from_data'` and `'k-means++'`. How do $\hat p$ and the spread of final values
# change, and why?
# ```
#
# ```{solution} ex-ch08-separation
# :class: dropdown
#
# With the 50-run experiment (best value of each data set as the reference, hits within 0.01):
#
# | cluster sd | method | $\hat p$ | worst run below best (nats/sample) |
# |---|---|---|---|
# | 0.4 | `random_from_data` | 0.26 | 0.87 |
# | 0.4 | `k-means++` | 1.00 | 0.00 |
# | 0.8 | `random_from_data` | 0.12 | 0.29 |
# | 0.8 | `k-means++` | 0.74 | 0.14 |
# | 1.4 | `random_from_data` | 0.12 | 0.05 |
# | 1.4 | `k-means++` | 0.22 | 0.04 |
#
# With **tight, well-separated** clusters the local optima are *deep* (an empty valley lies
# between clusters, so EM cannot move a component across it, and a wrong assignment costs a
# lot of likelihood), but k-means++ avoids them entirely: the $D^2$ rule almost surely puts
# one seed in each cluster when clusters are far apart compared with their width. Blind seeds
# still collide. With **strongly overlapping** clusters the landscape has many shallow peaks
# of nearly equal height: few runs hit the very best one, but the worst is only about 0.05
# nats/sample below it, and the fitted densities are all similar. Local optima matter most
# in between, and most of all for blind starts.
# ```
#
# ## Summary
#
# - The mixture log-likelihood {eq}`eq-ch08-loglik` has many maxima: harmless relabelled
#   copies and genuinely worse local optima, where components share a cluster or straddle
#   two. EM climbs the peak it starts on.
# - `init_params` chooses the initial responsibilities: `'kmeans'` (default) and
#   `'k-means++'` start near good solutions; `'random_from_data'` is blind; `'random'`
#   starts at a near-symmetric plateau and, with the default `tol`, stops there.
# - Restarts help when a method *sometimes* succeeds: with success probability $p$ per run,
#   `n_init` $=m$ runs find the best optimum with probability $1-(1-p)^m$
#   {eq}`eq-ch08-restarts`; keep the run with the **highest** log-likelihood.
# - The stopping rule {eq}`eq-ch08-stop` watches the per-sample improvement. A loose `tol`
#   can stop on a plateau with a wrong answer that claims `converged_=True`; a small
#   `max_iter` leaves `converged_=False` and a `ConvergenceWarning`.
