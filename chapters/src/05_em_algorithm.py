# %% [markdown]
# # EM: the E-step and M-step derived
#
# :::{admonition} Learning goals
# :class: tip
#
# After this chapter you can
#
# - write down the *complete-data* log-likelihood of a Gaussian mixture, with a latent
#   indicator $\mathbf z_n$ telling which component produced each point;
# - explain why the E-step computes responsibilities, and why they are the right stand-in
#   for the unknown indicators;
# - derive every M-step update (weights with a Lagrange multiplier, means, covariances),
#   writing out each derivative;
# - run EM on the Old Faithful data, read its snapshots and its log-likelihood curve, and
#   check one iteration of `gmm_from_scratch` against the formulas by hand.
# :::
#
# In {doc}`04_mixture_model` we wrote the mixture as a generative story: pick a component
# $k$ with probability $\pi_k$, then draw $\mathbf x$ from $\mathcal N(\boldsymbol\mu_k,
# \boldsymbol\Sigma_k)$. We also saw that, *given* the parameters, Bayes' rule tells us how
# responsible each component is for each point. This chapter closes the loop: *given the
# responsibilities*, how do we re-estimate the parameters? Alternating the two questions is
# the expectation–maximization (EM) algorithm of {cite}`dempster1977`; our derivation
# follows {cite}`bishop2006` (section 9.2) and {cite}`deisenroth2020` (chapter 11).

# %% [markdown]
# ## The chicken-and-egg problem
#
# Suppose someone told us which component produced every point. Fitting the mixture would
# then be easy: split the data by component, and fit one Gaussian to each group with the
# maximum-likelihood formulas of chapters 1 and 2 (sample mean, sample covariance); the
# weight of a component would be the fraction of points in its group.
#
# Now suppose instead that someone told us the parameters. Then we could compute, for every
# point, the posterior probability that each component produced it (the responsibility of
# chapter 4).
#
# We know neither. EM breaks the circle by **guessing the parameters, computing soft
# assignments from them (E-step), refitting the parameters from the soft assignments
# (M-step), and repeating**. The rest of the chapter shows that "refitting from soft
# assignments" is not a heuristic: it is the exact maximizer of a well-defined objective.

# %% [markdown]
# ## A pencil-sized example
#
# Before any derivation, here is one EM iteration small enough to check with a pencil, in the
# spirit of {cite}`deisenroth2020` (chapter 11). Six numbers on a line, $x = 1, 2, 3, 4, 7, 8$,
# and $K = 2$ components. We start from equal weights $\pi_1 = \pi_2 = \tfrac12$, means
# $\mu_1 = 2$ and $\mu_2 = 6$, and equal standard deviations $\sigma_1 = \sigma_2 = 1.5$.
#
# 1. **E-step.** For each point, weigh each component's density by its weight; the
#    point's *responsibility* $\gamma(z_{nk})$ is component $k$'s share of the total:
#    $\gamma(z_{n1}) = \pi_1\mathcal N(x_n\mid\mu_1,\sigma_1^2) / \bigl(\pi_1\mathcal
#    N(x_n\mid\mu_1,\sigma_1^2) + \pi_2\mathcal N(x_n\mid\mu_2,\sigma_2^2)\bigr)$.
# 2. **M-step.** Each component counts its share of the points, $N_k = \sum_n \gamma(z_{nk})$,
#    and refits itself to the points weighted by its shares: $\pi_k = N_k/N$, $\mu_k$ the
#    weighted average of the $x_n$, $\sigma_k^2$ the weighted average of the squared
#    deviations from the new $\mu_k$.
#
# The rest of the chapter derives why exactly these formulas are right. The code below runs
# the package's own E-step and M-step (`e_step`, `em_pass`, `m_step`) on the six points.

# %%
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.ticker import MaxNLocator

import gmm_from_scratch as gfs
from gmm_from_scratch import GaussianMixture, load_old_faithful, log_pdf_1d
from gmm_from_scratch.covariance import precisions_cholesky_from_covariances
from gmm_from_scratch.plotting import (
    component_colors,
    component_styles,
    plot_mixture,
    use_book_style,
)

use_book_style()
np.set_printoptions(precision=4, suppress=True)
colors2 = component_colors(2)
# γ(z_n1) from 0 (all component 2, orange) through 0.5 (shared, grey) to 1 (component 1, blue)
gamma_cmap = LinearSegmentedColormap.from_list("gamma", [colors2[1], "#d9d9d9", colors2[0]])

x6 = np.array([1.0, 2.0, 3.0, 4.0, 7.0, 8.0])
w0, mu0, sd0 = np.array([0.5, 0.5]), np.array([2.0, 6.0]), np.array([1.5, 1.5])
prec0 = precisions_cholesky_from_covariances((sd0**2)[:, None, None], "full")

_, log_gamma = gfs.e_step(x6[:, None], w0, mu0[:, None], prec0, "full")  # E-step
gamma6 = np.exp(log_gamma)
stats6, _ = gfs.em_pass(x6[:, None], w0, mu0[:, None], prec0, "full")
w1, mu1, cov1 = gfs.m_step(stats6, "full", reg_covar=0.0)  # M-step
mu1, sd1 = mu1.ravel(), np.sqrt(cov1.ravel())

dens = np.exp(np.column_stack([log_pdf_1d(x6, mu0[k], sd0[k]) for k in range(2)]))
print("  x_n   π₁N(x|μ₁,σ₁²)  π₂N(x|μ₂,σ₂²)   γ(z_n1)  γ(z_n2)")
for xn, dn, gn in zip(x6, w0 * dens, gamma6, strict=True):
    print(f"{xn:5.1f}   {dn[0]:12.4f}   {dn[1]:12.4f}   {gn[0]:7.3f}  {gn[1]:7.3f}")
print(f"N_k       = {stats6.nk.round(3)}   (sum {stats6.nk.sum():.3f} = N)")
print(f"new π_k   = {w1.round(3)}")
print(f"new μ_k   = {mu1.round(3)}")
print(f"new σ_k   = {sd1.round(3)}")

# CHECK: the same iteration with a pencil (NumPy), nothing from the package
hand_gamma = w0 * dens / (w0 * dens).sum(axis=1, keepdims=True)
hand_nk = hand_gamma.sum(axis=0)
hand_mu = hand_gamma.T @ x6 / hand_nk
hand_sd = np.sqrt((hand_gamma * (x6[:, None] - hand_mu) ** 2).sum(axis=0) / hand_nk)
assert np.allclose(gamma6, hand_gamma, rtol=1e-12)
assert np.allclose([stats6.nk, w1, mu1, sd1], [hand_nk, hand_nk / 6, hand_mu, hand_sd],
                   rtol=1e-12)
