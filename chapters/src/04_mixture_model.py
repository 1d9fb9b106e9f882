# %% [markdown]
# # The mixture as a generative model
#
# :::{admonition} Learning goals
# :class: tip
#
# After this chapter you will be able to
#
# - write down the density of a Gaussian mixture and draw it in one and two dimensions;
# - tell the *generative story* of a mixture, pick a component and then draw from it, and
#   use it to simulate data (ancestral sampling);
# - explain the hidden component label $z$ and compute the posterior probability of each
#   component for a given point with Bayes' rule: the *responsibilities*;
# - compute responsibilities by hand from `log_pdf` and check them against
#   `GaussianMixture.predict_proba`.
# :::
#
# At the end of chapter 1 a single Gaussian failed on the Old Faithful eruption durations:
# short eruptions and long eruptions, two bumps, and a Gaussian has only one. In chapter 3
# k-means found groups but said nothing about how the data are spread within or between them.
# A **Gaussian mixture** fixes both: it is a probability model for the whole data set in which
# every group is a Gaussian. This chapter is about the model itself, what it says, how to
# draw from it and how to reason with it, with the parameters *given*. Finding them from
# data is the job of EM, in chapter 5.

# %%
import matplotlib.pyplot as plt
import numpy as np
from scipy import optimize, stats

from gmm_from_scratch import GaussianMixture, load_old_faithful, log_pdf, precision_cholesky
from gmm_from_scratch.plotting import (
    BOOK_COLORS,
    component_colors,
    component_styles,
    covariance_ellipse,
    plot_mixture,
    use_book_style,
)

use_book_style()
np.set_printoptions(precision=4, suppress=True)


def mixture_with(weights, means, covariances, random_state=0):
    """A GaussianMixture holding exactly the given parameters (no EM iteration is run).

    ``max_iter=0`` makes ``fit`` validate its input and store the initial parameters
    unchanged; the data passed to ``fit`` (here the means themselves) play no other role.
    """
    means = np.asarray(means, dtype=float)
    precisions = np.array([U @ U.T for U in map(precision_cholesky, covariances)])
    gmm = GaussianMixture(len(weights), weights_init=weights, means_init=means,
                          precisions_init=precisions, max_iter=0, random_state=random_state)
    return gmm.fit(means)


def mixture_legend(ax, **kwargs):
    """Legend of a plot_mixture panel without its "data" entry (the points are coloured by their
    responsibilities, not in one colour)."""
    handles, labels = ax.get_legend_handles_labels()
    kept = [(h, lab) for h, lab in zip(handles, labels, strict=True) if lab != "data"]
    return ax.legend(*zip(*kept, strict=True), **kwargs)


# %% [markdown]
# ## The mixture density
#
# Take $K$ Gaussians, the **components**, with means $\boldsymbol\mu_k$ and covariances
# $\boldsymbol\Sigma_k$, and $K$ **mixing weights** $\pi_k\ge0$ with $\sum_k\pi_k=1$. The
# mixture density is their weighted sum:
#
# $$
# p(\mathbf x) \;=\; \sum_{k=1}^{K} \pi_k\,\mathcal N(\mathbf x\mid\boldsymbol\mu_k,
# \boldsymbol\Sigma_k),\qquad \pi_k\ge0,\quad \sum_{k=1}^K\pi_k=1 .
# $$ (eq-ch04-mixture)
#
# Each component integrates to one, so the weighted sum integrates to $\sum_k\pi_k=1$: it is a
# proper density. It can have as many bumps as it has components (or fewer, when they
# overlap), each with its own position, shape and size. With enough components a mixture can
# approximate essentially any smooth density, which is why mixtures are used for density
# estimation as well as for clustering (chapter 12).
#
# {numref}`fig-ch04-mixture-1d` shows a 1-D mixture of two components. `score_samples` returns
# $\log p(\mathbf x)$ at each point, the logarithm of {eq}`eq-ch04-mixture`.

# %% mystnb={"figure": {"caption": "A two-component mixture in one dimension: the weighted components \u03c0\u2081N(x | \u22121, 0.6\u00b2) with \u03c0\u2081 = 0.3 and \u03c0\u2082N(x | 2, 1\u00b2) with \u03c0\u2082 = 0.7 (shaded), and their sum, the mixture density p(x) (black).", "name": "fig-ch04-mixture-1d"}, "image": {"alt": "Two shaded bumps, a narrow one around \u22121 and a wider, taller one around 2, and a black curve along their sum with two peaks, the right one higher."}}
w1 = np.array([0.3, 0.7])
m1 = np.array([[-1.0], [2.0]])
c1 = np.array([[[0.6**2]], [[1.0**2]]])
mix1 = mixture_with(w1, m1, c1)
print("weights:", mix1.weights_, " means:", mix1.means_.ravel(),
      " standard deviations:", np.sqrt(mix1.covariances_.ravel()))

x = np.linspace(-4, 6, 801)[:, None]
fig, ax = plt.subplots()
for k in range(2):
    part = w1[k] * np.exp(log_pdf(x, m1[k], c1[k]))
    ax.fill_between(x[:, 0], part, alpha=0.25, color=BOOK_COLORS[k],
                    label=f"π{'₁₂'[k]}·N(x | μ{'₁₂'[k]}, σ{'₁₂'[k]}²), π{'₁₂'[k]} = {w1[k]}")
