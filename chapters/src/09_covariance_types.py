# %% [markdown]
# # Covariance types
#
# :::{admonition} Learning goals
# :class: tip
#
# After this chapter you will be able to
#
# - say what the four covariance types `'full'`, `'tied'`, `'diag'` and `'spherical'`
#   assume about the shape of each cluster, and draw the ellipses each one allows;
# - write the M-step covariance update of each type and check it against the package;
# - count the free parameters of a mixture {eq}`eq-ch09-nparams`, and see why `'full'`
#   becomes expensive as the dimension grows;
# - pick a type for a data set, and explain why standardizing the features matters for
#   `'spherical'` (and for k-means initialization) but not for `'full'`.
# :::
#
# A $d$-dimensional covariance matrix has $d(d+1)/2$ free numbers. With $K$ components in
# 50 dimensions, that is $1275K$ numbers to estimate, most of them correlations between pairs
# of features. Often the data cannot support so many, or we know they are not needed. The
# *covariance type* is a constraint on the $\boldsymbol\Sigma_k$ that trades flexibility for
# fewer parameters, and it is the second most important modelling choice after the number
# of components (chapter 10).

# %%
import matplotlib.pyplot as plt
import numpy as np

from gmm_from_scratch import (
    COVARIANCE_TYPES,
    GaussianMixture,
    align_components,
    load_old_faithful,
    n_parameters,
    select_n_components,
    standardize,
)
from gmm_from_scratch.em import estimate_parameters
from gmm_from_scratch.plotting import plot_mixture, use_book_style

use_book_style()
np.set_printoptions(precision=4, suppress=True)


# %% [markdown]
# ## Four shapes of ellipse
#
# Each Gaussian component draws an ellipse (its contours of equal density). The four types
# restrict those ellipses as follows.
#
# | type | $\boldsymbol\Sigma_k$ | ellipses | `covariances_` shape |
# |---|---|---|---|
# | `'full'` | any symmetric positive-definite matrix, one per component | any orientation, any shape, each component its own | `(K, d, d)` |
# | `'tied'` | one matrix $\boldsymbol\Sigma$ shared by all components | any orientation, but **all the same** shape | `(d, d)` |
# | `'diag'` | $\operatorname{diag}(\sigma_{k1}^2,\dots,\sigma_{kd}^2)$ | aligned with the axes, each component its own | `(K, d)` |
# | `'spherical'` | $\sigma_k^2 \mathbf I$ | circles (spheres), each component its own radius | `(K,)` |
#
# To see the difference, here are three clusters of different shapes: one long and tilted,
# one tilted the other way, and one small and round. We fit $K=3$ with each type
# ({numref}`fig-ch09-four-types`).

# %%
def rotation(angle):
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, -s], [s, c]])


true_means = np.array([[0.0, 0.0], [6.0, 1.0], [2.0, 6.0]])
true_covs = [
    rotation(a) @ np.diag(v) @ rotation(a).T
    for a, v in ((0.6, [3.0, 0.2]), (-0.9, [2.0, 0.3]), (0.0, [0.6, 0.6]))
]
rng = np.random.default_rng(0)
X = np.vstack([rng.multivariate_normal(m, c, 200) for m, c in zip(true_means, true_covs,
                                                                    strict=True)])
fitted = {
    ctype: GaussianMixture(3, covariance_type=ctype, random_state=0).fit(X)
    for ctype in COVARIANCE_TYPES
}
for ctype, g in fitted.items():
    print(f"{ctype:>9}: covariances_.shape = {str(g.covariances_.shape):10}  "
          f"mean log-likelihood = {g.score(X):.4f}")