# The numbers quoted in the text below
assert np.isclose(gamma6[3, 0], 0.5, rtol=1e-12) and round(gamma6[2, 0], 3) == 0.855
assert list(stats6.nk.round(2)) == [3.33, 2.67] and list(w1.round(3)) == [0.555, 0.445]
assert list(mu1.round(2)) == [2.27, 6.53] and list(sd1.round(2)) == [1.06, 1.74]
assert np.all(gamma6[:2, 0] > 0.97) and np.all(gamma6[4:, 1] > 0.99)  # 1, 2 and 7, 8 are clear
# one more E-step, with the new parameters: component 1 takes the larger share of the point 4
_, log_gamma_next = gfs.e_step(x6[:, None], w1, mu1[:, None],
                               precisions_cholesky_from_covariances(cov1, "full"), "full")
assert round(float(np.exp(log_gamma_next[3, 0])), 2) == 0.61

# %% [markdown]
# Read the table row by row. The points 1 and 2 belong to component 1 beyond doubt, 7 and 8
# to component 2. The point 3 is mostly component 1's ($\gamma = 0.855$). The point 4 lies
# exactly halfway between the two starting means, and with equal weights and equal widths
# the two components share it equally, $\gamma = 0.5$ each. So component 1 is responsible
# for $N_1 \approx 3.33$ points and component 2 for $N_2 \approx 2.67$: the new weights are
# $\pi = (0.555, 0.445)$. Each mean moves to the weighted average of "its" points,
# $\mu_1 = 2.27$ and $\mu_2 = 6.53$: component 2 gave up its place between the clusters.
# The new widths tell the same story: $\sigma_1$ shrinks to $1.06$ around the tight group
# 1, 2, 3, while $\sigma_2$ grows to $1.74$, because half of the point 4 still hangs on to
# component 2 from far away. One more E-step would give component 1 the larger share of that
# point, $\gamma \approx 0.61$. {numref}`fig-ch05-pencil` draws the iteration.

# %% mystnb={"figure": {"caption": "One EM iteration on the six points 1, 2, 3, 4, 7, 8 with K = 2: the weighted component densities \u03c0\u2096N(x | \u03bc\u2096, \u03c3\u2096\u00b2) before (left) and after (right) the iteration. The points are coloured by the E-step's responsibility \u03b3(z_n1) for component 1.", "name": "fig-ch05-pencil"}, "image": {"alt": "Left: two equal bell curves centred at 2 (solid) and 6 (dashed). Right: component 1 is narrower and taller around 2.27, component 2 wider and lower around 6.53. The points 1, 2, 3 are blue, 7 and 8 orange, and the point 4 grey, shared equally."}}
grid6 = np.linspace(-2, 12, 400)
fig, axes = plt.subplots(1, 2, figsize=(9, 3.6), sharey=True)
for ax, (w_, mu_, sd_), title in [
    (axes[0], (w0, mu0, sd0), "before: the starting guess"),
    (axes[1], (w1, mu1, sd1), "after one EM iteration"),
]:
    for k in range(2):
        ax.plot(grid6, w_[k] * np.exp(log_pdf_1d(grid6, mu_[k], sd_[k])), color=colors2[k],
                linestyle=["-", "--"][k], label=f"π{'₁₂'[k]}N(x | μ{'₁₂'[k]}, σ{'₁₂'[k]}²)")
    ax.scatter(x6, np.zeros_like(x6), c=gamma6[:, 0], cmap=gamma_cmap, vmin=0, vmax=1,
               s=60, edgecolors="black", zorder=3, label="the six points")
    ax.set_title(title)
    ax.set_xlabel("x")
    ax.set_ylim(-0.02, 0.3)
axes[0].set_ylabel("weighted density")
fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=3)
sm = plt.cm.ScalarMappable(cmap=gamma_cmap, norm=plt.Normalize(0, 1))
fig.colorbar(sm, ax=axes, label="γ(z_n1), the share of component 1")
fig.suptitle("One EM iteration on six points (points coloured by the E-step's γ)")
plt.show()

# %% [markdown]
# ## Latent variables and the complete-data log-likelihood
#
# For each point $\mathbf x_n$ ($n = 1,\dots,N$) introduce a *latent* (unobserved) one-hot
# vector $\mathbf z_n = (z_{n1},\dots,z_{nK})$ with $z_{nk} = 1$ if component $k$ produced
# $\mathbf x_n$ and $0$ otherwise. The generative story says
#
# $$
# p(z_{nk} = 1) = \pi_k, \qquad p(\mathbf x_n \mid z_{nk} = 1) =
# \mathcal N(\mathbf x_n \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k).
# $$
#
# Because exactly one $z_{nk}$ equals one, the joint density of a point and its indicator
# can be written as a product in which only the "active" factor survives:
#
# $$
# p(\mathbf x_n, \mathbf z_n \mid \boldsymbol\theta) = \prod_{k=1}^K
# \bigl[\pi_k\, \mathcal N(\mathbf x_n \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)\bigr]^{z_{nk}},
# \qquad \boldsymbol\theta = \{\pi_k, \boldsymbol\mu_k, \boldsymbol\Sigma_k\}_{k=1}^K .
# $$
#
# Taking logs turns the exponent into a factor, and summing over independent points gives
# the **complete-data log-likelihood**
#
# $$
# \log p(\mathbf X, \mathbf Z \mid \boldsymbol\theta) = \sum_{n=1}^N \sum_{k=1}^K z_{nk}
# \Bigl[\log \pi_k + \log \mathcal N(\mathbf x_n \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)\Bigr].
# $$ (eq-ch05-complete)
#
# Compare it with the log-likelihood we actually have, in which the indicators have been
# summed out:
#
# $$
# \log p(\mathbf X \mid \boldsymbol\theta) = \sum_{n=1}^N \log \sum_{k=1}^K \pi_k\,
# \mathcal N(\mathbf x_n \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k).
# $$
#
# In {eq}`eq-ch05-complete` the logarithm acts directly on each Gaussian, so the
# parameters of different components sit in separate terms; in the incomplete
# log-likelihood the sum over $k$ is trapped *inside* the logarithm and couples all
# components together. That difference is the whole reason EM exists.

