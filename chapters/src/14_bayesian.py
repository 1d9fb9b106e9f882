# %% [markdown]
# # Bayesian mixtures
#
# :::{admonition} Learning goals
# :class: tip
#
# After this chapter you will be able to
#
# - say which two problems of maximum likelihood, the singularities of chapter 11 and the
#   choice of $K$ of chapter 10, a prior on the parameters removes, and how;
# - write down the Bayesian mixture: a Dirichlet (or Dirichlet-process) prior on the weights
#   and a Gaussian–Wishart prior on each component's mean and precision;
# - derive the variational E-step and M-step of mean-field variational inference and
#   recognize them as EM's E-step and M-step with expectations in place of point estimates;
# - fit `BayesianGaussianMixture` with many components allowed and read off how many the
#   data actually use, and explain what `weight_concentration_prior` changes;
# - choose between a variational mixture and BIC-based selection for a given task.
# :::
#
# Maximum likelihood left us with two loose ends. In chapter 11 the likelihood had *spikes*:
# a component that shrinks onto a single data point sends it to infinity, and only the
# ad-hoc `reg_covar` kept EM away. In chapter 10 we chose $K$ by fitting one mixture per
# candidate value and comparing penalized likelihoods. Both problems come from treating the
# parameters as unknown constants to be tuned. If we instead treat them as random, with
# a *prior* distribution, then a component needs evidence to become narrow and evidence to
# keep a sizeable weight. A component that no data support simply withers. This chapter
# builds that model, derives the algorithm that fits it, variational inference, and shows it
# finding $K$ by itself in a single run.

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import HTML
from scipy.special import digamma
from sklearn.datasets import make_moons
from threadpoolctl import threadpool_limits

from gmm_from_scratch import (
    BayesianGaussianMixture,
    GaussianMixture,
    load_old_faithful,
    select_n_components,
)
from gmm_from_scratch.animation import em_animation_html
from gmm_from_scratch.bayesian import (
    check_prior,
    expected_log_weights,
    statistics_from_responsibilities,
    variational_log_weights,
    variational_m_step,
)
from gmm_from_scratch.em import m_step
from gmm_from_scratch.plotting import component_styles, plot_mixture, use_book_style

use_book_style()
np.set_printoptions(precision=4, suppress=True)
# These problems are small: one BLAS thread is faster, and does not stall on a busy machine.
_ = threadpool_limits(limits=1)

# %% [markdown]
# ## A first look: ten components allowed, four used
#
# We draw $N=400$ points from a mixture of four Gaussians with weights 0.4, 0.3, 0.2 and
# 0.1, and pretend not to know $K$: we allow ten components. EM (chapter 5) has no reason to
# leave any of them idle, since every extra component raises the likelihood a little. The
# Bayesian mixture, fitted with the same ten components, does something different
# ({numref}`fig-ch14-em-vs-vb`).

# %%
rng = np.random.default_rng(0)
true_weights = np.array([0.4, 0.3, 0.2, 0.1])
true_means = np.array([[0.0, 0.0], [6.0, 1.0], [2.0, 6.0], [8.0, 7.0]])
true_covs = np.array([
    [[1.5, 0.7], [0.7, 1.0]],
    [[0.6, 0.0], [0.0, 1.4]],
    [[1.0, -0.4], [-0.4, 0.8]],
    [[0.5, 0.0], [0.0, 0.5]],
])
z = rng.choice(4, size=400, p=true_weights)
X = np.vstack([rng.multivariate_normal(true_means[k], true_covs[k]) for k in z])
N, d = X.shape

em = GaussianMixture(n_components=10, random_state=0).fit(X)
vb = BayesianGaussianMixture(
    n_components=10, weight_concentration_prior=0.01, max_iter=500, random_state=0
).fit(X)
print("EM weights (sorted):", np.sort(em.weights_)[::-1])
print("VB weights (sorted):",
      np.array2string(np.sort(vb.weights_)[::-1], formatter={"float": lambda w: f"{w:.1e}"}))
assert np.all(vb.weights_ > 0)  # never exactly zero
assert np.sum(vb.weights_ > 0.01) == 4 and np.sum(em.weights_ > 0.01) == 10
print("components with weight > 1%:  EM", np.sum(em.weights_ > 0.01),
      "  VB", np.sum(vb.weights_ > 0.01))

# %% mystnb={"figure": {"caption": "The same 400 points fitted with ten components by EM (left) and by the variational Bayesian mixture (right): each component with weight above 1% is drawn with its mean and 1- and 2-sigma ellipses, one colour and marker per component.", "name": "fig-ch14-em-vs-vb"}, "image": {"alt": "Left: ten ellipses; every cluster except the small one at the top right is split between several overlapping components. Right: four ellipses, one per cluster."}}
fig, axes = plt.subplots(1, 2, figsize=(9, 4), sharex=True, sharey=True)
for ax, model, title in [(axes[0], em, "EM, K = 10"), (axes[1], vb, "Variational Bayes, K ≤ 10")]:
    used = model.weights_ > 0.01
    plot_mixture(ax, X, model.means_[used], model.covariances_[used], "full",
                 point_size=5, label_components=False)
    ax.set_title(f"{title}: {used.sum()} components above 1%")
    ax.set_xlabel("$x_1$")
    ax.set_aspect("equal")
axes[0].set_ylabel("$x_2$")
plt.show()

