# %% [markdown]
# # Degeneracies, regularization and label switching
#
# :::{admonition} Learning goals
# :class: tip
#
# After this chapter you will be able to
#
# - explain why the likelihood of a Gaussian mixture has no maximum: a component that sits on one
#   data point and shrinks its variance sends the likelihood to infinity ({eq}`eq-ch11-spike`);
# - recognise the collapse when EM runs into it, read the package's `DegenerateCovarianceError`,
#   and cure it with `reg_covar`, knowing the bias that the cure adds to every variance;
# - see how a handful of outliers pull a mean and inflate a covariance, and how one extra
#   component can be given the job of catching them;
# - explain *label switching* — why the same data give clusters numbered differently from one run
#   to the next — and undo it with `align_components`, `permute_mixture` and `align_labels`.
# :::
#
# Maximum likelihood served us well for a single Gaussian (chapter 1): the likelihood had one
# peak, and the peak was the sample mean and variance. A mixture is less polite. Its likelihood
# surface has *spikes* of infinite height, it listens very closely to points that are far from
# everything else, and every peak it has comes in $K!$ identical copies. None of this is a bug in
# EM; all three are properties of the model. This chapter looks at each in turn, with a picture,
# a little algebra, and the tools the package offers.

# %%
import textwrap
from itertools import permutations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import stats
from sklearn.datasets import load_iris

from gmm_from_scratch import (
    DegenerateCovarianceError,
    GaussianMixture,
    align_components,
    align_labels,
    e_step,
    estimate_log_gaussian_prob,
    log_likelihood_1d,
    logsumexp,
    permute_mixture,
)
from gmm_from_scratch.plotting import (
    component_colors,
    covariance_ellipse,
    plot_mixture,
    use_book_style,
)

use_book_style()
np.set_printoptions(precision=4, suppress=True)
pd.set_option("display.precision", 4)

# %% [markdown]
# ## The singularity: a component that swallows one point
#
# Take a 1-D data set $x_1, \dots, x_N$ and a two-component mixture. Let the first component be
# an ordinary broad Gaussian that covers all the data. Put the mean of the second component
# exactly on one data point, $\mu_2 = x_m$, and let its standard deviation $\sigma_2$ shrink.
# What happens to the log-likelihood?
#
# Every term $\log p(x_n)$ is the log of a sum of non-negative terms, so it is at least the log
# of any one of them. For the points $n \neq m$ keep the first component's term; for $x_m$ keep
# the second's, whose exponent is zero because $x_m - \mu_2 = 0$:
#
# $$
# \ell(\theta) \;\ge\; \sum_{n \neq m} \log\bigl(\pi_1\,\mathcal N(x_n \mid \mu_1, \sigma_1^2)\bigr)
# \;+\; \log \pi_2 - \tfrac12 \log(2\pi) - \log \sigma_2 .
# $$ (eq-ch11-spike)
#
# Nothing on the right depends on $\sigma_2$ except $-\log\sigma_2$, which grows without bound as
# $\sigma_2 \to 0$. So the likelihood of a mixture **has no maximum**: it is *unbounded*. Near
# every data point, for every component, there are parameters (a mean on the point, a variance
# shrinking to zero) along which it grows without limit, although it is finite wherever every
# variance is positive. The same
# happens in $d$ dimensions, and more easily: the density of a component at its own mean is
#
# $$
# \log \mathcal N(\mu_k \mid \mu_k, \Sigma_k) = -\tfrac d2 \log(2\pi) - \tfrac12 \log\det\Sigma_k ,
# $$ (eq-ch11-logdet)
#
# which is infinite as soon as $\Sigma_k$ is singular. A component does not need to sit on a
# single point for that: it is enough that all the points it owns lie on a line (in 2-D), on a
# plane (in 3-D), or are copies of one another — at most $d$ distinct points always lie in such a
# flat subset.
#
# Why does a *single* Gaussian not suffer from this? Because a single Gaussian has to explain all
# the points at once: when $\sigma \to 0$ around $x_m$, every other point gets density
# $\propto e^{-(x_n - x_m)^2/2\sigma^2}/\sigma$, which goes to zero much faster than $1/\sigma$
# grows. In a mixture, the other components look after the other points, and the collapsing
# component pays nothing for abandoning them. This is Bishop's figure 9.7 {cite}`bishop2006`;
# let us draw it.

# %%
rng = np.random.default_rng(0)
x = np.sort(rng.normal(0.0, 1.0, 25))
X1 = x[:, None]                      # the package works with (n_samples, n_features) arrays
mu1, s1 = x.mean(), x.std()          # the broad component: the MLE of one Gaussian (eqs. 1.3, 1.4)
m = 12                               # index of the data point the spike sits on
weights = np.array([0.5, 0.5])


def mixture_log_likelihood(mu2, sigma2, points=X1):
    """Total log-likelihood of the two-component 1-D mixture, via the package's E-step."""
    means = np.array([[mu1], [mu2]])
    precisions_cholesky = np.array([1.0 / s1, 1.0 / sigma2])   # 1/sigma for 'spherical'
    log_p, _ = e_step(points, weights, means, precisions_cholesky, "spherical")
    return log_p.sum()


sigmas = np.logspace(-8, 1, 181)
ll_on_point = np.array([mixture_log_likelihood(x[m], s) for s in sigmas])
ll_between = np.array([mixture_log_likelihood(0.5 * (x[m] + x[m + 1]), s) for s in sigmas])
ll_single = np.array([log_likelihood_1d(x, x[m], s) for s in sigmas])