ax.plot(x[:, 0], np.exp(mix1.score_samples(x)), color="black", label="mixture p(x)")
ax.set_title("A two-component mixture in one dimension")
ax.set_xlabel("x")
ax.set_ylabel("density")
ax.legend()
plt.show()
# The text below: the left component is taller on its own (narrower) but carries weight 0.3
assert np.exp(log_pdf([[-1.0]], m1[0], c1[0]))[0] > np.exp(log_pdf([[2.0]], m1[1], c1[1]))[0]

# %% [markdown]
# The shaded areas are the *weighted* components; the black curve is their sum. The weight
# $\pi_1=0.3$ scales the left component's area to 0.3 of the total, so although it is
# narrower (and therefore taller on its own), it carries less probability.
#
# A check of {eq}`eq-ch04-mixture` against an independent implementation: the weighted sum of
# `scipy.stats.norm` densities, and the total area under the curve.

# %%
# CHECK: score_samples is the log of eq. (4.1), and the mixture integrates to one
explicit = sum(w1[k] * stats.norm.pdf(x[:, 0], m1[k, 0], np.sqrt(c1[k, 0, 0])) for k in range(2))
print("agrees with the weighted sum of scipy densities:",
      np.allclose(np.exp(mix1.score_samples(x)), explicit, rtol=1e-12, atol=0))
wide = np.linspace(-15, 15, 30001)[:, None]
print(f"area under p(x): {np.trapezoid(np.exp(mix1.score_samples(wide)), wide[:, 0]):.6f}")
assert abs(np.trapezoid(np.exp(mix1.score_samples(wide)), wide[:, 0]) - 1) < 1e-6
assert np.allclose(np.exp(mix1.score_samples(x)), explicit, rtol=1e-12, atol=0)

# %% [markdown]
#
# ### Old Faithful, revisited
#
# Fitted to the eruption durations (EM does the fitting here; chapter 5 explains how), a
# two-component mixture captures both kinds of eruption, where the single Gaussian of
# chapter 1 could not ({numref}`fig-ch04-old-faithful`):

# %% mystnb={"figure": {"caption": "Histogram of the 272 Old Faithful eruption durations, the best single Gaussian (dashed) and the two-component Gaussian mixture fitted by EM (black).", "name": "fig-ch04-old-faithful"}, "image": {"alt": "A two-humped histogram with peaks near 2 and 4.3 minutes. The single Gaussian is one broad hump between them; the mixture's black curve has two peaks that follow both humps of the histogram."}}
durations = load_old_faithful()[:, :1]  # keep 2-D shape (272, 1)
gmm_of = GaussianMixture(2, random_state=0).fit(durations)
order = np.argsort(gmm_of.means_[:, 0])
print("weights:            ", gmm_of.weights_[order])
print("means (min):        ", gmm_of.means_[order, 0])
print("std deviations (min):", np.sqrt(gmm_of.covariances_[order, 0, 0]))

grid = np.linspace(1, 6, 500)[:, None]
fig, ax = plt.subplots()
ax.hist(durations[:, 0], bins=30, density=True, color="0.75", edgecolor="white",
        label="eruptions")
single = GaussianMixture(1).fit(durations)
ax.plot(grid[:, 0], np.exp(single.score_samples(grid)), linestyle="--",
        label="one Gaussian (chapter 1)")
ax.plot(grid[:, 0], np.exp(gmm_of.score_samples(grid)), color="black",
        label="two-component mixture")
ax.set_title("Old Faithful eruption durations: a mixture fits both bumps")
ax.set_xlabel("eruption duration (minutes)")
ax.set_ylabel("density (per minute)")
ax.legend(fontsize=9)
plt.show()
# The text below: about a third short (around 2 minutes), two thirds long (around 4.3)
assert round(3 * gmm_of.weights_[order[0]]) == 1 and round(3 * gmm_of.weights_[order[1]]) == 2
assert round(gmm_of.means_[order[0], 0]) == 2 and round(gmm_of.means_[order[1], 0], 1) == 4.3

# %% [markdown]
# About a third of the eruptions are short (around 2 minutes) and two thirds long (around
# 4.3 minutes). The mixture's log-likelihood is far higher than the single Gaussian's:

# %%
print(f"mean log-likelihood per eruption: one Gaussian {single.score(durations):.4f}, "
      f"mixture {gmm_of.score(durations):.4f}")
assert gmm_of.score(durations) > single.score(durations) + 0.5  # far higher (per eruption)

# %% [markdown]
# ## Two overlapping Gaussians in two dimensions
#
# In two dimensions we draw the mixture density as contours, exactly as we drew one Gaussian in
# chapter 2. We generate 600 points from two overlapping Gaussians, one with a clear upward
# trend and one without, fit a two-component mixture, and draw the contours of
# `score_samples` (the log-density) over a grid covering $[-1, 6]^2$
# ({numref}`fig-ch04-contours`).

# %%
true_w = np.array([0.5, 0.5])
true_means = np.array([[2.0, 2.5], [3.5, 2.0]])
true_covs = np.array([[[1.0, 0.8], [0.8, 1.0]],
                      [[0.6, -0.2], [-0.2, 0.6]]])
