# %% [markdown]
# # Play with EM
#
# :::{admonition} What this page is for
# :class: tip
# Watching EM move is the quickest way to build intuition for it. On this page you can
# step through EM on small data sets, one E-step and one M-step at a time, and change what
# EM starts from.
#
# - **On the course website** (no Python running) the animations below play in your browser:
#   use the buttons under each one to play, pause or step frame by frame.
# - **In Jupyter** (`make lab`, then open `chapters/play_with_em.ipynb`) the explorer at the
#   bottom gives you sliders and controls that refit EM live. It needs a running Python
#   kernel, so the website shows, in its place, the final fits of the experiments it suggests.
# :::
#
# Each frame shows the data coloured by the responsibilities $\gamma(z_{nk})$ (a point halfway
# between two colours is shared between two components), every component's 1σ and 2σ
# ellipses, and, on the right, the mean log-likelihood with the current iteration marked. A
# start from single data points makes the first log-likelihood enormous and negative, so
# the curve is drawn from the second iteration on, where its climb is visible (the first
# value is noted in the corner of the panel).
# After an **E-step** the colours change and the ellipses stay where they were; after an
# **M-step** the ellipses move to fit the colours. That alternation is the whole algorithm
# (chapter 5), and the right-hand curve never goes down (chapter 6).

# %%
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import HTML

from gmm_from_scratch import GaussianMixture
from gmm_from_scratch.animation import curve_limits, em_animation_html
from gmm_from_scratch.datasets import make_teaching_dataset
from gmm_from_scratch.plotting import use_book_style

use_book_style()
np.set_printoptions(precision=4, suppress=True)


def fit_with_history(dataset, n_components, init_params="random_from_data", seed=0, **kw):
    """Fit EM on one of the teaching data sets, recording every iteration."""
    X = make_teaching_dataset(dataset)
    gmm = GaussianMixture(n_components, init_params=init_params, random_state=seed,
                          record_history=True, tol=1e-6, max_iter=200, **kw)
    return X, gmm.fit(X)


# %% [markdown]
# ## Old Faithful, from a poor start
#
# The geyser data (standardized) with two components, started from two random data points
# (`init_params="random_from_data"`). Each component begins as a spike on one eruption: its
# mean is that point and its covariance only `reg_covar` times the identity,
# $10^{-6}\,\mathbf I$, so almost every other eruption is astronomically improbable under it.
# That is why the first mean log-likelihood printed below is an enormous negative number; it is
# not a bug. With this seed the first M-step leaves the two components overlapping, one
# stretched across both clusters, and it takes EM about fifteen more iterations to pull them
# apart: watch the ellipses slide and the curve on the right climb ({numref}`fig-ch16-faithful`).

# %%
X, gmm = fit_with_history("old_faithful", 2, seed=4)
lb = np.asarray(gmm.lower_bounds_)
print(f"EM ran {gmm.n_iter_} iterations; converged: {gmm.converged_}")
print(f"mean log-likelihood: first {lb[0]:.4g}, second {lb[1]:.4f}, last {lb[-1]:.4f}")
moved = np.abs(gmm.history_.means[-1] - gmm.history_.means[2]).max()
print(f"largest move of a mean after the second iteration: {moved:.2f} (standardized units)")
assert gmm.n_iter_ >= 12 and moved > 0.5 and lb[-1] - lb[1] > 0.3
assert curve_limits(gmm.history_.log_likelihood)[0] == 1  # curve drawn from iteration 2

# %% mystnb={"figure": {"caption": "EM on Old Faithful (standardized) with two components started from two random eruptions: each iteration after its E-step and after its M-step (left) and the mean log-likelihood from the second iteration on (right).", "name": "fig-ch16-faithful"}} tags=["nbval-ignore-output"]
names = ("eruption duration (standardized)", "waiting time (standardized)")
HTML(em_animation_html(
    X, gmm.history_, max_frames=30, dpi=70, feature_names=names,
    description=(
        "Animation of EM on the Old Faithful eruptions with two components from a poor start. "
        "After the first M-step the two ellipses overlap, one stretched across both clusters "
        "of eruptions; over about fifteen iterations they slide apart until each covers one "
        "cluster, and the log-likelihood curve on the right climbs and levels off."
    ),
))

# %% [markdown]
# ## Where k-means fails: three sheared clusters
#
# k-means draws straight boundaries halfway between centres, which cuts these elongated
# clusters in the wrong places (chapter 3). A full-covariance mixture learns their shape
# ({numref}`fig-ch16-elongated`).

