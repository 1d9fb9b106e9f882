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
#   bottom gives you sliders and controls that refit EM live.
# :::
#
# Each frame shows the data coloured by the responsibilities $\gamma(z_{nk})$ (a point halfway
# between two colours is shared between two components), every component's 1σ and 2σ
# ellipses, and, on the right, the mean log-likelihood with the current iteration marked.
# After an **E-step** the colours change and the ellipses stay where they were; after an
# **M-step** the ellipses move to fit the colours. That alternation is the whole algorithm
# (chapter 5), and the right-hand curve never goes down (chapter 6).

# %%
import numpy as np
from IPython.display import HTML

from gmm_from_scratch import GaussianMixture
from gmm_from_scratch.animation import em_animation_html
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
# not a bug. With this seed the two starting points are one short and one long eruption, so
# the very first M-step already gives each component its own cluster, and the remaining
# iterations only polish the fourth decimal.

# %%
X, gmm = fit_with_history("old_faithful", 2, seed=1)
print(f"EM ran {gmm.n_iter_} iterations; converged: {gmm.converged_}")
print(f"mean log-likelihood: first {gmm.lower_bounds_[0]:.4f}, last {gmm.lower_bounds_[-1]:.4f}")

# %% tags=["nbval-ignore-output"]
names = ("eruption duration (standardized)", "waiting time (standardized)")
HTML(em_animation_html(X, gmm.history_, max_frames=30, dpi=70, feature_names=names))

# %% [markdown]
# ## Where k-means fails: three sheared clusters
#
# k-means draws straight boundaries halfway between centres, which cuts these elongated
# clusters in the wrong places (chapter 3). A full-covariance mixture learns their shape.

# %%
X, gmm = fit_with_history("elongated", 3, seed=4)
print(f"EM ran {gmm.n_iter_} iterations; final weights {gmm.weights_}")

# %% tags=["nbval-ignore-output"]
HTML(em_animation_html(X, gmm.history_, max_frames=30, dpi=70))

# %% [markdown]
# ## The live explorer
#
# Run this page in Jupyter to use it; on the static website it is inert. Things to try:
#
# 1. Set **data** to `elongated`, **covariance** to `spherical`: the ellipses become circles and
#    cannot follow the clusters, just as k-means cannot.
# 2. Change the **seed** with `init` = `random_from_data` until EM lands in a worse local
#    optimum (a lower final log-likelihood in the status line): chapter 8.
# 3. Set **data** to `duplicates`, **components** to 3, **init** to `kmeans`, **seed** 0, and move
#    **reg_covar** down to `1e-9`: one component collapses onto the duplicated points and its
#    ellipse shrinks to a dot while the log-likelihood shoots up (chapter 11).

# %% tags=["nbval-ignore-output"]
from gmm_from_scratch.widgets import EMExplorer

explorer = EMExplorer(dataset="elongated", n_components=3, init_params="kmeans", random_state=4)
# open on the last iteration, so that the (inert) copy on the website shows the fitted mixture
explorer.controls["iteration"].value = explorer.controls["iteration"].max
explorer

# %% [markdown]
# ## Summary
#
# - An EM iteration is an E-step (recolour the points: responsibilities) followed by an M-step
#   (move each component to fit its points); the log-likelihood never decreases.
# - Where EM ends depends on where it starts; several starts (`n_init`) guard against poor
#   local optima.
# - With `reg_covar` too small a component can collapse onto repeated points.