# %% mystnb={"figure": {"caption": "The same three clusters fitted with K = 3 and each covariance type: each component's mean and its 1- and 2-sigma ellipses, one colour and marker per component; the panel titles give the number of free parameters.", "name": "fig-ch09-four-types"}, "image": {"alt": "Four scatter plots of the same data: two tilted elongated clusters and a small round one. Full: the ellipses follow both tilted cigars. Tied: three identical, nearly round ellipses, too wide for the round cluster and too fat for the cigars. Diag: axis-aligned ellipses that cover empty space around the cigars. Spherical: circles, large ones around the cigars."}}
fig, axes = plt.subplots(2, 2, figsize=(7.2, 7.0), sharex=True, sharey=True)
for ax, (ctype, g) in zip(axes.ravel(), fitted.items(), strict=True):
    plot_mixture(ax, X, g.means_, g.covariances_, ctype, point_size=5,
                 label_components=False)
    ax.set_title(f"'{ctype}': {n_parameters(3, 2, ctype)} parameters")
    ax.set_aspect("equal")
for ax in axes[1]:
    ax.set_xlabel("$x_1$")
for ax in axes[:, 0]:
    ax.set_ylabel("$x_2$")
axes[0, 0].plot([], [], "o", color="0.3", markeredgecolor="black", label="component means")
axes[0, 0].legend(loc="upper right", fontsize=8)
fig.suptitle("The same data, four covariance types (1σ and 2σ ellipses)")
plt.show()

# %% [markdown]
# - `'full'` follows each cluster: two tilted cigars and a circle.
# - `'tied'` must give all three the same ellipse. It compromises on a shape that is too
#   wide for the round cluster and too fat for the cigars, and its single orientation cannot
#   match two clusters tilted in opposite directions.
# - `'diag'` may stretch each ellipse, but only along the axes, so a tilted cigar becomes a
#   broad axis-aligned ellipse that also covers empty space.
# - `'spherical'` draws circles: the cigars become large discs.
#
# The constrained types are not "wrong": they are simpler models. When the clusters really
# are axis-aligned, or all alike, or round, the constraint costs nothing in fit and saves
# parameters. The mean log-likelihoods printed above rank the types by fit alone (full is
# highest); the question of whether the extra parameters are worth it is answered below with
# BIC.
#
# ## The M-step for each type
#
# The E-step is the same for every type: it needs only the log-density of each component,
# which the package evaluates from the precision's Cholesky factor (chapter 7). The weights
# and means are updated as in chapter 5 (equations 5.5 and 5.6). Only the covariance update
# changes. With responsibilities $r_{nk}=\gamma(z_{nk})$ and $N_k=\sum_n r_{nk}$ (equation 5.4), maximizing
# the expected complete-data log-likelihood under each constraint gives:
#
# **full**, each component its own matrix (this is equation 5.7):
#
# $$
# \boldsymbol\Sigma_k = \frac{1}{N_k}\sum_{n=1}^{N} r_{nk}\,
# (\mathbf x_n-\boldsymbol\mu_k)(\mathbf x_n-\boldsymbol\mu_k)^\top
# $$ (eq-ch09-full)
#
# **tied**, one matrix for all: the components' scatter matrices are *pooled*, each weighted
# by how many points it owns, and divided by $N$:
#
# $$
# \boldsymbol\Sigma = \frac{1}{N}\sum_{k=1}^{K}\sum_{n=1}^{N} r_{nk}\,
# (\mathbf x_n-\boldsymbol\mu_k)(\mathbf x_n-\boldsymbol\mu_k)^\top
# = \sum_{k=1}^{K}\pi_k\,\boldsymbol\Sigma_k^{\text{full}}
# $$ (eq-ch09-tied)
#
# **diag**, one variance per component and feature: the diagonal of
# {eq}`eq-ch09-full`,
#
# $$
# \sigma_{kj}^2 = \frac{1}{N_k}\sum_{n=1}^{N} r_{nk}\,(x_{nj}-\mu_{kj})^2 ,
# \qquad j=1,\dots,d
# $$ (eq-ch09-diag)
#
# **spherical**, one variance per component: the average of the $d$ diagonal variances,
#
# $$
# \sigma_k^2 = \frac{1}{d}\sum_{j=1}^{d}\sigma_{kj}^2
# = \frac{1}{N_k\,d}\sum_{n=1}^{N} r_{nk}\,\lVert\mathbf x_n-\boldsymbol\mu_k\rVert^2 .
# $$ (eq-ch09-spherical)
#
# Each follows from setting the derivative of
# $\sum_n r_{nk}\log\mathcal N(\mathbf x_n\mid\boldsymbol\mu_k,\boldsymbol\Sigma_k)$ with
# respect to the free parameters to zero; the exercises ask you to derive
# {eq}`eq-ch09-spherical`. In every case the package then adds `reg_covar` to each variance
# (equation 7.4).
#
# **Check.** We take the responsibilities of the fitted full model (any responsibilities
# would do) and compute {eq}`eq-ch09-full`–{eq}`eq-ch09-spherical` by hand with NumPy, then
# compare with the package's M-step, `estimate_parameters`, called with `reg_covar=0`.

