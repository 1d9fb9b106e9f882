# %% [markdown]
# # Choosing the number of components
#
# :::{admonition} Learning goals
# :class: tip
#
# After this chapter you will be able to
#
# - explain why the training log-likelihood cannot choose the number of components $K$;
# - compute and read the AIC {eq}`eq-ch10-aic` and BIC {eq}`eq-ch10-bic` curves, and say
#   why BIC usually chooses fewer components than AIC;
# - estimate the held-out log-likelihood by cross-validation and use it to choose $K$;
# - place the silhouette score and the k-means "elbow" next to these criteria, and say what
#   each one actually measures;
# - recognize when the "right" $K$ for a density is not the number of clusters a person
#   sees, as for two moons or a uniform square.
# :::
#
# Every earlier chapter took $K$ as given. In practice it is the first question a user asks
# ("how many clusters are there?"), and the honest answer starts with another question:
# *what do you want the mixture for?* If it is a model of the data's density, we can make
# "best $K$" precise, and this chapter does so in three ways. If it is a list of clusters, a
# mixture can still help, but the number of Gaussian components and the number of groups a
# person sees need not agree.

# %%
import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import multivariate_normal
from sklearn.datasets import make_moons
from sklearn.metrics import silhouette_score

from gmm_from_scratch import KMeans, n_parameters, select_n_components
from gmm_from_scratch.plotting import BOOK_COLORS, plot_mixture, use_book_style
from gmm_from_scratch.selection import heldout_log_likelihood

use_book_style()
np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## Data with a known answer
#
# To judge the criteria we need data whose true $K$ we know. We draw $N=500$ points from a
# four-component mixture in 2-D: two components that overlap somewhat, one tilted, and a
# small one ({numref}`fig-ch10-data`).

# %% mystnb={"figure": {"caption": "The 500 points drawn from the known four-component mixture, with the true components' 1- and 2-sigma ellipses and their weights in the legend.", "name": "fig-ch10-data"}, "image": {"alt": "Scatter plot of four groups: two overlapping ones at the bottom left and bottom centre, a tilted flat one above them in the middle, and a small round one at the top right, each with its true ellipses."}}
true_weights = np.array([0.3, 0.3, 0.25, 0.15])
true_means = np.array([[0.0, 0.0], [5.0, 0.0], [2.5, 4.0], [7.0, 5.0]])
true_covs = np.array([
    [[1.0, 0.6], [0.6, 1.0]],
    [[0.6, 0.0], [0.0, 1.5]],
    [[1.5, -0.5], [-0.5, 0.5]],
    [[0.5, 0.0], [0.0, 0.5]],
])
rng = np.random.default_rng(0)
z = rng.choice(4, size=500, p=true_weights)
X = np.vstack([rng.multivariate_normal(true_means[k], true_covs[k]) for k in z])
N = len(X)

fig, ax = plt.subplots(figsize=(5.5, 4.2))
plot_mixture(ax, X, true_means, true_covs, "full", weights=true_weights, point_size=6)
ax.set_title("500 draws from a known 4-component mixture (true ellipses)")
ax.set_xlabel("$x_1$")
ax.set_ylabel("$x_2$")
ax.set_aspect("equal")
ax.legend(loc="upper left", fontsize=7)
plt.show()

# %% [markdown]
# ## The training log-likelihood always rises
#
# A mixture with $K+1$ components contains every mixture with $K$ components (give the extra
# one weight zero). So the *maximum* log-likelihood $\ell(\hat\theta_K)$ can only grow with
# $K$: more components, better fit to the training data, until in the limit every point has a
# tiny component of its own and the likelihood is unbounded (chapter 11). Judging $K$ by the
# training log-likelihood always says "more".
#
# The package's `select_n_components` fits one mixture per candidate $K$ and returns a table.
# We ask it for $K=1,\dots,10$, full covariances, three initializations per fit (chapter 8),
# and held-out scores from 5-fold cross-validation, which we explain below.

# %%
ks = np.arange(1, 11)
result = select_n_components(
    X, ks, covariance_types="full", criterion="heldout", cv=5, n_init=3, random_state=0,
    progress=False,
)
print(result.to_string())

# %% tags=["remove-cell"]
ll_table = result.column("log_likelihood")
assert np.all(np.diff(ll_table[:4]) > 20)  # rises quickly up to K = 4
assert np.all(np.abs(np.diff(ll_table[3:])) < 15)  # then creeps by a few units