rng = np.random.default_rng(4)
X_two = np.vstack([rng.multivariate_normal(m, c, size=300, method="cholesky")
                   for m, c in zip(true_means, true_covs, strict=True)])
gmm_two = GaussianMixture(2, random_state=0).fit(X_two)
order = np.argsort(gmm_two.means_[:, 0])
print("fitted weights:", gmm_two.weights_[order], "   true:", true_w)
print("fitted means:\n", gmm_two.means_[order], "\ntrue means:\n", true_means)
print("fitted covariances:\n", gmm_two.covariances_[order], "\ntrue covariances:\n", true_covs)
# The text below: close to the truth but not equal to it
for fitted, true in [(gmm_two.weights_[order], true_w), (gmm_two.means_[order], true_means),
                     (gmm_two.covariances_[order], true_covs)]:
    assert np.abs(fitted - true).max() < 0.1 and not np.allclose(fitted, true, atol=1e-3)

# %% mystnb={"figure": {"caption": "Contours of the log-density of a two-component mixture fitted to 600 points from two overlapping Gaussians, with the data (grey) and the fitted means (crosses).", "name": "fig-ch04-contours"}, "image": {"alt": "Grey points in one elongated cloud. Near each of the two crosses the innermost contours are small ellipses, one tilted up to the right and one rounder; further out the contours merge into single peanut-shaped curves enclosing both means. A colour bar gives the log-density, from \u22129 up to about \u22121.8."}}
g1, g2 = np.meshgrid(np.linspace(-1, 6, 141), np.linspace(-1, 6, 141))
grid2 = np.column_stack([g1.ravel(), g2.ravel()])
log_density = gmm_two.score_samples(grid2).reshape(g1.shape)

fig, ax = plt.subplots(figsize=(6, 5.2))
levels = np.linspace(-9, log_density.max(), 12)
cs = ax.contour(g1, g2, log_density, levels=levels, cmap="viridis")
ax.scatter(X_two[:, 0], X_two[:, 1], s=6, color="0.45", alpha=0.6, label="data (600 points)")
ax.plot(*gmm_two.means_.T, "X", color="black", markersize=10, linestyle="none",
        label="fitted means")
fig.colorbar(cs, ax=ax, label="log-density  log p(x)", shrink=0.8, format="%.1f")
ax.set_title("Contours of the fitted mixture's log-density")
ax.set_xlabel("x₁")
ax.set_ylabel("x₂")
ax.set_aspect("equal")
ax.legend(loc="upper left")
plt.show()
# The text below: most points lie inside the innermost few contours (above the 4th level from
# the top), few beyond the 6th; along the segment between the means the log-density dips, but
# not below the 3rd level, so from there outwards each contour encloses both means
point_level = gmm_two.score_samples(X_two)
assert np.mean(point_level > levels[-4]) > 0.8 and np.mean(point_level < levels[-6]) < 0.05
seg = gmm_two.means_[0] + np.linspace(0, 1, 101)[:, None] * (gmm_two.means_[1] - gmm_two.means_[0])
assert gmm_two.score_samples(seg).min() > levels[-3]

# %% [markdown]
# The estimates printed above are close to the truth but not equal to it: 600 points carry only so much
# information, and the overlap makes it harder to tell which component a point came from.
#
# The contours of {numref}`fig-ch04-contours` are no longer ellipses: near each mean they look like that component's
# ellipses, and between the means they merge into one peanut-shaped hill. Most of the data
# sit inside the innermost few contours and only a few points lie further out, as a density
# should have it. Note that `score_samples` returns the **log** of the density (a
# log-density, not a probability), which is why the levels are negative; we will see in
# chapter 7 why everything is computed in logs.
#
# ## The generative story
#
# Equation {eq}`eq-ch04-mixture` has a second reading, which is the key to everything that
# follows. Imagine producing one data point in two steps:
#
# 1. roll a $K$-sided die whose side $k$ comes up with probability $\pi_k$; call the result
#    $z$;
# 2. draw $\mathbf x$ from the Gaussian of component $z$.
#
# In symbols, $p(z=k)=\pi_k$ and $p(\mathbf x\mid z=k)=\mathcal N(\mathbf x\mid
# \boldsymbol\mu_k,\boldsymbol\Sigma_k)$. The joint probability is
# $p(\mathbf x, z=k)=\pi_k\,\mathcal N(\mathbf x\mid\boldsymbol\mu_k,\boldsymbol\Sigma_k)$, and
# if we only see $\mathbf x$ and not the die, the probability of $\mathbf x$ is the sum over
# the possible values of $z$:
#
# $$
# p(\mathbf x)=\sum_{k=1}^K p(z=k)\,p(\mathbf x\mid z=k)
# =\sum_{k=1}^K\pi_k\,\mathcal N(\mathbf x\mid\boldsymbol\mu_k,\boldsymbol\Sigma_k),
# $$
#
# which is exactly {eq}`eq-ch04-mixture`. The label $z$ is a **latent** (hidden) variable: it
# exists in the story, but the data do not record it. Clustering is the attempt to recover it.
#
# The story fits in a small picture, the **graphical model** of the mixture
# ({cite}`bishop2006`, figure 9.6): one node per random variable, an arrow from each variable to
# those drawn from it, a shaded node for what we observe, and a box (a *plate*) around what is
# repeated for each of the $N$ data points. The parameters sit outside the plate: they are
# shared by all points ({numref}`fig-ch04-graphical-model`).