print(f"mu_2 on x_m:          ell = {ll_on_point[-1]:8.3f} at sigma_2 = 10,  "
      f"{ll_on_point[0]:8.3f} at sigma_2 = 1e-8")
print(f"mu_2 between points:  ell = {ll_between[-1]:8.3f} at sigma_2 = 10,  "
      f"{ll_between[0]:8.3f} at sigma_2 = 1e-8")
slope = np.polyfit(np.log(sigmas[:40]), ll_on_point[:40], 1)[0]
print(f"slope d ell / d log sigma_2 for small sigma_2: {slope:.5f}  (eq. 11.1 predicts -1)")

# %% [markdown]
# The check below recomputes one value of the curve independently, with `scipy.stats.norm`
# instead of the package's E-step, and evaluates the right-hand side of {eq}`eq-ch11-spike` to
# confirm that it is indeed a lower bound that differs from $\ell$ by a constant.

# %%
# Check: the package's log-likelihood against scipy, and the bound of eq. 11.1.
s_check = 1e-3
ll_scipy = np.sum(np.log(0.5 * stats.norm.pdf(x, mu1, s1) + 0.5 * stats.norm.pdf(x, x[m], s_check)))
ll_package = mixture_log_likelihood(x[m], s_check)
others = np.delete(x, m)
bound = (np.sum(np.log(0.5 * stats.norm.pdf(others, mu1, s1)))
         + np.log(0.5) - 0.5 * np.log(2 * np.pi) - np.log(s_check))
print(f"package {ll_package:.10f}   scipy {ll_scipy:.10f}   bound {bound:.6f}")
assert np.isclose(ll_package, ll_scipy, rtol=1e-12)
assert bound <= ll_package

# %% [markdown]
# The left panel of {numref}`fig-ch11-spike` shows the mixture with a narrow spike on $x_m$;
# the right panel shows the log-likelihood as the spike narrows. On a data point, once the
# spike is narrower than the gaps to the neighbouring points, it climbs with slope $-1$ in
# $\log\sigma_2$ and never stops; between two data points it levels off (the spike then
# explains no point at all, and only costs half the weight of the broad component); a single
# Gaussian collapsing on $x_m$ falls to $-\infty$.

# %% mystnb={"figure": {"caption": "Left: the density of the two-component mixture with a spike of width 0.02 on the data point x_m, over the 25 data points (ticks). Right: the log-likelihood as the spike's width sigma_2 shrinks (right is narrower), with the spike on a data point, between two points, and for a single Gaussian on the point.", "name": "fig-ch11-spike"}, "image": {"alt": "Left: a flat broad density with one tall narrow peak at a data point. Right: all three curves peak near sigma_2 = 1; as sigma_2 shrinks further the curve with the spike on a point dips and then rises without end in a straight line, the curve between points levels off, and the single Gaussian falls off the bottom."}}
grid = np.linspace(-3.2, 3.2, 2001)
log_density, _ = e_step(grid[:, None], weights, np.array([[mu1], [x[m]]]),
                        np.array([1.0 / s1, 1.0 / 0.02]), "spherical")
colors = component_colors(3)

fig, axes = plt.subplots(1, 2, figsize=(9.6, 4.0))
ax = axes[0]
ax.plot(grid, np.exp(log_density), color=colors[0], label=r"mixture, $\sigma_2 = 0.02$")
ax.plot(x, np.zeros_like(x), "|", color="k", markersize=14, label="data")
ax.annotate(r"$\mu_2 = x_m$", xy=(x[m], 3.0), xytext=(x[m] + 0.8, 5.0),
            arrowprops={"arrowstyle": "->"})
ax.set(title="A component collapsing onto one point", xlabel="x", ylabel="density p(x)",
       ylim=(-0.5, 11.0))
ax.legend(loc="upper left")

ax = axes[1]
ax.semilogx(sigmas, ll_on_point, color=colors[0], label=r"mixture, $\mu_2$ on a data point")
ax.semilogx(sigmas, ll_between, color=colors[1], linestyle="-.",
            label=r"mixture, $\mu_2$ between points")
ax.semilogx(sigmas, ll_single, color=colors[2], linestyle="--", label="one Gaussian on the point")
ax.set(title="Log-likelihood as the spike narrows", xlabel=r"$\sigma_2$ (log scale)",
       ylabel=r"log-likelihood $\ell$", ylim=(-90, 0))
ax.invert_xaxis()
ax.legend(loc="lower right")  # the empty corner: small sigma_2, low ell
plt.show()

# %% [markdown]
# ## EM walks into the spike
#
# EM increases the likelihood at every step (chapter 6). Here that guarantee is the problem: if
# a spike is uphill from where EM starts, EM will climb it. Below, the second component starts
# with a moderate width ($\sigma_2 = 0.3$) on the most isolated point of a 1-D sample. We allow a
# tiny `reg_covar` of $10^{-12}$ so that the fit can finish and we can look at its history.

# %%
rng = np.random.default_rng(0)
x_iso = rng.normal(0.0, 1.0, 30)
gaps = np.sort(np.abs(x_iso[:, None] - x_iso[None, :]), axis=1)[:, 1]   # nearest-neighbour gap
j = int(np.argmax(gaps))
collapse = GaussianMixture(
    2, reg_covar=1e-12, weights_init=[0.9, 0.1], means_init=[[0.0], [x_iso[j]]],
    precisions_init=np.array([[[1.0]], [[1.0 / 0.3**2]]]), record_history=True, tol=1e-9,
).fit(x_iso[:, None])
h = collapse.history_
print(f"isolated point x_j = {x_iso[j]:.4f}; nearest other point {gaps[j]:.4f} away")
print(" iter   sigma_2^2       pi_2     log-likelihood")
for t, ll in enumerate(h.log_likelihood):
    var2, pi2 = h.covariances[t][1, 0, 0], h.weights[t][1]
    print(f"{t:5d}   {var2:.4e}   {pi2:.5f}   {ll * len(x_iso):10.4f}")
