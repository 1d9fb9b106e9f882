# %% [markdown]
# # k-means and its limits
#
# :::{admonition} Learning goals
# :class: tip
#
# After this chapter you will be able to
#
# - state the k-means objective (the *inertia*) and the two steps of Lloyd's algorithm, and
#   explain why neither step can make the objective worse;
# - explain k-means++ seeding and why it beats picking centres at random;
# - use `gmm_from_scratch.KMeans` and `kmeans_plusplus`, and check them against the equations
#   and against scikit-learn;
# - recognise the data on which k-means fails (elongated clusters, overlapping clusters of
#   different sizes) and see how a Gaussian mixture handles the same data;
# - explain the difference between hard and soft assignments, and answer the common question
#   "why do k-means and a GMM give me the same clusters?".
# :::
#
# Before we build Gaussian mixtures we look at their simpler cousin. k-means is the most
# widely used clustering method, it is how `GaussianMixture` is initialised by default, and
# its failures are the clearest argument for everything that follows. k-means describes each
# cluster by a single point, its **centre**, and puts every data point in the cluster of the
# nearest centre. That is all. The question is how to find good centres, and what "nearest"
# silently assumes.

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.cluster import KMeans as SklearnKMeans
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score

from gmm_from_scratch import (
    GaussianMixture,
    KMeans,
    align_components,
    kmeans_plusplus,
    permute_mixture,
)
from gmm_from_scratch.kmeans import squared_distances
from gmm_from_scratch.plotting import BOOK_COLORS, component_styles, plot_mixture, use_book_style

use_book_style()
np.set_printoptions(precision=4, suppress=True)


def aligned_kmeans(km, reference_centers):
    """Centres and labels of a fitted KMeans renumbered to match reference_centers (colours)."""
    perm = align_components(reference_centers, km.cluster_centers_)
    return km.cluster_centers_[perm], np.argsort(perm)[km.labels_]


def show_clusters(ax, X, labels, centers, title):
    """Scatter points coloured and shaped by hard label, and the centres as crosses."""
    styles = component_styles(len(centers))
    for k, style in enumerate(styles):
        ax.scatter(X[labels == k, 0], X[labels == k, 1], s=10, color=style["color"],
                   marker=style["marker"], alpha=0.7, linewidths=0)
    for k, c in enumerate(centers):
        ax.plot(c[0], c[1], marker="X", markersize=11, color=styles[k]["color"],
                markeredgecolor="black", linestyle="none", label=f"centre {k + 1}")
    ax.set_title(title)
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")


def mixture_legend(ax, **kwargs):
    """Legend of a plot_mixture panel without its "data" entry (the points are coloured by their
    responsibilities, not in one colour)."""
    handles, labels = ax.get_legend_handles_labels()
    kept = [(h, lab) for h, lab in zip(handles, labels, strict=True) if lab != "data"]
    return ax.legend(*zip(*kept, strict=True), **kwargs)


# %% [markdown]
# ## The objective and Lloyd's algorithm
#
# Give each point $\mathbf x_n$ a cluster label, written as indicators $r_{nk}\in\{0,1\}$ with
# exactly one $r_{nk}=1$ per point, and give each cluster a centre $\mathbf c_k$. k-means looks
# for the labels and centres that minimise the **inertia**, the total squared distance from
# every point to its own centre:
#
# $$
# J \;=\; \sum_{n=1}^{N}\sum_{k=1}^{K} r_{nk}\,\lVert\mathbf x_n-\mathbf c_k\rVert^2 .
# $$ (eq-ch03-inertia)
#
# Minimising over labels and centres *jointly* is hard (it is NP-hard in general), but
# minimising over one while the other is held fixed is easy. **Lloyd's algorithm** alternates
# the two easy problems:
#
# 1. **Assignment step.** With the centres fixed, each point's term in $J$ is smallest when it
#    goes to its nearest centre:
#
#    $$
#    r_{nk}=1 \text{ for } k=\operatorname*{arg\,min}_{j}\,\lVert\mathbf x_n-\mathbf c_j\rVert^2,
#    \quad r_{nk}=0 \text{ otherwise}.
#    $$ (eq-ch03-assign)
#
# 2. **Update step.** With the labels fixed, $J$ is a sum of separate quadratics, one per
#    cluster. Setting the gradient $-2\sum_n r_{nk}(\mathbf x_n-\mathbf c_k)$ to zero gives
#    the mean of the cluster's points, exactly as the 1-D MLE {eq}`eq-ch01-mle-mean`:
#
#    $$
#    \mathbf c_k = \frac{\sum_{n} r_{nk}\,\mathbf x_n}{\sum_{n} r_{nk}} .
#    $$ (eq-ch03-update)
#
# Each step solves its sub-problem exactly, so **neither can increase $J$**. There are only
# finitely many ways to label $N$ points, and $J$ never goes up, so the algorithm stops after
# finitely many steps, at a point where neither step changes anything. That point is a *local*
# minimum: a different start may end somewhere better. Keep this alternation in mind; EM
# (chapter 5) has exactly the same structure, with soft labels.
#
# ## Watching Lloyd's algorithm
#
# `KMeans(n_clusters, init=..., max_iter=t)` stops after at most `t` rounds of the two steps,
# so fitting it with `t = 1, 2, 3, ...` from the same starting centres shows the algorithm
# step by step ({numref}`fig-ch03-lloyd`). We start it from a deliberately poor guess: all three centres crowded into the
# lower-left corner, below one of the clusters.