# %% tags=["remove-input"] mystnb={"figure": {"caption": "The Gaussian mixture as a graphical model: the latent label z\u2099 (white) and the observed point x\u2099 (shaded) inside a plate repeated for n = 1, \u2026, N; the parameters \u03c0, \u03bc\u2096 and \u03a3\u2096 (dots) outside it.", "name": "fig-ch04-graphical-model"}, "image": {"alt": "Diagram: an arrow from a white circle z\u2099 down to a grey circle x\u2099, both inside a rectangle marked N. Outside the rectangle, a dot \u03c0 has an arrow to z\u2099, and dots \u03bc\u2096 and \u03a3\u2096 have arrows to x\u2099."}}
fig, ax = plt.subplots(figsize=(5.6, 3.2))
nodes = {"z": (0.45, 0.72, "$z_n$", "white"), "x": (0.45, 0.28, r"$\mathbf{x}_n$", "0.8")}
for x0, y0, text, face in nodes.values():
    ax.add_patch(plt.Circle((x0, y0), 0.09, facecolor=face, edgecolor="black", lw=1.5))
    ax.text(x0, y0, text, ha="center", va="center", fontsize=15)
params = [(0.1, 0.72, r"$\boldsymbol{\pi}$", "z"), (0.85, 0.40, r"$\boldsymbol{\mu}_k$", "x"),
          (0.85, 0.16, r"$\boldsymbol{\Sigma}_k$", "x")]
for x0, y0, text, target in params:
    ax.plot(x0, y0, "o", color="black", markersize=5)
    ax.text(x0, y0 + 0.06, text, ha="center", va="bottom", fontsize=14)
    tx, ty = nodes[target][:2]
    ax.annotate("", xy=(tx + (0.09 if x0 > tx else -0.09) * 0.9, ty + (y0 - ty) * 0.3),
                xytext=(x0, y0), arrowprops={"arrowstyle": "-|>", "lw": 1.3, "color": "black"})
ax.annotate("", xy=(0.45, 0.37), xytext=(0.45, 0.63),
            arrowprops={"arrowstyle": "-|>", "lw": 1.5, "color": "black"})
ax.add_patch(plt.Rectangle((0.28, 0.07), 0.34, 0.86, fill=False, edgecolor="0.3", lw=1.2))
ax.text(0.60, 0.10, "$N$", ha="right", va="bottom", fontsize=13)
ax.text(-0.5, 0.2, "shaded: observed\nwhite: latent\ndots: parameters", fontsize=9,
        va="center", color="0.25")
ax.set_xlim(-0.5, 1.05)
ax.set_ylim(0, 1)
ax.set_aspect("equal")
ax.axis("off")
ax.set_title("The mixture as a graphical model: z → x, repeated for n = 1, …, N", fontsize=11)
plt.show()

# %% [markdown]
# Read the arrows as the two steps of the story: $\boldsymbol\pi$ decides $z_n$, and $z_n$
# together with the $\boldsymbol\mu_k,\boldsymbol\Sigma_k$ decides $\mathbf x_n$. Only
# $\mathbf x_n$ is shaded: $z_n$ is never seen.
#
# Drawing data by following the story, first $z$ and then $\mathbf x$ given $z$, is called
# **ancestral sampling**, and it is what `GaussianMixture.sample` does. Because it returns the
# component of each point too, we can colour the points by the die roll that produced them.
# Here we sample from a three-component mixture with chosen parameters
# ({numref}`fig-ch04-sampling`).

# %%
w3 = np.array([0.5, 0.3, 0.2])
m3 = np.array([[0.0, 0.0], [4.0, 1.0], [1.5, 4.0]])
c3 = np.array([[[1.5, 0.6], [0.6, 0.8]],
               [[0.5, 0.0], [0.0, 1.2]],
               [[0.8, -0.5], [-0.5, 0.9]]])
mix3 = mixture_with(w3, m3, c3, random_state=0)
X3, z3 = mix3.sample(1000)
print("first rows of X:\n", X3[:3], "\ntheir components (numbered from 1):", z3[:3] + 1)
print("points in components 1, 2, 3:", np.bincount(z3), "(the output is grouped by component)")
assert np.all(np.diff(z3) >= 0)  # grouped by component

# %% mystnb={"figure": {"caption": "1000 points drawn by ancestral sampling from a three-component mixture with weights (0.5, 0.3, 0.2), each coloured and shaped by the component that produced it, with the components' 2\u03c3 ellipses.", "name": "fig-ch04-sampling"}, "image": {"alt": "Three overlapping clouds: a large tilted one around the origin (component 1, blue circles), one to the right around (4, 1) (component 2, orange squares) and a smaller one above around (1.5, 4) (component 3, green triangles), each inside its ellipse."}}
fig, ax = plt.subplots(figsize=(6, 5.4))
colors = np.array(component_colors(3))
styles = component_styles(3)
for k in range(3):
    ax.scatter(*X3[z3 == k].T, s=8, color=colors[k], marker=styles[k]["marker"], alpha=0.6,
               label=f"drawn from component {k + 1} (π = {w3[k]})")
    ax.add_patch(covariance_ellipse(m3[k], c3[k], 2.0, edgecolor=colors[k]))