print(f"final: sigma_2^2 = {collapse.covariances_[1, 0, 0]:.4e}, pi_2 = {collapse.weights_[1]:.5f}"
      f" = 1/{1 / collapse.weights_[1]:.1f}")

# %% [markdown]
# In two iterations the second component has shrunk onto the single point $x_j$: its weight is
# $1/30$ (one point of thirty), its variance is the floor $10^{-12}$, and the log-likelihood has
# jumped by 16 nats, most of it the $-\log\sigma_2 = 13.8$ that {eq}`eq-ch11-spike` predicts. EM
# "converged", and the result is useless: a model that claims a point is certain to occur and
# that the data contain a second population of size one.
#
# With `reg_covar=0` there is no floor at all. The simplest way to trigger the collapse is data
# with exact duplicates — a sensor stuck at one reading, a default value filled into a form, a
# row copied eight times. k-means initialization gives the duplicates their own cluster, whose
# covariance is exactly zero, and the Cholesky factorization that every log-density needs
# (chapter 7) fails. The package stops with a `DegenerateCovarianceError` that says what
# happened and what to do:

# %%
rng = np.random.default_rng(0)
X_dup = np.vstack([
    rng.normal([0.0, 0.0], 1.0, (150, 2)),
    rng.normal([6.0, 0.0], 1.0, (150, 2)),
    np.tile([[3.0, 6.0]], (8, 1)),          # the same reading, eight times
])
try:
    GaussianMixture(3, reg_covar=0.0, random_state=0).fit(X_dup)
except DegenerateCovarianceError as err:
    print(f"{type(err).__name__}:")
    print(textwrap.fill(str(err), width=88))
print("\nIs it a ValueError too?", issubclass(DegenerateCovarianceError, ValueError))

# %% [markdown]
# ## The remedy: `reg_covar`, and its price
#
# Chapter 7 introduced the cure as eq. (7.4): after every M-step, add a small constant
# $\varepsilon$ (`reg_covar`) to the diagonal of each covariance,
# $\Sigma_k \leftarrow \Sigma_k^{\text{MLE}} + \varepsilon I$. No variance can then fall below
# $\varepsilon$, the log-determinant stays above $d\log\varepsilon$, and the spike of
# {eq}`eq-ch11-spike` is capped at a finite height. One way to picture it: the M-step now behaves
# as if each data point were blurred by a tiny Gaussian of covariance $\varepsilon I$, because
# adding independent noise to a variable adds the noise's covariance to its own.
#
# With the default $\varepsilon = 10^{-6}$ the duplicated data fit without complaint, and the
# covariance of the component that owns the duplicates is the floor itself:

# %%
fit_dup = GaussianMixture(3, reg_covar=1e-6, random_state=0).fit(X_dup)
k_dup = int(np.argmin(fit_dup.weights_))
print("weights:", np.round(fit_dup.weights_, 4), f"(8/308 = {8 / 308:.4f})")
print("covariance of the duplicates' component, in units of 1e-6:\n",
      np.round(fit_dup.covariances_[k_dup] / 1e-6, 6) + 0.0)   # + 0.0 turns -0.0 into 0.0
# Check: eight identical points have zero scatter, so the covariance must be exactly eps * I.
assert np.allclose(fit_dup.covariances_[k_dup], 1e-6 * np.eye(2), rtol=0, atol=1e-15)

# %% [markdown]
# k-means put a component on the duplicates at once, so that fit shows only the end state. To
# watch the collapse happen, start EM by hand: two components on the two clusters, and a third,
# broad one ($\Sigma_3 = 4I$, weight 0.1) at $(3, 3)$, halfway between the clusters and the
# duplicates.

# %%
replay = GaussianMixture(
    3, reg_covar=1e-6, record_history=True,
    weights_init=np.array([0.45, 0.45, 0.1]),
    means_init=np.array([[0.0, 0.0], [6.0, 0.0], [3.0, 3.0]]),
    precisions_init=np.stack([np.eye(2), np.eye(2), np.eye(2) / 4.0]),
).fit(X_dup)
h = replay.history_
for t in range(len(h.means)):
    print(f"after {t:2d} M-steps: component 3 at {np.round(h.means[t][2], 2)}, "
          f"det Sigma_3 = {np.linalg.det(h.full_covariances(t)[2]):.2e}")
det_path = [np.linalg.det(h.full_covariances(t)[2]) for t in range(len(h.means))]
assert np.allclose(replay.means_[2], [3.0, 6.0]) and replay.n_iter_ <= 12
assert np.all(np.diff(det_path[1:8]) < 0) and det_path[1] > 20 and det_path[5] > 1e-2
assert abs(det_path[-1] - 1e-12) < 1e-15  # eps squared

# %% [markdown]
# The third component climbs from $(3, 3)$ to the duplicates at $(3, 6)$ in about six
# iterations while its determinant, after a first step up to 21, falls to
# $10^{-12} = \varepsilon^2$: its ellipse
# shrinks to a dot, held at the floor $\varepsilon = 10^{-6}$ in each direction instead of
# vanishing. Without the floor the next M-step would divide by a zero determinant. The
# animation ({numref}`fig-ch11-collapse`) replays the run, each iteration after its E-step and
# after its M-step.