# %% [markdown]
# ## The E-step: replace each indicator by its expectation
#
# We cannot evaluate {eq}`eq-ch05-complete` because $z_{nk}$ is unknown. What we can do,
# with the current parameters $\boldsymbol\theta^{\text{old}}$, is compute the posterior
# distribution of $\mathbf z_n$ given $\mathbf x_n$, and average
# {eq}`eq-ch05-complete` over it. Since $z_{nk}$ is a 0/1 variable, its expectation is the
# probability that it equals one, which Bayes' rule gives:
#
# $$
# \begin{aligned}
# \gamma(z_{nk}) &= \mathbb E[z_{nk}] = p(z_{nk} = 1 \mid \mathbf x_n,
# \boldsymbol\theta^{\text{old}}) \\
# &= \frac{\pi_k\, \mathcal N(\mathbf x_n \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)}
# {\sum_{j=1}^K \pi_j\, \mathcal N(\mathbf x_n \mid \boldsymbol\mu_j, \boldsymbol\Sigma_j)}
# \end{aligned}
# $$ (eq-ch05-resp)
#
# (all parameters on the right at their old values). This is the **E-step**. Because
# {eq}`eq-ch05-complete` is *linear* in the $z_{nk}$, its expectation is obtained by simply
# substituting $\gamma(z_{nk})$ for $z_{nk}$:
#
# $$
# \begin{aligned}
# Q(\boldsymbol\theta, \boldsymbol\theta^{\text{old}})
# &= \mathbb E_{\mathbf Z \mid \mathbf X, \boldsymbol\theta^{\text{old}}}
# \bigl[\log p(\mathbf X, \mathbf Z \mid \boldsymbol\theta)\bigr] \\
# &= \sum_{n=1}^N \sum_{k=1}^K \gamma(z_{nk})
# \Bigl[\log \pi_k + \log \mathcal N(\mathbf x_n \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k)\Bigr].
# \end{aligned}
# $$ (eq-ch05-Q)
#
# This expected complete-data log-likelihood {eq}`eq-ch05-Q` is the key equation of the chapter:
# the E-step computes its weights $\gamma(z_{nk})$, and the M-step maximizes it.
#
# One quantity will appear in every update: the **effective number of points** assigned to
# component $k$,
#
# $$
# N_k = \sum_{n=1}^N \gamma(z_{nk}).
# $$ (eq-ch05-nk)
#
# Each row of responsibilities sums to one, so $\sum_k N_k = N$: the $N_k$ share the data
# out among the components, in fractions.

