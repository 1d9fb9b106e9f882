# %% [markdown]
# # Applications: density estimation, anomaly detection, generation and clustering
#
# :::{admonition} Learning goals
# :class: tip
#
# After this chapter you will be able to
#
# - use a fitted mixture as a **density estimate**, compare it fairly with a histogram and a kernel
#   density estimate by their log-likelihood on held-out data, and see why a KDE is itself a
#   Gaussian mixture ({eq}`eq-ch12-kde`);
# - build an **anomaly detector** from `score_samples` with a threshold set as a quantile of the
#   training scores, and check its false-positive and detection rates on new data;
# - **generate** new data with `sample`, including images of handwritten digits through PCA;
# - **cluster** real data (Iris, Old Faithful), measure agreement with known classes by the
#   adjusted Rand index, and report how **uncertain** each assignment is
#   ({eq}`eq-ch12-entropy`);
# - say when k-means, DBSCAN or agglomerative clustering is the better tool.
# :::
#
# The previous chapters built the model and the algorithm. This one puts them to work. A fitted
# mixture is more than a clustering: it is a full probability density $p(x)$ (eq. 4.1), and the
# three questions one can ask a density — *how likely is this point?*, *is this point unusual?*,
# *what would typical new points look like?* — are density estimation, anomaly detection and
# generation. Clustering, the use most tutorials start with, comes after them, together with an
# honest look at the alternatives.

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import stats
from sklearn.cluster import DBSCAN, AgglomerativeClustering
from sklearn.datasets import load_digits, load_iris, make_blobs, make_moons
from sklearn.decomposition import PCA
from sklearn.metrics import adjusted_rand_score
from sklearn.preprocessing import StandardScaler

from gmm_from_scratch import (
    GaussianMixture,
    KMeans,
    align_labels,
    e_step,
    load_old_faithful,
    standardize,
)
from gmm_from_scratch.plotting import (
    BOOK_COLORS,
    BOOK_MARKERS,
    component_colors,
    plot_mixture,
    use_book_style,
)

use_book_style()
np.set_printoptions(precision=4, suppress=True)
pd.set_option("display.precision", 4)
colors = component_colors(4)

# %% [markdown]
# ## Density estimation
#
# ### One dimension: how long does an eruption last?
#
# The eruption durations of the Old Faithful geyser {cite}`azzalini1990,hardle1991` have two
# modes, short eruptions near 2 minutes and long ones near 4.5. We estimate their density three
# ways on 200 randomly chosen eruptions and keep the other 72 to judge the estimates:
#
# - a **histogram**: counts in bins, divided by $N$ times the bin width;
# - a **kernel density estimate** (KDE): a small Gaussian "bump" of width $h$ on every data point,
#
#   $$
#   \hat p_{\text{KDE}}(x) = \frac1N \sum_{n=1}^N \mathcal N(x \mid x_n, h^2) ,
#   $$ (eq-ch12-kde)
#
#   here `scipy.stats.gaussian_kde`, which picks $h$ by Scott's rule;
# - a **Gaussian mixture** with $K$ chosen by BIC (chapter 10).
#
# Look at {eq}`eq-ch12-kde` again: it *is* a Gaussian mixture, with $K = N$ components, equal
# weights $1/N$, means fixed at the data points and one shared variance $h^2$. A GMM and a KDE
# sit at two ends of one scale: a few flexible components whose parameters are learned, or one
# rigid component per point. The check below confirms the identity numerically by evaluating
# scipy's KDE with the package's E-step.

# %%
faithful = load_old_faithful()
rng = np.random.default_rng(0)
order = rng.permutation(len(faithful))
train, test = faithful[order[:200]], faithful[order[200:]]
d_train, d_test = train[:, :1], test[:, :1]          # eruption duration (minutes), as (n, 1)

kde = stats.gaussian_kde(d_train[:, 0])
h = float(np.sqrt(kde.covariance[0, 0]))
print(f"KDE bandwidth h = {h:.4f} min")

# Check: the KDE is the mixture of eq. 12.1, evaluated here by the package's E-step.
grid = np.linspace(0.5, 6.5, 601)
log_kde_package, _ = e_step(grid[:, None], np.full(200, 1 / 200), d_train,
                            np.full(200, 1 / h), "spherical")
print("max |log KDE (scipy) - log KDE (package)| =",
      f"{np.abs(kde.logpdf(grid) - log_kde_package).max():.2e}")
assert np.allclose(kde.logpdf(grid), log_kde_package, rtol=1e-10, atol=1e-12)

# %%
bic_1d = {K: GaussianMixture(K, n_init=3, random_state=0).fit(d_train).bic(d_train)
          for K in range(1, 6)}
K_1d = min(bic_1d, key=bic_1d.get)
print("BIC:", {K: round(b, 2) for K, b in bic_1d.items()}, "-> K =", K_1d)
gmm_1d = GaussianMixture(K_1d, n_init=3, random_state=0).fit(d_train)

# Check: the fitted density integrates to 1 (trapezoid rule on a wide grid).
wide = np.linspace(-5.0, 12.0, 20001)
integral = np.trapezoid(np.exp(gmm_1d.score_samples(wide[:, None])), wide)
print("integral of the GMM density:", round(float(integral), 8))


# %% [markdown]
# The fair way to compare density estimates is the one we used to choose $K$ in chapter 10: the
# average log-density they give to points they have **not** seen. A histogram has a weakness
# that this measure exposes: a new point in an empty bin gets density zero, so log-density
# $-\infty$. We try it with numpy's automatic bins and with finer bins of 0.05 minutes.