# %% tags=["nbval-ignore-output"] mystnb={"figure": {"caption": "EM walking into the spike: the run above replayed, each iteration after its E-step and after its M-step (left), with its log-likelihood (right). Use the buttons or the slider to step through it.", "name": "fig-ch11-collapse"}}
from IPython.display import HTML

from gmm_from_scratch.animation import em_animation_html

HTML(em_animation_html(
    X_dup, replay.history_, max_frames=40, dpi=70, feature_names=("$x_1$", "$x_2$"),
    description=(
        "Animation of EM on two clusters plus eight identical readings at (3, 6). The third "
        "component starts as a wide circle at (3, 3), climbs to the duplicated readings in "
        "about six iterations and its ellipse shrinks to a dot there, while the log-likelihood "
        "on the right keeps rising."
    ),
))

# %% [markdown]
# The floor is not free. For a component that owns its points outright, the fitted variance is
# the sample variance of those points **plus** $\varepsilon$: a bias of exactly $\varepsilon$.
# For a broad cluster that bias is invisible; for a genuinely tight cluster it can swamp the
# truth. The next experiment fits a 1-D mixture of a broad cluster ($\sigma = 1$, 300 points)
# and a tiny one ($\sigma = 0.01$, 12 points) for $\varepsilon$ from $10^{-9}$ to $1$.

# %%
rng = np.random.default_rng(1)
tiny = rng.normal(6.0, 0.01, 12)
X_tiny = np.concatenate([rng.normal(0.0, 1.0, 300), tiny])[:, None]
s2_tiny = np.var(tiny)                               # MLE variance of the tiny cluster (eq. 1.4)
regs = np.logspace(-9, 0, 10)
fitted_var = []
for eps in regs:
    g = GaussianMixture(2, reg_covar=eps, random_state=0).fit(X_tiny)
    fitted_var.append(g.covariances_[np.argmin(g.weights_), 0, 0])
fitted_var = np.array(fitted_var)
print(f"sample variance of the tiny cluster: {s2_tiny:.4e}")
print("   reg_covar    fitted var   fitted - reg_covar")
for eps, v in zip(regs, fitted_var, strict=True):
    print(f"  {eps:.1e}    {v:.4e}    {v - eps:.4e}")
# Check: while the tiny component owns exactly its 12 points, fitted = sample variance + eps.
assert np.allclose(fitted_var[:-1], s2_tiny + regs[:-1], rtol=1e-6)

# %% [markdown]
# {numref}`fig-ch11-reg-bias` plots the table.

# %% mystnb={"figure": {"caption": "Fitted variance of the tiny component against reg_covar (both axes logarithmic), with the sample variance plus epsilon, the sample variance alone and epsilon itself for comparison.", "name": "fig-ch11-reg-bias"}, "image": {"alt": "The fitted variances (dots) lie on the horizontal line of the sample variance, about 3.4e-5, while epsilon is small, then follow the diagonal line of epsilon once it exceeds the sample variance."}}
fig, ax = plt.subplots(figsize=(6.4, 4.4))
ax.loglog(regs, fitted_var, "o", color=colors[0], label="fitted variance of the tiny component")
ax.loglog(regs, s2_tiny + regs, color=colors[0], alpha=0.5,
          label=r"sample variance $+\ \varepsilon$")
ax.axhline(s2_tiny, color=colors[1], linestyle="--", label="sample variance (the MLE)")
ax.loglog(regs, regs, color=colors[2], linestyle=":", label=r"$\varepsilon$ itself")
ax.set(title="The bias that reg_covar adds", xlabel=r"reg_covar $\varepsilon$ (data units$^2$)",
       ylabel=r"fitted variance (data units$^2$)")
ax.legend()
plt.show()

# %% [markdown]
#
# %% tags=["remove-cell"]
assert round(s2_tiny, 6) == 3.4e-5  # "3.4e-5 here"
assert fitted_var[-1] > 1 - 1e-9 and not np.isclose(fitted_var[-1], s2_tiny + regs[-1], rtol=1e-6)

# %% [markdown]
# For $\varepsilon$ well below the true variance ($3.4\times10^{-5}$ here) the fit is unharmed;
# once $\varepsilon$ passes it, the fitted variance is simply $\varepsilon$, and at
# $\varepsilon = 1$ the "tiny" component is as wide as the broad one and begins to take points
# from it (the last row, where the identity no longer holds). Three practical rules follow:
#
# 1. $\varepsilon$ is in **squared data units**. The default $10^{-6}$ is tiny for standardized
#    data and enormous for data measured in kilometres when the structure is in millimetres.
#    Standardize first (chapter 9), or choose $\varepsilon$ relative to the variances you expect.
# 2. Keep $\varepsilon$ well below the smallest variance you believe is real.
# 3. When in doubt, choose it like any other regularization strength: by the log-likelihood on
#    held-out data (chapter 12 does this for handwritten digits).

# %% [markdown]
# ## Outliers and their pull
#
# A Gaussian's tails are light: a point ten standard deviations away has density $e^{-50}$
# times that of the mean. The mixture must still explain every point, so a far point is
# assigned — with responsibility close to one — to whichever component makes it least
# improbable, and that component's mean moves towards it and its covariance stretches to cover
# it. The covariance update (eq. 5.7) weighs each point by its *squared* distance, so a few far
# points can dominate it.
#
# Below, two well-separated clusters (200 points each) are contaminated by ten points far away.
# We compare a two-component fit of the clean data, a two-component fit of the contaminated data,
# and a **three**-component fit of the contaminated data, whose extra component has the sole job
# of catching the outliers.