# %% [markdown]
# EM spreads the ten components over the four clusters, splitting each into pieces; the
# variational fit keeps four components with weights close to 0.4, 0.3, 0.2, 0.1 and leaves
# the other six with weights below 1% (the weights are *posterior means*, so they never
# reach exactly zero: printed in scientific notation above, none is `0`). The rest of the
# chapter explains why.
#
# ## The model: priors on every parameter
#
# Keep the generative story of chapter 4 (pick a component $z_n$ with probabilities
# $\boldsymbol\pi$, then draw $\mathbf x_n\sim\mathcal N(\boldsymbol\mu_{z_n},
# \boldsymbol\Lambda_{z_n}^{-1})$), where we now write each component's covariance through its
# precision $\boldsymbol\Lambda_k=\boldsymbol\Sigma_k^{-1}$. Then put a prior on the
# parameters {cite}`bishop2006`:
#
# $$
# \begin{aligned}
# p(\boldsymbol\pi) &= \operatorname{Dir}(\boldsymbol\pi\mid\alpha_0,\dots,\alpha_0)
#   \propto \textstyle\prod_k \pi_k^{\alpha_0-1},\\
# p(\boldsymbol\mu_k,\boldsymbol\Lambda_k) &=
#   \mathcal N\!\big(\boldsymbol\mu_k\mid\mathbf m_0,(\beta_0\boldsymbol\Lambda_k)^{-1}\big)\,
#   \mathcal W(\boldsymbol\Lambda_k\mid\mathbf W_0,\nu_0).
# \end{aligned}
# $$ (eq-ch14-prior)
#
# Each hyper-parameter has a plain meaning. The **Wishart** distribution
# $\mathcal W(\boldsymbol\Lambda\mid\mathbf W_0,\nu_0)$ is a distribution over positive definite
# matrices with mean $\nu_0\mathbf W_0$: think of $\mathbf W_0^{-1}$ (`covariance_prior`) as a
# scatter matrix seen in $\nu_0$ (`degrees_of_freedom_prior`, which must exceed $d-1$)
# imaginary observations. The mean of component $k$ is centred at $\mathbf m_0$
# (`mean_prior`) with the component's own covariance shrunk by $\beta_0$
# (`mean_precision_prior`), i.e. $\mathbf m_0$ is worth $\beta_0$ observations. The
# **Dirichlet** prior on the weights is worth $\alpha_0$ (`weight_concentration_prior`)
# observations per component: $\alpha_0\gg1$ wants all weights equal, $\alpha_0\ll1$ wants
# most of the mass on few components. The defaults, as in scikit-learn
# {cite}`pedregosa2011`, are data-based: $\mathbf m_0$ the mean of the data, $\mathbf W_0^{-1}$
# their covariance, $\nu_0=d$, $\beta_0=1$, $\alpha_0=1/K$.
#
# The second choice for the weights, and the default of `BayesianGaussianMixture`, is the
# **Dirichlet process** in its *stick-breaking* form. Break a stick of length one: component
# 1 takes a fraction $v_1$, component 2 a fraction $v_2$ of what remains, and so on,
#
# $$
# \pi_k = v_k\prod_{j<k}(1-v_j),\qquad v_k\sim\operatorname{Beta}(1,\alpha_0).
# $$ (eq-ch14-stick)
#
# With infinitely many sticks this is a prior on mixtures with *unboundedly many*
# components; we truncate it at $K$ (`n_components`), which is harmless as long as the last
# sticks end up unused. Since $\mathbb E[v_k]=1/(1+\alpha_0)$, a small $\alpha_0$ gives the
# first few components most of the mass and leaves the later ones little.
#
# ## Variational inference: EM with distributions
#
# The posterior $p(\mathbf Z,\boldsymbol\pi,\boldsymbol\mu,\boldsymbol\Lambda\mid\mathbf X)$
# has no closed form. Variational inference {cite}`blei2017` picks the closest member of a
# tractable family $q$, where "closest" means: largest **evidence lower bound**. The argument is
# the one of chapter 6 ({eq}`eq-ch06-decomposition`), now with every unknown
# $\boldsymbol\theta=(\boldsymbol\pi,\boldsymbol\mu,\boldsymbol\Lambda)$ inside $q$ together
# with $\mathbf Z$:
#
# $$
# \log p(\mathbf X) = \underbrace{\mathbb E_q\!\left[\log
#   \frac{p(\mathbf X,\mathbf Z,\boldsymbol\theta)}{q(\mathbf Z,\boldsymbol\theta)}\right]}_{
#   \mathcal L(q),\ \text{the ELBO}}
#   + \operatorname{KL}\!\big(q(\mathbf Z,\boldsymbol\theta)\,\big\|\,
#   p(\mathbf Z,\boldsymbol\theta\mid\mathbf X)\big).
# $$ (eq-ch14-elbo)
#
# The left side does not depend on $q$, so maximizing $\mathcal L$ minimizes the KL
# divergence to the true posterior. The **mean-field** family factorizes the assignments
# from the parameters,
#
# $$
# q(\mathbf Z,\boldsymbol\pi,\boldsymbol\mu,\boldsymbol\Lambda)
#   = q(\mathbf Z)\,q(\boldsymbol\pi)\prod_{k=1}^K q(\boldsymbol\mu_k,\boldsymbol\Lambda_k),
# $$ (eq-ch14-meanfield)
#
# and for such a family the best factor, the others held fixed, is always
# $\log q^\star_j = \mathbb E_{q_{-j}}[\log p(\mathbf X,\mathbf Z,\boldsymbol\theta)]+
# \text{const}$ (Bishop, eq. 10.9). Applying this rule to the two groups of factors in turn is
# coordinate ascent on $\mathcal L$, and the two steps look exactly like EM's.
#
# ### The variational E-step
#
# For $q(\mathbf Z)$, the expectation is over the parameters. The result is again one
# categorical distribution per point, with **responsibilities**
# $r_{nk}=\rho_{nk}/\sum_j\rho_{nj}$, where
#
# $$
# \begin{aligned}
# \log\rho_{nk} &= \mathbb E[\log\pi_k] + \tfrac12\mathbb E\big[\log|\boldsymbol\Lambda_k|\big]
#   - \tfrac d2\log 2\pi \\
# &\quad - \tfrac12\,\mathbb E_{\boldsymbol\mu_k,\boldsymbol\Lambda_k}\!\big[
#   (\mathbf x_n-\boldsymbol\mu_k)^\top\boldsymbol\Lambda_k(\mathbf x_n-\boldsymbol\mu_k)\big].
# \end{aligned}
# $$ (eq-ch14-estep)
#
# Compare EM's E-step, eq. 5.2: the same formula with $\log\pi_k$, $\log|\boldsymbol\Lambda_k|$
# and the Mahalanobis distance at their point estimates. Under the Gaussian–Wishart posterior
# $q(\boldsymbol\mu_k,\boldsymbol\Lambda_k)=\mathcal N(\boldsymbol\mu_k\mid\mathbf m_k,
# (\beta_k\boldsymbol\Lambda_k)^{-1})\,\mathcal W(\boldsymbol\Lambda_k\mid\mathbf W_k,\nu_k)$
# derived below, the two expectations are
#
# $$
# \begin{aligned}
# &\mathbb E\big[(\mathbf x-\boldsymbol\mu_k)^\top\boldsymbol\Lambda_k(\mathbf x-\boldsymbol\mu_k)\big]
#   \\ &\qquad= \frac d{\beta_k} + \nu_k(\mathbf x-\mathbf m_k)^\top\mathbf W_k(\mathbf x-\mathbf m_k),\\
# &\mathbb E\big[\log|\boldsymbol\Lambda_k|\big]
#   \\ &\qquad= \sum_{i=1}^d\psi\!\Big(\frac{\nu_k+1-i}2\Big) + d\log2 + \log|\mathbf W_k|,
# \end{aligned}
# $$ (eq-ch14-expectations)
#
# with $\psi$ the digamma function. The first line is a Mahalanobis distance with the
# posterior mean precision $\mathbb E[\boldsymbol\Lambda_k]=\nu_k\mathbf W_k$, plus a term
# $d/\beta_k$ for the uncertainty about the mean. So $\log\rho_{nk}$ is an ordinary Gaussian
# log-density $\log\mathcal N(\mathbf x_n\mid\mathbf m_k,(\nu_k\mathbf W_k)^{-1})$ plus a
# constant $c_k$ per component: the package computes the $c_k$ and hands them to the EM
# pass of chapter 13 in place of $\log\pi_k$. The weights enter through
#
# $$
# \mathbb E[\log\pi_k] =
# \begin{cases}
# \psi(\alpha_k)-\psi\big(\sum_j\alpha_j\big) & \text{Dirichlet},\\[2pt]
# \mathbb E[\log v_k]+\sum_{j<k}\mathbb E[\log(1-v_j)] & \text{stick breaking},
# \end{cases}
# $$ (eq-ch14-elogpi)
#
# where $\mathbb E[\log v]=\psi(\gamma_1)-\psi(\gamma_1+\gamma_2)$ and
# $\mathbb E[\log(1-v)]=\psi(\gamma_2)-\psi(\gamma_1+\gamma_2)$ for $v\sim\operatorname{Beta}
# (\gamma_1,\gamma_2)$.
#
# Here is the mechanism that empties components. For large arguments $\psi(a)\approx\log
# a-\tfrac1{2a}$, so a well-populated component gets $\exp\mathbb E[\log\pi_k]\approx\pi_k$.
# But $\psi(a)\to-\infty$ as $a\to0$: a component whose posterior count $\alpha_k=\alpha_0+N_k$
# is small is penalized far more than its share $N_k/N$ suggests, loses responsibility at
# the next E-step, and so has an even smaller count at the next M-step.