# %%
def histogram_log_density(train_values, test_values, bins):
    """Log of the histogram density estimate at each test value (-inf in empty bins)."""
    counts, edges = np.histogram(train_values, bins=bins, density=True)
    inside = (test_values >= edges[0]) & (test_values <= edges[-1])
    which = np.clip(np.searchsorted(edges, test_values, side="right") - 1, 0, len(counts) - 1)
    with np.errstate(divide="ignore"):
        return np.log(np.where(inside, counts[which], 0.0)), edges


hist_auto, edges = histogram_log_density(d_train[:, 0], d_test[:, 0], "auto")
hist_fine, edges_fine = histogram_log_density(d_train[:, 0], d_test[:, 0],
                                              np.arange(1.5, 5.2, 0.05))
finite = np.isfinite(hist_fine)             # test points the fine histogram does not rule out
rows = [
    {"estimator": f"histogram, {len(edges) - 1} automatic bins", "log-density": hist_auto},
    {"estimator": f"histogram, {len(edges_fine) - 1} bins of 0.05 min", "log-density": hist_fine},
    {"estimator": f"KDE, Scott's rule (h = {h:.3f})", "log-density": kde.logpdf(d_test[:, 0])},
]
for K in (1, 2, 3):
    g = GaussianMixture(K, n_init=3, random_state=0).fit(d_train)
    rows.append({"estimator": f"GMM, K = {K}" + (" (BIC)" if K == K_1d else ""),
                 "log-density": g.score_samples(d_test)})
pd.DataFrame([
    {"estimator": r["estimator"],
     "test points with density 0": int(np.sum(~np.isfinite(r["log-density"]))),
     "mean test log-density": r["log-density"].mean(),
     "same, without those points": r["log-density"][finite].mean()}
    for r in rows
]).set_index("estimator").round(4)

# %% [markdown]
# Three lessons. (1) With well-chosen bins, a histogram of 200 values in one dimension is a
# respectable estimate; the two- and three-component mixtures, with 5 and 8 parameters, are as
# good. (2) With finer bins the histogram collapses: held-out eruptions land in empty bins and get
# log-density $-\infty$ — a histogram has no notion that a value between two observed ones is
# plausible. (3) The KDE with its default bandwidth is the weakest of the flexible estimates here
# (a single Gaussian is far behind all of them): Scott's rule picks the bandwidth that would be
# right if the data were *one* Gaussian, so for two well-separated modes it oversmooths. A KDE
# with a well-tuned bandwidth does better — the first exercise below finds one that beats the
# mixture — but the bandwidth must then be tuned on held-out data, just like $K$. The mixture
# learns a width per mode and needs no such tuning beyond $K$. {numref}`fig-ch12-density-1d`
# draws the three estimates.

# %% mystnb={"figure": {"caption": "Old Faithful eruption durations: the histogram of the training eruptions, the KDE with its default bandwidth and the Gaussian mixture chosen by BIC, with the held-out eruptions as ticks below the axis.", "name": "fig-ch12-density-1d"}, "image": {"alt": "Histogram with two modes, near 2 and 4.5 minutes. The mixture curve follows both modes closely; the KDE curve is visibly smoother, with lower, broader peaks."}}
fig, ax = plt.subplots(figsize=(6.4, 4.2))
ax.hist(d_train[:, 0], bins=edges, density=True, color="0.8", edgecolor="0.5", label="histogram")
ax.plot(grid, np.exp(kde.logpdf(grid)), color=colors[1], linestyle="--",
        label=f"KDE (h = {h:.2f})")
ax.plot(grid, np.exp(gmm_1d.score_samples(grid[:, None])), color=colors[0],
        label=f"GMM, K = {K_1d}")
ax.plot(d_test[:, 0], np.full(len(d_test), -0.02), "|", color="k", label="held-out eruptions")
ax.set(title="Old Faithful: three estimates of one density", xlabel="eruption duration (min)",
       ylabel="density (1/min)")
ax.set_ylim(top=1.45 * ax.get_ylim()[1])  # room for the legend above the tallest bar
ax.legend(loc="upper center", ncol=2, fontsize=9)
plt.show()

# %% [markdown]
# ### Two dimensions
#
# The same comparison on both variables — duration and waiting time to the next eruption — gives
# the contour plots of {numref}`fig-ch12-density-2d`. A 2-D KDE needs a bandwidth *matrix*; `gaussian_kde` uses the data's
# covariance scaled down by Scott's factor, one shape for every bump. The mixture learns a
# different shape for each group: short eruptions with short waits, long ones with long waits.

# %%
bic_2d = {K: GaussianMixture(K, n_init=3, random_state=0).fit(train).bic(train)
          for K in range(1, 5)}
K_2d = min(bic_2d, key=bic_2d.get)
gmm_2d = GaussianMixture(K_2d, n_init=3, random_state=0).fit(train)
kde_2d = stats.gaussian_kde(train.T)
print("BIC:", {K: round(b, 2) for K, b in bic_2d.items()}, "-> K =", K_2d)
print(f"mean held-out log-density: GMM {gmm_2d.score(test):.4f}, "
      f"KDE {kde_2d.logpdf(test.T).mean():.4f}")

# %% mystnb={"figure": {"caption": "Contours of the log-density of Old Faithful (duration and waiting time) estimated by the Gaussian mixture chosen by BIC (left) and by a KDE with Scott's rule (right), over the training eruptions.", "name": "fig-ch12-density-2d"}, "image": {"alt": "Two contour plots over two groups of eruptions, short with short waits at the bottom left and long with long waits at the top right. The mixture's contours are smooth ellipses tilted to follow each group; the KDE's contours are lumpier and share one shape."}}
g1, g2 = np.meshgrid(np.linspace(1.2, 5.8, 120), np.linspace(38, 102, 120))
cells = np.column_stack([g1.ravel(), g2.ravel()])
log_levels = np.linspace(-9, -3, 7)
fig, axes = plt.subplots(1, 2, figsize=(6.8, 3.6), sharex=True, sharey=True)
for ax, logp, title in [
    (axes[0], gmm_2d.score_samples(cells), f"GMM, K = {K_2d}"),
    (axes[1], kde_2d.logpdf(cells.T), "KDE (Scott's rule)"),
]:
    cs = ax.contour(g1, g2, logp.reshape(g1.shape), levels=log_levels, cmap="viridis")
    ax.clabel(cs, fmt="%.0f", fontsize=7)
    ax.scatter(train[:, 0], train[:, 1], s=8, color="0.5", label="training eruptions")
    ax.set(title=f"{title}: contours of log p(x)", xlabel="eruption duration (min)",
           ylabel="waiting time (min)")
    ax.legend(loc="upper left")