# %% [markdown]
# ## The M-step: maximize Q, one parameter at a time
#
# The **M-step** maximizes $Q(\boldsymbol\theta, \boldsymbol\theta^{\text{old}})$ {eq}`eq-ch05-Q` over
# $\boldsymbol\theta$ with the responsibilities held fixed. $Q$ splits into a part that
# depends only on the weights and, for each $k$, a part that depends only on
# $(\boldsymbol\mu_k, \boldsymbol\Sigma_k)$, so we can maximize each part on its own.
# We write the log-density with the precision $\boldsymbol\Lambda_k =
# \boldsymbol\Sigma_k^{-1}$ (chapter 2):
#
# $$
# \log \mathcal N(\mathbf x \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k) =
# -\tfrac d2 \log(2\pi) + \tfrac12 \log\lvert\boldsymbol\Lambda_k\rvert
# - \tfrac12 (\mathbf x - \boldsymbol\mu_k)^\top \boldsymbol\Lambda_k (\mathbf x - \boldsymbol\mu_k).
# $$
#
# ### Mixing weights: a constrained maximization
#
# The weights appear only in $\sum_n\sum_k \gamma(z_{nk}) \log\pi_k = \sum_k N_k \log \pi_k$,
# and they are not free: they must satisfy $\sum_k \pi_k = 1$. Setting the ordinary
# derivative to zero would give $N_k/\pi_k = 0$, which has no solution; the constraint is
# what makes the problem well posed. Add it with a Lagrange multiplier $\lambda$:
#
# $$
# \mathcal J(\boldsymbol\pi, \lambda) = \sum_{k=1}^K N_k \log \pi_k
# + \lambda\Bigl(\sum_{k=1}^K \pi_k - 1\Bigr).
# $$
#
# The derivative with respect to one weight $\pi_k$ involves only the $k$-th term of each
# sum:
#
# $$
# \frac{\partial \mathcal J}{\partial \pi_k} = \frac{N_k}{\pi_k} + \lambda = 0
# \quad\Longrightarrow\quad \pi_k = -\frac{N_k}{\lambda}.
# $$
#
# To find $\lambda$, sum this over $k$ and use the constraint together with
# $\sum_k N_k = N$: $\;1 = \sum_k \pi_k = -N/\lambda$, so $\lambda = -N$ and
#
# $$
# \pi_k^{\text{new}} = \frac{N_k}{N}.
# $$ (eq-ch05-weights)
#
# The new weight of a component is the fraction of the data it is responsible for. (The
# solution is a maximum: $\sum_k N_k \log \pi_k$ is concave in $\boldsymbol\pi$ and the
# constraint is linear. The inequality $\pi_k \ge 0$ holds automatically.)
#
# ### Means
#
# Only the quadratic form depends on $\boldsymbol\mu_k$. Write $\mathbf a_n = \mathbf x_n -
# \boldsymbol\mu_k$. For a symmetric matrix $\boldsymbol\Lambda$, the gradient of
# $\mathbf a^\top \boldsymbol\Lambda \mathbf a$ with respect to $\mathbf a$ is
# $2\boldsymbol\Lambda\mathbf a$, and $\partial \mathbf a_n / \partial \boldsymbol\mu_k =
# -\mathbf I$, so by the chain rule
#
# $$
# \begin{aligned}
# \frac{\partial}{\partial \boldsymbol\mu_k}\Bigl[-\tfrac12 (\mathbf x_n - \boldsymbol\mu_k)^\top
# \boldsymbol\Lambda_k (\mathbf x_n - \boldsymbol\mu_k)\Bigr]
# &= -\tfrac12 \cdot 2\boldsymbol\Lambda_k(\mathbf x_n - \boldsymbol\mu_k)\cdot(-1) \\
# &= \boldsymbol\Lambda_k(\mathbf x_n - \boldsymbol\mu_k).
# \end{aligned}
# $$
#
# Weighting by the responsibilities and summing over $n$:
#
# $$
# \begin{aligned}
# \frac{\partial Q}{\partial \boldsymbol\mu_k} &= \sum_{n=1}^N \gamma(z_{nk})\,
# \boldsymbol\Lambda_k (\mathbf x_n - \boldsymbol\mu_k) \\
# &= \boldsymbol\Lambda_k \Bigl(\sum_{n=1}^N \gamma(z_{nk})\,\mathbf x_n - N_k\,\boldsymbol\mu_k\Bigr)
# = \mathbf 0 .
# \end{aligned}
# $$
#
# $\boldsymbol\Lambda_k$ is positive definite, hence invertible, so the bracket itself must
# vanish:
#
# $$
# \boldsymbol\mu_k^{\text{new}} = \frac{1}{N_k}\sum_{n=1}^N \gamma(z_{nk})\, \mathbf x_n .
# $$ (eq-ch05-means)
#
# A responsibility-weighted average of the data. Notice that the answer does not depend on
# $\boldsymbol\Lambda_k$: whatever the covariance, this is the best mean, which lets us use
# it in the next step.
#
# ### Covariances
#
# The terms of $Q$ that involve $\boldsymbol\Lambda_k$ are
#
# $$
# Q_k(\boldsymbol\Lambda_k) = \sum_{n=1}^N \gamma(z_{nk})\Bigl[\tfrac12 \log\lvert
# \boldsymbol\Lambda_k\rvert - \tfrac12 (\mathbf x_n - \boldsymbol\mu_k)^\top
# \boldsymbol\Lambda_k (\mathbf x_n - \boldsymbol\mu_k)\Bigr].
# $$
#
# Two facts make this tractable. First, a scalar equals its own trace and the trace is
# invariant under cyclic permutation, so $\mathbf a^\top\boldsymbol\Lambda\mathbf a =
# \operatorname{tr}(\boldsymbol\Lambda\,\mathbf a\mathbf a^\top)$. Summing over $n$ and
# pulling the sum inside the (linear) trace,
#
# $$
# \begin{aligned}
# Q_k(\boldsymbol\Lambda_k) &= \frac{N_k}{2} \log\lvert\boldsymbol\Lambda_k\rvert
# - \frac12 \operatorname{tr}\bigl(\boldsymbol\Lambda_k \mathbf S_k\bigr), \\
# \text{where}\quad \mathbf S_k &= \sum_{n=1}^N \gamma(z_{nk})(\mathbf x_n - \boldsymbol\mu_k)
# (\mathbf x_n - \boldsymbol\mu_k)^\top .
# \end{aligned}
# $$
#
# Second, two standard matrix derivatives {cite}`deisenroth2020`:
# $\partial \log\lvert\boldsymbol\Lambda\rvert / \partial \boldsymbol\Lambda =
# \boldsymbol\Lambda^{-\top}$ and $\partial \operatorname{tr}(\boldsymbol\Lambda \mathbf S)
# / \partial \boldsymbol\Lambda = \mathbf S^\top$. With $\boldsymbol\Lambda_k$ and
# $\mathbf S_k$ symmetric,
#
# $$
# \frac{\partial Q_k}{\partial \boldsymbol\Lambda_k} = \frac{N_k}{2}\boldsymbol\Lambda_k^{-1}
# - \frac12 \mathbf S_k = \mathbf 0
# \quad\Longrightarrow\quad \boldsymbol\Lambda_k^{-1} = \frac{\mathbf S_k}{N_k}.
# $$
#
# Since $\boldsymbol\Lambda_k^{-1} = \boldsymbol\Sigma_k$, and the best mean is
# {eq}`eq-ch05-means` whatever the covariance,
#
# $$
# \boldsymbol\Sigma_k^{\text{new}} = \frac{1}{N_k}\sum_{n=1}^N \gamma(z_{nk})
# (\mathbf x_n - \boldsymbol\mu_k^{\text{new}})(\mathbf x_n - \boldsymbol\mu_k^{\text{new}})^\top .
# $$ (eq-ch05-covariances)
#
# This stationary point is the maximum: $\log\lvert\boldsymbol\Lambda\rvert$ is concave on
# positive definite matrices and the trace term is linear, so $Q_k$ is concave. Compared
# with chapter 2's sample covariance, every point now counts with weight $\gamma(z_{nk})$,
# and $N_k$ replaces $N$.
#
# :::{admonition} Why not maximize $\log p(\mathbf X\mid\boldsymbol\theta)$ directly?
# :class: note
#
# Differentiate the incomplete log-likelihood with respect to $\boldsymbol\mu_k$ and you
# get exactly $\sum_n \gamma(z_{nk})\boldsymbol\Lambda_k(\mathbf x_n - \boldsymbol\mu_k) =
# \mathbf 0$, the same equation as above. The difference is that there the
# $\gamma(z_{nk})$ depend on $\boldsymbol\mu_k$ themselves, so the equation has no closed
# form solution. EM freezes the responsibilities, solves, and recomputes them: a fixed-point
# iteration on the stationarity conditions. Chapter 6 proves that every such round trip
# increases the likelihood.
# :::

# %% [markdown]
# ## The algorithm
#
# :::{admonition} EM for a Gaussian mixture
# :class: important
#
# 1. **Initialize** $\pi_k, \boldsymbol\mu_k, \boldsymbol\Sigma_k$ (chapter 8 discusses how).
# 2. **E-step**: compute $\gamma(z_{nk})$ with {eq}`eq-ch05-resp` from the current parameters,
#    and the log-likelihood $\log p(\mathbf X \mid \boldsymbol\theta)$ on the way.
# 3. **M-step**: compute $N_k$ {eq}`eq-ch05-nk`, then $\pi_k$ {eq}`eq-ch05-weights`,
#    $\boldsymbol\mu_k$ {eq}`eq-ch05-means` and $\boldsymbol\Sigma_k$
#    {eq}`eq-ch05-covariances`.
# 4. **Stop** when the log-likelihood no longer improves by more than a tolerance;
#    otherwise go back to 2.
# :::
#
# In `gmm_from_scratch` these are separate functions: `e_step`
# returns the log-responsibilities (computed in log space, chapter 7); `em_pass` collects
# the weighted sums $N_k$, $\sum_n\gamma(z_{nk})\mathbf x_n$ and the scatter; and `m_step`
# turns those sums into new parameters. `GaussianMixture` is a thin loop around them. With
# `record_history=True` it also keeps every iteration in `history_`.

# %% [markdown]
# ## EM step by step on Old Faithful
#
# The Old Faithful data {cite}`azzalini1990,hardle1991` records 272 eruptions of the geyser
# in Yellowstone: the duration of each eruption and the waiting time until the next one,
# both in minutes. Following {cite}`bishop2006` (figure 9.8) we standardize each column to
# mean 0 and standard deviation 1, fit $K = 2$ components with full covariances, and start
# from a deliberately poor guess: two unit-covariance components with equal weights, placed
# in the two empty corners of the plot.