# %%
resp = fitted["full"].predict_proba(X)
Nk = resp.sum(axis=0)
mu = (resp.T @ X) / Nk[:, None]
diffs = X[None, :, :] - mu[:, None, :]  # (K, N, d)
by_hand = {
    "full": np.einsum("nk,kni,knj->kij", resp, diffs, diffs) / Nk[:, None, None],
    "tied": np.einsum("nk,kni,knj->ij", resp, diffs, diffs) / len(X),
    "diag": np.einsum("nk,kni->ki", resp, diffs**2) / Nk[:, None],
}
by_hand["spherical"] = by_hand["diag"].mean(axis=1)
for ctype in COVARIANCE_TYPES:
    _, means_pkg, cov_pkg = estimate_parameters(X, resp, ctype, reg_covar=0.0)
    err = np.max(np.abs(cov_pkg - by_hand[ctype])) / np.max(np.abs(by_hand[ctype]))
    print(f"{ctype:>9}: package == hand formula (max relative difference < 1e-12): {err < 1e-12}")
tied_as_average = np.einsum("k,kij->ij", Nk / len(X), by_hand["full"])
print("tied == sum_k pi_k Sigma_k(full):", np.allclose(by_hand["tied"], tied_as_average))

# %% [markdown]
# Agreement to rounding error (about $10^{-15}$), and the second form of {eq}`eq-ch09-tied` holds too.
#
# ## Counting parameters
#
# A mixture has $K-1$ free weights (they sum to one), $Kd$ mean coordinates, and the
# covariance parameters of its type:
#
# $$
# p = (K-1) + Kd + \begin{cases}
# K\,d(d+1)/2 & \text{full}\\
# d(d+1)/2 & \text{tied}\\
# K d & \text{diag}\\
# K & \text{spherical.}
# \end{cases}
# $$ (eq-ch09-nparams)
#
# A symmetric $d\times d$ matrix has $d(d+1)/2$ free entries (the diagonal and one triangle).
# `n_parameters(K, d, covariance_type)` implements {eq}`eq-ch09-nparams`; BIC and AIC
# (chapter 10) use it. Here is how the count grows with the dimension, for $K=5$:

# %%
dims = (2, 10, 50, 100)
print(f"{'d':>5} " + " ".join(f"{t:>10}" for t in COVARIANCE_TYPES))
for d in dims:
    print(f"{d:>5} " + " ".join(f"{n_parameters(5, d, t):>10,d}" for t in COVARIANCE_TYPES))

# %% [markdown]
# In 100 dimensions a full-covariance mixture of five components has over 25 000
# parameters: unless there are many more samples than that, the covariances will be poorly
# estimated (and `reg_covar` will be doing much of the work). The diagonal type grows only
# linearly in $d$.
#
# **Check.** Count the free entries of the fitted arrays directly: the number of weights
# minus one, the size of `means_`, and the upper triangles (including the diagonal) of the
# covariance matrices, or all entries for `'diag'` and `'spherical'`.