# %% [markdown]
# The `log_likelihood` column rises from $K=1$ to $K=4$ quickly, then keeps creeping up by a
# few units per extra component. (Where it dips slightly, EM found a local optimum; the true
# maximum is non-decreasing, as argued above.) The increase after $K=4$ is the model
# fitting the particular sample, not the distribution it came from.
#
# ## Penalized likelihood: AIC and BIC
#
# The classic fix is to charge for parameters. With $p$ the number of free parameters
# (equation 9.5) and $\ell(\hat\theta)$ the maximized log-likelihood of the $N$ training
# points, the **Akaike information criterion** and the **Bayesian information criterion**
# {cite}`schwarz1978` are
#
# $$
# \mathrm{AIC} = -2\,\ell(\hat\theta) + 2p ,
# $$ (eq-ch10-aic)
#
# $$
# \mathrm{BIC} = -2\,\ell(\hat\theta) + p\log N .
# $$ (eq-ch10-bic)
#
# Lower is better for both. Their penalties come from different questions.
#
# - **AIC** estimates how well the fitted model will predict *new* data (its expected
#   log-likelihood on a fresh sample, times $-2$). The training log-likelihood is optimistic
#   by about $p$, hence the $2p$.
# - **BIC** approximates $-2\log p(\text{data}\mid K)$, the log of the *marginal* likelihood
#   of the model with the parameters integrated out, for large $N$. Choosing the $K$ with the
#   smallest BIC approximately chooses the most probable $K$ a posteriori.
#
# **A caveat on BIC's justification.** The approximation behind BIC (a Laplace
# approximation of the marginal likelihood around a single, well-defined maximum) assumes a
# *regular* model: identifiable parameters, an interior maximum and an invertible Fisher
# information. Mixtures break each assumption. Every maximum has $K!$ relabelled copies; when
# $K$ exceeds the number of components the data need, the extra component can be switched
# off in a whole family of ways (weight zero, or a duplicate of another component), so its
# parameters are not identifiable and the Fisher information is singular exactly there; and
# the likelihood itself is unbounded (chapter 11). So "BIC approximates the marginal
# likelihood" is not a theorem for mixtures. It remains a useful rule in practice, and it is
# known to choose the number of components consistently in some settings, but read its
# minimum as a well-tested heuristic, and confirm it with held-out likelihood.
#
# As soon as $\log N > 2$ (that is, $N \ge 8$) BIC's penalty is the larger, so BIC prefers
# fewer components than AIC. For a full-covariance mixture in 2-D, each extra component
# adds 6 parameters: BIC accepts it only if it raises $\ell$ by more than
# $3\log 500\approx 18.6$, AIC if it raises $\ell$ by more than 6.
#
# **Check.** The table's BIC and AIC come from `GaussianMixture.bic` and `.aic`. We recompute
# them for the best model from scratch: the log-likelihood with scipy's Gaussian densities,
# $p$ from equation 9.5 counted by hand.