# %%
true_centers = np.array([[-4.0, 0.0], [3.0, -1.0], [0.5, 5.0]])
X, y = make_blobs(n_samples=450, centers=true_centers, cluster_std=1.1, random_state=3)
start = np.array([[-6.0, -3.0], [-5.0, -2.0], [-4.0, -3.0]])

fits = {t: KMeans(3, init=start, max_iter=t, tol=0.0).fit(X) for t in range(1, 7)}
for t, km in fits.items():
    print(f"after {t} iteration(s): inertia J = {km.inertia_:9.3f}")

# %% mystnb={"figure": {"caption": "Lloyd's algorithm on three clusters, started from three centres crowded in the lower-left corner: the assignment of every point to its nearest centre (colour and marker) and the centres (crosses) at the start and after 1, 2 and 5 iterations. Black lines: the paths of the centres.", "name": "fig-ch03-lloyd"}, "image": {"alt": "Four panels. Start: the orange centre owns most of the left and top clusters, the green one the right cluster. After one iteration green sits in the right cluster, orange between the left and top clusters, blue far to the left. After two, orange moves up towards the top cluster and blue into the left one. After five, one centre sits in each cluster."}}
fig, axes = plt.subplots(2, 2, figsize=(8, 7), sharex=True, sharey=True)
panels = [(0, start), (1, fits[1].cluster_centers_), (2, fits[2].cluster_centers_),
          (5, fits[5].cluster_centers_)]
path = np.stack([start] + [fits[t].cluster_centers_ for t in range(1, 7)])
for ax, (t, centers) in zip(axes.ravel(), panels, strict=True):
    labels = np.argmin(squared_distances(X, centers), axis=1)  # eq. (3.2) via the package
    show_clusters(ax, X, labels, centers, f"after {t} iteration(s)" if t else "start")
    for k in range(3):
        ax.plot(path[: t + 1, k, 0], path[: t + 1, k, 1], color="black", lw=1, alpha=0.7)
for ax in axes[0]:
    ax.set_xlabel("")
for ax in axes[:, 1]:
    ax.set_ylabel("")
axes[0, 0].legend(loc="upper left")
fig.suptitle("Lloyd's algorithm: assign to the nearest centre, move centres to the means")
plt.show()
# The text below, checked. Centre k is nearest to which true cluster (0 left, 1 right, 2 top)?
start_labels = np.argmin(squared_distances(X, start), axis=1)
owner0 = [np.bincount(start_labels[y == j], minlength=3).argmax() for j in range(3)]
assert owner0 == [1, 2, 1]  # start: orange owns most of left and top, green the right cluster
nearest = {t: np.argmin(squared_distances(fits[t].cluster_centers_, true_centers), axis=1)
           for t in fits}
gap1 = np.sqrt(squared_distances(fits[1].cluster_centers_, true_centers))
assert nearest[1][2] == 1 and gap1[2, 1] < 0.5  # green jumped into the right cluster
assert gap1[1, 0] > 2.5 and gap1[1, 2] > 2.5  # orange between the left and top clusters
assert fits[1].cluster_centers_[0, 0] < true_centers[0, 0] - 2  # blue to the far left
assert np.bincount(start_labels, minlength=3)[0] < 5  # blue owned only a few points
assert list(nearest[2][:2]) == [0, 2]  # after two: blue in the left, orange towards the top
assert not np.array_equal(fits[3].cluster_centers_, fits[4].cluster_centers_)
assert all(np.array_equal(fits[4].cluster_centers_, fits[t].cluster_centers_) for t in (5, 6))
assert all(b <= a for a, b in zip([f.inertia_ for f in fits.values()],
                                  [f.inertia_ for f in list(fits.values())[1:]], strict=False))

# %% [markdown]
# In {numref}`fig-ch03-lloyd`, at the start, the orange centre is the nearest one for most of the left and
# top clusters, and the green one for the right cluster. After one iteration green has jumped
# into the right-hand cluster, orange to the middle of the two clusters it owns, and blue,
# which owned only a few points, to the far left. After two, orange climbs into the top
# cluster and blue moves into the left one; iteration 5 changes nothing any more
# (`tol=0.0` makes `KMeans` run until the centres stop moving exactly). The black lines are
# the paths of the centres. The inertia printed above never increases, as the argument
# promised.
#
# A good outcome is not guaranteed. Start with all three centres in a row *above* the data and
# Lloyd's algorithm gets stuck: two centres end up sharing the left cluster, and the third sits
# between the right and the top clusters and claims both. Every step is still an improvement,
# but the end point is a poor local minimum, with an inertia about four times the one reached
# from the corner ({numref}`fig-ch03-two-starts`):

# %%
stuck_start = np.array([[-4.0, 6.0], [-3.0, 6.0], [-2.0, 6.0]])
stuck = KMeans(3, init=stuck_start, tol=0.0).fit(X)
print(f"from the top: inertia {stuck.inertia_:.3f}, centres\n{stuck.cluster_centers_}")
print(f"from the bottom-left corner: inertia {fits[6].inertia_:.3f}")
# The sentence above, checked: which true cluster is each stuck centre nearest to, and which
# stuck centre owns the points of each true cluster?
nearest_true = np.argmin(squared_distances(stuck.cluster_centers_, true_centers), axis=1)
owner = np.array([np.bincount(stuck.labels_[y == j], minlength=3).argmax() for j in range(3)])
print("nearest true cluster of each stuck centre (0 left, 1 right, 2 top):", nearest_true)
print("stuck centre owning most points of the left, right, top cluster:", owner)
assert sorted(nearest_true[:2]) == [0, 0]  # two centres in the left cluster
assert owner[1] == owner[2] == 2  # one centre claims both the right and the top cluster
assert 3.5 < stuck.inertia_ / fits[6].inertia_ < 4.5