plt.show()

# %% [markdown]
# ## Anomaly detection
#
# A density turns "unusual" into a number. Flag a point when the model finds it improbable:
#
# $$
# \begin{aligned}
# \text{anomaly}(x) &\iff \log \hat p(x) < \tau , \\
# \tau &= \text{the } q\text{-quantile of } \{\log \hat p(x_n)\}_{n=1}^N \\
# &\phantom{=}\ \text{(on the training data)}.
# \end{aligned}
# $$ (eq-ch12-threshold)
#
# Choosing $\tau$ as a quantile fixes the **false-positive rate**: if new normal data come from
# the same distribution, a fraction close to $q$ of them will be flagged, whatever the shape of
# the density. We will set $q = 1\%$ and check that promise on fresh data, then measure how many
# real anomalies the detector catches.
#
# The "normal" data come from a known three-component mixture, so that the fitted density can
# also be checked against the true one.

# %%
true_w = np.array([0.5, 0.3, 0.2])
true_mu = np.array([[0.0, 0.0], [4.0, 1.0], [1.0, 4.0]])
true_cov = np.array([[[1.0, 0.6], [0.6, 1.0]],
                     [[0.5, 0.0], [0.0, 0.3]],
                     [[0.6, -0.3], [-0.3, 0.8]]])


def draw_normal(n, rng):
    """n points from the true mixture (its generative story, chapter 4)."""
    z = rng.choice(3, size=n, p=true_w)
    return np.vstack([rng.multivariate_normal(true_mu[k], true_cov[k], size=np.sum(z == k))
                      for k in range(3)])


def true_log_density(X):
    """Independent reference: the true mixture density with scipy."""
    return np.log(sum(w * stats.multivariate_normal(m, c).pdf(X)
                      for w, m, c in zip(true_w, true_mu, true_cov, strict=True)))


rng = np.random.default_rng(1)
X_train = draw_normal(3000, rng)
X_new = draw_normal(20000, rng)                                 # fresh normal data
fault = rng.normal([7.0, -3.0], 0.3, (200, 2))                  # anomalies: a faulty mode
scattered = rng.uniform([-5.0, -5.0], [9.0, 9.0], (300, 2))     # anomalies: anywhere in a box

detector = GaussianMixture(3, n_init=3, random_state=0).fit(X_train)
q = 0.01
tau = np.quantile(detector.score_samples(X_train), q)
fpr = np.mean(detector.score_samples(X_new) < tau)
se = np.sqrt(q * (1 - q) / len(X_train))
print(f"threshold tau = {tau:.4f}")
print(f"false-positive rate on 20000 fresh normal points: {fpr:.4f}  (target {q}; the quantile "
      f"itself is uncertain by about +-{se:.4f})")
print(f"detection rate, faulty mode:       {np.mean(detector.score_samples(fault) < tau):.4f}")
print(f"detection rate, scattered points:  {np.mean(detector.score_samples(scattered) < tau):.4f}")

# %%
# Check: the fitted density against the true one (scipy), and the detector against an oracle
# that knows the true density and its exact 1% threshold.
lp_fit, lp_true = detector.score_samples(X_new), true_log_density(X_new)
print(f"mean |log p_fit - log p_true| on fresh data: {np.mean(np.abs(lp_fit - lp_true)):.4f}")
tau_true = np.quantile(lp_true, q)
oracle_scattered = true_log_density(scattered) < tau_true
flagged_scattered = detector.score_samples(scattered) < tau
print(f"oracle detection rate, scattered points: {oracle_scattered.mean():.4f}")
print(f"detector and oracle agree on {np.mean(oracle_scattered == flagged_scattered):.4f} "
      "of the scattered points")

# %% [markdown]
# The false-positive rate on fresh data lands close to the 1% we asked for, well within the
# uncertainty of the threshold itself: the 1% quantile of 3,000 scores is only known to about
# ±0.2 percentage points. (A second, smaller effect pushes the other way: the model was fitted to
# the very points whose scores set the threshold, so they look slightly more probable to it than
# new points do.) The faulty mode, far from the normal data, is caught completely. Of the points
# scattered uniformly over the box only about three quarters are flagged — and that is correct rather than a failure: the others fell where
# normal data are common, and even the oracle that knows the true density would pass them. A
# density-based detector finds points in low-density regions; it cannot find an anomaly that
# looks normal. {numref}`fig-ch12-anomaly` shows the threshold and both kinds of anomaly.

# %% tags=["remove-cell"]
rate_fault = np.mean(detector.score_samples(fault) < tau)
rate_scattered = np.mean(detector.score_samples(scattered) < tau)
assert rate_fault == 1.0 and 0.7 < rate_scattered < 0.8  # "completely", "about three quarters"
assert abs(fpr - q) < 2 * se and round(100 * se, 1) == 0.2  # "within ... about ±0.2 points"