# %% [markdown]
# **Check** {eq}`eq-ch14-elogpi` against Monte Carlo: draw weight vectors from a Dirichlet and
# from a (truncated) stick-breaking posterior and average their logarithms.

# %%
sample_rng = np.random.default_rng(1)
alpha = np.array([0.5, 2.0, 30.0])
pi_draws = sample_rng.dirichlet(alpha, size=200_000)
print("Dirichlet  formula:", expected_log_weights(alpha, "dirichlet_distribution"))
print("           sampled:", np.log(pi_draws).mean(axis=0))

g1, g2 = np.array([20.0, 9.0, 1.5]), np.array([12.0, 3.0, 0.5])
v = sample_rng.beta(g1, g2, size=(200_000, 3))
sticks = v * np.column_stack([np.ones(len(v)), np.cumprod(1 - v, axis=1)[:, :-1]])
print("sticks     formula:", expected_log_weights((g1, g2), "dirichlet_process"))
print("           sampled:", np.log(sticks).mean(axis=0))

# %% [markdown]
# The penalty is easy to see. Below, with $N=400$ and the other counts fixed, the
# "effective weight" $\exp\mathbb E[\log\pi_k]$ that enters the E-step is plotted against the
# plain share $N_k/N$ for a Dirichlet prior with two values of $\alpha_0$
# ({numref}`fig-ch14-penalty`).

# %% mystnb={"figure": {"caption": "The effective weight exp E[log pi_k] that enters the variational E-step against a component's share of the data N_k/N (both axes logarithmic, N = 400, K = 10), for a Dirichlet prior with alpha_0 = 0.01 and alpha_0 = 1, and the plain share for comparison.", "name": "fig-ch14-penalty"}, "image": {"alt": "Above a share of about 1/400 both curves lie on the dotted diagonal of the plain share. Below it, the alpha_0 = 0.01 curve plunges by orders of magnitude, while the alpha_0 = 1 curve levels off near 1.4e-3, above the diagonal."}}
counts = np.logspace(-3, 2.3, 200)
fig, ax = plt.subplots(figsize=(6, 4))
for a0, style in [(0.01, "-"), (1.0, "--")]:
    # K = 10 components; this one holds N_k points, the others the rest: sum_j alpha_j = K a0 + N
    eff = np.exp(digamma(a0 + counts) - digamma(10 * a0 + N))
    ax.loglog(counts / N, eff, style, label=fr"$\exp\,\mathbb{{E}}[\log\pi_k]$, $\alpha_0$={a0}")
ax.loglog(counts / N, counts / N, ":", color="0.4", label=r"plain share $N_k/N$")
ax.set(title="Small components are penalized in the variational E-step",
       xlabel=r"share of the data $N_k/N$", ylabel="weight used in the E-step")
ax.legend()
plt.show()

# %% [markdown]
# Above a few points both curves coincide with the plain share. Below one point
# ($N_k/N<1/400$) they part: with $\alpha_0=0.01$ the effective weight collapses by orders of
# magnitude, while with $\alpha_0=1$ the prior's pseudo-count holds it near
# $e^{\psi(1)}/(K\alpha_0+N)\approx1.4\times10^{-3}$, above the plain share. A small
# $\alpha_0$ is what makes the pruning decisive. A component that
# loses its data at some iteration does not get them back.
#
# ### The variational M-step
#
# For the parameters, $\log q^\star(\boldsymbol\pi,\boldsymbol\mu,\boldsymbol\Lambda)$
# collects the prior and the responsibility-weighted complete-data log-likelihood, and
# because the priors are *conjugate* the result has the prior's form with updated
# hyper-parameters. Write the same sufficient statistics as EM (eqs. 5.4, 13.1):
# $N_k=\sum_n r_{nk}$, $\bar{\mathbf x}_k=\frac1{N_k}\sum_n r_{nk}\mathbf x_n$ and
# $\mathbf S_k=\frac1{N_k}\sum_n r_{nk}(\mathbf x_n-\bar{\mathbf x}_k)(\mathbf x_n-
# \bar{\mathbf x}_k)^\top$. Then {cite}`bishop2006`
#
# $$
# \begin{aligned}
# \alpha_k &= \alpha_0+N_k &&\text{(Dirichlet), or}\\
# \gamma_{k1} &= 1+N_k,\quad \gamma_{k2}=\alpha_0+\textstyle\sum_{j>k}N_j &&\text{(sticks)},
# \end{aligned}
# $$ (eq-ch14-weights)
#
# $$
# \beta_k=\beta_0+N_k,\qquad
# \mathbf m_k=\frac{\beta_0\mathbf m_0+N_k\bar{\mathbf x}_k}{\beta_k},
# $$ (eq-ch14-means)
#
# $$
# \begin{aligned}
# \nu_k&=\nu_0+N_k,\qquad
# \mathbf W_k^{-1}=\mathbf W_0^{-1}+N_k\mathbf S_k\\
#   &\quad+\frac{\beta_0N_k}{\beta_0+N_k}(\bar{\mathbf x}_k-\mathbf m_0)(\bar{\mathbf x}_k-\mathbf m_0)^\top .
# \end{aligned}
# $$ (eq-ch14-wishart)
#
# Every update is "prior pseudo-counts plus data counts". The posterior mean {eq}`eq-ch14-means`
# is the average of $\beta_0$ imaginary points at $\mathbf m_0$ and $N_k$ real ones at
# $\bar{\mathbf x}_k$; the scatter {eq}`eq-ch14-wishart` adds the prior scatter, the data's
# scatter, and a term for the disagreement between prior mean and data mean. (Some printings
# of Bishop have $\nu_k=\nu_0+N_k+1$; $\nu_0+N_k$ is right.) The package reports the posterior
# mean precision $\nu_k\mathbf W_k$ as `precisions_` and its inverse as `covariances_`, and the
# posterior mean weights as `weights_`:
#
# $$
# \mathbb E[\pi_k]=\frac{\alpha_k}{\sum_j\alpha_j}
# \qquad\text{or}\qquad
# \mathbb E[\pi_k]\approx\frac{\gamma_{k1}}{\gamma_{k1}+\gamma_{k2}}
#   \prod_{j<k}\frac{\gamma_{j2}}{\gamma_{j1}+\gamma_{j2}} .
# $$ (eq-ch14-meanweights)
#
# (For the sticks, the product of expectations is renormalized over the $K$ components kept,
# as in scikit-learn.) In code, `variational_m_step` takes the very `SufficientStatistics`
# object that EM's `m_step` uses, calls `m_step` for $\bar{\mathbf x}_k$ and $\mathbf S_k$, and
# applies {eq}`eq-ch14-weights`–{eq}`eq-ch14-wishart`.
#
# **Check** the package's M-step against the three formulas, written out with NumPy, for
# responsibilities taken from the fit above.