ax.set_title("Ancestral sampling: pick z ~ π, then x ~ N(μ_z, Σ_z)")
ax.set_xlabel("x₁")
ax.set_ylabel("x₂")
ax.set_aspect("equal")
ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), fontsize=9)  # hides no data
plt.show()

# %% [markdown]
# The ellipses in {numref}`fig-ch04-sampling` are the 2σ ellipses of the three components. In real data we would see only the
# grey version of this picture; the colours are the latent labels, known here because we made
# the data ourselves. Side by side, as in {cite}`bishop2006` (figure 9.5), the three views
# of the same 500 points that the rest of the book moves between: the **complete data**
# $\{\mathbf x_n, z_n\}$, which only a simulation gives us; the **incomplete data**
# $\{\mathbf x_n\}$, which is all we ever observe; and the **responsibilities**
# $\gamma(z_{nk})$ computed from $\mathbf x_n$ alone with the model's parameters (next
# section), each point's colour a blend of the three component colours in proportion to them
# ({numref}`fig-ch04-three-views`).

# %% mystnb={"figure": {"caption": "Three views of the same 500 points from the three-component mixture: (a) the complete data, coloured and shaped by the component z that produced each point; (b) the incomplete data, all we observe; (c) each point coloured by its responsibilities, a blend of the component colours.", "name": "fig-ch04-three-views"}, "image": {"alt": "Three scatter panels of the same points. (a) three groups in blue circles, orange squares and green triangles; (b) the same points all grey; (c) points coloured by responsibility: pure blue, orange or green inside each group and blended colours where the groups overlap."}}
order = np.random.default_rng(0).permutation(len(X3))[:500]  # 500 points, all components
X_view, z_view = X3[order], z3[order]
resp_view = mix3.predict_proba(X_view)
fig, axes = plt.subplots(1, 3, figsize=(10, 3.8), sharex=True, sharey=True)
for k in range(3):
    axes[0].scatter(*X_view[z_view == k].T, s=7, color=colors[k], marker=styles[k]["marker"],
                    label=f"z = {k + 1}")
axes[0].set_title("(a) complete data: x and z")
axes[0].legend(loc="upper left", fontsize=8)
axes[1].scatter(*X_view.T, s=7, color="0.5")
axes[1].set_title("(b) incomplete data: x only")
rgb = np.array([plt.matplotlib.colors.to_rgb(c) for c in colors])
axes[2].scatter(*X_view.T, s=7, c=np.clip(resp_view @ rgb, 0, 1))
axes[2].set_title("(c) responsibilities γ(z_nk)")
for ax in axes:
    ax.set_xlabel("x₁")
    ax.set_aspect("equal")
axes[0].set_ylabel("x₂")
fig.suptitle("Three views of the same points")
plt.show()
# The responsibilities recover the labels of most points: the largest one picks the true
# component for the great majority, and the misses sit where the components overlap.
agree = np.mean(resp_view.argmax(axis=1) == z_view)
print(f"largest responsibility = true component for {agree:.1%} of the points")
assert agree > 0.9

# %% [markdown]
# ### Check: the samples follow the model
#
# If `sample` follows the story, the fraction of points from component $k$ should be close to
# $\pi_k$, and the points of each component should have mean close to $\boldsymbol\mu_k$ and
# covariance close to $\boldsymbol\Sigma_k$. We draw a larger sample to make "close" tight.

# %%
# CHECK: ancestral sampling reproduces the weights, means and covariances
X_big, z_big = mixture_with(w3, m3, c3, random_state=1).sample(200_000)
freq = np.bincount(z_big, minlength=3) / len(z_big)
print("component frequencies:", freq, " weights:", w3)
for k in range(3):
    Xk = X_big[z_big == k]
    print(f"component {k + 1}: max |mean - mu| = {np.abs(Xk.mean(axis=0) - m3[k]).max():.3f}, "
          f"max |cov - Sigma| = {np.abs(np.cov(Xk.T) - c3[k]).max():.3f}")
    assert np.allclose(Xk.mean(axis=0), m3[k], atol=0.02)
    assert np.allclose(np.cov(Xk.T), c3[k], atol=0.03)
assert np.allclose(freq, w3, atol=0.005)