# %%
g4 = result.estimators_[(4, "full")]
density = sum(
    w * multivariate_normal(m, c).pdf(X)
    for w, m, c in zip(g4.weights_, g4.means_, g4.covariances_, strict=True)
)
loglik = np.sum(np.log(density))
p = (4 - 1) + 4 * 2 + 4 * (2 * 3 // 2)  # weights, means, covariances
row = result.table[3]
print(f"p by hand = {p}, n_parameters = {n_parameters(4, 2, 'full')}")
print(f"BIC by hand = {-2 * loglik + p * np.log(N):.3f}, table = {row['bic']:.3f}")
print(f"AIC by hand = {-2 * loglik + 2 * p:.3f}, table = {row['aic']:.3f}")
print("agree to 1e-10 relative:", np.isclose(-2 * loglik + p * np.log(N), row["bic"], rtol=1e-10))

# %% [markdown]
# ## Held-out log-likelihood
#
# The most direct test of a density model is how much probability it gives to data it has
# not seen. **$F$-fold cross-validation** shuffles the rows, cuts them into $F$ folds, and
# for each fold $f$ fits on the other folds and scores the fold itself:
#
# $$
# \mathrm{CV}(K) = \frac1F\sum_{f=1}^{F}\frac{1}{|T_f|}\sum_{n\in T_f}
# \log p\bigl(\mathbf x_n \mid \hat\theta_K^{(-f)}\bigr) ,
# $$ (eq-ch10-heldout)
#
# where $T_f$ is the set of rows in fold $f$ and $\hat\theta_K^{(-f)}$ the parameters fitted
# without them. Higher is better. Unlike the training log-likelihood it falls again once the
# extra components fit noise, because noise does not repeat in new data. It needs no
# parameter count and no asymptotic argument, at the price of $F$ extra fits per $K$. (The
# table's `heldout_std` is the spread across the five folds.)
#
# The key figure, {numref}`fig-ch10-criteria`, puts the three criteria side by side.

# %% mystnb={"figure": {"caption": "The criteria against the number of components K for the known four-component mixture: training -2 log-likelihood, AIC and BIC (left, lower is better) and the 5-fold held-out log-likelihood per sample with its fold-to-fold standard deviation (right, higher is better). Both panels are zoomed on the interesting range.", "name": "fig-ch10-criteria"}, "image": {"alt": "Left: the training curve keeps falling with K; AIC and BIC both have their minimum at K = 4, BIC's clearly, AIC's almost flat to the right. Right: the held-out curve peaks at K = 4, with error bars as large as the differences between K = 4, 5 and 6."}}
neg2ll = -2 * result.column("log_likelihood")
aic, bic = result.column("aic"), result.column("bic")
cv_mean, cv_std = result.column("heldout_mean"), result.column("heldout_std")
k_aic, k_bic, k_cv = ks[np.argmin(aic)], ks[np.argmin(bic)], ks[np.argmax(cv_mean)]

fig, axes = plt.subplots(1, 2, figsize=(8.0, 3.8))
ax = axes[0]
ax.plot(ks, neg2ll, marker="^", markersize=4, color="0.5", label="−2 log L (training)")
ax.plot(ks, aic, marker="s", markersize=4, color=BOOK_COLORS[1], label=f"AIC (min at K={k_aic})")
ax.plot(ks, bic, marker="o", markersize=4, color=BOOK_COLORS[0], label=f"BIC (min at K={k_bic})")
ax.axvline(4, color="0.3", linestyle=":", linewidth=1.2, label="true K = 4")
ax.set_ylim(3700, 4300)
ax.set_xlabel("number of components K")
ax.set_ylabel("criterion (lower is better)")
ax.set_title("Penalized likelihood")
ax.legend(fontsize=8)
ax = axes[1]
ax.errorbar(ks, cv_mean, yerr=cv_std, marker="o", markersize=4, capsize=3,
            color=BOOK_COLORS[2], label=f"5-fold CV (max at K={k_cv})")
ax.axvline(4, color="0.3", linestyle=":", linewidth=1.2, label="true K = 4")
ax.set_ylim(-4.2, -3.75)
ax.set_xlabel("number of components K")
ax.set_ylabel("held-out log-likelihood per sample")
ax.set_title("Cross-validation (higher is better)")
ax.legend(fontsize=8, loc="lower right")
fig.suptitle("Choosing K for the known 4-component mixture")
plt.show()

# %% tags=["remove-cell"]
assert k_aic == k_bic == k_cv == 4  # "All three criteria choose K = 4"
assert neg2ll[:2].min() > 4300 and aic[:2].min() > 4300 and bic[:2].min() > 4300
assert cv_mean[:2].max() < -4.2  # K = 1, 2 lie outside both panels
assert np.ptp(aic[3:]) < 0.5 * np.ptp(bic[3:])  # AIC much flatter to the right
assert cv_std[3:6].max() > np.ptp(cv_mean[3:6])  # error bars as large as the differences

# %% [markdown]
# All three criteria choose $K=4$ here. (Both panels are zoomed on the interesting range: the
# values for $K=1$ and $2$, printed in the table above, lie far off the top of the left panel
# and below the bottom of the right one.) BIC has the clearest minimum; AIC's curve is much
# flatter to the right (a fifth component costs it little), and the held-out curve peaks at
# 4 but its fold-to-fold spread (the error bars) is as large as the differences between
# $K=4,5,6$. That is typical: AIC and cross-validation aim at *prediction*, where one
# superfluous component does little harm, while BIC aims at *identifying* the model and
# penalizes superfluous parameters more firmly. With plenty of data and Gaussian clusters,
# all agree; with small $N$, AIC and CV tend to choose more components than BIC.
#
# ### Comparing two values of $K$ fold by fold
#
# The error bars above overlap, yet that alone does not mean the data cannot tell $K=3$ from
# $K=4$. The folds differ in difficulty, and a hard fold is hard for *every* $K$: the spread
# of each curve is mostly shared. Comparing two candidates on the *same* folds removes it.
# `heldout_log_likelihood` returns one score per fold, with the same shuffled split for every
# $K$ (the same `random_state`), so the per-fold differences are paired.

# %%
fold_scores = {K: heldout_log_likelihood(X, K, cv=5, n_init=3, random_state=0)
               for K in (3, 4, 5, 6)}
print("spread of the scores across folds (std):",
      {K: round(float(v.std(ddof=1)), 4) for K, v in fold_scores.items()})
paired = {}
for other in (3, 5, 6):
    diff = fold_scores[4] - fold_scores[other]
    paired[other] = diff
    print(f"K=4 minus K={other}, per fold: {np.round(diff, 4)}; mean {diff.mean():+.4f} "
          f"± {diff.std(ddof=1) / np.sqrt(len(diff)):.4f} (standard error); "
          f"K=4 better in {int(np.sum(diff > 0))} of {len(diff)} folds")
standard_error = {k: d.std(ddof=1) / np.sqrt(len(d)) for k, d in paired.items()}
assert np.all(paired[3] > 0) and 5 < paired[3].mean() / standard_error[3] < 7
assert abs(paired[5].mean()) < standard_error[5] and 0 < np.sum(paired[5] > 0) < 5
assert paired[5].std(ddof=1) < 0.5 * fold_scores[4].std(ddof=1)

# %% [markdown]
# $K=4$ beats $K=3$ in every fold, by about six standard errors: a clear verdict that the
# overlapping error bars hid. Between $K=4$ and $K=5$ the paired differences change sign from
# fold to fold and their mean is smaller than its standard error: the data cannot tell the
# two apart, and the simpler model is the sensible choice. The differences vary much less
# than the scores themselves (their spread is less than half of one curve's), which is why
# pairing is the right way to compare candidates by cross-validation. (With only five folds
# the standard error is rough; repeated cross-validation with several shuffles sharpens it.)
#
# `select_n_components` can also choose the covariance type at the same time (pass several
# in `covariance_types`); chapter 9 showed BIC picking the generating type.
#
# ## For contrast: silhouette and elbow
#
# Two heuristics from the clustering literature are often suggested for this question.
#
# - The **silhouette score** (here `sklearn.metrics.silhouette_score`) looks at *hard
#   labels*: for each point, how much closer it is on average to its own cluster than to the
#   nearest other cluster, scaled to $[-1, 1]$. We compute it for the labels of the fitted
#   mixture (`predict`). It is undefined for $K=1$.
# - The **elbow** looks at the k-means inertia (equation 3.1) as $K$ grows, and picks the
#   $K$ after which the decrease slows down: the "elbow" of the curve.

# %%
sil = [
    silhouette_score(X, result.estimators_[(int(k), "full")].predict(X)) for k in ks[1:]
]
inertia = [KMeans(int(k), n_init=3, random_state=0).fit(X).inertia_ for k in ks]
print("silhouette, K=2..10:", np.round(sil, 3))
print("k-means inertia, K=1..10:", np.round(inertia, 1))
assert ks[1:][np.argmax(sil)] == 4  # "the silhouette also peaks at 4"

# %% [markdown]
# {numref}`fig-ch10-heuristics` draws both.

# %% mystnb={"figure": {"caption": "Two heuristics on the same data: the mean silhouette of the fitted mixture's hard labels for K = 2 to 10 (left) and the k-means inertia for K = 1 to 10 (right); the dotted line marks the true K = 4.", "name": "fig-ch10-heuristics"}, "image": {"alt": "Left: the silhouette curve is highest at K = 4 and lower on either side. Right: the inertia falls steeply up to K = 4 and slowly after it, a bend around 4."}}
fig, axes = plt.subplots(1, 2, figsize=(8.0, 3.6))
axes[0].plot(ks[1:], sil, marker="D", markersize=4, color=BOOK_COLORS[3],
             label=f"silhouette (max at K={ks[1:][np.argmax(sil)]})")
axes[0].set_xlabel("number of components K")
axes[0].set_ylabel("mean silhouette")
axes[0].set_title("Silhouette of the GMM labels")
axes[1].plot(ks, inertia, marker="o", markersize=4, color=BOOK_COLORS[5],
             label="k-means inertia")
axes[1].set_xlabel("number of clusters K")
axes[1].set_ylabel("inertia (sum of squared distances)")
axes[1].set_title("The elbow heuristic")
for ax in axes:
    ax.axvline(4, color="0.3", linestyle=":", linewidth=1.2, label="true K = 4")
    ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# Here the silhouette also peaks at 4, and the inertia curve bends around 4. But notice
# what they measure. The silhouette rewards compact, well-separated *groups of points* by
# Euclidean distance; it knows nothing about probabilities, ignores the covariances (a
# tilted, elongated component is penalized for being "spread out"), and would be fooled by
# overlapping components that a mixture models well. The elbow has no precise definition:
# "where the curve bends" is a judgement, and for many data sets the curve bends smoothly
# with no elbow at all. Neither uses the likelihood the mixture was fitted by, so neither
# tells you which $K$ gives the better *density model*. Use them as sanity checks on a
# clustering, and BIC or held-out likelihood to choose $K$ for a GMM.
#
# ## When BIC and the "true" number of clusters disagree
#
# BIC answers "how many Gaussians does it take to describe this density well?" When the
# groups in the data are not Gaussian, that number is not the number of groups. Two classic
# examples: two interleaved half-moons (two groups a person sees at once), and points spread
# uniformly over a square (one group, no clusters at all).

# %%
moons, _ = make_moons(n_samples=500, noise=0.06, random_state=0)
square = np.random.default_rng(1).uniform(0.0, 1.0, size=(500, 2))
ks_wide = np.arange(1, 13)
shapes = {}
for name, data in (("two moons", moons), ("uniform square", square)):
    res = select_n_components(data, ks_wide, n_init=3, random_state=0, progress=False)
    shapes[name] = (data, res)
    bic_w = res.column("bic")
    print(f"{name}: BIC chooses K = {res.best_n_components_}  "
          f"(BIC at K=1, 2: {bic_w[0]:.1f}, {bic_w[1]:.1f}; at the minimum: {bic_w.min():.1f})")
assert shapes["two moons"][1].best_n_components_ == 8  # as the figure's description says
assert shapes["uniform square"][1].best_n_components_ == 5

# %% [markdown]
# {numref}`fig-ch10-shapes` shows the mixtures BIC picks.

# %% mystnb={"figure": {"caption": "The mixtures BIC selects for two interleaved half-moons (left) and for points uniform on a square (right): the data in grey and each component's 2-sigma ellipse and mean, one colour and marker per component.", "name": "fig-ch10-shapes"}, "image": {"alt": "Left: eight narrow ellipses laid end to end along the two curved moons, four or so per moon. Right: five large overlapping ellipses tiling the square."}}
fig, axes = plt.subplots(1, 2, figsize=(8.0, 3.9))
for ax, (name, (data, res)) in zip(axes, shapes.items(), strict=True):
    g = res.best_estimator_
    plot_mixture(ax, data, g.means_, g.covariances_, "full", point_size=5, n_std=(2.0,),
                 label_components=False)
    ax.set_title(f"{name}: BIC picks K = {res.best_n_components_}")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_aspect("equal")
axes[0].plot([], [], "o", color="0.3", markeredgecolor="black", label="component means")
axes[0].legend(loc="lower left", fontsize=8)
fig.suptitle("A GMM estimates a density, not clusters (2σ ellipses)")
plt.show()

# %% [markdown]
# BIC is doing its job: it asks for enough Gaussian pieces to approximate each curved moon,
# and enough to approximate the flat-topped, sharp-edged square. Neither answer is "wrong":
# as a *density estimate* the many-component mixture is far better than the two- or
# one-component one, which is exactly what BIC measures. It is the question that changed.
#
# ### ICL: a criterion for clusters
#
# BIC asks how many Gaussians describe the density. The **integrated completed likelihood**
# (ICL) asks how many *well-separated* groups it contains. It adds to BIC a penalty for
# uncertain assignments, twice the entropy of the responsibilities:
#
# $$
# \mathrm{ICL} = \mathrm{BIC} - 2\sum_{n=1}^{N}\sum_{k=1}^{K} r_{nk}\log r_{nk} .
# $$ (eq-ch10-icl)
#
# The entropy term is zero when every point belongs clearly to one component and grows when
# components overlap, so ICL refuses to split one group into several overlapping Gaussians,
# which BIC happily does to model a non-Gaussian shape. Lower is better. The package has no
# `icl` method; the formula is one line on top of `bic` and `predict_proba`:

# %%
def icl(model, data):
    """Eq. (ICL): BIC plus twice the entropy of the responsibilities."""
    r = model.predict_proba(data)
    entropy = -np.sum(r * np.log(np.where(r > 0, r, 1.0)))
    return model.bic(data) + 2 * entropy


icl_choice = {}
for name, (data, res) in shapes.items():
    scores = [icl(res.estimators_[(k, "full")], data) for k in ks_wide]
    icl_choice[name] = int(ks_wide[np.argmin(scores)])
    print(f"{name}: BIC chooses K = {res.best_n_components_}, ICL chooses K = {icl_choice[name]}")
icl_known = [icl(result.estimators_[(k, "full")], X) for k in ks]
print(f"the known 4-component mixture: ICL chooses K = {ks[np.argmin(icl_known)]}")
assert icl_choice["uniform square"] == 1 and shapes["uniform square"][1].best_n_components_ > 1
assert icl_choice["two moons"] < shapes["two moons"][1].best_n_components_
assert ks[np.argmin(icl_known)] == 4

# %% [markdown]
# On the uniform square ICL sees what BIC cannot: one group, no clusters. On the moons it
# still asks for several components (each moon needs a few Gaussians that overlap little),
# but fewer than BIC. On the well-separated known mixture both agree on four. ICL is the
# natural criterion when the question is "how many clusters"; BIC when it is "how good a
# density".
#
# If you need clusters of non-Gaussian shape, you have options:
#
# - fit the mixture for its density, then **merge** components into clusters (for
#   instance, components whose ellipses overlap or are connected by high density);
# - use a method whose notion of a cluster is not "one Gaussian": density-based (DBSCAN,
#   HDBSCAN) or graph-based (spectral clustering);
# - accept that "how many clusters" is a question about your purpose, not about the data
#   alone.
#
# :::{admonition} Practical recipe
# :class: important
#
# - Standardize the features (chapter 9) and decide whether you want a density or clusters.
# - Run `select_n_components(X, range(1, K_max + 1), covariance_types=(...), n_init=3)`:
#   read the **whole** BIC curve, not only its minimum. A flat valley means several $K$ are
#   about equally good.
# - When the sample is small or the goal is prediction, also look at
#   `criterion='heldout'`; when it disagrees with BIC, BIC's choice is the simpler model.
# - Check the `converged` column, and treat a minimum at the edge of the range as "try a
#   wider range".
# :::
#
# ## Exercises
#
# ```{exercise}
# :label: ex-ch10-penalty
#
# (a) By how much must one extra component raise the training log-likelihood for BIC to
# prefer it, for a `'full'` mixture in $d$ dimensions with $N$ points? For AIC? (b)
# Evaluate both for $d=2$ and $d=10$, with $N=500$. (c) As $N$ grows, the log-likelihood
# gain of a genuinely useful extra component grows in proportion to $N$. What does that
# imply for BIC with large data sets?
# ```
#
# ```{solution} ex-ch10-penalty
# :class: dropdown
#
# (a) An extra full component adds $1+d+d(d+1)/2$ parameters (one weight, one mean, one
# covariance). BIC prefers it if $\Delta\ell > \tfrac12(1+d+d(d+1)/2)\log N$; AIC if
# $\Delta\ell > 1+d+d(d+1)/2$. (b) $d=2$: 6 parameters, so $\Delta\ell > 18.6$ (BIC) or
# $> 6$ (AIC). $d=10$: 66 parameters, so $\Delta\ell > 205$ (BIC) or $> 66$ (AIC). (c) The
# penalty grows only like $\log N$ while a real improvement grows like $N$, so with enough
# data BIC will accept every component that genuinely improves the fit, including ones
# that model slight non-Gaussianity of a single cluster. Large data sets push BIC towards
# larger $K$, which is right for density estimation and one more reason why "the number of
# components" need not be "the number of clusters".
# ```
#
# ```{exercise}
# :label: ex-ch10-faithful
#
# Choose both $K\in\{1,\dots,5\}$ and the covariance type for the standardized Old Faithful
# data (`load_old_faithful(standardize_columns=True)`) with BIC and with held-out
# likelihood (`n_init=3`, `random_state=0`). Do they agree? Plot the chosen model. Is a
# third component plausible for this geyser?
# ```
#
# ````{solution} ex-ch10-faithful
# :class: dropdown
#
# ```python
# from gmm_from_scratch import COVARIANCE_TYPES, load_old_faithful
# F = load_old_faithful(standardize_columns=True)
# by_bic = select_n_components(F, range(1, 6), COVARIANCE_TYPES, n_init=3, random_state=0)
# by_cv = select_n_components(F, range(1, 6), COVARIANCE_TYPES, criterion="heldout",
#                             n_init=3, random_state=0)
# print(by_bic.best_n_components_, by_bic.best_covariance_type_)
# print(by_cv.best_n_components_, by_cv.best_covariance_type_)
# ```
#
# Both choose three components with a tied covariance (BIC 825.1), ahead of four tied
# (832.1) and two full (832.6). The BIC differences are small, a few units, and the held-out
# scores of the leading models differ by less than their fold-to-fold spread. In the chosen
# model the short eruptions (about 2.0 minutes, waiting 54 minutes) keep one component,
# while the long eruptions are split into two components of the same tilted shape (hence
# `'tied'`), around 3.8 and 4.5 minutes. That is a sign that the long-eruption cluster is
# not quite Gaussian in shape, rather than evidence of a third regime of the geyser;
# with 272 points the data cannot tell these apart, and the two-component model remains a
# good, simpler description.
# ````
#
# ```{exercise}
# :label: ex-ch10-merge
#
# For the two-moons data, take the BIC-chosen mixture and merge its components into two
# clusters: build a graph whose nodes are the components, join two components when their
# means are closer than some threshold (or when many points have substantial responsibility
# for both), and take connected components of the graph (`scipy.sparse.csgraph`). Do you
# recover the moons?
# ```
#
# ````{solution} ex-ch10-merge
# :class: dropdown
#
# One simple version links two components when at least 5 points give each of them a
# responsibility above 0.1:
#
# ```python
# from scipy.sparse.csgraph import connected_components
# data, res = shapes["two moons"]
# R = res.best_estimator_.predict_proba(data)
# shared = ((R[:, :, None] > 0.1) & (R[:, None, :] > 0.1)).sum(axis=0)
# n_groups, group_of_component = connected_components(shared >= 5, directed=False)
# labels = group_of_component[R.argmax(axis=1)]
# ```
#
# Neighbouring components along a moon overlap, so they are linked; the two moons are
# separated by a gap that almost no point straddles. For this sample any threshold from 1
# to 10 shared points gives `n_groups == 2` and labels that match the moons exactly; at 20
# the links along each moon start to break and the moons fall apart into pieces. With
# noisier moons the gap fills in and too low a threshold joins them. This "mixture, then
# merge" approach turns a density estimate into clusters of any shape.
# ````
#
# ## Summary
#
# - The training log-likelihood can only rise with $K$, so it cannot choose $K$.
# - AIC {eq}`eq-ch10-aic` and BIC {eq}`eq-ch10-bic` penalize the parameter count; BIC's
#   $\log N$ penalty is the stronger and favours fewer components. Both are columns of
#   `select_n_components(...).table`, computed by `GaussianMixture.aic` and `.bic`.
# - The held-out log-likelihood {eq}`eq-ch10-heldout` tests the density on unseen data by
#   $F$-fold cross-validation (`criterion='heldout'`); it needs no penalty but costs $F$ extra
#   fits per candidate. Compare two candidates by their paired, fold-by-fold differences.
# - BIC's Laplace-approximation argument assumes a regular model, which a mixture is not;
#   treat it as a good heuristic. ICL {eq}`eq-ch10-icl` adds the entropy of the
#   responsibilities and counts well-separated clusters rather than Gaussians.
# - Silhouette and elbow judge hard clusterings by Euclidean distances, not the mixture's
#   likelihood; use them as sanity checks.
# - A GMM estimates a density. For non-Gaussian groups (two moons, a uniform square) BIC
#   rightly picks more components than there are groups; merge components, or use another
#   clustering method, when you need the groups themselves.