# %%
X = load_old_faithful(standardize_columns=True)
raw = load_old_faithful()
print("shape:", X.shape)
print("raw means (minutes):", raw.mean(axis=0).round(3), " raw std:", raw.std(axis=0).round(3))
print("standardized means:", X.mean(axis=0).round(6), " std:", X.std(axis=0).round(6))

# %%
means_init = np.array([[-1.8, 1.5], [1.8, -1.5]])
gmm = GaussianMixture(
    n_components=2,
    covariance_type="full",
    weights_init=[0.5, 0.5],
    means_init=means_init,
    precisions_init=np.array([np.eye(2), np.eye(2)]),
    tol=1e-6,
    max_iter=200,
    record_history=True,
).fit(X)
hist = gmm.history_
print(f"converged: {gmm.converged_} after {gmm.n_iter_} iterations")
print("parameter snapshots:", len(hist.means), " E-steps recorded:", len(hist.responsibilities))
print("weights:", gmm.weights_)
print("means:\n", gmm.means_)

# %% [markdown]
# `history_` stores the parameters at the start of every iteration plus the final ones
# (22 snapshots), and the responsibilities and mean log-likelihood computed by each of the
# 21 E-steps. We number iterations from 1, as the animation below does: **iteration $i$**
# starts from the parameters left by $i-1$ M-steps, runs its E-step (responsibilities and
# log-likelihood of those parameters) and then its M-step. {numref}`fig-ch05-snapshots` shows
# iterations 1, 2, 3, 6 and 11 just after their E-step, and the fitted model. Each point is coloured by
# its responsibility $\gamma(z_{n1})$ for component 1, on the scale of the colour bar: blue
# for component 1, orange for component 2, grey for a point the two share equally. The
# ellipses are the 1- and 2-standard-deviation contours.

# %% mystnb={"figure": {"caption": "EM on the standardized Old Faithful data from a poor start: iterations 1, 2, 3, 6 and 11 just after their E-step, and the fitted model. Each point is coloured by its responsibility \u03b3(z_n1) for component 1 (colour bar: blue for component 1, orange for component 2, grey when shared); the ellipses are each component's 1\u03c3 and 2\u03c3 contours, the markers its mean.", "name": "fig-ch05-snapshots"}, "image": {"alt": "Six panels. Iteration 1: two unit circles in the empty upper-left and lower-right corners, and a diagonal boundary cutting both clusters, their upper-left halves bluish and lower-right halves orange. Iteration 2: both ellipses sit near the centre, stretched along the diagonal. Iterations 3, 6, 11: the blue component moves onto the lower-left cluster and the orange one onto the upper-right cluster, the colours separating. Fitted model: one compact ellipse per cluster, the clusters pure blue and pure orange."}}
xlabel = "eruption duration (standardized)"
ylabel = "waiting time (standardized)"
snapshots = [0, 1, 2, 5, 10, hist.n_iter]  # parameters after t M-steps = start of iteration t+1
fig, axes = plt.subplots(3, 2, figsize=(8, 11.5), sharex=True, sharey=True)
for ax, t in zip(axes.ravel(), snapshots, strict=True):
    # At t = n_iter there is no further E-step in the history: use the fitted model's.
    resp = hist.responsibilities[t] if t < hist.n_iter else gmm.predict_proba(X)
    plot_mixture(ax, None, hist.means[t], hist.covariances[t], "full", label_components=False)
    points = ax.scatter(X[:, 0], X[:, 1], s=12, c=resp[:, 0], cmap=gamma_cmap, vmin=0, vmax=1,
                        linewidths=0)
    ll = hist.log_likelihood[t] if t < hist.n_iter else gmm.score(X)
    name = f"iteration {t + 1}, after its E-step" if t < hist.n_iter else "fitted model"
    ax.set_title(f"{name}\nmean log-lik {ll:.4f}, π = {np.round(hist.weights[t], 2)}",
                 fontsize=10)
    ax.set_xlim(-2.6, 2.6)
    ax.set_ylim(-2.6, 2.6)
    ax.set_aspect("equal")
for ax in axes[-1]:
    ax.set_xlabel(xlabel)
for ax in axes[:, 0]:
    ax.set_ylabel(ylabel)
means_legend = [plt.Line2D([], [], marker=component_styles(2)[k]["marker"], markersize=10,
                           color=colors2[k],
                           markeredgecolor="white", linestyle="none",
                           label=f"mean of component {k + 1} (ellipses: 1σ, 2σ)")
                for k in range(2)]
fig.legend(handles=means_legend, loc="outside lower center", ncols=2)
fig.colorbar(points, ax=axes, shrink=0.5, label="γ(z_n1): responsibility of component 1")
fig.suptitle("EM on Old Faithful, iteration by iteration")
plt.show()

# %%
lower_left = X[:, 0] < 0  # the short-eruption cluster
print("iteration   mean γ(z_n1) lower-left   mean γ(z_n1) upper-right   weights after M-step")
for t in [0, 1, 2, 5, 10]:
    r = hist.responsibilities[t][:, 0]
    print(f"{t + 1:<9d} {r[lower_left].mean():^24.3f} {r[~lower_left].mean():^26.3f} "
          f"{np.round(hist.weights[t + 1], 3)}")
# The numbers quoted in the text below
gamma_ll = [hist.responsibilities[t][lower_left, 0].mean() for t in (0, 10)]
assert len(hist.means) == 22 and len(hist.responsibilities) == hist.n_iter == 21
assert round(hist.log_likelihood[0], 1) == -5.3 and round(hist.log_likelihood[1], 2) == -1.99
assert round(gamma_ll[0], 2) == 0.67 and round(gamma_ll[1], 3) == 0.998
assert list(np.round(100 * gmm.weights_, 1)) == [35.6, 64.4]
# Iteration 1: the boundary cuts both clusters; in each, the upper-left part leans blue
r1 = hist.responsibilities[0][:, 0]
for cluster in (lower_left, ~lower_left):
    assert 0.2 < np.mean(r1[cluster] > 0.5) < 0.8
    assert np.corrcoef(X[cluster, 1] - X[cluster, 0], r1[cluster])[0, 1] > 0.9
# Iteration 2: both means near the centre, both covariances stretched along the diagonal;
# the blue mean a little on the lower-left side
assert np.abs(hist.means[1]).max() < 0.4 and np.all(hist.means[1][0] < 0)
for cov_k in hist.covariances[1]:
    vals_k, vecs_k = np.linalg.eigh(cov_k)
    assert abs(np.degrees(np.arctan2(vecs_k[1, -1], vecs_k[0, -1])) % 180 - 45) < 5
    assert vals_k[-1] > 10 * vals_k[0]