# %%
for ctype, g in fitted.items():
    cov = g.covariances_
    if ctype in ("full", "tied"):
        mats = cov.reshape(-1, 2, 2)
        n_cov = sum(len(m[np.triu_indices(2)]) for m in mats)
    else:
        n_cov = cov.size
    counted = (g.weights_.size - 1) + g.means_.size + n_cov
    print(f"{ctype:>9}: counted {counted:2d}, n_parameters gives {n_parameters(3, 2, ctype):2d}")

# %% [markdown]
# ## When is each type right?
#
# The answer is an empirical one: the type whose constraint the data actually satisfy. To
# see that BIC (chapter 10, lower is better) recognizes it, we draw data from four
# mixtures, each generated with one of the four kinds of covariance, and fit $K=3$ with all
# four types using the package's `select_n_components`. The printed numbers are each
# type's BIC minus the smallest BIC in that row, so 0 marks the winner.

# %%
generators = {
    "spherical": [np.eye(2) * v for v in (1.0, 0.4, 2.0)],
    "diag": [np.diag(v) for v in ([3.0, 0.3], [0.4, 2.0], [1.0, 1.0])],
    "tied": [rotation(0.6) @ np.diag([3.0, 0.3]) @ rotation(0.6).T] * 3,
    "full": true_covs,
}
print(f"{'generated as':>13} | " + " ".join(f"{t:>9}" for t in COVARIANCE_TYPES)
      + " | BIC picks")
for name, covs in generators.items():
    rng = np.random.default_rng(0)
    data = np.vstack([rng.multivariate_normal(m, c, 200) for m, c in zip(true_means, covs,
                                                                         strict=True)])
    result = select_n_components(data, [3], COVARIANCE_TYPES, random_state=0, progress=False)
    bic = result.column("bic")
    print(f"{name:>13} | " + " ".join(f"{b:9.1f}" for b in bic - bic.min())
          + f" | {result.best_covariance_type_}")

# %% [markdown]
# In every row BIC picks the type the data were generated with. Note the pattern: `'full'`
# always fits at least as well as the others (it contains them all), and when the truth is
# simpler it loses only because of the $p\log N$ penalty, by tens of BIC units. A type that
# cannot represent the true shapes loses by well over a hundred.
#
# Rules of thumb, beyond BIC:
#
# - **full**: the default when $N$ is large compared with $K d^2/2$, and clusters may be
#   tilted (correlated features).
# - **tied**: clusters of the same shape that differ in location, as in linear discriminant
#   analysis; its decision boundaries between components are straight lines (exercise).
# - **diag**: high dimensions with weakly correlated features; also a good choice when $N$
#   is too small for full matrices. Rotating or whitening the data first (e.g. by PCA)
#   can make it appropriate.
# - **spherical**: round clusters of different sizes; it is the "soft k-means" of chapter 5.
#   It compares distances along different features directly, so the features must be on
#   comparable scales, which brings us to standardization.
#
# ## Standardize first, and why
#
# The Old Faithful data have two columns in minutes: eruption duration (spread: about 1.1
# minutes) and waiting time to the next eruption (spread: about 13.6 minutes). A
# `'spherical'` component uses **one** variance for both features, so in raw units it must
# either be far too wide for the durations or far too narrow for the waiting times.
# Standardizing (subtract each column's mean, divide by its standard deviation) puts both
# features on the same footing.

# %%
raw = load_old_faithful()
scale = raw.std(axis=0)
std = standardize(raw)
print("column means (min):", raw.mean(axis=0), " column sds (min):", scale)
assert np.allclose(scale, [1.1, 13.6], atol=0.05)  # the spreads quoted above