# %% mystnb={"figure": {"caption": "Anomaly detection: the fitted log-density (grey shades), the threshold at the 1% quantile of the training scores (orange contour), the training data, and the anomalies flagged (crosses) or missed (open circles).", "name": "fig-ch12-anomaly"}, "image": {"alt": "The orange threshold contour encloses the three overlapping clusters of training points. Every point of the tight faulty clump at the bottom right, outside the contour, is flagged; scattered anomalies outside the contour are flagged, and those that fell inside it, among the normal data, are missed."}}
u1, u2 = np.meshgrid(np.linspace(-5, 9, 200), np.linspace(-5, 9, 200))
cells = np.column_stack([u1.ravel(), u2.ravel()])
logp_cells = detector.score_samples(cells).reshape(u1.shape)
anomalies = np.vstack([fault, scattered])
flagged = detector.score_samples(anomalies) < tau

fig, ax = plt.subplots(figsize=(6.0, 5.6))
ax.contourf(u1, u2, logp_cells, levels=np.linspace(-16, -1, 16), cmap="Greys", alpha=0.6)
ax.contour(u1, u2, logp_cells, levels=[tau], colors=[BOOK_COLORS[5]], linewidths=2.5,
           linestyles="solid")
ax.plot([], [], color=BOOK_COLORS[5], label=f"threshold log p = {tau:.2f} (1% of training)")
ax.scatter(X_train[:, 0], X_train[:, 1], s=3, color=colors[0], alpha=0.4, label="training data")
ax.scatter(*anomalies[flagged].T, s=14, marker="x", color=BOOK_COLORS[5], label="anomaly, flagged")
ax.scatter(*anomalies[~flagged].T, s=14, facecolors="none", edgecolors="k",
           label="anomaly, missed")
ax.set(title="Anomaly detection with a log-density threshold", xlabel="$x_1$", ylabel="$x_2$",
       xlim=(-5, 9), ylim=(-5, 9))
ax.set_aspect("equal")
ax.legend(loc="upper right", fontsize=8)
plt.show()

# %% [markdown]
# ## Generating new data
#
# A mixture is a *generative* model (chapter 4): to draw a new point, choose a component with
# probabilities $\pi_k$, then draw from its Gaussian. `GaussianMixture.sample` does exactly that.
# As a first check of `sample`, the mean and covariance of many draws should match the mixture's
# own, which have closed forms: $\bar\mu = \sum_k \pi_k \mu_k$ and
# $\operatorname{Cov}[x] = \sum_k \pi_k (\Sigma_k + \mu_k\mu_k^\top) - \bar\mu\bar\mu^\top$.

# %%
new_eruptions, _ = gmm_2d.sample(100_000)
mix_mean = gmm_2d.weights_ @ gmm_2d.means_
mix_cov = (np.einsum("k,kij->ij", gmm_2d.weights_, gmm_2d.covariances_)
           + np.einsum("k,ki,kj->ij", gmm_2d.weights_, gmm_2d.means_, gmm_2d.means_)
           - np.outer(mix_mean, mix_mean))
print("mixture mean (closed form):", mix_mean.round(3),
      "  sample mean:", new_eruptions.mean(0).round(3))
print("mixture covariance (closed form):\n", mix_cov.round(2))
print("sample covariance:\n", np.cov(new_eruptions.T).round(2))
assert np.allclose(new_eruptions.mean(0), mix_mean, rtol=0.01)
assert np.allclose(np.cov(new_eruptions.T), mix_cov, rtol=0.03)

# %% [markdown]
# ### Handwritten digits
#
# A more striking use: new images. scikit-learn ships 1,797 handwritten digits of $8\times8$
# pixels (64 grey levels from 0 to 16), following the example in {cite}`vanderplas2016`. A full
# covariance in 64 dimensions has 2,080 parameters, too many for about 180 images per digit, so we
# first project the images on their 40 leading principal components (PCA), which keep 99% of
# the pixel variance, fit the mixture there, sample, and map the samples back to pixels.
#
# How many components, and how much `reg_covar`? We let held-out data decide (1,400 images to
# fit, 397 to score). Chapter 11 warned that a component owning fewer points than dimensions has
# a singular covariance that only `reg_covar` keeps finite: here that is a real danger, and the
# table shows it.

# %%
digits = load_digits()
rng = np.random.default_rng(0)
order = rng.permutation(len(digits.data))
pix_train, pix_test = digits.data[order[:1400]], digits.data[order[1400:]]
pca = PCA(n_components=40, random_state=0).fit(pix_train)
Z_train, Z_test = pca.transform(pix_train), pca.transform(pix_test)
print(f"variance kept by 40 components: {pca.explained_variance_ratio_.sum():.4f}")
print(f"smallest kept PCA variance: {pca.explained_variance_[-1]:.3f} (grey levels^2)")

rows, models = [], {}
for K in (10, 20):
    for reg in (1e-6, 1.0):
        g = GaussianMixture(K, reg_covar=reg, random_state=0).fit(Z_train)
        models[K, reg] = g
        rows.append({"K": K, "reg_covar": reg, "train log-lik / image": g.score(Z_train),
                     "held-out log-lik / image": g.score(Z_test)})
digit_table = pd.DataFrame(rows).set_index(["K", "reg_covar"])
digit_table.round(2)

# %% [markdown]
# With the default `reg_covar` the 20-component model fits its training images better than any
# other and new images much worse: its small components have collapsed towards the few images
# they own (chapter 11's spike, in 40 dimensions). A `reg_covar` of 1 — small next to the PCA
# variances, which run from 2.5 to 177 — removes the collapse, and the 20-component model
# becomes the best on held-out images. Those are the images we sample from.

# %%
best_K, best_reg = digit_table["held-out log-lik / image"].idxmax()
digit_gmm = models[best_K, best_reg]
print(f"chosen: K = {best_K}, reg_covar = {best_reg}")
Z_new, comp = digit_gmm.sample(40)
new_images = np.clip(pca.inverse_transform(Z_new), 0, 16)