# %%
resp = vb.predict_proba(X)
prior = check_prior(X, 10, "full", "dirichlet_distribution", weight_concentration_prior=0.01)
post = variational_m_step(
    statistics_from_responsibilities(X, resp, "full"), prior, "full", reg_covar=0.0
)

# by hand (eqs. 14.8-14.10)
Nk = resp.sum(axis=0)
xbar = resp.T @ X / Nk[:, None]
alpha_k = prior.weight_concentration + Nk
beta_k = prior.mean_precision + Nk
m_k = (prior.mean_precision * prior.mean + Nk[:, None] * xbar) / beta_k[:, None]
nu_k = prior.degrees_of_freedom + Nk
W_inv = np.empty((10, d, d))
for k in range(10):
    D = X - xbar[k]
    S_k = (resp[:, k, None] * D).T @ D / Nk[k]
    diff = xbar[k] - prior.mean
    W_inv[k] = (prior.covariance + Nk[k] * S_k
                + prior.mean_precision * Nk[k] / beta_k[k] * np.outer(diff, diff))

for name, ours, hand in [
    ("alpha_k (14.8)", post.weight_concentration, alpha_k),
    ("m_k     (14.9)", post.means, m_k),
    ("nu_k   (14.10)", post.degrees_of_freedom, nu_k),
    ("W_k^-1 (14.10)", post.covariances * nu_k[:, None, None], W_inv),
]:
    print(f"{name}: agrees to 1e-12 relative: {np.allclose(ours, hand, rtol=1e-12, atol=0)}")

# %% [markdown]
# The differences are at the level of rounding (the package adds $10\epsilon$ to every
# $N_k$, as EM does, so that an empty component never divides by zero).
#
# ### The ELBO, and why it never decreases
#
# After each M-step the parameter factor is optimal for the current responsibilities, and
# the ELBO then simplifies a great deal: the expected log-likelihood terms cancel against
# the parameter factor's entropy, and what remains is the entropy of the responsibilities
# plus the log-normalizing constants of the posterior, minus those of the prior,
#
# $$
# \begin{aligned}
# \mathcal L &= -\sum_{n,k}r_{nk}\log r_{nk}
#   + \sum_k\Big[\log\frac{1}{B(\mathbf W_k,\nu_k)}-\frac d2\log\beta_k\Big] \\
# &\quad + \log\frac{1}{C(\text{weights' posterior})} + \text{const},
# \end{aligned}
# $$ (eq-ch14-bound)
#
# where $B(\mathbf W,\nu)$ is the Wishart normalizer, $\log B^{-1}=\tfrac\nu2\log|\mathbf W|+
# \tfrac{\nu d}2\log2+\sum_i\log\Gamma\big(\tfrac{\nu+1-i}2\big)$ up to a $\log\pi$ term, and
# $C$ the Dirichlet's, $\log C^{-1}=\sum_k\log\Gamma(\alpha_k)-\log\Gamma(\sum_k\alpha_k)$
# (for the sticks, $\sum_k\log\mathrm B(\gamma_{k1},\gamma_{k2})$). The constant collects the
# prior's normalizers and $-\tfrac{Nd}2\log2\pi$; scikit-learn leaves it out, and so do we,
# so `lower_bound_` is this $\mathcal L$ up to that constant. Each half-step maximizes
# $\mathcal L$ over one factor, so, as for EM in chapter 6, the sequence `lower_bounds_` can
# only go up.

# %%
lb = np.array(vb.lower_bounds_)
print(f"{len(lb)} iterations, ELBO from {lb[0]:.2f} to {lb[-1]:.2f}")
print("never decreases:", bool(np.all(np.diff(lb) >= 0)))
assert np.all(np.diff(lb) >= 0)

# %% [markdown]
# {numref}`fig-ch14-elbo` plots it.

# %% mystnb={"figure": {"caption": "The evidence lower bound (up to a constant) of the variational fit above at each iteration.", "name": "fig-ch14-elbo"}, "image": {"alt": "A curve that rises steeply over the first iterations and then flattens; no step goes down."}}
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(np.arange(1, len(lb) + 1), lb, "o-", ms=3, label="ELBO (up to a constant)")
ax.set(title="The ELBO rises at every iteration", xlabel="iteration",
       ylabel="lower bound $\\mathcal{L}$ (nats)")
ax.legend()
plt.show()

# %% [markdown]
# ## Watching components shrink away
#
# With `record_history=True` the estimator keeps the posterior mean weights, means and
# covariances after every iteration (in the same `EMHistory` record EM uses). We run both
# weight priors to a tight tolerance and plot each component's weight on a logarithmic
# scale ({numref}`fig-ch14-weights`).

# %%
fits = {}
for prior_type in ("dirichlet_process", "dirichlet_distribution"):
    fits[prior_type] = BayesianGaussianMixture(
        n_components=10, weight_concentration_prior_type=prior_type,
        weight_concentration_prior=0.01, tol=1e-6, max_iter=500, random_state=0,
        record_history=True,
    ).fit(X)