# %% [markdown]
# For a fair comparison we measure both fits in the **same units**: the log-likelihood of
# the raw data. If $\mathbf z = (\mathbf x - \mathbf m)/\mathbf s$ feature by feature, then
# $p_x(\mathbf x) = p_z(\mathbf z)/\prod_j s_j$, so a model fitted to standardized data has
# raw-data log-likelihood $\ell_z - N\sum_j\log s_j$.

# %%
n = len(raw)
jacobian = n * np.log(scale).sum()
results = {}
print(f"{'type':>9}  {'fit on raw':>11}  {'fit on standardized':>19}"
      "   (log-likelihood of raw data)")
for ctype in ("spherical", "diag", "full"):
    g_raw = GaussianMixture(2, covariance_type=ctype, n_init=5, random_state=0).fit(raw)
    g_std = GaussianMixture(2, covariance_type=ctype, n_init=5, random_state=0).fit(std)
    ll_raw = n * g_raw.score(raw)
    ll_std = n * g_std.score(std) - jacobian
    results[ctype] = (g_raw, g_std)
    print(f"{ctype:>9}  {ll_raw:11.3f}  {ll_std:19.3f}")

# %% tags=["remove-cell"]
gain = {c: n * g_s.score(std) - jacobian - n * g_r.score(raw) for c, (g_r, g_s) in results.items()}
assert 500 < gain["spherical"] < 580  # "about 540 log-likelihood units on 272 points"
assert n == 272 and abs(gain["diag"]) < 5e-4 and abs(gain["full"]) < 5e-4  # same printed digits

# %% [markdown]
# - For **`'spherical'`** standardizing is a large improvement, about 540 log-likelihood
#   units on 272 points: it is a better model of the same data.
# - For **`'diag'`** and **`'full'`** the two columns agree (to the printed digits). These
#   model families are closed under rescaling the features: if $\boldsymbol\Sigma$ is
#   diagonal (or any matrix), so is $D\boldsymbol\Sigma D$ for a diagonal scaling $D$.
#   Fitting in standardized units and converting back is the same model, and EM finds the
#   same optimum. (`'full'` and `'tied'` are even closed under any invertible linear map.)
#
# The ellipses show why. In {numref}`fig-ch09-units` both spherical fits are drawn in raw
# minutes; the one fitted on standardized data is mapped back, $\boldsymbol\Sigma_{\text{raw}} = D\,\sigma_k^2
# \mathbf I\, D$ with $D=\operatorname{diag}(\mathbf s)$, which is no longer a circle.

# %% mystnb={"figure": {"caption": "Old Faithful in raw minutes with two spherical components: fitted on the raw data (left) and fitted on standardized data, then mapped back to minutes (right). Ellipses at 1 and 2 standard deviations.", "name": "fig-ch09-units"}, "image": {"alt": "Left: each component's 'circle' appears as a very wide, flat ellipse spanning the whole duration axis and beyond, too narrow for the waiting times. Right: two compact ellipses, each around one cluster of eruptions."}}
g_raw, g_std = results["spherical"]
back_means = g_std.means_ * scale + raw.mean(axis=0)
back_covs = np.stack([v * np.diag(scale**2) for v in g_std.covariances_])
# Same colour for the same cluster in both panels: reorder the standardized fit's components
# to match the raw fit's (chapter 11).
perm = align_components(g_raw.means_, back_means)
back_means, back_covs, back_weights = back_means[perm], back_covs[perm], g_std.weights_[perm]
fig, axes = plt.subplots(1, 2, figsize=(7.5, 3.9), sharex=True, sharey=True)
plot_mixture(axes[0], raw, g_raw.means_, g_raw.covariances_, "spherical", point_size=6,
             weights=g_raw.weights_)
axes[0].set_title("spherical, fitted on raw minutes")
plot_mixture(axes[1], raw, back_means, back_covs, "full", point_size=6,
             weights=back_weights)
axes[1].set_title("spherical, fitted on standardized data")
for ax in axes:
    ax.set_xlabel("eruption duration (min)")
    ax.legend(loc="upper left", fontsize=7)