# %%
rng = np.random.default_rng(0)
cluster_a = rng.normal([0.0, 0.0], [1.0, 0.5], (200, 2))
cluster_b = rng.normal([5.0, 3.0], [0.6, 1.0], (200, 2))
outliers = rng.normal([14.0, -6.0], 0.7, (10, 2))
X_clean = np.vstack([cluster_a, cluster_b])
X_out = np.vstack([X_clean, outliers])


def sorted_fit(gmm):
    """Renumber components by the x-coordinate of their means, so that the tables line up."""
    return permute_mixture(gmm, np.argsort(gmm.means_[:, 0]))


clean = sorted_fit(GaussianMixture(2, random_state=0).fit(X_clean))
pulled = sorted_fit(GaussianMixture(2, random_state=0).fit(X_out))
caught = sorted_fit(GaussianMixture(3, random_state=0).fit(X_out))
rows = []
for name, g in [("clean data, K=2", clean), ("with outliers, K=2", pulled),
                ("with outliers, K=3", caught)]:
    for k in range(g.n_components):
        rows.append({"fit": name, "component": k, "weight": g.weights_[k],
                     "mean x": g.means_[k, 0], "mean y": g.means_[k, 1],
                     "det covariance": np.linalg.det(g.covariances_[k])})
pd.DataFrame(rows).set_index(["fit", "component"]).round(3)

# %% [markdown]
# With $K=2$, the ten outliers (2.4% of the data) are absorbed by the nearer cluster: its mean
# moves by about 0.6 and the determinant of its covariance — proportional to the squared area
# of its ellipse (the one-standard-deviation ellipse has area $\pi\sqrt{\det\Sigma}$) — grows from 0.37 to 5.1, fourteen times. The other cluster is untouched. With $K=3$,
# the third component takes the outliers (weight $10/410 = 0.024$) and the two real clusters
# recover their clean-data parameters:

# %%
# Check: with a component to catch them, the outliers no longer move the real clusters.
change_mean = np.abs(caught.means_[:2] - clean.means_).max()
change_cov = np.abs(caught.covariances_[:2] - clean.covariances_).max()
print("largest change in a mean:      ", change_mean.round(4))
print("largest change in a covariance:", change_cov.round(4))
print("outlier component's weight:    ", round(float(caught.weights_[2]), 4), "=",
      round(10 / 410, 4))
assert np.isclose(caught.weights_[2], 10 / 410, atol=1e-4) and change_mean < 0.01
# the claims of the paragraph above: cluster b absorbs the outliers, cluster a is untouched
moved = np.linalg.norm(pulled.means_[1] - clean.means_[1])
det_clean, det_pulled = (np.linalg.det(g.covariances_[1]) for g in (clean, pulled))
assert round(moved, 1) == 0.6 and round(det_clean, 2) == 0.37 and round(det_pulled, 1) == 5.1
assert round(det_pulled / det_clean) == 14
assert np.abs(pulled.means_[0] - clean.means_[0]).max() < 0.01

# %% [markdown]
# {numref}`fig-ch11-outliers` draws both fits of the contaminated data.

# %% mystnb={"figure": {"caption": "Two clusters and a clump of ten outliers, fitted with K = 2 (left) and K = 3 (right): points coloured by their responsibilities, each component's 1- and 2-sigma ellipses, and the fit to the clean data as dashed black 2-sigma ellipses.", "name": "fig-ch11-outliers"}, "image": {"alt": "Left: the upper cluster's ellipses are stretched diagonally towards the outliers at the bottom right, far beyond the dashed clean fit; the lower-left cluster matches its dashed ellipse. Right: a third small component sits on the outliers, and both real clusters' ellipses coincide with the dashed clean fit."}}
fig, axes = plt.subplots(1, 2, figsize=(9.6, 4.2), sharex=True, sharey=True)
for ax, g, title in [(axes[0], pulled, "K = 2: the outliers stretch a cluster"),
                     (axes[1], caught, "K = 3: a component catches them")]:
    plot_mixture(ax, X_out, g.means_, g.covariances_, weights=g.weights_,
                 responsibilities=g.predict_proba(X_out))
    for k in range(2):
        ax.add_patch(covariance_ellipse(clean.means_[k], clean.covariances_[k], 2.0,
                                        edgecolor="k", linestyle="--", linewidth=1,
                                        label="clean fit (2σ)" if k == 0 else None))
    ax.set(title=title, xlabel="$x_1$", ylabel="$x_2$")
    ax.set_aspect("equal")
axes[0].legend(loc="upper right", fontsize=7)
axes[1].legend(loc="upper right", fontsize=7)
plt.show()

# %% [markdown]
# Catching outliers with an extra Gaussian works when they form a clump, as here. Scattered
# outliers are better caught by a component that is deliberately broad (a wide Gaussian, or a
# uniform "background" density over the data's range), and the most thorough fix replaces the
# Gaussians by Student-$t$ components, whose heavy tails let a far point be improbable without
# moving anything {cite}`murphy2022`. Whatever the cure, look at the weights: a component with
# weight close to $1/N$ or $m/N$ for small $m$ is either a spike (previous section) or a clump of
# outliers, and deserves a look at the points it owns.