# %% [markdown]
# ## Which component produced this point? Bayes' rule
#
# Now reverse the question. We see a point $\mathbf x$ and ask how probable it is that
# component $k$ produced it. The story gives us the prior $p(z=k)=\pi_k$ and the likelihood
# $p(\mathbf x\mid z=k)$; Bayes' rule turns them into the **posterior**:
#
# $$
# \gamma(z_k) \;=\; p(z=k\mid\mathbf x) \;=\;
# \frac{\pi_k\,\mathcal N(\mathbf x\mid\boldsymbol\mu_k,\boldsymbol\Sigma_k)}
# {\sum_{j=1}^K\pi_j\,\mathcal N(\mathbf x\mid\boldsymbol\mu_j,\boldsymbol\Sigma_j)} .
# $$ (eq-ch04-responsibility)
#
# This is the **responsibility** of component $k$ for $\mathbf x$. The numerator is the joint
# probability of "component $k$ rolled *and* $\mathbf x$ drawn"; the denominator, the same
# for every $k$, is the mixture density {eq}`eq-ch04-mixture`, and makes the responsibilities
# sum to one. Two things push a responsibility up: a component whose Gaussian puts high density
# at $\mathbf x$ (the likelihood), and a component that is common (the prior $\pi_k$). These
# are the soft assignments returned by `predict_proba` that we met in chapter 3, and in
# chapter 5 they become the E-step of EM.
#
# In one dimension we can plot the responsibilities as functions of $x$. For the two-component
# mixture from the start of the chapter, and for the same mixture with the weights swapped
# (note the wider range of $x$ than in {numref}`fig-ch04-mixture-1d`), {numref}`fig-ch04-responsibility-1d`
# shows them:

# %% mystnb={"figure": {"caption": "Responsibilities \u03b3(z\u2081) and \u03b3(z\u2082) as functions of x for the two-component 1-D mixture, with weights (0.3, 0.7) (left) and swapped to (0.7, 0.3) (right). The dotted line marks where \u03b3 = 0.5 between the means.", "name": "fig-ch04-responsibility-1d"}, "image": {"alt": "Two panels of two S-shaped curves that add up to one. Near x = \u22121 component 1 has responsibility close to 1, near x = 2 component 2. The crossing between the means is at x = 0.057 on the left and moves right, to 0.385, after the swap. On the far left, below about x = \u22125.4, component 2 takes over again."}}
xr = np.linspace(-9, 7, 801)[:, None]
boundaries = []
fig, axes = plt.subplots(1, 2, figsize=(9, 3.8), sharey=True)
for ax, weights in zip(axes, [w1, w1[::-1]], strict=True):
    gamma = mixture_with(weights, m1, c1).predict_proba(xr)
    for k in range(2):
        ax.plot(xr[:, 0], gamma[:, k], color=BOOK_COLORS[k], linestyle=["-", "--"][k],
                label=f"γ(z{'₁₂'[k]}) at x")
    # near each mean one component takes almost all the responsibility
    at_means = mixture_with(weights, m1, c1).predict_proba(m1)
    assert at_means[0, 0] > 0.95 and at_means[1, 1] > 0.95
    boundary = optimize.brentq(
        lambda t, w=weights: mixture_with(w, m1, c1).predict_proba([[t]])[0, 0] - 0.5, -1, 2
    )
    ax.axvline(boundary, color="0.4", linestyle=":", label=f"γ = 0.5 at x = {boundary:.3f}")
    ax.set_title(f"weights π = ({weights[0]}, {weights[1]})")
    ax.set_xlabel("x")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=2, fontsize=9)
    ax.set_xlim(-9, 7)
    boundaries.append(boundary)
axes[0].set_ylabel("responsibility  p(z = k | x)")
fig.suptitle("Responsibilities are posteriors: they depend on the weights too")
plt.show()
# The text below, checked: swapping the weights to (0.7, 0.3) makes component 2 (right) the
# rarer one, and the crossing moves towards it; on the far left the wide component 2 takes
# over again below about x = -5.4.
far_left = optimize.brentq(
    lambda t: mixture_with(w1, m1, c1).predict_proba([[t]])[0, 0] - 0.5, -9, -3
)
print(f"crossings: {boundaries[0]:.3f} -> {boundaries[1]:.3f} after the swap; "
      f"second crossing of the left panel at x = {far_left:.2f}")
assert boundaries[1] > boundaries[0] and round(far_left, 1) == -5.4


# %% [markdown]
# Near each mean one component takes almost all the responsibility; in between there is a
# smooth hand-over. Swapping the weights moves the point of equal responsibility towards the
# component that became rarer: a common component claims more of the ambiguous territory.
#
# Now look at the far left of each panel. Component 1 is the nearer one there, yet below
# about $x=-5.4$ (left panel) its responsibility falls and component 2 takes over again. The
# reason is the widths: component 1 is narrower ($\sigma_1=0.6$ against $\sigma_2=1$), and the
# log-density of a Gaussian falls like $-(x-\mu)^2/2\sigma^2$, faster for a narrow one. Far
# enough out in *any* direction the widest component always wins, however far away its mean
# is. There are therefore two points of equal responsibility here, not one; the dotted line
# marks the one between the means. This matters for outliers (chapter 11).
#
# ## A point between two clusters
#
# Back to two dimensions and the three-component mixture `mix3`. We take a point on the segment
# between the centres of component 1 and component 2, chosen (with a root finder) so that the
# posterior gives about 20% to component 1 and 80% to component 2.

# %%
# Where on the segment (1 - t) mu_1 + t mu_2 is the responsibility of component 2 exactly 0.8?
t_star = optimize.brentq(
    lambda t: mix3.predict_proba([(1 - t) * m3[0] + t * m3[1]])[0, 1] - 0.8, 0.0, 1.0
)
point = (1 - t_star) * m3[0] + t_star * m3[1]
print(f"the point: {point} (t = {t_star:.4f} of the way from mu_1 to mu_2)")
print("predict_proba:", mix3.predict_proba([point])[0])