axes[0].set_ylabel("waiting time (min)")
axes[0].set_xlim(0, 7)
fig.suptitle("Old Faithful, K = 2: units matter for 'spherical'")
plt.show()

# %% tags=["remove-cell"]
assert np.all(np.abs(np.sqrt(g_raw.covariances_) - 4) < 0.6)  # "about 4 minutes"

# %% [markdown]
# On the left each component has a single standard deviation of about 4 minutes, a
# compromise between the spread of the waiting times within a cluster (about 6 minutes) and
# that of the durations (0.3 to 0.4 minutes). Its "circle" is therefore too narrow for the
# waiting times and ten times too wide for the durations, reaching far beyond the data on
# both sides (the axes are not to scale, so the circles look like wide, flat ellipses). On
# the right, the same model fitted in standardized units adapts to each feature's spread.
#
# :::{important}
# Standardize before fitting when features have different units or scales. It is essential
# for `'spherical'` (and for k-means, and hence for the default k-means initialization of
# every type), harmless for the others, and it makes `reg_covar` mean the same thing for
# every feature: `1e-6` added to a variance of $0.01$ is not the same as `1e-6` added to a
# variance of $10^4$. Keep the mean and standard deviation, so that new data can be
# transformed the same way before `predict` or `score_samples`.
# :::
#
# ## Exercises
#
# ```{exercise}
# :label: ex-ch09-spherical
#
# Derive {eq}`eq-ch09-spherical`. Write the part of the expected complete-data
# log-likelihood that depends on $\sigma_k^2$ when $\boldsymbol\Sigma_k=\sigma_k^2\mathbf I$,
# differentiate with respect to $\sigma_k^2$, and solve. Where does the factor $1/d$ come
# from?
# ```
#
# ```{solution} ex-ch09-spherical
# :class: dropdown
#
# With $\boldsymbol\Sigma_k=\sigma_k^2\mathbf I$, $\log\det\boldsymbol\Sigma_k=d\log\sigma_k^2$
# and the quadratic form is $\lVert\mathbf x_n-\boldsymbol\mu_k\rVert^2/\sigma_k^2$, so the
# relevant terms are
# $-\tfrac12\sum_n r_{nk}\bigl(d\log\sigma_k^2 + \lVert\mathbf x_n-\boldsymbol\mu_k\rVert^2/
# \sigma_k^2\bigr)$. The derivative in $\sigma_k^2$ is
# $-\tfrac12\bigl(dN_k/\sigma_k^2 - \sum_n r_{nk}\lVert\mathbf x_n-\boldsymbol\mu_k\rVert^2/
# \sigma_k^4\bigr)$; setting it to zero gives
# $\sigma_k^2=\sum_n r_{nk}\lVert\mathbf x_n-\boldsymbol\mu_k\rVert^2/(dN_k)$. The $1/d$
# appears because the single variance $\sigma_k^2$ is "used" $d$ times, once per feature, in
# the determinant: it must explain the spread along all $d$ axes at once, and the best it
# can do is their average.
# ```
#
# ```{exercise}
# :label: ex-ch09-tied-linear
#
# Show that with `'tied'` covariances the boundary between two components, the set where
# $\pi_1\mathcal N(\mathbf x\mid\boldsymbol\mu_1,\boldsymbol\Sigma)=
# \pi_2\mathcal N(\mathbf x\mid\boldsymbol\mu_2,\boldsymbol\Sigma)$, is a hyperplane (a
# straight line in 2-D). What is it for `'full'`? Check by plotting `predict` of the tied and
# the full model above on a grid.
# ```
#
# ````{solution} ex-ch09-tied-linear
# :class: dropdown
#
# Take logs: the normalizing constants are equal and cancel, and
# $(\mathbf x-\boldsymbol\mu_k)^\top\boldsymbol\Sigma^{-1}(\mathbf x-\boldsymbol\mu_k)
# =\mathbf x^\top\boldsymbol\Sigma^{-1}\mathbf x-2\boldsymbol\mu_k^\top\boldsymbol\Sigma^{-1}
# \mathbf x+\boldsymbol\mu_k^\top\boldsymbol\Sigma^{-1}\boldsymbol\mu_k$; the quadratic
# term $\mathbf x^\top\boldsymbol\Sigma^{-1}\mathbf x$ is the same for both components and
# cancels too. What remains, $\mathbf w^\top\mathbf x + b = 0$ with
# $\mathbf w=\boldsymbol\Sigma^{-1}(\boldsymbol\mu_1-\boldsymbol\mu_2)$, is a hyperplane.
# With full covariances the quadratic terms differ, and the boundary is a quadric (an
# ellipse, parabola or hyperbola in 2-D).
#
# ```python
# xx, yy = np.meshgrid(np.linspace(-5, 10, 300), np.linspace(-4, 10, 300))
# grid = np.column_stack([xx.ravel(), yy.ravel()])
# fig, axes = plt.subplots(1, 2, figsize=(7.5, 3.6))
# for ax, ctype in zip(axes, ("tied", "full")):
#     ax.contourf(xx, yy, fitted[ctype].predict(grid).reshape(xx.shape), alpha=0.3)
#     ax.scatter(X[:, 0], X[:, 1], s=3, color="0.3")
#     ax.set_title(f"'{ctype}' decision regions")
# plt.show()
# ```
# ````
#
# ```{exercise}
# :label: ex-ch09-budget
#
# You have $N=2000$ samples in $d=40$ dimensions and expect about $K=6$ clusters. (a)
# Compute the parameter count of each type with `n_parameters`. (b) A rough rule asks for
# at least ten samples per free parameter of each component's covariance, counting only the
# points that component owns. Which types does it allow? (c) What would you try if only
# `'spherical'` passes comfortably (and `'diag'` falls just short), but you believe the
# features are correlated?
# ```
#
# ```{solution} ex-ch09-budget
# :class: dropdown
#
# (a) `[n_parameters(6, 40, t) for t in COVARIANCE_TYPES]` gives 5165 (full), 1065 (tied),
# 485 (diag) and 251 (spherical). (b) Each component owns about $2000/6\approx 333$ points.
# A full covariance has $40\cdot41/2=820$ parameters per component, far more than
# $333/10$: not allowed. A tied covariance also has 820 parameters, but estimated from all
# 2000 points, which is still fewer than ten per parameter. Diagonal: 40 per component, about
# 8 points per parameter: just short of the rule, borderline; spherical: 1, comfortable. So only `'spherical'` passes comfortably, and `'diag'` nearly. (c) Reduce the dimension with
# PCA and fit full covariances in, say, 5 to 10 principal components; or keep `'diag'` on
# PCA-rotated (decorrelated) features; or use `'tied'` with a larger `reg_covar`, which
# shrinks the covariance towards a multiple of the identity.
# ```
#
# ## Summary
#
# - The four covariance types constrain the component ellipses: any (`'full'`), shared
#   (`'tied'`), axis-aligned (`'diag'`) or round (`'spherical'`). Only the covariance part of
#   the M-step changes: equations {eq}`eq-ch09-full` to {eq}`eq-ch09-spherical`, which the
#   package implements and we checked by hand.
# - The number of free parameters {eq}`eq-ch09-nparams` grows as $Kd^2/2$ for `'full'`, as
#   $Kd$ for `'diag'`, and as $K$ for `'spherical'` (plus the means and weights).
# - The right type is the one the data satisfy; BIC identifies it when the data were
#   generated by one of them, because a too-rich type pays a parameter penalty and a
#   too-poor one cannot fit.
# - Standardize features on different scales. `'spherical'` (and the k-means start) depend
#   on the units; `'full'`, `'tied'` and `'diag'` describe the same model in any units, up to
#   initialization and `reg_covar`.