# %% [markdown]
# Read the panels in order.
#
# - **Iteration 1.** The two unit circles sit far from the data. Still, the E-step assigns
#   every point. With equal weights and equal covariances, the boundary where
#   $\gamma = \tfrac12$ is the line halfway between the two means, and that line happens to
#   cut *both* clusters in two: the upper-left half of each cluster leans blue, the
#   lower-right half orange. Responsibilities are *relative*: a point can be improbable under
#   every component and still be assigned firmly to one of them.
# - **Iteration 2.** The first M-step moved each mean to the responsibility-weighted average
#   of the data. Since each component owned half of each cluster, both means land near the
#   centre, and both covariances stretch along the data's long diagonal axis. The
#   log-likelihood jumps from about $-5.3$ (iteration 1) to $-1.99$ per point.
# - **Iterations 3–11.** The blue mean started a little on the lower-left side of the
#   centre, and that small asymmetry grows: component 1 takes a little more of the lower-left
#   cluster (its average responsibility there goes from 0.67 at iteration 1 to 0.998 at
#   iteration 11), which makes its shape fit that cluster better, which makes it take more.
# - **Final.** Two compact ellipses, one per cluster: short eruptions followed by short
#   waits (35.6% of eruptions) and long eruptions followed by long waits (64.4%).
#
# The mean log-likelihood at every E-step tells the same story as a curve
# ({numref}`fig-ch05-loglik`).

# %% mystnb={"figure": {"caption": "Mean log-likelihood per point computed by the E-step of each of the 21 EM iterations on Old Faithful; the dashed line is the fitted model's. Iteration 1 (\u22125.32) lies below the vertical range shown.", "name": "fig-ch05-loglik"}, "image": {"alt": "A rising curve of dots: nearly flat around \u22121.99 for iterations 2 to 5, a steep rise around iteration 7, a second rise from iteration 10 to 16, then flat at about \u22121.42, the dashed line of the fitted model. It never goes down."}}
fig, ax = plt.subplots()
iters = np.arange(1, hist.n_iter + 1)
ax.plot(iters, hist.log_likelihood, marker="o", label="mean log-likelihood at iteration i's E-step")
ax.axhline(gmm.score(X), color="0.4", linestyle="--", linewidth=1, label="fitted model")
ax.xaxis.set_major_locator(MaxNLocator(integer=True))
ax.set_xlabel("EM iteration i")
ax.set_ylabel("mean log-likelihood per point (nats)")
ax.set_title("EM never decreases the log-likelihood")
ax.set_ylim(-2.2, -1.3)
ax.annotate(f"i = 1: {hist.log_likelihood[0]:.2f} (off the scale)", xy=(1, -2.2),
            xytext=(3.5, -2.13), arrowprops={"arrowstyle": "->"})
ax.legend(loc="center right")
plt.show()
print("first six values:", np.round(hist.log_likelihood[:6], 4))
print("increments all >= 0:", bool(np.all(np.diff(hist.log_likelihood) >= 0)))
# The text below: never decreases; not concave (the increments grow again after a slow stretch)
increments = np.diff(hist.log_likelihood)
assert np.all(increments >= 0) and np.any(np.diff(increments[1:]) > 0)
assert increments[1:].max() > 10 * increments[1]

# %% [markdown]
# The curve never goes down (chapter 6 explains why this is guaranteed), but it is not
# concave: a slow stretch while the components are still almost interchangeable is followed
# by rapid progress once the symmetry breaks. A curve that flattens is a sign of
# convergence *or* of a slow stretch, which is why the tolerance should not be too loose
# and why chapter 8 cares about starting points.
#
# :::{note}
# The stopping rule of `GaussianMixture` (as in scikit-learn) compares the **mean**
# log-likelihood per point between consecutive iterations with `tol`. Here `tol=1e-6`
# instead of the default `1e-3`, so that the run continues to the visibly converged state.
# :::

# %% [markdown]
# ### Watch EM move
#
# The snapshots of {numref}`fig-ch05-snapshots` are frames of a film. The animation below
# ({numref}`fig-ch05-animation`) plays the same recorded run,
# alternating the two half-steps: after each **E-step** the colours change while the ellipses stay
# put; after each **M-step** the ellipses move to fit the new colours. Use the buttons to step
# through it frame by frame (it runs in your browser, no Python needed). In Jupyter, the live
# explorer of {doc}`play_with_em` lets you change the start and the number of components.
#
# The frames are numbered as the panels of {numref}`fig-ch05-snapshots`. The frame "Iteration $i$, after the E-step"
# *is* the panel "iteration $i$, after its E-step": same ellipses, same colours, same
# log-likelihood. The frame "Iteration $i$, after the M-step" shows the new ellipses with
# the colours they were fitted to, but its title still carries the log-likelihood that
# iteration $i$'s E-step computed, that of the parameters *before* the M-step: the gain of
# an M-step appears in the next frame. So "Iteration 1, after the M-step" reads
# $-5.3239$ while the next frame, "Iteration 2, after the E-step", shows the same ellipses
# with $-1.9908$. The code below checks this bookkeeping on the recorded history.

# %%
# Iteration i (1-based) starts from hist.means[i - 1]; its E-step computes log_likelihood[i - 1];
# its M-step produces hist.means[i]. The log-likelihood of hist.means[i] is log_likelihood[i].
precs_1 = precisions_cholesky_from_covariances(hist.covariances[1], "full")
log_p_1, _ = gfs.e_step(X, hist.weights[1], hist.means[1], precs_1, "full")
print(f"iteration 1's E-step: {hist.log_likelihood[0]:.4f}; parameters after its M-step: "
      f"{log_p_1.mean():.4f} (= iteration 2's E-step, {hist.log_likelihood[1]:.4f})")
assert np.isclose(log_p_1.mean(), hist.log_likelihood[1], rtol=1e-12)
assert (round(hist.log_likelihood[0], 4), round(hist.log_likelihood[1], 4)) == (-5.3239, -1.9908)

# %% tags=["nbval-ignore-output"] mystnb={"figure": {"caption": "The same EM run on Old Faithful as the snapshots, replayed frame by frame, alternating each iteration's E-step (new colours, same ellipses) and M-step (new ellipses). Use the buttons or the slider to step through it.", "name": "fig-ch05-animation"}}
from IPython.display import HTML

from gmm_from_scratch.animation import em_animation_html