# %% mystnb={"figure": {"caption": "The end points of Lloyd's algorithm from two starts: three centres in a row above the data (left) and crowded in the lower-left corner (right). Points are coloured and shaped by their cluster; white circles: the starting centres; crosses: the final centres; J is the inertia.", "name": "fig-ch03-two-starts"}, "image": {"alt": "Left, J = 4494: two centres split the left cluster between them and the third sits in the empty space between the right and top clusters, owning both. Right, J = 1090: one centre in each of the three clusters."}}
fig, axes = plt.subplots(1, 2, figsize=(9, 4.4), sharex=True, sharey=True)
for ax, km_, init, title in [
    (axes[0], stuck, stuck_start, f"start above the data: J = {stuck.inertia_:.0f}"),
    (axes[1], fits[6], start, f"start in the corner: J = {fits[6].inertia_:.0f}"),
]:
    show_clusters(ax, X, km_.labels_, km_.cluster_centers_, title)
    ax.plot(init[:, 0], init[:, 1], "o", color="white", markeredgecolor="black",
            markersize=7, linestyle="none", label="starting centres")
axes[1].set_ylabel("")
fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=4, fontsize=9)
fig.suptitle("Lloyd's algorithm from two starts: a poor and a good local minimum")
plt.show()

# %% [markdown]
# On the left of {numref}`fig-ch03-two-starts`, the two centres in the left cluster split it between them, and the
# third centre sits in the empty space between the other two clusters. No single step can
# repair this: moving one of the left centres towards the top would first make the inertia
# worse.
#
# ## Check: `KMeans` agrees with the equations and with scikit-learn
#
# At convergence (with `tol=0.0`: the labels no longer change), the labels must satisfy
# {eq}`eq-ch03-assign`, the centres {eq}`eq-ch03-update`, and `inertia_` must be
# {eq}`eq-ch03-inertia`. We check all three by hand with NumPy, and then compare with
# scikit-learn's `KMeans` started from the same centres.

# %%
km = KMeans(3, init=start, tol=0.0).fit(X)
# CHECK: eq. (3.2): every point is assigned to its nearest centre
dist2 = ((X[:, None, :] - km.cluster_centers_[None, :, :]) ** 2).sum(axis=2)
assert np.array_equal(km.labels_, dist2.argmin(axis=1))
# CHECK: eq. (3.3): every centre is the mean of its points
means = np.array([X[km.labels_ == k].mean(axis=0) for k in range(3)])
assert np.allclose(km.cluster_centers_, means, rtol=1e-12)
# CHECK: eq. (3.1): the inertia
inertia = dist2[np.arange(len(X)), km.labels_].sum()
print(f"inertia_ = {km.inertia_:.6f}, by hand = {inertia:.6f}, iterations: {km.n_iter_}")
assert np.isclose(km.inertia_, inertia, rtol=1e-12)
# CHECK: the inertia never increases along the run
inertias = [f.inertia_ for f in fits.values()]
assert all(b <= a + 1e-9 for a, b in zip(inertias, inertias[1:], strict=False))

sk = SklearnKMeans(3, init=start, n_init=1, tol=0.0).fit(X)
print("ours:   ", km.cluster_centers_.ravel())
print("sklearn:", sk.cluster_centers_.ravel())
print(f"inertia: ours {km.inertia_:.6f}, sklearn {sk.inertia_:.6f}")
assert np.isclose(km.inertia_, sk.inertia_, rtol=1e-10)
assert np.allclose(km.cluster_centers_, sk.cluster_centers_, rtol=1e-10)
assert np.array_equal(km.labels_, sk.labels_)

# %% [markdown]
# ## Seeding: k-means++
#
# Lloyd's algorithm only ever improves the centres it is given, so the start matters. Picking
# $K$ data points at random often puts two centres in one cluster and none in another, and
# Lloyd's algorithm may never repair that. **k-means++** {cite}`arthur2007` spreads the initial
# centres out: the first centre is a random data point; each following centre is a data point
# chosen at random with probability proportional to its squared distance $D(\mathbf x)^2$ to
# the nearest centre chosen so far,
#
# $$
# \begin{aligned}
# P(\text{next centre}=\mathbf x_n) &= \frac{D(\mathbf x_n)^2}{\sum_{m=1}^N D(\mathbf x_m)^2},
# \\ \text{where}\quad D(\mathbf x) &= \min_{\text{chosen } \mathbf c}\lVert\mathbf x-\mathbf c\rVert .
# \end{aligned}
# $$ (eq-ch03-kmeanspp)
#
# Points already covered by a centre have $D\approx0$ and are almost never picked; points in an
# uncovered cluster are far from every centre and are likely to be. Arthur and Vassilvitskii
# proved that the seeding alone is within a factor $O(\log K)$ of the best inertia in
# expectation. `kmeans_plusplus` implements it, in the "greedy" variant scikit-learn uses
# (draw a few candidates by {eq}`eq-ch03-kmeanspp` and keep the one that lowers the inertia
# most); with `n_local_trials=1` it is the plain rule.
#
# On data with eight clusters, here is how often a *single* run of Lloyd's algorithm reaches
# the best solution, starting from random points or from k-means++:

# %%
X8, y8 = make_blobs(n_samples=800, centers=8, cluster_std=0.8, center_box=(-10, 10),
                    random_state=4)
results = {}
for init in ("random", "k-means++"):
    results[init] = np.array(
        [KMeans(8, init=init, n_init=1, random_state=s).fit(X8).inertia_ for s in range(40)]
    )
best = min(r.min() for r in results.values())
for init, r in results.items():
    print(f"{init:>9}: reaches the best inertia in {np.mean(r < best * 1.001):5.0%} of 40 runs, "
          f"mean inertia {r.mean():8.1f} (best {best:.1f})")
# k-means++ reaches the best solution more often and has the lower mean inertia
hits = {init: np.mean(r < best * 1.001) for init, r in results.items()}
assert hits["k-means++"] > hits["random"] and results["k-means++"].mean() < results["random"].mean()

# %% mystnb={"figure": {"caption": "Eight starting centres for eight clusters: eight data points drawn at random (left) and the k-means++ seeds (right), over the 800 points (grey).", "name": "fig-ch03-seeding"}, "image": {"alt": "Two scatter plots of eight grey clusters with eight orange crosses each. Left: the random crosses bunch up, several in the same dense clusters, leaving some clusters without a cross. Right: the k-means++ crosses are spread out, about one per cluster."}}
fig, axes = plt.subplots(1, 2, figsize=(9, 4), sharey=True)
rng = np.random.default_rng(5)
random_seeds = X8[rng.choice(len(X8), size=8, replace=False)]
pp_seeds, _ = kmeans_plusplus(X8, 8, random_state=5)
for ax, seeds, title in [(axes[0], random_seeds, "8 random data points"),
                         (axes[1], pp_seeds, "k-means++ seeds")]:
    ax.scatter(X8[:, 0], X8[:, 1], s=6, color="0.65", label="data")
    ax.plot(seeds[:, 0], seeds[:, 1], "X", color=BOOK_COLORS[5], markersize=12,
            markeredgecolor="black", linestyle="none", label="initial centres")
    ax.set_title(title)
    ax.set_xlabel("x₁")
    ax.legend(loc="upper left")  # the upper-left corner is empty
axes[0].set_ylabel("x₂")
plt.show()
# The text below: the k-means++ seeds cover more of the eight clusters than the random ones
covered = {name: len(set(y8[np.argmin(squared_distances(s, X8), axis=1)]))
           for name, s in [("random", random_seeds), ("k-means++", pp_seeds)]}
assert covered["k-means++"] >= 7 and covered["random"] < covered["k-means++"]

# %% [markdown]
# In {numref}`fig-ch03-seeding`, the random seeds bunch up where the data are dense and leave clusters uncovered; the
# k-means++ seeds land one per cluster or close to it. This is why `KMeans` uses k-means++ and
# several runs (`n_init=10`) by default, keeping the run with the lowest inertia.
#
# We can check {eq}`eq-ch03-kmeanspp` directly. On five points, with `n_local_trials=1`, the
# probability that the seeding picks point $i$ first and point $j$ second is
# $\frac15\cdot D_{ij}^2/\sum_m D_{im}^2$. We compare that with the frequencies in 20 000
# seedings.

# %%
# CHECK: eq. (3.4) by simulation, on five points on a line
pts = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0], [6.0, 0.0], [7.0, 0.0]])
counts = np.zeros((5, 5))
for s in range(20000):
    _, idx = kmeans_plusplus(pts, 2, random_state=s, n_local_trials=1)
    counts[idx[0], idx[1]] += 1
D2 = ((pts[:, None] - pts[None]) ** 2).sum(axis=2)
theory = D2 / D2.sum(axis=1, keepdims=True) / 5
print("frequency of (first, second) pairs, first row = first centre is point 0:")
print(np.round(counts / 20000, 3))
print("theory from eq. (3.4):")
print(np.round(theory, 3))
assert np.abs(counts / 20000 - theory).max() < 0.01

# %% [markdown]
# ## Where k-means fails
#
# Look again at {eq}`eq-ch03-assign`: a point goes to the nearest centre in **Euclidean**
# distance. The boundary between two clusters is therefore the straight line (in general, the
# hyperplane) halfway between their centres, whatever the clusters look like. Implicitly,
# k-means assumes that every cluster is a round blob, that all blobs have the same spread, and
# that they are about equally large. When the data break these assumptions, k-means still
# returns an answer, just the wrong one.
#
# ### Elongated clusters
#
# Three long, thin, tilted clusters, lying side by side. Their centres are close together
# compared to their length.

# %%
theta = np.pi / 4
rot = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
stripe_cov = rot @ np.diag([4.0, 0.1]) @ rot.T  # long along 45°, thin across
along, across = rot[:, 0], rot[:, 1]
stripe_centers = np.array([-1.5 * across - 2 * along, np.zeros(2), 1.5 * across + 2 * along])
rng = np.random.default_rng(0)
X_el = np.vstack([rng.multivariate_normal(c, stripe_cov, size=150, method="cholesky")
                  for c in stripe_centers])