# %% mystnb={"figure": {"caption": "Posterior mean weight of each of the ten components (logarithmic scale) at every iteration, with the stick-breaking (Dirichlet process, top) and the symmetric Dirichlet (bottom) weight prior; the dotted line marks 1%. Components beyond the eighth repeat a colour and differ by line style and marker.", "name": "fig-ch14-weights"}, "image": {"alt": "In both panels four weights stay between about 0.1 and 0.4 throughout. The other six fall below the dotted 1% line one after another, the last after about 16 (top) or 20 (bottom) iterations. With the stick-breaking prior (top) five of them level off near 2.5e-3 and the last falls to about 2e-5; with the symmetric Dirichlet (bottom) all six fall to about 2.5e-5."}}
styles = component_styles(10)  # colour, marker and line style: never colour alone
fig, axes = plt.subplots(2, 1, figsize=(6.5, 7), sharex=True)
for ax, (prior_type, model) in zip(axes, fits.items(), strict=True):
    W = np.array(model.history_.weights)  # (iterations + 1, K)
    first = prior_type == "dirichlet_process"
    for k in range(10):
        label = f"component {k + 1}" if first else None
        ax.semilogy(np.arange(len(W)), W[:, k], color=styles[k]["color"],
                    linestyle=styles[k]["linestyle"], marker=styles[k]["marker"],
                    markevery=max(1, len(W) // 6), markersize=5, lw=1.5, label=label)
    ax.axhline(0.01, color="0.3", ls=":", lw=1)
    ax.set(title=f"{prior_type}: {np.sum(model.weights_ > 0.01)} components above 1% (dotted)",
           ylabel=r"posterior mean weight $\mathbb{E}[\pi_k]$")
axes[1].set_xlabel("iteration (0 = after initialization)")
axes[0].legend(ncol=2, fontsize=7, loc="lower left")
plt.show()

# %% [markdown]
# k-means starts all ten components with a share of the data. Within a few iterations the
# components that duplicate others lose their points, and then their weights fall fast.
# With the symmetric Dirichlet an empty component keeps $\mathbb E[\pi_k]=
# \alpha_0/(K\alpha_0+N)\approx2.5\times10^{-5}$. With the stick-breaking prior it keeps about
# $1/N$: an empty stick $k$ has $\gamma_{k1}=1$, so $\mathbb E[v_k]\approx1/(1+\sum_{j>k}N_j)$;
# that is not a failure, it is the prior's estimate of the chance that the next point starts
# a new cluster. Either way the threshold of 1% separates used and unused components cleanly.
#
# The same run as an animation ({numref}`fig-ch14-animation`): points coloured by their
# responsibilities, each component's ellipses drawn at the posterior mean covariance, and on
# the right the ELBO, the total over all 400 points (not per point) up to a constant. A
# component whose weight has fallen below 1% is drawn faint: the six unused ones sit at the
# prior, on top of one another, and no point is coloured by them.

# %% tags=["nbval-ignore-output"] mystnb={"figure": {"caption": "The Dirichlet-process fit replayed: each iteration after its E-step and after its M-step (left; components below 1% weight drawn faint) and the ELBO (right). Use the buttons or the slider to step through it.", "name": "fig-ch14-animation"}}
dp_history = fits["dirichlet_process"].history_
assert np.sum(dp_history.weights[-1] < 0.01) == 6  # the six faint components
HTML(em_animation_html(
    X, dp_history, max_frames=24, objective="ELBO", faint_below=0.01,
    description=(
        "Animation of the variational Bayesian mixture with ten components on the four "
        "clusters. Ten ellipses start spread over the data; within a few iterations six "
        "components lose their points, fade and collapse onto the prior in one faint "
        "ellipse, while four ellipses settle on the four clusters. The ELBO on the right "
        "rises at every step."
    ),
))


# %% [markdown]
# ## The concentration prior
#
# How small must $\alpha_0$ be? On the four clusters above, the answer is "it hardly
# matters" for the Dirichlet process, but not for the Dirichlet distribution. We sweep
# $\alpha_0$ over eight orders of magnitude, on these data and on the two-moons data of
# chapter 10, whose "right" $K$ is not obvious because the clusters are not Gaussian.

# %%
X_moons = make_moons(300, noise=0.06, random_state=0)[0]
alphas = [1e-4, 1e-2, 1.0, 1e2, 1e4]
effective = {}
for data_name, data in [("four clusters", X), ("two moons", X_moons)]:
    for prior_type in ("dirichlet_process", "dirichlet_distribution"):
        row = []
        for a0 in alphas:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # a few large-alpha fits need > 500 iterations
                m = BayesianGaussianMixture(
                    n_components=10, weight_concentration_prior_type=prior_type,
                    weight_concentration_prior=a0, max_iter=500, random_state=0,
                ).fit(data)
            row.append(int(np.sum(m.weights_ > 0.01)))
        effective[data_name, prior_type] = row

print(f"{'data':15s} {'prior':24s}" + "".join(f"{a:>8g}" for a in alphas))
for (data_name, prior_type), row in effective.items():
    print(f"{data_name:15s} {prior_type:24s}" + "".join(f"{k:8d}" for k in row))
assert effective["four clusters", "dirichlet_process"] == [4] * 5
assert effective["two moons", "dirichlet_process"] == [6] * 5
assert effective["four clusters", "dirichlet_distribution"] == [4, 4, 4, 10, 10]
assert effective["two moons", "dirichlet_distribution"] == [6, 6, 6, 10, 10]

# %% [markdown]
# {numref}`fig-ch14-alpha` draws the table.

# %% mystnb={"figure": {"caption": "Number of components with weight above 1% against the concentration prior alpha_0 (logarithmic axis), for the four clusters and the two moons, with the Dirichlet-process and the Dirichlet-distribution weight prior.", "name": "fig-ch14-alpha"}, "image": {"alt": "The two Dirichlet-process lines are flat: four components for the four clusters and six for the moons at every alpha_0. The two Dirichlet-distribution lines follow them up to alpha_0 = 1 and jump to all ten components at 100 and 10^4."}}
fig, ax = plt.subplots(figsize=(6.5, 4))
styles = {"dirichlet_process": "o-", "dirichlet_distribution": "s--"}
for (data_name, prior_type), row in effective.items():
    color = "C0" if data_name == "four clusters" else "C3"
    ax.semilogx(alphas, row, styles[prior_type], color=color, label=f"{data_name}, {prior_type}",
                markerfacecolor=color if data_name == "four clusters" else "white")
ax.set(title="Effective number of components vs the concentration prior",
       xlabel=r"weight_concentration_prior $\alpha_0$",
       ylabel="components with weight > 1%", ylim=(0, 11))
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# Two lessons. First, with the **Dirichlet distribution**, $\alpha_0$ decides: below one it
# prefers sparse weight vectors and empties components; well above one it wants all ten
# weights equal and every component is kept. Second, the **Dirichlet process** ignores
# $\alpha_0$ on the four clusters: four components at every value, over eight orders of
# magnitude. That is surprising at first. The prior of a Dirichlet process expects about
# $\alpha_0\log(1+N/\alpha_0)$ clusters among $N$ points, some 390 for $\alpha_0=10^4$; yet
# the fit uses four. Two mechanisms together explain it, and both can be shown with the
# package's own update functions.
#
# **1. In the truncated stick-breaking posterior, $\alpha_0$ cancels.** The sticks are
# $v_k\sim\operatorname{Beta}(1,\alpha_0)$ and their posterior is
# $\operatorname{Beta}(\gamma_{k1},\gamma_{k2})$ with $\gamma_{k1}=1+N_k$ and
# $\gamma_{k2}=\alpha_0+\sum_{j>k}N_j$ ({eq}`eq-ch14-weights`). The first parameter, the one
# that belongs to component $k$ itself, is $1+N_k$ whatever $\alpha_0$; $\alpha_0$ enters only
# through $\gamma_{k2}$, and when it is large it is nearly the same for every stick. So
# $\mathbb E[\log\pi_k]\approx\psi(1+N_k)-\log(\alpha_0+N)$: a constant shared by all
# components, which the E-step's normalization removes. The relative weights that the E-step
# uses are about $e^{\psi(1+N_k)}\approx N_k+\tfrac12$ at any $\alpha_0$: an empty
# component is offered $e^{\psi(1)}\approx0.56$ pseudo-points, roughly $1.4\times10^{-3}$ of
# the mass. The symmetric Dirichlet instead adds $\alpha_0$ to *every* count, $\alpha_k=
# \alpha_0+N_k$, so a large $\alpha_0$ really does hand empty components a share. Below, the
# responsibilities of the fit above are held fixed, one variational M-step is taken under each
# prior and $\alpha_0$, and the weights the next E-step would use,
# $\exp\mathbb E[\log\pi_k]$ normalized, are printed for the four used components and for
# the largest empty one.

# %%
resp_fixed = vb.predict_proba(X)
resp_fixed = resp_fixed[:, np.argsort(-resp_fixed.sum(axis=0))]  # used components first
stats_fixed = statistics_from_responsibilities(X, resp_fixed, "full")
print("N_k:", np.round(stats_fixed.nk[:5], 1), "...")
estep_weights = {}
for prior_type in ("dirichlet_process", "dirichlet_distribution"):
    for a0 in alphas:
        prior_a0 = check_prior(X, 10, "full", prior_type, weight_concentration_prior=a0)
        post_a0 = variational_m_step(stats_fixed, prior_a0, "full", reg_covar=1e-6)
        e_log = expected_log_weights(post_a0.weight_concentration, prior_type)
        w_estep = np.exp(e_log - e_log.max()) / np.exp(e_log - e_log.max()).sum()
        estep_weights[prior_type, a0] = w_estep
        print(f"{prior_type:22s} alpha0={a0:<7g} used: {np.round(w_estep[:4], 3)}, "
              f"largest empty: {w_estep[4:].max():.1e}")
dp_empty = [estep_weights["dirichlet_process", a][4:].max() for a in alphas]
dd_empty = [estep_weights["dirichlet_distribution", a][4:].max() for a in alphas]
assert max(dp_empty) < 2e-3 and dp_empty[-1] > 1e-3  # about 0.56 / 400, whatever alpha0
assert dd_empty[-1] > 0.09 and dd_empty[0] < 1e-5  # the Dirichlet hands out shares
assert effective["four clusters", "dirichlet_process"] == [4] * len(alphas)
assert len(set(effective["two moons", "dirichlet_process"])) == 1  # the same count at every alpha0
assert effective["four clusters", "dirichlet_distribution"][-1] == 10

# %% [markdown]
# For the Dirichlet process the used weights stay near 0.36, 0.28, 0.23, 0.12 from
# $\alpha_0=10^{-4}$ to $10^4$, and an empty component's share never exceeds about
# $1.5\times10^{-3}$; for the Dirichlet distribution at $\alpha_0=10^4$ all ten shares are
# close to 0.1. (At small $\alpha_0$ the stick-breaking prior empties the *later* sticks
# harder still: $\gamma_{k2}$ is then small for the last sticks, and
# $\mathbb E[\log(1-v_j)]$ pushes their weights down.)
#
# **2. The Gaussian–Wishart prior makes a small component wide.** A share of $10^{-3}$ would
# still let a new component take over a tight group of points, as EM's spikes do, if its
# Gaussian could become narrow. It cannot. By {eq}`eq-ch14-wishart` its posterior mean
# covariance is $(\mathbf W_0^{-1}+N_k\mathbf S_k+\dots)/(\nu_0+N_k)$, and the default
# $\mathbf W_0^{-1}$ is the covariance of the *whole* data set, here with standard deviations
# of about 3. Below, a component takes the first $m$ points of the smallest cluster (true
# standard deviation 0.71 in every direction); its posterior standard deviations stay far
# wider than the cluster until $m$ is in the tens, and the extra term of
# {eq}`eq-ch14-expectations` ($d/\beta_k$ and the digamma of $\nu_k$) lowers it further.

# %%
smallest = X[z == 3]
prior_two = check_prior(X, 2, "full")
print("   m   posterior standard deviations   penalty c_k - E[log pi_k]")
widths = []
for m in (1, 2, 5, 10, 20, len(smallest)):
    r = np.zeros((len(smallest), 2))
    r[:, 1] = 1.0
    r[:m] = [1.0, 0.0]
    post_m = variational_m_step(statistics_from_responsibilities(smallest, r, "full"),
                                prior_two, "full", reg_covar=1e-6)
    sd = np.sqrt(np.linalg.eigvalsh(post_m.covariances[0]))
    kind = prior_two.weight_concentration_type
    penalty = (variational_log_weights(post_m, kind, "full")
               - expected_log_weights(post_m.weight_concentration, kind))[0]
    widths.append(sd.max())
    print(f"{m:4d}   {np.array2string(sd, precision=2):30s}  {float(penalty):.3f}")
assert widths[0] > 3 and widths[2] > 2.5 and widths[-1] < 1.5  # wide until m is in the tens

# %% [markdown]
# A component with one or two points is a broad, flat Gaussian about five times as wide as
# the cluster it would have to explain; the established component that already covers that
# cluster gives each of its points a much higher density, so the newcomer wins no
# responsibility, its count stays near zero, and the weight mechanism above keeps it there.
# Put together: the stick-breaking posterior does not turn a large $\alpha_0$ into weight for
# empty components, and the Gaussian–Wishart prior keeps small components too wide to claim
# points. The expected $\alpha_0\log(1+N/\alpha_0)$ clusters is a statement about the *prior*
# over partitions, which the mean-field, truncated posterior does not reproduce. Where the
# data have no single answer to "how many Gaussians", as for the moons, the number found
# depends on model and prior together; report the range it produces, and vary
# `covariance_prior`, which moves it more than $\alpha_0$ (second exercise).
#
# ## Dirichlet distribution or Dirichlet process?
#
# | | Dirichlet distribution | Dirichlet process (stick breaking) |
# |---|---|---|
# | prior on | $K$ exchangeable weights | infinitely many weights, truncated at $K$ |
# | $\alpha_0$ small ($\ll1$) | sparse: few components used | few components used |
# | $\alpha_0$ large | all $K$ used, weights equal | hardly any effect: $\alpha_0$ cancels in the E-step, same components used |
# | component order | none (exchangeable) | early sticks favoured: the weights come out roughly sorted |
# | an empty component's weight | $\approx\alpha_0/(K\alpha_0+N)$ | $\approx1/N$ |
# | use when | $K$ is a known upper bound with meaning | $K$ is only a computational truncation |
#
# scikit-learn's default, and ours, is the Dirichlet process with $\alpha_0=1/K$.
#
# ## The singularity, revisited
#
# Chapter 11's spike was a component that owns one point: its maximum-likelihood covariance
# is zero and the likelihood infinite. Give component 0 exactly one point and look at the
# smallest eigenvalue of its covariance under both M-steps (without `reg_covar`).

# %%
spike_resp = np.zeros((N, 2))
spike_resp[:, 1] = 1.0
spike_resp[7] = [1.0, 0.0]  # component 0 owns only point 7
stats = statistics_from_responsibilities(X, spike_resp, "full")
_, _, ml_cov = m_step(stats, "full", reg_covar=0.0)
vb_post = variational_m_step(stats, check_prior(X, 2, "full"), "full", reg_covar=0.0)
bound = np.linalg.eigvalsh(check_prior(X, 2, "full").covariance).min() / (d + 1)
print("smallest eigenvalue of component 0's covariance")
print(f"  maximum likelihood (EM):  {max(np.linalg.eigvalsh(ml_cov[0]).min(), 0.0):.4f}")
print(f"  variational posterior:    {np.linalg.eigvalsh(vb_post.covariances[0]).min():.4f}")
print(f"  bound eig(W0^-1)/(nu0+1): {bound:.4f}")

# %% [markdown]
# Maximum likelihood gives a covariance of zero (up to rounding): a spike. The posterior's
# covariance can never be smaller than the prior scatter divided by $\nu_0+N_k$, by
# {eq}`eq-ch14-wishart`, because $N_k\mathbf S_k$ and the mean term are positive
# semi-definite. The prior plays the part of `reg_covar`, but with a meaning: it says how
# wide a component is expected to be before it has seen data, and its influence fades as
# $N_k$ grows. (`reg_covar` is still added to $\mathbf S_k$ in the package, as in
# scikit-learn, for numerical safety.)
#
# ## Against BIC
#
# Chapter 10 chose $K$ by fitting one `GaussianMixture` per candidate and minimizing BIC.
# On the four clusters, and on the standardized Old Faithful data, the two approaches agree.

# %%
by_bic = select_n_components(X, range(1, 11), n_init=1, random_state=0, progress=False)
faithful = load_old_faithful(standardize_columns=True)
by_bic_f = select_n_components(faithful, range(1, 8), n_init=3, random_state=0,
                               progress=False)
vb_f = BayesianGaussianMixture(
    n_components=10, weight_concentration_prior=0.01, max_iter=500, random_state=0
).fit(faithful)
print("four clusters: BIC picks K =", by_bic.best_n_components_,
      "(10 fits); VB uses", np.sum(vb.weights_ > 0.01), "(1 fit)")
print("Old Faithful : BIC picks K =", by_bic_f.best_n_components_,
      "(7 x 3 fits); VB uses", np.sum(vb_f.weights_ > 0.01), "(1 fit)")
print("Old Faithful VB weights:", np.sort(vb_f.weights_)[::-1][:4])

# %% [markdown]
# Where they can disagree is on small samples: BIC's penalty, $\tfrac p2\log N$ with 6
# parameters per 2-D full component, is large next to the likelihood gain of splitting a few
# dozen points, while EM itself becomes unreliable (with a handful of points per cluster it
# finds tight components on two or three points that `reg_covar` barely contains). The
# first exercise explores this.
#
# :::{admonition} When to prefer which
# :class: note
#
# - **Variational mixture**: one fit instead of one per $K$; no spikes; a natural choice when
#   $K$ is large or unknown and you will use the mixture's posterior (responsibilities,
#   uncertainty). Its answer depends on the priors, most of all on `covariance_prior` (the
#   expected size of a cluster) and, for the Dirichlet distribution, on
#   `weight_concentration_prior`; it needs more iterations than EM, and the mean-field
#   approximation tends to be over-confident (it under-estimates posterior variances
#   {cite}`blei2017`).
# - **BIC with EM**: no prior to choose, a well-understood asymptotic justification
#   {cite}`schwarz1978`, and plain maximum-likelihood fits; but one fit (times `n_init`)
#   per candidate $K$, and `reg_covar` is needed against spikes.
# - **In practice**: fit the variational mixture with a generous `n_components` and read off
#   the used components; confirm with BIC or held-out likelihood over a narrow range around
#   that number. If the two disagree, the data do not pin $K$ down: report both.
# :::
#
# `BayesianGaussianMixture` accepts the same data and has the same methods as
# `GaussianMixture` (`fit`, `predict`, `predict_proba`, `score_samples`, `sample`), and the
# test suite checks that, started from the same responsibilities, it reaches the same
# posterior as scikit-learn's class (to $10^{-8}$ relative after 40 iterations) for all four
# covariance types and both weight priors.
#
# ## The predictive density: a mixture of Student-t distributions
#
# What density does the Bayesian mixture assign to a *new* point $\hat{\mathbf x}$? Not the
# Gaussian mixture at the posterior means: the parameters are uncertain, and the answer
# averages over $q$. Integrating the Gaussian over the Gaussian–Wishart factor gives a
# Student-t distribution {cite}`bishop2006` (eq. 10.81), so
#
# $$
# \begin{aligned}
# p(\hat{\mathbf x}\mid\mathbf X) &\approx \sum_{k=1}^K \mathbb E[\pi_k]\,
#   \operatorname{St}\big(\hat{\mathbf x}\mid\mathbf m_k,\,\mathbf L_k,\,\nu_k+1-d\big),\\
# \mathbf L_k &= \frac{(\nu_k+1-d)\,\beta_k}{1+\beta_k}\,\mathbf W_k ,
# \end{aligned}
# $$ (eq-ch14-predictive)
#
# with precision matrix $\mathbf L_k$: a mixture of Student-t's with $\nu_k+1-d$ degrees of
# freedom, centred at $\mathbf m_k$. For a well-populated component $\nu_k$ and $\beta_k$ are large and the Student-t is the
# plug-in Gaussian; a component with little data has heavy tails, an honest statement that
# its shape is not known. `BayesianGaussianMixture.predictive_log_density` computes
# {eq}`eq-ch14-predictive` (the tests check it against SciPy's multivariate $t$, a Monte Carlo
# average over the posterior, and that it integrates to one). It is a different number from
# `score_samples`, which returns $\log\sum_k\rho_{nk}$, the normalizer of the variational
# responsibilities: by Jensen's inequality a lower bound on the log predictive density
# (scikit-learn's `score_samples` is the same bound).
#
# Below, both are compared on 2,000 fresh points from the true mixture and on points far from
# every cluster, next to the plug-in Gaussian mixture with the posterior mean parameters.

# %%
z_new = rng.choice(4, size=2000, p=true_weights)
X_new = np.vstack([rng.multivariate_normal(true_means[k], true_covs[k]) for k in z_new])
X_far = np.array([[15.0, -8.0], [-10.0, 12.0], [20.0, 20.0]])
plug_in = GaussianMixture(10, weights_init=vb.weights_, means_init=vb.means_,
                          precisions_init=vb.precisions_, max_iter=0).fit(X)  # no EM step
for name, points in [("fresh points", X_new), ("far points", X_far)]:
    pred = vb.predictive_log_density(points)
    print(f"{name}, mean log density: predictive {pred.mean():.4f}, "
          f"plug-in Gaussian {plug_in.score(points):.4f},\n"
          f"    score_samples (a lower bound) {vb.score(points):.4f}")
pred_new, pred_far = vb.predictive_log_density(X_new), vb.predictive_log_density(X_far)
assert np.all(pred_new >= vb.score_samples(X_new)) and np.all(pred_far >= vb.score_samples(X_far))
assert abs(pred_new.mean() - plug_in.score(X_new)) < 0.02  # nearly the same where data are
assert pred_far.mean() > plug_in.score(X_far) + 5  # far heavier tails

# %% [markdown]
# On fresh points from the clusters the predictive density and the plug-in mixture agree
# to within 0.02 nats per point: four components with about 50 to 140 points each are well
# determined. Far from the data the Student-t tails give a log density several nats above
# the plug-in Gaussians, and `score_samples` is below both everywhere, as a lower bound must
# be.
#
# ## Exercises
#
# ```{exercise}
# :label: ex-ch14-small
#
# Draw 4 clusters of $m$ points each, centred at the corners of a square of side 4, with
# standard deviation 0.8, for $m\in\{5,10,20,40\}$. For each $m$, compare the $K$ chosen by
# BIC (`select_n_components`, $K=1,\dots,8$, `n_init=3`) with the number of components above
# 1% in `BayesianGaussianMixture(n_components=8, weight_concentration_prior=0.01,
# n_init=3)`. Which one finds the four clusters with fewer points? Look at the sorted
# weights too.
# ```
#
# ````{solution} ex-ch14-small
# :class: dropdown
#
# ```python
# for m in (5, 10, 20, 40):
#     r = np.random.default_rng(m)
#     corners = 4.0 * np.array([[0, 0], [1, 0], [0, 1], [1, 1]])
#     D = np.vstack([r.normal(c, 0.8, (m, 2)) for c in corners])
#     bic_k = select_n_components(D, range(1, 9), n_init=3, random_state=0,
#                                 progress=False).best_n_components_
#     v = BayesianGaussianMixture(n_components=8, weight_concentration_prior=0.01,
#                                 max_iter=1000, n_init=3, random_state=0).fit(D)
#     print(m, bic_k, np.sum(v.weights_ > 0.01), np.sort(v.weights_)[::-1].round(3))
# ```
#
# With these seeds BIC chooses 8, 2, 3 and 4 components for $m=5,10,20,40$, and the
# variational mixture uses 4, 4, 6 and 4. At $m=5$ (20 points) EM's best fits put tight
# components on two or three points each, whose huge likelihood beats BIC's penalty: the
# spikes of chapter 11, only just held off by `reg_covar`. At $m=10$ BIC's penalty of
# $3\log N\approx11$ nats per extra component wins and two clusters are merged. The
# variational fit, whose Wishart prior forbids spikes, keeps the four groups from 20 points
# on. Its "6" at $m=20$ is the 1% threshold at work: the two extra weights are about 0.013,
# close to $1/N=0.0125$, the weight a stick-breaking prior leaves on a component with almost
# no data. At small $N$, read the sorted weights, not only the count.
# ````
#
# ```{exercise}
# :label: ex-ch14-covprior
#
# The default `covariance_prior` is the covariance of the whole data set, which is wide
# when the clusters are far apart. Refit the four-cluster data of this chapter with
# `covariance_prior = s * np.eye(2)` for $s\in\{0.01, 1, 100, 1000\}$ and report the number of
# components used. Explain the trend with {eq}`eq-ch14-wishart`.
# ```
#
# ````{solution} ex-ch14-covprior
# :class: dropdown
#
# ```python
# for s in (0.01, 1, 100, 1000):
#     v = BayesianGaussianMixture(n_components=10, weight_concentration_prior=0.01,
#                                 covariance_prior=s * np.eye(2), max_iter=1000,
#                                 random_state=0).fit(X)
#     print(s, np.sum(v.weights_ > 0.01))
# ```
#
# The counts are 5, 4, 4 and 1. $\mathbf W_0^{-1}$ is added to every component's scatter in
# {eq}`eq-ch14-wishart` and acts like $\nu_0$ imaginary points with that spread. A tiny
# prior scatter ($s=0.01$) lets components be as narrow as their data allow, and one of
# the clusters is split between two components; a huge one ($s=1000$, a standard deviation
# of about 30 when the whole data set spans 10) inflates every component by about
# $\mathbf W_0^{-1}/(\nu_0+N_k)$, so that one wide component covers all four clusters. The
# prior's scale is a statement about how big a cluster is, and it shapes the answer as much
# as $\alpha_0$ does.
# ````
#
# ```{exercise}
# :label: ex-ch14-derive
#
# Derive the mean update {eq}`eq-ch14-means`. Keep only the terms of
# $\mathbb E_{q(\mathbf Z)}[\log p(\mathbf X,\mathbf Z,\boldsymbol\theta)]$ that contain
# $\boldsymbol\mu_k$ (the prior and the responsibility-weighted Gaussian terms), treat
# $\boldsymbol\Lambda_k$ as fixed, and complete the square.
# ```
#
# ````{solution} ex-ch14-derive
# :class: dropdown
#
# The terms in $\boldsymbol\mu_k$ are
# $-\tfrac{\beta_0}2(\boldsymbol\mu_k-\mathbf m_0)^\top\boldsymbol\Lambda_k(\boldsymbol\mu_k-
# \mathbf m_0)-\tfrac12\sum_n r_{nk}(\mathbf x_n-\boldsymbol\mu_k)^\top\boldsymbol\Lambda_k
# (\mathbf x_n-\boldsymbol\mu_k)$. The quadratic part is
# $-\tfrac12(\beta_0+N_k)\boldsymbol\mu_k^\top\boldsymbol\Lambda_k\boldsymbol\mu_k$ and the
# linear part $\boldsymbol\mu_k^\top\boldsymbol\Lambda_k(\beta_0\mathbf m_0+N_k\bar{\mathbf
# x}_k)$. A Gaussian in $\boldsymbol\mu_k$ with precision $\beta_k\boldsymbol\Lambda_k$ has
# exactly this form with $\beta_k=\beta_0+N_k$ and mean $\mathbf m_k=(\beta_0\mathbf m_0+
# N_k\bar{\mathbf x}_k)/\beta_k$. What is left over after completing the square, a quadratic
# form in $\bar{\mathbf x}_k-\mathbf m_0$ times $\boldsymbol\Lambda_k$, joins the Wishart
# part and gives the last term of {eq}`eq-ch14-wishart`.
# ````
#
# ## Summary
#
# - A prior on the parameters removes maximum likelihood's spikes (the Wishart prior keeps
#   every covariance at least $\mathbf W_0^{-1}/(\nu_0+N_k)$) and lets unneeded components
#   empty themselves (the Dirichlet or Dirichlet-process prior on the weights,
#   {eq}`eq-ch14-prior`, {eq}`eq-ch14-stick`).
# - Mean-field variational inference maximizes the ELBO {eq}`eq-ch14-elbo` over a factorized
#   $q$ {eq}`eq-ch14-meanfield`. Its E-step {eq}`eq-ch14-estep`–{eq}`eq-ch14-elogpi` is EM's
#   E-step with expected log-weights and log-densities; its M-step
#   {eq}`eq-ch14-weights`–{eq}`eq-ch14-wishart` adds prior pseudo-counts to EM's sufficient
#   statistics. The ELBO {eq}`eq-ch14-bound` never decreases.
# - The digamma function in $\mathbb E[\log\pi_k]$ penalizes small components, so a
#   component that loses its data keeps losing them: one fit with a generous `n_components`
#   finds the number of components the data support.
# - With the Dirichlet distribution, $\alpha_0<1$ is needed to prune. The truncated
#   Dirichlet process hardly responds to $\alpha_0$: its sticks' posteriors
#   $\operatorname{Beta}(1+N_k,\alpha_0+\sum_{j>k}N_j)$ let $\alpha_0$ cancel in the E-step,
#   and the Gaussian–Wishart prior keeps small components too wide to claim points.
# - The predictive density {eq}`eq-ch14-predictive` is a mixture of Student-t's
#   (`predictive_log_density`); `score_samples` is a lower bound on its logarithm.
# - `BayesianGaussianMixture` follows scikit-learn's names and results; it reuses the
#   package's EM pass, M-step statistics, covariance conversions and initialization.
# - Prefer it when $K$ is unknown and large or spikes are a risk; confirm with BIC or
#   held-out likelihood, and report the dependence on the priors when the data leave $K$
#   open.