def mosaic(images, n_rows, n_cols):
    """Tile 8x8 images into one array, with a one-pixel white gap between them."""
    tiles = np.zeros((n_rows * 9 - 1, n_cols * 9 - 1))
    for i, image in enumerate(images[: n_rows * n_cols]):
        r, c = divmod(i, n_cols)
        tiles[r * 9 : r * 9 + 8, c * 9 : c * 9 + 8] = image.reshape(8, 8)
    return tiles


# %% mystnb={"figure": {"caption": "Top: 40 real handwritten digits from the held-out images. Bottom: 40 digits drawn from the chosen Gaussian mixture in the 40-dimensional PCA space and mapped back to 8 x 8 pixels.", "name": "fig-ch12-digits"}, "image": {"alt": "Two mosaics of small 8 by 8 pixel digits. The real digits are crisp; the generated ones are recognisable digits, grouped by the component that drew them, but blurrier and noisier."}}
fig, axes = plt.subplots(2, 1, figsize=(6.4, 5.8))
for ax, images, title in [(axes[0], pix_test[:40], "Real digits (held-out images)"),
                          (axes[1], new_images,
                           f"Generated digits (GMM, K = {best_K}, in 40-D PCA space)")]:
    ax.imshow(mosaic(images, 4, 10), cmap="binary", vmin=0, vmax=16)
    ax.set(title=title, xlabel="8 x 8 pixels per digit", ylabel="")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
plt.show()

# %% [markdown]
# The generated digits of {numref}`fig-ch12-digits` are grouped by the component that produced them (`sample` returns them in
# that order), and each component has learned something like one way of writing one digit. They
# are blurrier than the real ones: every image is a Gaussian draw in 40 dimensions, and the
# clipping to the 0–16 range hides some of the noise. That is the honest limit of a mixture of 20
# Gaussians as a model of handwriting — and a good reason for the deep generative models that
# came later, many of which still use Gaussian mixtures inside.

# %% [markdown]
# ## Clustering real data
#
# ### Iris: what BIC finds and what the species are
#
# The Iris measurements (four lengths in cm for 50 flowers of each of three species) are the
# classic test. We let BIC choose $K$ and also fit $K = 3$, and compare each clustering with the
# species by the **adjusted Rand index** (ARI): the fraction of pairs of flowers on which two
# partitions agree (same group or different groups), corrected so that random labels score 0 and
# identical partitions score 1. It ignores the names of the groups, so no alignment is needed.

# %%
X_iris, species = load_iris(return_X_y=True)
iris_rows = []
for K in range(1, 7):
    g = GaussianMixture(K, n_init=3, random_state=0).fit(X_iris)
    iris_rows.append({"K": K, "BIC": g.bic(X_iris),
                      "ARI vs species": adjusted_rand_score(species, g.predict(X_iris))})
iris_table = pd.DataFrame(iris_rows).set_index("K")
K_bic = int(iris_table["BIC"].idxmin())
print("K chosen by BIC:", K_bic)
iris_table.round(4)

# %% [markdown]
# BIC prefers **two** components, and with them the ARI is only 0.57: setosa is found perfectly,
# but versicolor and virginica are merged. With $K = 3$ the ARI is 0.90. There is no
# contradiction. BIC answers "how many Gaussians does the density of these measurements need?",
# and for 150 flowers two overlapping species are described almost as well by one elongated
# Gaussian as by two, which BIC's penalty then prefers. Whether the clusters match *species* is a
# different question, which the measurements alone cannot settle. Use BIC to choose a density
# model; when the number of groups is known from outside, use it.

# %%
iris_gmm = GaussianMixture(3, n_init=5, random_state=0).fit(X_iris)
iris_labels = align_labels(species, iris_gmm.predict(X_iris))   # name clusters after species
print(f"ARI, K = 3: {adjusted_rand_score(species, iris_labels):.4f}; "
      f"misassigned flowers: {int(np.sum(iris_labels != species))} of 150")
pd.crosstab(pd.Series(np.array(load_iris().target_names)[species], name="species"),
            pd.Series(iris_labels, name="cluster"))

# %% [markdown]
# ### Old Faithful
#
# On the geyser data the clusters are real and well separated. On standardized columns (so that
# minutes of duration and minutes of waiting weigh alike, as in Bishop's figure 9.8) BIC and the
# eye agree on two:

# %%
faithful_std = standardize(faithful)
bic_of = {K: GaussianMixture(K, n_init=3, random_state=0).fit(faithful_std).bic(faithful_std)
          for K in range(1, 5)}
print("BIC:", {K: round(b, 2) for K, b in bic_of.items()})
of_gmm = GaussianMixture(2, n_init=3, random_state=0).fit(faithful_std)
of_labels = of_gmm.predict(faithful_std)
for k in np.argsort(of_gmm.means_[:, 0]):
    members = faithful[of_labels == k]
    print(f"cluster of {len(members):3d} eruptions: mean duration {members[:, 0].mean():.2f} min, "
          f"mean wait {members[:, 1].mean():.1f} min, weight {of_gmm.weights_[k]:.3f}")

# %% [markdown]
# ## How sure is each assignment?
#
# A hard label hides how confident the model is. The responsibilities $r_{nk}=\gamma(z_{nk})$ (eq. 4.2) are a
# full probability distribution over the components for each point, and its **entropy**
#
# $$
# H_n = -\sum_{k=1}^K r_{nk} \log r_{nk}, \qquad 0 \le H_n \le \log K ,
# $$ (eq-ch12-entropy)
#
# summarizes it in one number: $0$ when one component owns the point outright, $\log K$ when all
# $K$ are equally likely. Points with high entropy are the ones a hard clustering is most likely
# to get wrong. For Iris with $K = 3$:

# %%
resp = iris_gmm.predict_proba(X_iris)
with np.errstate(divide="ignore", invalid="ignore"):
    entropy = -np.sum(np.where(resp > 0, resp * np.log(resp), 0.0), axis=1)