y_el = np.repeat(np.arange(3), 150)

km_el = KMeans(3, random_state=0).fit(X_el)
gmm_el = GaussianMixture(3, random_state=0).fit(X_el)
permute_mixture(gmm_el, align_components(stripe_centers, gmm_el.means_))
print("adjusted Rand index against the truth (1 = perfect, 0 = chance):")
print(f"  k-means: {adjusted_rand_score(y_el, km_el.labels_):.3f}")
print(f"  GMM:     {adjusted_rand_score(y_el, gmm_el.predict(X_el)):.3f}")
# The text below: k-means chops the stripes, the mixture recovers them
assert adjusted_rand_score(y_el, km_el.labels_) < 0.5
assert adjusted_rand_score(y_el, gmm_el.predict(X_el)) > 0.95

# %% mystnb={"figure": {"caption": "Three long, thin, tilted clusters. Left: k-means, points coloured and shaped by cluster, crosses at the centres. Right: a full-covariance Gaussian mixture, points coloured by their responsibilities, with each component's 1\u03c3 and 2\u03c3 ellipses and its mean.", "name": "fig-ch03-elongated"}, "image": {"alt": "Left: three parallel diagonal stripes cut across by straight k-means boundaries, so each stripe is split between clusters. Right: the mixture's three long ellipses lie along the three stripes, each stripe in one colour."}}
fig, axes = plt.subplots(1, 2, figsize=(9, 4.4), sharex=True, sharey=True)
centers, labels = aligned_kmeans(km_el, stripe_centers)
show_clusters(axes[0], X_el, labels, centers, "k-means: straight cuts between centres")
plot_mixture(axes[1], X_el, gmm_el.means_, gmm_el.covariances_,
             responsibilities=gmm_el.predict_proba(X_el))
axes[1].set_title("Gaussian mixture: one ellipse per cluster")
axes[1].set_xlabel("x₁")
for ax in axes:
    ax.set_aspect("equal")
    mixture_legend(ax, loc="upper left", fontsize=9)
plt.show()

# %% [markdown]
# {numref}`fig-ch03-elongated` is the key figure of the chapter. k-means chops the stripes into pieces with straight
# cuts, because a cluster whose points are far from its centre along the stripe costs a lot of
# inertia. The Gaussian mixture gives each cluster its own covariance matrix (chapter 2), so it
# measures distance with each cluster's Mahalanobis distance {eq}`eq-ch02-mahalanobis`: a point
# far along a stripe is *not* unusual for that stripe. It recovers the three stripes.
#
# ### Overlapping clusters of different sizes
#
# Now a large, spread-out cluster and a small, tight one that overlaps its edge.

# %%
rng = np.random.default_rng(1)
X_wide = rng.multivariate_normal([0.0, 0.0], [[4.0, 0.0], [0.0, 4.0]], size=400,
                                 method="cholesky")
X_tight = rng.multivariate_normal([3.0, 1.0], [[0.3, 0.1], [0.1, 0.3]], size=100,
                                  method="cholesky")
X_ov = np.vstack([X_wide, X_tight])
y_ov = np.repeat([0, 1], [400, 100])
ov_centers = np.array([[0.0, 0.0], [3.0, 1.0]])

km_ov = KMeans(2, random_state=0).fit(X_ov)
gmm_ov = GaussianMixture(2, random_state=0).fit(X_ov)
permute_mixture(gmm_ov, align_components(ov_centers, gmm_ov.means_))
print("cluster sizes, truth:  ", np.bincount(y_ov))
print("cluster sizes, k-means:", np.bincount(aligned_kmeans(km_ov, ov_centers)[1]))
print("cluster sizes, GMM:    ", np.bincount(gmm_ov.predict(X_ov)))
print(f"GMM weights: {gmm_ov.weights_}")
print(f"adjusted Rand index: k-means {adjusted_rand_score(y_ov, km_ov.labels_):.3f}, "
      f"GMM {adjusted_rand_score(y_ov, gmm_ov.predict(X_ov)):.3f}")
# The text below: k-means' clusters have similar sizes (truth 400 / 100); the tight
# component's weight is about 0.24
sizes_km = np.bincount(km_ov.labels_)
assert sizes_km.min() > 0.4 * len(X_ov) and round(gmm_ov.weights_[1], 2) == 0.24

# %% mystnb={"figure": {"caption": "A wide cluster of 400 points and a tight cluster of 100 points overlapping its edge. Left: k-means. Right: a two-component Gaussian mixture, points coloured by their responsibilities, with the fitted weights \u03c0 in the legend.", "name": "fig-ch03-overlap"}, "image": {"alt": "Left: a straight k-means boundary halfway between the two centres gives the tight cluster half of the wide one. Right: the mixture's small ellipse hugs the tight cluster and its large ellipse covers the wide one; only points near the tight cluster take its colour, with blended colours where the two overlap."}}
fig, axes = plt.subplots(1, 2, figsize=(9, 4.4), sharex=True, sharey=True)
centers, labels = aligned_kmeans(km_ov, ov_centers)
show_clusters(axes[0], X_ov, labels, centers, "k-means: the boundary is a bisector")
plot_mixture(axes[1], X_ov, gmm_ov.means_, gmm_ov.covariances_, weights=gmm_ov.weights_,
             responsibilities=gmm_ov.predict_proba(X_ov))