# %%
X, gmm = fit_with_history("elongated", 3, seed=4)
print(f"EM ran {gmm.n_iter_} iterations; final weights {gmm.weights_}")
assert gmm.n_iter_ >= 20
assert curve_limits(gmm.history_.log_likelihood)[0] == 1  # curve drawn from iteration 2

# %% mystnb={"figure": {"caption": "EM with three full-covariance components on three sheared, elongated clusters, started from three random points: each iteration after its E-step and after its M-step (left) and the mean log-likelihood from the second iteration on (right).", "name": "fig-ch16-elongated"}} tags=["nbval-ignore-output"]
HTML(em_animation_html(
    X, gmm.history_, max_frames=30, dpi=70,
    description=(
        "Animation of EM on three elongated, tilted clusters with three full-covariance "
        "components. The ellipses start small, grow and tilt until each lies along one "
        "cluster, which circles could never do; the log-likelihood curve on the right rises "
        "and never falls."
    ),
))

# %% [markdown]
# ## The live explorer
#
# :::{important}
# The explorer needs Jupyter: its sliders refit EM in a running Python kernel, which a
# static website does not have. Open this page as a notebook (`make lab`, then
# `chapters/play_with_em.ipynb`) to use it. Below it, for readers of the website, is what the
# three experiments suggested here end in.
# :::
#
# Things to try:
#
# 1. Set **data** to `elongated`, **covariance** to `spherical`: the ellipses become circles and
#    cannot follow the clusters, just as k-means cannot.
# 2. Change the **seed** with `init` = `random_from_data` until EM lands in a worse local
#    optimum (a lower final log-likelihood in the status line): chapter 8.
# 3. Set **data** to `duplicates`, **components** to 3, **init** to `kmeans`, **seed** 0, and move
#    **reg_covar** down to `1e-9`: one component collapses onto the duplicated points and its
#    ellipse shrinks to a dot while the log-likelihood shoots up (chapter 11).

# %% tags=["nbval-ignore-output", "remove-output"]
from gmm_from_scratch.widgets import EMExplorer

explorer = EMExplorer(dataset="elongated", n_components=3, init_params="kmeans", random_state=4)
explorer.controls["iteration"].value = explorer.controls["iteration"].max
explorer

# %% [markdown]
# The three experiments, fitted to the end ({numref}`fig-ch16-experiments`, what the explorer
# shows at its last iteration):

# %% mystnb={"figure": {"caption": "The explorer's suggested experiments at their last iteration: the elongated data with three spherical components and with three full ones, and the duplicates data with reg_covar = 1e-9; points coloured by their responsibilities, each component's mean and 1- and 2-sigma ellipses, one colour and marker per component.", "name": "fig-ch16-experiments"}, "image": {"alt": "Left: spherical components draw circles, one large circle covering two elongated clusters and two small ones splitting the third. Middle: three tilted ellipses, one along each elongated cluster. Right: two round clusters with their ellipses, and a third component reduced to a dot on the duplicated points at the top."}}
from gmm_from_scratch.plotting import plot_mixture

experiments = [
    ("elongated", dict(n_components=3, covariance_type="spherical", seed=4),
     "1. elongated, spherical"),
    ("elongated", dict(n_components=3, covariance_type="full", seed=4), "1. elongated, full"),
    ("duplicates", dict(n_components=3, init_params="kmeans", seed=0, reg_covar=1e-9),
     "3. duplicates, reg_covar = 1e-9"),
]
fig, axes = plt.subplots(1, 3, figsize=(10, 3.6))
for ax, (dataset, kw, title) in zip(axes, experiments, strict=True):
    Xe, ge = fit_with_history(dataset, **kw)
    plot_mixture(ax, Xe, ge.means_, ge.covariances_, ge.covariance_type,
                 responsibilities=ge.predict_proba(Xe), point_size=5)
    ax.set_title(f"{title}\nmean log-lik. {ge.lower_bounds_[-1]:.3f}", fontsize=9)
    ax.set_xlabel("feature 1")
axes[0].set_ylabel("feature 2")
plt.show()

# %% [markdown]
# ## Summary
#
# - An EM iteration is an E-step (recolour the points: responsibilities) followed by an M-step
#   (move each component to fit its points); the log-likelihood never decreases.
# - Where EM ends depends on where it starts; several starts (`n_init`) guard against poor
#   local optima.
# - With `reg_covar` too small a component can collapse onto repeated points.