# %% [markdown]
# ## Label switching
#
# ### The likelihood does not care about names
#
# A mixture is a *set* of components; the numbers $1, \dots, K$ are names we attach to them for
# bookkeeping. Renumbering the components with any permutation $\tau$ of $\{1, \dots, K\}$ leaves
# the density unchanged, because addition does not care about order:
#
# $$
# p(x \mid \theta) = \sum_{k=1}^K \pi_k \,\mathcal N(x \mid \mu_k, \Sigma_k)
# = \sum_{k=1}^K \pi_{\tau(k)} \,\mathcal N(x \mid \mu_{\tau(k)}, \Sigma_{\tau(k)}) .
# $$ (eq-ch11-permutation)
#
# So every maximum of the likelihood comes in $K!$ copies that differ only in the numbering —
# 2 for two components, 6 for three, 3,628,800 for ten. For a 1-D mixture of two components with
# equal weights and unit variances we can draw the log-likelihood as a function of the two means
# ({numref}`fig-ch11-label-switching`):

# %%
rng = np.random.default_rng(0)
y = np.concatenate([rng.normal(-2.0, 1.0, 100), rng.normal(2.0, 1.0, 100)])[:, None]
mu_grid = np.linspace(-4.0, 4.0, 161)
# log N(y_n | mu, 1) for every point and every grid value of mu, in one call: shape (200, 161)
log_dens = estimate_log_gaussian_prob(y, mu_grid[:, None], np.ones(mu_grid.size), "spherical")
pairs = np.stack(np.broadcast_arrays(log_dens[:, :, None], log_dens[:, None, :]), axis=-1)
# surface[i, j] is the log-likelihood at mu_1 = mu_grid[i], mu_2 = mu_grid[j]
surface = (np.log(0.5) + logsumexp(pairs, axis=-1)).sum(axis=0)

# Check: swapping the two means is the transpose of the surface, and changes nothing (eq. 11.3).
print("max |surface - surface.T| =", np.abs(surface - surface.T).max())
upper = np.where(np.triu(np.ones_like(surface, dtype=bool), 1), surface, -np.inf)
i, j = np.unravel_index(np.argmax(upper), surface.shape)
print(f"maximum with mu_1 < mu_2: mu = ({mu_grid[i]:.2f}, {mu_grid[j]:.2f}), "
      f"ell = {surface[i, j]:.4f}")
print(f"its mirror image:         mu = ({mu_grid[j]:.2f}, {mu_grid[i]:.2f}), "
      f"ell = {surface[j, i]:.4f}")
diag_best = int(np.argmax(np.diag(surface)))
print(f"best point on the diagonal mu_1 = mu_2 = {mu_grid[diag_best]:.2f}: ell = "
      f"{surface[diag_best, diag_best]:.4f}")

# %% mystnb={"figure": {"caption": "Contours of the log-likelihood of a two-component 1-D mixture (equal weights, unit variances) over its two means, labelled by their distance below the maximum; the maximum, its mirror image and the diagonal where the two means are equal.", "name": "fig-ch11-label-switching"}, "image": {"alt": "Contour plot symmetric about the dashed diagonal, with two equal peaks: one near mu_1 = -2, mu_2 = 2 marked with an X and its mirror near mu_1 = 2, mu_2 = -2 marked with a plus; the diagonal runs through the valley between them."}}
fig, ax = plt.subplots(figsize=(5.6, 5.0))
levels = surface.max() - np.array([400, 200, 100, 50, 25, 12, 6, 3, 1])
cs = ax.contour(mu_grid, mu_grid, surface.T, levels=levels, cmap="viridis")
ax.clabel(cs, fmt=lambda v: f"{v - surface.max():.0f}", fontsize=7)
ax.plot(mu_grid[i], mu_grid[j], "X", color=colors[1], markersize=12, markeredgecolor="k",
        label=r"maximum, $\mu_1 < \mu_2$")
ax.plot(mu_grid[j], mu_grid[i], "P", color=colors[2], markersize=12, markeredgecolor="k",
        label=r"its mirror, $\mu_1 > \mu_2$")
ax.plot(mu_grid, mu_grid, "--", color="0.4", linewidth=1, label=r"$\mu_1 = \mu_2$")
ax.set(title="Log-likelihood over the two means\n(contours: ℓ minus its maximum)",
       xlabel=r"$\mu_1$", ylabel=r"$\mu_2$")
ax.set_aspect("equal")
ax.legend(loc="upper right")
plt.show()

# %% [markdown]
# The two peaks are mirror images across the diagonal $\mu_1 = \mu_2$ and have exactly the same
# height; on the diagonal the two components are identical and the model is a single Gaussian,
# which is why the diagonal is a valley between them. EM started from different places climbs one
# peak or the other, and there is nothing in the data to prefer either.
#
# ### "My cluster labels change every time I run it"
#
# One reader of the tutorials this book grew out of fitted a three-cluster mixture to
# four-dimensional data, and found that the clusters were numbered 1, 2, 3 in one run and 2, 1, 3
# in the next. They asked which label belongs to which cluster, and whether the labels can be
# fixed. The Iris measurements {cite}`pedregosa2011` have exactly that shape (150 flowers, four
# measurements, three species), so let us reproduce the experience with six seeds:

# %%
X_iris, species = load_iris(return_X_y=True)
fits = [GaussianMixture(3, random_state=seed).fit(X_iris) for seed in range(6)]
pd.DataFrame({
    "seed": range(6),
    "mean log-likelihood": [g.score(X_iris) for g in fits],
    "label of flower 0": [g.predict(X_iris[:1])[0] for g in fits],
    "label of flower 50": [g.predict(X_iris[50:51])[0] for g in fits],
    "label of flower 100": [g.predict(X_iris[100:101])[0] for g in fits],
    "petal-length means": [str(np.round(g.means_[:, 2], 2)) for g in fits],
}).set_index("seed").round(4)