axes[1].set_title("GMM: colours mix where clusters overlap")
axes[1].set_xlabel("x₁")
for ax in axes:
    ax.set_aspect("equal")
    # below the panel: the scattered points leave no empty corner
    mixture_legend(ax, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncols=2, fontsize=9)
plt.show()

# %% [markdown]
# In {numref}`fig-ch03-overlap`, k-means draws its boundary halfway between the two centres, so the tight cluster annexes
# half of the wide one: the two k-means clusters have similar sizes although the truth is
# 400 against 100. The mixture knows that the small cluster is small (weight about 0.24) and
# tight, so its territory is a small region around it: the boundary curves around the tight
# cluster.
#
# ## Hard and soft assignments
#
# There is a second difference, visible in the colours of the right-hand panel of
# {numref}`fig-ch03-overlap`. k-means
# gives each point exactly one label, $r_{nk}\in\{0,1\}$: a **hard** assignment. A point on the
# boundary is assigned as firmly as a point at a centre. The mixture instead gives each point
# a probability for each component, its **responsibilities** $\gamma(z_{nk})\in[0,1]$ with
# $\sum_k\gamma(z_{nk})=1$, returned by `predict_proba`: a **soft** assignment. Points in the
# overlap get mixed colours. (Where these probabilities come from is the subject of chapter 4:
# Bayes' rule.)

# %%
probe = np.array([[-3.0, -2.0], [3.0, 1.0], [1.8, 0.6], [1.0, 2.5]])
perm_km = align_components(ov_centers, km_ov.cluster_centers_)
hard = np.eye(2)[np.argsort(perm_km)[km_ov.predict(probe)]]  # one-hot, in the GMM's order
soft = gmm_ov.predict_proba(probe)
for p, h, s in zip(probe, hard, soft, strict=True):
    print(f"point {p}:  k-means {h}   GMM responsibilities {s}")
# The text below (component 1 wide, component 2 tight): certain deep in the wide cluster,
# nearly so at the tight centre, a near coin toss in the overlap for the mixture but a firm
# k-means label, and (1, 2.5) tight for k-means but 99.9% wide for the mixture
assert soft[0, 0] > 0.999 and hard[0, 0] == 1 and soft[1, 1] > 0.9
assert 0.4 < soft[2, 0] < 0.6 and hard[3, 1] == 1 and round(soft[3, 0], 3) == 0.999

# %% [markdown]
# The point deep in the wide cluster is certain either way, and the point at the centre of
# the tight cluster nearly so. The point $(1.8, 0.6)$, in the overlap, gets a firm label from
# k-means but close to a coin toss from the mixture, which is the honest answer. And the
# point $(1, 2.5)$ is nearer to the tight cluster's centre, so k-means gives it to the tight
# cluster; the mixture knows that the tight cluster hardly reaches that far and gives it,
# with 99.9% confidence, to the wide one. k-means is in fact a
# limiting case of the mixture: with equal weights, all covariances equal to $\sigma^2\mathbf I$
# and $\sigma\to0$, the responsibilities become 0 or 1 and the mixture's assignment becomes
# exactly {eq}`eq-ch03-assign` (see {cite}`bishop2006`, section 9.3.2, and the exercise below).
#
# ## "Why do k-means and the GMM give me the same clusters?"
#
# This is a question readers ask after trying both methods on their own data and seeing
# identical pictures. The answer follows from the limiting case above: **when the clusters
# really are round, about equally large, equally spread and well separated, the mixture's
# fitted covariances are nearly equal multiples of the identity and its weights nearly equal,
# so its boundaries are the same straight bisectors as k-means'.** Both methods then give the
# same answer, and that is good news, not a bug. The difference appears only when the data
# break those assumptions.
#
# First, the classic two-blob example of many introductory tutorials: 300 points from
# scikit-learn's `make_blobs` {cite}`pedregosa2011`, two round clusters of spread 1
# (`random_state=42`).

# %%
X2, y2 = make_blobs(n_samples=300, centers=2, random_state=42, cluster_std=1.0)
km2 = KMeans(2, random_state=0).fit(X2)
gmm2 = GaussianMixture(2, random_state=0).fit(X2)
gmm_labels2 = gmm2.predict(X2)
print("GMM means:\n", gmm2.means_)
print("GMM weights:", gmm2.weights_)
print("GMM covariances:\n", gmm2.covariances_)
print("k-means and GMM labels agree (ARI):", f"{adjusted_rand_score(km2.labels_, gmm_labels2):.3f}")
# The text below: covariances close to the identity, weights one half, perfect agreement
assert np.abs(gmm2.covariances_ - np.eye(2)).max() < 0.15
assert np.allclose(gmm2.weights_, 0.5, atol=0.01)
assert adjusted_rand_score(km2.labels_, gmm_labels2) == 1.0

# %% mystnb={"figure": {"caption": "Two round, equally spread, well-separated blobs (300 points). Left: k-means. Right: a two-component Gaussian mixture with its 1\u03c3 and 2\u03c3 ellipses.", "name": "fig-ch03-two-blobs"}, "image": {"alt": "Two panels with the same two round blobs, upper left and lower right. k-means and the mixture split them identically; the mixture's ellipses are near-circles of equal size with weights 0.50 each."}}
fig, axes = plt.subplots(1, 2, figsize=(9, 4), sharex=True, sharey=True)
centers, labels = aligned_kmeans(km2, gmm2.means_)
show_clusters(axes[0], X2, labels, centers, "k-means on two round blobs")
plot_mixture(axes[1], X2, gmm2.means_, gmm2.covariances_, weights=gmm2.weights_,
             responsibilities=gmm2.predict_proba(X2))