# %% [markdown]
# Now compute {eq}`eq-ch04-responsibility` by hand from the pieces: the log-density of each
# component from `log_pdf`, plus the log-weight, then normalise. We work in logs and subtract
# the largest term before exponentiating, which changes nothing in the ratio but keeps the
# numbers in range (chapter 7 explains why this matters).

# %%
# CHECK: eq. (4.2) by hand, against predict_proba and score_samples
log_joint = np.array([np.log(w3[k]) + log_pdf(point[None], m3[k], c3[k])[0] for k in range(3)])
print("log pi_k + log N(x | mu_k, Sigma_k):", log_joint)
shifted = np.exp(log_joint - log_joint.max())
by_hand = shifted / shifted.sum()
log_px = log_joint.max() + np.log(shifted.sum())
print("responsibilities by hand:", by_hand)
print("predict_proba:           ", mix3.predict_proba([point])[0])
print(f"log p(x): by hand {log_px:.6f}, score_samples {mix3.score_samples([point])[0]:.6f}")
assert np.allclose(by_hand, mix3.predict_proba([point])[0], rtol=1e-12, atol=1e-15)
assert np.isclose(log_px, mix3.score_samples([point])[0], rtol=1e-12)

# %% mystnb={"figure": {"caption": "The 1000 sampled points coloured by their responsibilities under the three-component mixture, with each component's 1\u03c3 and 2\u03c3 ellipses and mean; the star is the point between components 1 and 2 found above.", "name": "fig-ch04-responsibilities"}, "image": {"alt": "Points blue inside component 1's ellipses, orange inside component 2's and green inside component 3's, with blended colours in the overlaps. A white star between the blue and orange components is annotated \u03b3 = (0.20, 0.80, 0.00)."}}
fig, ax = plt.subplots(figsize=(6, 5.4))
resp3 = mix3.predict_proba(X3)
plot_mixture(ax, X3, m3, c3, weights=w3, responsibilities=resp3, point_size=7)
r = mix3.predict_proba([point])[0]
ax.plot(*point, marker="*", markersize=20, color="white", markeredgecolor="black",
        linestyle="none", label="the point")
ax.annotate(f"γ = ({r[0]:.2f}, {r[1]:.2f}, {r[2]:.2f})", xy=point, xytext=(0.8, -2.8),
            arrowprops={"arrowstyle": "->", "color": "black"}, fontsize=10)
ax.set_title("Responsibilities: each point coloured by its posterior")
ax.set_ylim(-3.4, 7.2)
ax.set_xlabel("x₁")
ax.set_ylabel("x₂")
ax.set_aspect("equal")
mixture_legend(ax, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncols=2, fontsize=9)
plt.show()
# The text below, checked: about 0.2 and 0.8 for components 1 and 2, under 1% for component 3
assert round(r[0], 1) == 0.2 and round(r[1], 2) == 0.8 and r[2] < 0.01