# %% [markdown]
# All six runs reach the same log-likelihood and the same three components (petal lengths 1.46,
# 4.21 and 5.48 cm); only the numbering differs. Two runs agree on *which flowers go together*
# perfectly — a confusion table of their labels is a permutation matrix, not a diagonal one:

# %%
labels_0 = fits[0].predict(X_iris)
labels_1 = fits[1].predict(X_iris)
pd.crosstab(pd.Series(labels_0, name="seed 0 label"), pd.Series(labels_1, name="seed 1 label"))

# %% [markdown]
# ### Fixing the labels
#
# To make two fits speak the same language, find the renumbering $\tau$ of the second fit's
# components that makes them closest to the first fit's (the *reference*). With means as the
# description of a component, "closest" is measured by
#
# $$
# \tau^\star = \operatorname*{arg\,min}_{\tau} \sum_{k=1}^K
# \bigl\lVert \mu_k^{\text{ref}} - \mu_{\tau(k)} \bigr\rVert^2 ,
# $$ (eq-ch11-alignment)
#
# and with responsibilities on the same rows, by the overlap of the soft assignments,
#
# $$
# \tau^\star = \operatorname*{arg\,max}_{\tau} \sum_{k=1}^K \sum_{n=1}^N
# r_{nk}^{\text{ref}}\, r_{n\tau(k)} .
# $$ (eq-ch11-alignment-resp)
#
# Trying all $K!$ permutations is hopeless for large $K$, but both problems are *linear
# assignment problems* — choose one entry in each row and column of a $K\times K$ cost matrix so
# that the sum is smallest — which the Hungarian algorithm solves exactly in $O(K^3)$ operations
# (`scipy.optimize.linear_sum_assignment`). The package wraps this in three functions:
#
# - `align_components(reference, other, by="means" | "responsibilities")` returns the permutation
#   `perm` of {eq}`eq-ch11-alignment` or {eq}`eq-ch11-alignment-resp`: component `perm[k]` of
#   `other` matches component `k` of `reference`;
# - `permute_mixture(gmm, perm)` renumbers a fitted mixture in place (weights, means, covariances
#   and precisions together), so that `predict` then returns the reference's labels;
# - `align_labels(reference_labels, labels)` does the same for hard labels alone, by maximizing
#   the number of points on which the two labelings agree.

# %%
perm = align_components(fits[0].means_, fits[1].means_)
print("permutation found:", perm)

# Check: brute force over all 3! renumberings gives the same answer (eq. 11.4).
costs = {p: np.sum((fits[0].means_ - fits[1].means_[list(p)]) ** 2) for p in permutations(range(3))}
best = min(costs, key=costs.get)
print("brute force:      ", np.array(best), f"(cost {costs[best]:.3f}; next best "
      f"{sorted(costs.values())[1]:.3f})")
assert tuple(perm) == best
perm_resp = align_components(fits[0].predict_proba(X_iris), fits[1].predict_proba(X_iris),
                             by="responsibilities")
print("by responsibilities:", perm_resp)

permute_mixture(fits[1], perm)
pd.crosstab(pd.Series(labels_0, name="seed 0 label"),
            pd.Series(fits[1].predict(X_iris), name="seed 1 label, aligned"))

# %% [markdown]
# After alignment the table is diagonal: the two runs now use the same names. Aligning all six
# runs to the first one makes every column of the earlier table identical:

# %%
for g in fits[1:]:
    permute_mixture(g, align_components(fits[0].means_, g.means_))
print("petal-length means after alignment:")
for seed, g in enumerate(fits):
    print(f"  seed {seed}: {g.means_[:, 2].round(2)}   label of flowers 0, 50, 100: "
          f"{g.predict(X_iris[[0, 50, 100]])}")

# %% [markdown]
# `align_labels` does the same job when only the labels are at hand — for example to compare a
# clustering with known classes, or with the output of another algorithm:

# %%
raw_labels = GaussianMixture(3, random_state=0).fit_predict(X_iris)
aligned = align_labels(species, raw_labels)
print("agreement with the species before alignment:", np.mean(raw_labels == species).round(4))
print("agreement with the species after alignment: ", np.mean(aligned == species).round(4))
pd.crosstab(pd.Series(species, name="species"), pd.Series(aligned, name="cluster, aligned"))