axes[1].set_title("GMM on the same blobs")
axes[1].set_xlabel("x₁")
for ax in axes:
    ax.set_aspect("equal")
    mixture_legend(ax, loc="lower left", fontsize=9)
plt.show()

# %% [markdown]
# The fitted covariances are close to the identity, the weights are one half each, and the two
# labellings agree perfectly ({numref}`fig-ch03-two-blobs`). Now the decisive experiment: take well-separated round clusters,
# then apply a **linear change of variables**, $x_1\leftarrow 0.3\,x_1+0.8\,x_2$ (as if the
# first feature were re-measured in other units and mixed with the second, which happens
# whenever features are derived from one another). Nothing about which point belongs to which
# cluster has changed ({numref}`fig-ch03-linear-map`).

# %% mystnb={"figure": {"caption": "Three round clusters (top row) and the same points after the linear map x\u2081 \u2190 0.3 x\u2081 + 0.8 x\u2082 (bottom row), clustered by k-means (left) and by a full-covariance Gaussian mixture (right).", "name": "fig-ch03-linear-map"}, "image": {"alt": "Top row: k-means and the mixture find the same three round clusters. Bottom row: the map squeezes the clusters into narrow tilted ellipses; k-means cuts across them with straight boundaries, while the mixture's ellipses follow the three tilted clusters."}}
X_round, y_round = make_blobs(n_samples=450, centers=[[-3, 0], [3, 0], [0, 4.5]],
                              cluster_std=1.0, random_state=0)
M = np.array([[0.3, 0.0], [0.8, 1.0]])
X_stretched = X_round @ M  # x1 <- 0.3 x1 + 0.8 x2
fig, axes = plt.subplots(2, 2, figsize=(8, 7.6))
for row, (data, name) in enumerate([(X_round, "round clusters"),
                                    (X_stretched, "after a linear map")]):
    km_ = KMeans(3, random_state=0).fit(data)
    gmm_ = GaussianMixture(3, random_state=0).fit(data)
    truth_means = np.array([data[y_round == k].mean(axis=0) for k in range(3)])
    permute_mixture(gmm_, align_components(truth_means, gmm_.means_))
    centers, labels = aligned_kmeans(km_, truth_means)
    ari_km = adjusted_rand_score(y_round, km_.labels_)
    ari_gmm = adjusted_rand_score(y_round, gmm_.predict(data))
    ari_both = adjusted_rand_score(km_.labels_, gmm_.predict(data))
    print(f"{name:>16}: ARI k-means {ari_km:.3f}, GMM {ari_gmm:.3f}, "
          f"k-means vs GMM {ari_both:.3f}")
    # The text below: perfect agreement on the round clusters; after the map k-means fails
    # while the mixture recovers the same grouping as before
    assert ari_both == 1.0 if row == 0 else (ari_km < 0.6 and ari_gmm > 0.99)
    show_clusters(axes[row, 0], data, labels, centers, f"k-means, {name}")
    plot_mixture(axes[row, 1], data, gmm_.means_, gmm_.covariances_,
                 responsibilities=gmm_.predict_proba(data), label_components=False)
    axes[row, 1].set_title(f"GMM, {name}")
    axes[row, 1].set_xlabel("x₁")
    axes[row, 1].set_ylabel("x₂")
    for ax in axes[row]:
        ax.set_aspect("equal")
axes[0, 0].legend(loc="upper left", fontsize=9)
fig.suptitle("Same answer on round clusters; different once the clusters are stretched")
plt.show()