# %% [markdown]
# {numref}`fig-ch04-responsibilities` is the key figure of the chapter: every point is coloured by its responsibilities,
# blended from the three component colours. The starred point lies between the blue and the
# orange component and belongs to each with probability about 0.2 and 0.8; component 3
# (green) is far away and takes less than 1%. Points deep inside a component are pure in
# colour; points in overlaps are mixtures. This soft, probabilistic answer to "which cluster?"
# is what distinguishes a mixture from k-means.
#
# ## Exercises
#
# ```{exercise}
# :label: ex-ch04-moments
#
# Show that the mean of the mixture {eq}`eq-ch04-mixture` is
# $\mathbf m=\sum_k\pi_k\boldsymbol\mu_k$ and its covariance is
# $\sum_k\pi_k\left(\boldsymbol\Sigma_k+\boldsymbol\mu_k\boldsymbol\mu_k^\top\right)
# -\mathbf m\mathbf m^\top$ (condition on $z$). Check both formulas on `X_big`.
# Why is the covariance of the mixture larger than the weighted average of the component
# covariances?
# ```
#
# ```{solution} ex-ch04-moments
# :class: dropdown
#
# By the law of total expectation, $\mathbb E[\mathbf x]=\sum_k p(z=k)\,
# \mathbb E[\mathbf x\mid z=k]=\sum_k\pi_k\boldsymbol\mu_k$. Similarly
# $\mathbb E[\mathbf x\mathbf x^\top]=\sum_k\pi_k(\boldsymbol\Sigma_k+\boldsymbol\mu_k
# \boldsymbol\mu_k^\top)$, and the covariance is $\mathbb E[\mathbf x\mathbf x^\top]-\mathbf
# m\mathbf m^\top$. Rearranged, it is $\sum_k\pi_k\boldsymbol\Sigma_k+\sum_k\pi_k
# (\boldsymbol\mu_k-\mathbf m)(\boldsymbol\mu_k-\mathbf m)^\top$: the within-component spread
# plus the spread of the means (the law of total variance). The second term is why the
# mixture is more spread out than its components. Numerically, `X_big.mean(axis=0)` agrees with
# `w3 @ m3` and `np.cov(X_big.T)` with the formula to about 0.01.
# ```
#
# ```{exercise}
# :label: ex-ch04-boundary
#
# Two 1-D components with the **same** standard deviation $\sigma$, means $\mu_1<\mu_2$ and
# weights $\pi_1,\pi_2$. Show that the point where $\gamma(z_1)=\gamma(z_2)=\tfrac12$ is
# $x^\ast=\frac{\mu_1+\mu_2}{2}+\frac{\sigma^2}{\mu_2-\mu_1}\log\frac{\pi_1}{\pi_2}$.
# Check it with `mixture_with` and `predict_proba`. What happens when $\pi_1=\pi_2$?
# ```
#
# ```{solution} ex-ch04-boundary
# :class: dropdown
#
# Set the numerators of {eq}`eq-ch04-responsibility` equal and take logs:
# $\log\pi_1-\frac{(x-\mu_1)^2}{2\sigma^2}=\log\pi_2-\frac{(x-\mu_2)^2}{2\sigma^2}$. The
# $x^2$ terms cancel (this is why equal variances give a single, linear boundary), leaving
# $x(\mu_2-\mu_1)/\sigma^2=\frac{\mu_2^2-\mu_1^2}{2\sigma^2}+\log\frac{\pi_1}{\pi_2}$, which
# rearranges to $x^\ast$. For example with `mixture_with([0.3, 0.7], [[-1.0], [2.0]],
# [[[1.0]], [[1.0]]])`, $x^\ast=0.5+\log(3/7)/3\approx0.2176$, and `predict_proba([[0.2176]])`
# is $(0.5, 0.5)$ to four digits. With equal weights $x^\ast$ is the midpoint, exactly the
# k-means boundary of chapter 3.
# ```
#
# ```{exercise}
# :label: ex-ch04-underflow
#
# Evaluate the responsibilities of `mix3` at the far-away point $(60, 60)$ in two ways:
# with `predict_proba`, and "naively" as
# `p = w3 * np.exp([log_pdf(q, m3[k], c3[k])[0] for k in range(3)]); p / p.sum()`
# with `q = np.array([[60.0, 60.0]])`. What goes wrong, and why does the hand computation in
# this chapter's check (subtracting the largest log term first) not have the problem?
# ```
#
# ```{solution} ex-ch04-underflow
# :class: dropdown
#
# At $(60, 60)$ every component's log-density is in the thousands below zero, so every
# `np.exp` underflows to exactly `0.0`, and `p / p.sum()` is `0/0 = nan` (with a warning).
# The point is far from everything, but it is *much* nearer, in Mahalanobis distance, to one
# component than to the others, so the true responsibilities are well defined (essentially
# one for that component). Subtracting the largest log term before exponentiating makes that
# term $e^0=1$, so the sum is at least one and nothing is lost; `predict_proba` does this
# (the *log-sum-exp* trick, chapter 7) and returns a clean answer.
# ```

# %% tags=["remove-cell"]
# The numbers in the solutions above, checked (hidden from the page, run by nbval).
m_mix = w3 @ m3
cov_mix = sum(w3[k] * (c3[k] + np.outer(m3[k], m3[k])) for k in range(3)) - np.outer(m_mix, m_mix)
assert np.abs(X_big.mean(axis=0) - m_mix).max() < 0.01
assert np.abs(np.cov(X_big.T) - cov_mix).max() < 0.02  # "to about 0.01"
mix_eq = mixture_with([0.3, 0.7], [[-1.0], [2.0]], [[[1.0]], [[1.0]]])
x_star = 0.5 + np.log(3 / 7) / 3
assert round(x_star, 4) == 0.2176
assert np.allclose(mix_eq.predict_proba([[0.2176]])[0].round(4), [0.5, 0.5])
q_far = np.array([[60.0, 60.0]])
with np.errstate(invalid="ignore", under="ignore"):
    p_naive = w3 * np.exp([log_pdf(q_far, m3[k], c3[k])[0] for k in range(3)])
    naive_far = p_naive / p_naive.sum()
assert np.all(p_naive == 0.0) and np.all(np.isnan(naive_far))
clean = mix3.predict_proba(q_far)[0]
assert np.all(np.isfinite(clean)) and clean.max() > 1 - 1e-9

# %% [markdown]
# ## Summary
#
# - A Gaussian mixture {eq}`eq-ch04-mixture` is a weighted sum of Gaussian densities with
#   weights that are non-negative and sum to one. It can have several bumps of different
#   shapes; on Old Faithful, two components fit where one Gaussian failed.
# - Its generative story: draw a hidden label $z$ with probabilities $\pi$, then draw
#   $\mathbf x$ from component $z$. Summing out $z$ gives back the mixture density.
#   `GaussianMixture.sample` follows the story (ancestral sampling) and returns both.
# - The posterior of the hidden label, the responsibility {eq}`eq-ch04-responsibility`,
#   follows from Bayes' rule: prior weight times component density, normalised. It is what
#   `predict_proba` returns, and we recomputed it by hand from `log_pdf`.
# - `score_samples` is the log of the mixture density; contours of it over a grid show the
#   fitted model, and they merge where components overlap.
# - With the parameters known, everything is easy. Chapter 5 turns to the real problem:
#   finding the parameters when the labels are hidden.