description = (
    "Animation of EM on the standardized Old Faithful eruptions (duration against waiting "
    "time), the run of the snapshots figure, alternating the two half-steps: after each E-step "
    "the points' colours (their responsibilities) change while the two components' ellipses "
    "stay put; after each M-step the ellipses move to fit those colours. Watch the two unit "
    "circles leave the empty corners, sit together near the centre stretched along the "
    "diagonal, and then separate, one onto the short-eruption cluster and one onto the "
    "long-eruption cluster, while the log-likelihood in the title rises."
)
HTML(em_animation_html(X, hist, max_frames=40, dpi=70, feature_names=(xlabel, ylabel),
                       description=description))

# %% [markdown]
# ## Check: one EM iteration by hand
#
# {numref}`fig-ch05-snapshots` is only as trustworthy as the code behind it. In the next cell we take the
# recorded parameters at iteration $t$, evaluate {eq}`eq-ch05-resp` and {eq}`eq-ch05-nk`–{eq}`eq-ch05-covariances`
# **by hand with plain NumPy and SciPy** (nothing from `gmm_from_scratch`), and compare with
# what the package recorded at iteration $t+1$. One detail: the package adds
# `reg_covar` $= 10^{-6}$ to every covariance diagonal (a safeguard explained in
# chapter 7, eq. 7.4), so the hand computation adds it too.

# %%
# CHECK CELL: equations (5.2) and (5.4)-(5.7) written out with numpy/scipy, NOT the package.
from scipy.stats import multivariate_normal


def fmt_diff(diff):
    """Differences at rounding level depend on the machine: show them as '< 1e-12'."""
    return "< 1e-12" if diff < 1e-12 else f"= {diff:.1e}"


t = 3
w_t, mu_t, cov_t = hist.weights[t], hist.means[t], hist.covariances[t]
N, d = X.shape
K = len(w_t)

# (5.2) responsibilities from densities (fine here: the points are not far out; see ch. 7)
dens = np.column_stack([multivariate_normal(mu_t[k], cov_t[k]).pdf(X) for k in range(K)])
joint = w_t * dens
gamma = joint / joint.sum(axis=1, keepdims=True)
# (5.4) effective counts
N_k = gamma.sum(axis=0)
# (5.5) weights, (5.6) means, (5.7) covariances (+ reg_covar on the diagonal)
w_new = N_k / N
mu_new = (gamma.T @ X) / N_k[:, None]
cov_new = np.empty((K, d, d))
for k in range(K):
    diff = X - mu_new[k]
    cov_new[k] = (gamma[:, k, None] * diff).T @ diff / N_k[k] + gmm.reg_covar * np.eye(d)

checks = {
    "responsibilities (5.2) at t": (gamma, hist.responsibilities[t]),
    "weights (5.5) at t+1": (w_new, hist.weights[t + 1]),
    "means (5.6) at t+1": (mu_new, hist.means[t + 1]),
    "covariances (5.7) at t+1": (cov_new, hist.covariances[t + 1]),
}
for name, (by_hand, recorded) in checks.items():
    ok = np.allclose(by_hand, recorded, rtol=1e-10, atol=1e-12)
    print(f"{name:30s} allclose={ok}  max|diff| {fmt_diff(np.abs(by_hand - recorded).max())}")
    assert ok
print("N_k at t:", N_k.round(4), " sum:", round(N_k.sum(), 10))

# %% [markdown]
# Every difference is at the level of floating-point rounding (around $10^{-15}$; we print
# "< 1e-12" because the exact last digits depend on the machine's arithmetic). The same
# check passes at any $t$ (try it). We can also call the package's building blocks directly,
# as `GaussianMixture.fit` does internally: `e_step` for the E-step, `em_pass` for the
# weighted sums, `m_step` for the new parameters.

# %%
prec_chol_t = precisions_cholesky_from_covariances(cov_t, "full")
log_prob_norm, log_resp = gfs.e_step(X, w_t, mu_t, prec_chol_t, "full")
print("e_step responsibilities vs hand (5.2):",
      f"max|diff| {fmt_diff(np.abs(np.exp(log_resp) - gamma).max())}")
print("e_step mean log-lik vs history:",
      f"{log_prob_norm.mean():.8f} vs {hist.log_likelihood[t]:.8f}")
assert np.allclose(np.exp(log_resp), gamma, rtol=1e-10, atol=1e-12)
assert np.isclose(log_prob_norm.mean(), hist.log_likelihood[t], rtol=1e-12)

stats, _ = gfs.em_pass(X, w_t, mu_t, prec_chol_t, "full")
w_pkg, mu_pkg, cov_pkg = gfs.m_step(stats, "full", reg_covar=gmm.reg_covar)
print("stats.nk vs hand N_k (5.4):", f"max|diff| {fmt_diff(np.abs(stats.nk - N_k).max())}")
assert np.allclose(stats.nk, N_k, rtol=1e-10)
for name, pkg, hand in [("weights", w_pkg, w_new), ("means", mu_pkg, mu_new),
                        ("covariances", cov_pkg, cov_new)]:
    assert np.allclose(pkg, hand, rtol=1e-10, atol=1e-12)
    print(f"m_step {name:12s} vs hand: max|diff| {fmt_diff(np.abs(pkg - hand).max())}")

# %% [markdown]
# Finally, an independent implementation: scikit-learn {cite}`pedregosa2011`, started from
# the same parameters with the same tolerance, lands on the same mixture.

# %%
from sklearn.mixture import GaussianMixture as SkGaussianMixture