# Check: eq. 12.3 against scipy's entropy of each row.
assert np.allclose(entropy, stats.entropy(resp, axis=1), atol=1e-12)
wrong = iris_labels != species
print(f"mean entropy, correctly assigned flowers: {entropy[~wrong].mean():.4f} nats")
print(f"mean entropy, misassigned flowers:       {entropy[wrong].mean():.4f} nats "
      f"(max log 3 = {np.log(3):.4f})")
top = np.argsort(entropy)[::-1][:10]
print(f"misassigned flowers among the 10 most uncertain: {int(wrong[top].sum())} "
      f"of {int(wrong.sum())}")

# %% mystnb={"figure": {"caption": "Iris with K = 3, petal length against petal width: each flower coloured by the entropy of its responsibilities (dark: certain, yellow: uncertain), and the flowers whose cluster disagrees with their species circled.", "name": "fig-ch12-iris-entropy"}, "image": {"alt": "Scatter plot of the flowers. The small setosa group at the bottom left is uniformly dark, certain. The uncertain, brighter flowers lie where the versicolor and virginica groups meet, and most circled, misassigned flowers are among them."}}
fig, ax = plt.subplots(figsize=(6.4, 4.6))
sc = ax.scatter(X_iris[:, 2], X_iris[:, 3], c=entropy, cmap="viridis", s=28, vmin=0,
                vmax=np.log(3), edgecolors="none")
ax.scatter(X_iris[wrong, 2], X_iris[wrong, 3], s=110, facecolors="none", edgecolors=BOOK_COLORS[5],
           linewidths=1.5, label="misassigned (vs species)")
fig.colorbar(sc, ax=ax, label="entropy of the responsibilities (nats)")
ax.set(title="Iris, K = 3: uncertainty of each assignment", xlabel="petal length (cm)",
       ylabel="petal width (cm)")
ax.legend(loc="upper left")
plt.show()

# %% [markdown]
# The uncertain flowers sit where versicolor meets virginica ({numref}`fig-ch12-iris-entropy`),
# and most of the misassigned ones are among them. Reporting the entropy — or simply the largest responsibility — alongside each label tells
# a reader which assignments to trust. k-means cannot give this: it has no probabilities.

# %% [markdown]
# ## GMM and the alternatives
#
# The seed tutorials list k-means, DBSCAN and hierarchical (agglomerative) clustering as
# alternatives {cite}`pedregosa2011`. Each rests on a different idea of what a cluster is:
#
# - **k-means** (chapter 3): points nearest to one of $K$ centres — round clusters of similar
#   size; it is a GMM with equal spherical covariances and hard assignments.
# - **Agglomerative clustering**: start with every point alone and repeatedly merge the two
#   closest groups. *Ward* linkage merges the pair that increases the within-group variance
#   least (round, k-means-like groups); *single* linkage merges the pair with the closest two
#   points (chains of any shape, but one bridge of points joins two clusters).
# - **DBSCAN**: clusters are regions of high point density separated by low density; it finds the
#   number of clusters itself, labels sparse points as noise, and needs a radius `eps` instead of
#   $K$ (here `eps=0.2` on standardized data, `min_samples=5`, for every data set).
#
# Three synthetic data sets probe them: round **blobs** of different sizes, **elongated** clusters
# (blobs sheared by a linear map, the case of the tutorials' first figure), and two interleaved
# **moons**. Every method gets the true number of clusters where it needs one; GMM uses `n_init=3`.

# %%
X_blobs, y_blobs = make_blobs(600, centers=[[0, 0], [4, 4], [-3, 5]], cluster_std=[1.0, 0.6, 1.4],
                              random_state=0)
X_long, y_long = make_blobs(600, centers=3, cluster_std=1.0, random_state=170)
X_long = X_long @ np.array([[0.6, -0.64], [-0.41, 0.85]])
X_moons, y_moons = make_moons(600, noise=0.06, random_state=0)
datasets = {"blobs": (X_blobs, y_blobs), "elongated": (X_long, y_long), "moons": (X_moons, y_moons)}


def cluster_all(X, K):
    """Labels from each method (DBSCAN's -1 marks noise)."""
    return {
        "GMM (full)": GaussianMixture(K, n_init=3, random_state=0).fit_predict(X),
        "k-means": KMeans(K, n_init=10, random_state=0).fit(X).labels_,
        "agglomerative (Ward)": AgglomerativeClustering(K, linkage="ward").fit_predict(X),
        "agglomerative (single)": AgglomerativeClustering(K, linkage="single").fit_predict(X),
        "DBSCAN": DBSCAN(eps=0.2, min_samples=5).fit_predict(StandardScaler().fit_transform(X)),
    }


results = {name: cluster_all(X, len(np.unique(y))) for name, (X, y) in datasets.items()}
ari = pd.DataFrame({name: {m: adjusted_rand_score(datasets[name][1], lab) for m, lab in res.items()}
                    for name, res in results.items()})
ari.index.name = "ARI vs truth"
ari.round(3)

# %% [markdown]
# {numref}`fig-ch12-blobs`, {numref}`fig-ch12-elongated` and {numref}`fig-ch12-moons` show the
# clusters that four of the methods find on each data set.

# %% mystnb={"figure": {"caption": "Blobs of different sizes and spreads, clustered by a full-covariance GMM, k-means, single-linkage agglomerative clustering and DBSCAN; each cluster found has its own colour and marker, DBSCAN's noise is dark grey crosses. Panel titles give the adjusted Rand index against the true clusters.", "name": "fig-ch12-blobs"}, "image": {"alt": "Four panels of three round blobs. GMM and k-means recover the three blobs. Single linkage puts almost every point in one cluster, leaving two single points. DBSCAN finds the two tighter blobs but marks many points of the diffuse blob as noise and splits off small groups."}}
methods_shown = ["GMM (full)", "k-means", "agglomerative (single)", "DBSCAN"]