# %% [markdown]
# :::{admonition} Answering the reader
# :class: note
#
# - **Which label belongs to which cluster?** None in particular: the numbers are arbitrary
#   names ({eq}`eq-ch11-permutation`). A cluster is identified by its parameters — here "the
#   component with petal length 1.46 cm" — so describe clusters by their means and weights,
#   never by their numbers.
# - **Can I fix the labels?** Three ways, from weakest to strongest. (1) Fix `random_state`: the
#   same data then give the same numbering, but any change in the data or the software may
#   reshuffle it. (2) Impose a convention, such as sorting the components by one coordinate of
#   their means: `permute_mixture(gmm, np.argsort(gmm.means_[:, 2]))`. It is simple, and fails
#   when two means are close in that coordinate. (3) Align every new fit to a reference fit with
#   `align_components` and `permute_mixture` — robust, because it uses all coordinates at once.
# - **When is alignment not enough?** When two runs found *different* maxima (chapter 8), not
#   copies of one: the confusion table then has more than one large entry in some row, and no
#   renumbering can make it diagonal. Choose between such fits by their log-likelihood (or use
#   `n_init`), not by aligning them. In Bayesian treatments that sample the parameters, labels
#   can switch *within* one run, and alignment is applied sample by sample {cite}`murphy2022`.
# :::

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: ex-ch11-single
#
# Show with {eq}`eq-ch11-logdet` and a short computation that a **single** Gaussian cannot
# collapse: for the 25 points `x` of the first section, evaluate `log_likelihood_1d(x, x[m], s)`
# for $s = 10^{-1}, 10^{-2}, 10^{-3}$ and explain the trend from the formula.
# ```
#
# ```{solution} ex-ch11-single
# :class: dropdown
#
# The log-likelihood is $\sum_n \bigl[-\tfrac12\log 2\pi - \log s - (x_n - x_m)^2/2s^2\bigr]$.
# The term $x_m$ gains $-\log s$, but each of the other 24 terms loses $(x_n-x_m)^2/2s^2$, which
# grows like $1/s^2$ — much faster than $\log(1/s)$. Running
# `[log_likelihood_1d(x, x[m], s) for s in (1e-1, 1e-2, 1e-3)]` gives values that fall by roughly
# a factor of 100 for each factor of 10 in $s$, towards $-\infty$ (the green curve of the figure).
# ```
#
# ```{exercise}
# :label: ex-ch11-units
#
# Multiply the data `X_tiny` by 1000 (millimetres instead of metres, say). Which `reg_covar` gives
# exactly the same fitted model, up to the change of units? Check your answer by fitting both and
# comparing `means_` and `covariances_`.
# ```
#
# ```{solution} ex-ch11-units
# :class: dropdown
#
# Variances scale with the square of the units, so $\varepsilon$ must be multiplied by
# $1000^2 = 10^6$: `reg_covar=1e-6` on `X_tiny` corresponds to `reg_covar=1.0` on
# `1000 * X_tiny`. With `g1 = GaussianMixture(2, reg_covar=1e-6, random_state=0).fit(X_tiny)` and
# `g2 = GaussianMixture(2, reg_covar=1.0, random_state=0).fit(1000 * X_tiny)`,
# `np.allclose(g2.means_, 1000 * g1.means_)` and `np.allclose(g2.covariances_, 1e6 * g1.covariances_)`
# are both true. Keeping the default `reg_covar=1e-6` on the rescaled data would instead make the
# regularization a million times weaker relative to the data.
# ```
#
# ```{exercise}
# :label: ex-ch11-outlier-weight
#
# In the outlier experiment, move the ten outliers closer to the clusters — centre them at
# $(9, -2)$, then $(7, 0)$ — and refit with $K = 3$. At what point does the third component stop
# catching the outliers, and what does it do instead? What does that suggest about choosing $K$
# with BIC (chapter 10) on contaminated data?
# ```
#
# ```{solution} ex-ch11-outlier-weight
# :class: dropdown
#
# While the outliers form a clump clearly apart from both clusters — at $(9, -2)$ as at
# $(14, -6)$ — the third component takes them alone, with weight $10/410 = 0.024$. At $(7, 0)$ the
# clump sits in the tail of the upper cluster: the third component's weight rises to about 0.09,
# because it now shares the outliers' region with the lower part of that cluster, whose mean and
# covariance are distorted again. Print `np.round(g.weights_, 3)` and `g.means_` in the loop to see
# it. BIC counts the outlier clump as a component like any other, so on contaminated data
# the chosen $K$ is often one more than the number of real clusters: inspect small components
# before concluding that they are real groups.
# ```
#
# ```{exercise}
# :label: ex-ch11-align-resp
#
# Align `fits[3]` to `fits[0]` twice, once with `by="means"` and once with
# `by="responsibilities"` (use `predict_proba(X_iris)`), and check that the permutations agree.
# Construct a case where they can disagree: two fits that found *different* local maxima.
# ```
#
# ```{solution} ex-ch11-align-resp
# :class: dropdown
#
# For copies of the same maximum the two criteria agree, since equal components have equal means
# and equal responsibilities. They can disagree when the fits differ: for example, fit
# `GaussianMixture(3, init_params="random", max_iter=3, random_state=s)` for a few seeds, so that
# some runs stop in poor configurations, and compare the two permutations against a good
# reference. By means, a component is matched to the nearest centre; by responsibilities, to the
# component that owns the same points, which is usually the more meaningful answer when the
# shapes differ.
# ```
#
# ## Summary
#
# - The likelihood of a Gaussian mixture is **unbounded**: a component centred on one data point,
#   or on a flat set of points, gains $-\log\sigma$ without limit as it shrinks
#   ({eq}`eq-ch11-spike`, {eq}`eq-ch11-logdet`). EM, which only climbs, can walk into such a spike;
#   exact duplicates make it happen at once, and with `reg_covar=0` the package then raises
#   `DegenerateCovarianceError`.
# - `reg_covar` ($\varepsilon$, eq. 7.4) puts a floor under every variance and removes the spikes,
#   at the price of a bias of exactly $\varepsilon$ in each fitted variance. It is measured in
#   squared data units: standardize, and keep it below the smallest variance you believe in.
# - Outliers are explained by the nearest component, whose mean and covariance they drag;
#   a dedicated (small-weight or broad) component can catch them and leave the real clusters
#   alone.
# - Renumbering components never changes the likelihood ({eq}`eq-ch11-permutation`), so every
#   maximum comes in $K!$ copies and labels are arbitrary from run to run. Identify clusters by
#   their parameters, and align runs with `align_components` + `permute_mixture` (or
#   `align_labels` for hard labels), which solve {eq}`eq-ch11-alignment` and
#   {eq}`eq-ch11-alignment-resp` exactly with the Hungarian algorithm.