# %% [markdown]
# On the round clusters both methods agree perfectly. After the change of
# variables the clusters are narrow, tilted ellipses, and k-means, which measures plain
# Euclidean distance, cuts them across. The mixture recovers the same grouping as before,
# because a full-covariance Gaussian mixture is **unaffected by a linear change of
# variables**: if $\mathbf x$ is Gaussian, so is $\mathbf A\mathbf x$, with covariance
# $\mathbf A\boldsymbol\Sigma\mathbf A^\top$, and the fitted covariances absorb the map. So if
# k-means and a GMM agree on your data, your clusters are probably round, similar and well
# separated in the units you chose; if you standardize, rescale or rotate the data, or if the
# clusters are elongated or overlapping, expect them to differ.
#
# ## Exercises
#
# ```{exercise}
# :label: ex-ch03-monotone
#
# Prove that the update step {eq}`eq-ch03-update` cannot increase the inertia. (Hint: for any
# vector $\mathbf c$, $\sum_n\lVert\mathbf x_n-\mathbf c\rVert^2=\sum_n\lVert\mathbf
# x_n-\bar{\mathbf x}\rVert^2+N\lVert\bar{\mathbf x}-\mathbf c\rVert^2$.) Then check
# numerically, with the `fits` dictionary above, that the inertia sequence is non-increasing.
# ```
#
# ```{solution} ex-ch03-monotone
# :class: dropdown
#
# Expand $\lVert\mathbf x_n-\mathbf c\rVert^2=\lVert(\mathbf x_n-\bar{\mathbf x})+(\bar{\mathbf
# x}-\mathbf c)\rVert^2$ and sum over $n$: the cross term vanishes because
# $\sum_n(\mathbf x_n-\bar{\mathbf x})=0$, giving the identity in the hint. Applied to the
# points of cluster $k$, it shows that the cluster's term of $J$ is smallest, by exactly
# $N_k\lVert\bar{\mathbf x}_k-\mathbf c_k\rVert^2$, when $\mathbf c_k=\bar{\mathbf x}_k$,
# the update {eq}`eq-ch03-update`. So replacing each centre by its cluster mean never
# increases $J$. Numerically:
# `all(b <= a for a, b in zip(inertias, inertias[1:]))` is `True`.
# ```
#
# ```{exercise}
# :label: ex-ch03-limit
#
# Fit `GaussianMixture(3, covariance_type="spherical", random_state=0)` to `X_round` and
# compare its labels with those of k-means (ARI). Then do the same on `X_stretched`. Which
# assumption of k-means does the spherical mixture share, and which does it drop?
# ```
#
# ```{solution} ex-ch03-limit
# :class: dropdown
#
# On `X_round` the spherical mixture agrees with k-means and with the full mixture on all
# but one point, which lies in the overlap of two clusters (ARI 0.993 with each of them; k-means
# and the full mixture agree exactly, as printed above).
# On `X_stretched` the spherical mixture, like k-means, measures round distances and cannot
# follow the tilted clusters, so it also errs (ARI 0.54 against the truth); its answer is
# close to k-means' (ARI 0.96 between them) but need not be identical: each spherical
# component has its own variance and weight, and soft assignments. It shares k-means'
# assumption of **round** clusters and drops those of **equal spread** and
# **equal size**. Chapter 9 compares the four covariance types systematically.
# ```

# %% tags=["remove-cell"]
# The numbers in the solution above, checked (hidden from the page, run by nbval).
ari_sph = {}
for data_name, data in [("round", X_round), ("stretched", X_stretched)]:
    sph = GaussianMixture(3, covariance_type="spherical", random_state=0).fit(data).predict(data)
    km_labels = KMeans(3, random_state=0).fit(data).labels_
    full = GaussianMixture(3, random_state=0).fit(data).predict(data)
    ari_sph[data_name] = (adjusted_rand_score(sph, km_labels), adjusted_rand_score(sph, full),
                          adjusted_rand_score(y_round, sph))
assert round(ari_sph["round"][0], 3) == round(ari_sph["round"][1], 3) == 0.993
assert round(ari_sph["stretched"][2], 2) == 0.54 and round(ari_sph["stretched"][0], 2) == 0.96

# %% [markdown]
# ```{exercise}
# :label: ex-ch03-whiten
#
# In the stretched data every cluster has the same shape. Undo the change of variables
# (`X_stretched @ np.linalg.inv(M)` with `M` the matrix used above) and run k-means again.
# More generally, if all clusters share one covariance $\boldsymbol\Sigma$, what
# transformation of the data makes k-means appropriate? Which covariance type of
# `GaussianMixture` corresponds to this situation?
# ```
#
# ```{solution} ex-ch03-whiten
# :class: dropdown
#
# The inverse map restores `X_round`, and k-means agrees with the truth again (ARI 0.993, as
# on the round clusters). In general, if all
# clusters share $\boldsymbol\Sigma=\mathbf L\mathbf L^\top$, the map
# $\mathbf x\mapsto\mathbf L^{-1}\mathbf x$ (*whitening* by the within-cluster covariance)
# turns every cluster into a round blob with identity covariance, and k-means' Euclidean
# distance becomes the Mahalanobis distance {eq}`eq-ch02-mahalanobis`. This is the
# `covariance_type="tied"` mixture. The catch: you do not know the within-cluster covariance
# before clustering, and standardizing each feature by its overall spread is *not* the same
# thing, because the overall spread includes the distances between clusters.
# ```

# %% tags=["remove-cell"]
# Exercise 3.3's solution, checked: the inverse map restores X_round, and k-means on it agrees
# with the truth as on the round clusters.
X_back = X_stretched @ np.linalg.inv(M)
assert np.allclose(X_back, X_round)
km_back = KMeans(3, random_state=0).fit(X_back)
assert round(adjusted_rand_score(y_round, km_back.labels_), 3) == 0.993

# %% [markdown]
# ## Summary
#
# - k-means minimises the inertia {eq}`eq-ch03-inertia` by alternating the assignment step
#   {eq}`eq-ch03-assign` and the update step {eq}`eq-ch03-update`. Neither step increases the
#   inertia, so the algorithm converges, to a local minimum.
# - k-means++ seeding {eq}`eq-ch03-kmeanspp` picks far-apart starting centres; with several
#   runs it makes bad local minima rare. `KMeans` agrees with the equations and with
#   scikit-learn from the same start.
# - Euclidean distance and straight boundaries mean k-means assumes round, equally spread,
#   equally large clusters. On elongated or overlapping clusters of different sizes it fails,
#   while a full-covariance Gaussian mixture succeeds.
# - k-means' assignments are hard; a mixture's are soft (`predict_proba`) and express doubt in
#   the overlaps. k-means is the hard, equal-spherical limit of the mixture.
# - When clusters are round, similar and well separated, both give the same answer. A linear
#   change of variables alone can make them disagree: the full-covariance mixture is
#   unaffected, k-means is not.