def four_ways(name):
    """The clusters of four methods on one data set, one marker and colour per cluster."""
    X = datasets[name][0]
    fig, axes = plt.subplots(2, 2, figsize=(6.6, 6.0), sharex=True, sharey=True)
    for ax, method in zip(axes.ravel(), methods_shown, strict=True):
        labels = results[name][method]
        for k in np.unique(labels):
            pts = X[labels == k]
            noise = k == -1
            ax.scatter(pts[:, 0], pts[:, 1], s=10 if noise else 9,
                       color="0.3" if noise else BOOK_COLORS[k % 8],
                       marker="x" if noise else BOOK_MARKERS[k % len(BOOK_MARKERS)],
                       linewidths=0.8 if noise else 0, label="noise" if noise else None)
        ax.set_title(f"{method}: ARI {ari.loc[method, name]:.2f}", fontsize=10)
        ax.set(xlabel="$x_1$", ylabel="$x_2$")
        if -1 in labels:
            ax.legend(loc="lower left", fontsize=7)
    if name == "elongated":
        gmm_long = GaussianMixture(3, n_init=3, random_state=0).fit(X)
        plot_mixture(axes[0, 0], None, gmm_long.means_, gmm_long.covariances_,
                     n_std=(2.0,), label_components=False)
    for ax in axes.ravel():
        ax.label_outer()  # axis labels on the outer panels only
    fig.suptitle(f"{name.capitalize()}: four ways to cluster (colours = clusters found)")
    plt.show()


four_ways("blobs")

# %% mystnb={"figure": {"caption": "Three elongated (sheared) clusters, clustered by the same four methods; the GMM panel also shows the fitted components' 2-sigma ellipses.", "name": "fig-ch12-elongated"}, "image": {"alt": "Four panels of three parallel, tilted, elongated clusters. The GMM's ellipses follow each cluster and its clusters match them. k-means cuts across the two upper-left clusters. Single linkage merges those two into one cluster. DBSCAN recovers all three, with a few noise points."}}
four_ways("elongated")

# %% mystnb={"figure": {"caption": "Two interleaved half-moons, clustered by the same four methods.", "name": "fig-ch12-moons"}, "image": {"alt": "Four panels of two interleaved crescents. GMM and k-means split the data with a roughly straight boundary that cuts each moon in two. Single linkage and DBSCAN each recover the two moons exactly."}}
four_ways("moons")

# %% tags=["remove-cell"]
# Check the single-linkage sizes quoted in the table below, and the ARIs the figures show.
assert ari.loc["GMM (full)", "blobs"] > 0.95 and ari.loc["GMM (full)", "elongated"] > 0.95
assert ari.loc["k-means", "elongated"] < 0.7 and ari.loc["DBSCAN", "moons"] > 0.99
assert ari.loc["agglomerative (single)", "moons"] > 0.99 and ari.loc["GMM (full)", "moons"] < 0.6
single_blobs = np.bincount(results["blobs"]["agglomerative (single)"])
single_long = results["elongated"]["agglomerative (single)"]
assert sorted(single_blobs) == [1, 1, 598]
merged = np.argmax(np.bincount(single_long))
assert (np.bincount(y_long[single_long == merged]) > 10).sum() == 2  # two true clusters in one
assert sorted(np.bincount(single_long)) == [1, 199, 400]

# %% [markdown]
# What the table and the figures say, method by method:
#
# | method | gets right | gets wrong |
# | --- | --- | --- |
# | GMM | blobs of different sizes and elongated clusters (it learns each shape); gives probabilities, a density, uncertainty | clusters that are not ellipses (moons): it cuts each moon with straight-ish boundaries |
# | k-means | round clusters of similar spread; fast and simple | elongated clusters and clusters of different spreads, which it splits by distance to the centres |
# | agglomerative (Ward) | close to k-means, without random restarts | the same shapes as k-means |
# | agglomerative (single) | the moons: it follows chains of close points | anything with a bridge or noise between clusters: on the blobs one cluster of 598 points and two single points; on the elongated data two clusters merged into one, the third found, and one straggler |
# | DBSCAN | moons and elongated clusters, without being told $K$; marks noise | blobs of different densities, where one `eps` cannot suit both the tight and the diffuse cluster |
#
# No method wins everywhere, and the ARI rewards only agreement with one particular "truth".
# The practical rule: use a GMM when you believe the groups are roughly elliptical, or when you
# need what only a probabilistic model provides — a density, calibrated probabilities, anomaly
# scores, or new samples. This also answers a reader of the tutorials who found that k-means and
# the GMM gave them the same clusters: on well-separated, roughly round groups of similar size
# (the blobs row of the table), the two models nearly coincide, because a GMM with equal spherical
# covariances *is* k-means with soft assignments. The differences appear with elongated,
# unequal or overlapping groups.

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: ex-ch12-bandwidth
#
# A KDE is a mixture with one component per point ({eq}`eq-ch12-kde`). Evaluate the mean training
# and held-out log-density of the 1-D eruption KDE for bandwidth factors
# `stats.gaussian_kde(d_train[:, 0], bw_method=b)` with $b$ from 1 down to 0.01. What happens to
# each as $b \to 0$, and which effect of chapter 11 is at work?
# ```
#
# ```{solution} ex-ch12-bandwidth
# :class: dropdown
#
# As $b$ shrinks, every bump becomes a spike on its own data point. The training log-density
# grows without bound — each training point sits on a spike of width $h \to 0$, exactly the
# singularity of chapter 11 (from about $-1.64$ at $b = 1$ to $-0.61$ at $b = 0.01$, and on
# upwards). The held-out log-density first improves markedly, to its best, about $-0.916$, near
# $b = 0.025$ ($-0.918$ at $b = 0.02$, $-0.934$ at $b = 0.05$) — better than the two- and
# three-component mixtures — and then falls again ($-1.02$ at $b = 0.01$), because new points
# land between the spikes. The training score is useless for
# choosing a bandwidth (or `reg_covar`, or $K$); the held-out score is the right one, and with it
# a KDE is a strong density estimator in one dimension.
# ```