sk = SkGaussianMixture(
    n_components=2, covariance_type="full", weights_init=[0.5, 0.5], means_init=means_init,
    precisions_init=np.array([np.eye(2), np.eye(2)]), tol=1e-6, max_iter=200,
).fit(X)
print("iterations: ours", gmm.n_iter_, " sklearn", sk.n_iter_)
assert gmm.n_iter_ == sk.n_iter_
for name in ["weights_", "means_", "covariances_"]:
    diff = np.abs(getattr(gmm, name) - getattr(sk, name)).max()
    print(f"{name:13s} max|ours - sklearn| {fmt_diff(diff)}")
    assert diff < 1e-8

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: ex-ch05-tied
#
# Suppose all components share one covariance matrix $\boldsymbol\Sigma$ (the "tied"
# model of chapter 9). Repeat the covariance derivation and show that the M-step becomes
# $\boldsymbol\Sigma^{\text{new}} = \frac1N \sum_k \sum_n \gamma(z_{nk})(\mathbf x_n -
# \boldsymbol\mu_k)(\mathbf x_n - \boldsymbol\mu_k)^\top$. Then check it numerically:
# fit `GaussianMixture(2, covariance_type="tied")` to Old Faithful with
# `record_history=True` and compare `history_.covariances[t + 1]` with your formula
# evaluated on `history_.responsibilities[t]`.
# ```
#
# ````{solution} ex-ch05-tied
# :class: dropdown
#
# With a shared precision $\boldsymbol\Lambda$, the terms of $Q$ that involve it are
# $\sum_k\bigl[\frac{N_k}{2}\log\lvert\boldsymbol\Lambda\rvert - \frac12
# \operatorname{tr}(\boldsymbol\Lambda\mathbf S_k)\bigr] = \frac N2
# \log\lvert\boldsymbol\Lambda\rvert - \frac12\operatorname{tr}\bigl(\boldsymbol\Lambda
# \sum_k\mathbf S_k\bigr)$, using $\sum_k N_k = N$. The derivative is
# $\frac N2\boldsymbol\Lambda^{-1} - \frac12\sum_k\mathbf S_k$; setting it to zero gives
# $\boldsymbol\Sigma = \frac1N\sum_k \mathbf S_k$. The means are unchanged, since their
# update never depended on the covariance.
#
# ```python
# tied = GaussianMixture(2, covariance_type="tied", random_state=0,
#                        record_history=True).fit(X)
# h, t = tied.history_, 0
# g, mu = h.responsibilities[t], h.means[t + 1]
# S = sum((g[:, k, None] * (X - mu[k])).T @ (X - mu[k]) for k in range(2))
# print(np.allclose(S / len(X) + tied.reg_covar * np.eye(2), h.covariances[t + 1]))  # True
# ```
# ````
#
# ```{exercise}
# :label: ex-ch05-kmeans
#
# Fix every covariance at $\sigma^2\mathbf I$ and every weight at $1/K$, and let
# $\sigma \to 0$. What do the responsibilities {eq}`eq-ch05-resp` become? What does the
# mean update {eq}`eq-ch05-means` become? Which algorithm of chapter 3 have you recovered?
# ```
#
# ```{solution} ex-ch05-kmeans
# :class: dropdown
#
# With equal weights and covariances, $\gamma(z_{nk}) = \exp(-\lVert\mathbf x_n -
# \boldsymbol\mu_k\rVert^2/2\sigma^2) / \sum_j \exp(-\lVert\mathbf x_n -
# \boldsymbol\mu_j\rVert^2/2\sigma^2)$. Divide numerator and denominator by the term of the
# nearest mean $j^\ast$: every other term is $\exp(-(\text{positive gap})/2\sigma^2) \to 0$.
# So $\gamma(z_{nk}) \to 1$ for the nearest mean and $0$ for the others: the k-means
# assignment step (3.2). The mean update then averages the points assigned to each
# component: the k-means update step (3.3). k-means is the "hard", zero-variance limit
# of EM {cite}`bishop2006`.
# ```
#
# ```{exercise}
# :label: ex-ch05-symmetric
#
# Re-run the Old Faithful fit with the symmetric start `means_init=[[-1.5, 1.5],
# [1.5, -1.5]]` (everything else as above). How many iterations does it take, and what does
# the log-likelihood curve look like? Look at the snapshots at iterations 1 and 20 and
# explain the long plateau.
# ```
#
# ````{solution} ex-ch05-symmetric
# :class: dropdown
#
# ```python
# sym = GaussianMixture(2, weights_init=[0.5, 0.5], means_init=[[-1.5, 1.5], [1.5, -1.5]],
#                       precisions_init=np.array([np.eye(2)] * 2), tol=1e-6, max_iter=200,
#                       record_history=True).fit(X)
# print(sym.n_iter_)                                     # 49
# print(np.round(sym.history_.log_likelihood[:30:5], 4))  # between -2.00 and -1.99 for ~25 steps
# ```
#
# The data lie along the diagonal $y = x$, and this start is nearly a mirror image of itself
# across that line. After one M-step both components sit near the centre with almost the
# same elongated shape, each taking about half of every point. That configuration is close
# to a *saddle point* of the likelihood, where the gradient is tiny: EM creeps along until
# the small asymmetry has grown enough, then converges quickly to the same answer as before.
# It gets there, but it took more than twice as long. Chapter 8 shows how to avoid such
# starts.
# ````

# %% tags=["remove-cell"]
# The numbers in the solutions above, checked (hidden from the page, run by nbval).
tied = GaussianMixture(2, covariance_type="tied", random_state=0, record_history=True).fit(X)
h_tied = tied.history_
S_tied = sum((h_tied.responsibilities[0][:, k, None] * (X - h_tied.means[1][k])).T
             @ (X - h_tied.means[1][k]) for k in range(2))
assert np.allclose(S_tied / len(X) + tied.reg_covar * np.eye(2), h_tied.covariances[1])
sym = GaussianMixture(2, weights_init=[0.5, 0.5], means_init=[[-1.5, 1.5], [1.5, -1.5]],
                      precisions_init=np.array([np.eye(2)] * 2), tol=1e-6, max_iter=200,
                      record_history=True).fit(X)
assert sym.n_iter_ == 49 and sym.n_iter_ > 2 * gmm.n_iter_
plateau = np.asarray(sym.history_.log_likelihood[1:25])
assert np.all((plateau > -2.0) & (plateau < -1.99))  # between -2.00 and -1.99, 24 steps
assert np.allclose(sym.weights_, gmm.weights_, atol=1e-4)  # the same answer as before

# %% [markdown]
# ## Summary
#
# - Introducing the latent indicators $z_{nk}$ turns the log of a sum into a sum of logs
#   {eq}`eq-ch05-complete`, which would be easy to maximize if the $z_{nk}$ were known.
# - The **E-step** replaces each $z_{nk}$ by its posterior expectation, the responsibility
#   $\gamma(z_{nk})$ {eq}`eq-ch05-resp`; $N_k = \sum_n\gamma(z_{nk})$ {eq}`eq-ch05-nk`.
# - The **M-step** maximizes the expected complete-data log-likelihood in closed form:
#   $\pi_k = N_k/N$ {eq}`eq-ch05-weights` (a Lagrange multiplier enforces
#   $\sum_k\pi_k=1$), responsibility-weighted means {eq}`eq-ch05-means` and covariances
#   {eq}`eq-ch05-covariances`.
# - On Old Faithful, EM escapes a poor start in about twenty iterations; its log-likelihood
#   never decreases but can have slow stretches.
# - A hand computation and scikit-learn both agree with `gmm_from_scratch` to rounding
#   error. Chapter 6 explains *why* the log-likelihood can only go up; chapter 7 explains
#   why the package computes the E-step in log space.