# %% tags=["remove-cell"]
# Check the numbers quoted in the bandwidth solution.
held_out = {b: stats.gaussian_kde(d_train[:, 0], bw_method=b).logpdf(d_test[:, 0]).mean()
            for b in (1.0, 0.05, 0.03, 0.025, 0.02, 0.015, 0.01)}
training = {b: stats.gaussian_kde(d_train[:, 0], bw_method=b).logpdf(d_train[:, 0]).mean()
            for b in (1.0, 0.01)}
assert max(held_out, key=held_out.get) == 0.025 and round(held_out[0.025], 3) == -0.916
assert round(held_out[0.02], 3) == -0.918 and round(held_out[0.05], 3) == -0.934
assert round(held_out[0.01], 2) == -1.02
assert round(training[1.0], 2) == -1.64 and round(training[0.01], 2) == -0.61
assert held_out[0.025] > max(gmm_k.score(d_test) for gmm_k in
                             [GaussianMixture(K, n_init=3, random_state=0).fit(d_train)
                              for K in (2, 3)])

# %% [markdown]
# ```{exercise}
# :label: ex-ch12-quantile
#
# Repeat the anomaly-detection experiment with $q = 5\%$, and then with $q = 1\%$ but only 200
# training points. Compare the false-positive rates on `X_new` with $q$. Which of the two reasons
# given in the text explains the larger gap in the second case?
# ```
#
# ```{solution} ex-ch12-quantile
# :class: dropdown
#
# With $q = 5\%$ and 3,000 training points the rate on fresh data is close to 5% (about 4.96%).
# With 200 points the 1% quantile lies between the 2nd- and 3rd-lowest training scores, so it is
# very uncertain ($\sqrt{0.01 \cdot 0.99/200} \approx 0.7$ percentage points), *and* a mixture
# with 17 parameters fitted to 200 points is noticeably flattered by its own training points. For
# five different training sets of 200 points the rates on fresh data came out between about 1.4%
# and 3.7% — all above 1%: the second, systematic effect dominates, and the first adds the
# scatter. A common remedy is to set the threshold on a separate validation set rather than on
# the training data.
# ```
#
# ```{exercise}
# :label: ex-ch12-memorize
#
# Does the digits model copy its training images? For each of 200 samples from
# `models[20, 1e-6]` and from `models[20, 1.0]`, compute the distance (in PCA space) to the
# nearest training image, and compare both with the distance from each held-out image to its
# nearest training image.
# ```
#
# ```{solution} ex-ch12-memorize
# :class: dropdown
#
# Use `Z, _ = model.sample(200)` and `np.min(np.linalg.norm(Z[:, None] - Z_train[None], axis=2), axis=1)`.
# Neither model copies. The held-out images have a median nearest-training distance of about 16
# (grey levels, in PCA space); samples from both models are slightly *farther* from the training
# set (medians about 18 with `reg_covar=1e-6` and 19 with `reg_covar=1.0`), because each sample
# adds Gaussian noise in all 40 directions. The weakly regularized model's samples are a little
# closer, but its overfitting shows much more clearly in the held-out log-likelihood of the table
# above than in its samples: a density can be badly wrong in directions where the samples look
# fine. Checking for copies is still a good habit for any generative model.
# ```
#
# ```{exercise}
# :label: ex-ch12-moons
#
# A GMM with two components cannot separate the moons. Fit one with 8 components instead, and
# plot its density contours. Is it a good *density* model of the moons? How could its
# components be grouped into two *clusters*?
# ```
#
# ```{solution} ex-ch12-moons
# :class: dropdown
#
# With 8 components the contours follow both crescents closely: as a density estimate the model is
# good (its held-out log-likelihood is far above the 2-component one). Each moon is covered by a
# chain of components, so clustering the moons means merging components — for instance by
# running single-linkage agglomerative clustering on the component means, or by merging the pairs
# of components whose responsibilities overlap most. Density estimation and clustering are
# different goals, and the number of components that serves one need not serve the other.
# ```
#
# ## Summary
#
# - A fitted mixture is a **density estimate**. Compared by held-out log-likelihood on the Old
#   Faithful durations, a two-component mixture matches a well-binned histogram (a finely binned
#   one gives new points density zero) and beats a KDE whose bandwidth rule assumes one Gaussian;
#   a KDE is itself a Gaussian mixture with one fixed component per point ({eq}`eq-ch12-kde`).
# - **Anomaly detection**: flag points with $\log\hat p(x)$ below the $q$-quantile of the training
#   scores ({eq}`eq-ch12-threshold`). The false-positive rate on fresh normal data is then close to
#   $q$ (we measured it); the detector catches anomalies in low-density regions and, rightly,
#   not those that look normal.
# - **Generation**: `sample` draws from the model; through PCA, a 20-component mixture produces
#   recognizable handwritten digits, once `reg_covar` — chosen on held-out data — stops small
#   components from collapsing.
# - **Clustering**: BIC chooses the number of Gaussians the density needs, which need not be the
#   number of classes (Iris: BIC picks 2 components for 3 species; the ARI is 0.57 with
#   2 and 0.90 with 3). The entropy of the
#   responsibilities ({eq}`eq-ch12-entropy`) flags the assignments not to trust.
# - **Alternatives**: k-means and Ward suit round clusters, single linkage and DBSCAN follow
#   arbitrary shapes, DBSCAN needs no $K$ but one density scale; a GMM is the choice for
#   elliptical groups and whenever probabilities, densities or samples are needed.
