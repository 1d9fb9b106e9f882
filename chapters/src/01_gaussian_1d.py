# %% [markdown]
# # The 1-D Gaussian and maximum likelihood
#
# :::{admonition} Learning goals
# :class: tip
#
# After this chapter you will be able to
#
# - write down the density of a one-dimensional Gaussian and say what each of its two
#   parameters, the mean $\mu$ and the standard deviation $\sigma$, does to the curve;
# - explain the difference between a *density* and a *probability*;
# - turn a data set into a log-likelihood, and explain why we work with its logarithm;
# - derive the maximum-likelihood estimates of $\mu$ and $\sigma^2$ in closed form, and say
#   why the variance estimate divides by $N$ and not by $N-1$;
# - use `gmm_from_scratch.log_pdf_1d`, `log_likelihood_1d` and `fit_gaussian_1d`, and check
#   them against `scipy.stats.norm`.
# :::
#
# Every idea in this book is built from one brick: the Gaussian (or *normal*) distribution.
# A Gaussian mixture is a weighted sum of Gaussians, and the EM algorithm that fits it is, at
# its heart, a sequence of Gaussian fits to weighted data. So before we mix anything, we learn
# to fit a single Gaussian to a single column of numbers, and we learn it well enough to derive
# the answer ourselves. Everything in this chapter comes back, slightly generalised, in
# chapters 2, 4 and 5.

# %%
import matplotlib.pyplot as plt
import numpy as np
from scipy import optimize, stats

from gmm_from_scratch import fit_gaussian_1d, load_old_faithful, log_likelihood_1d, log_pdf_1d
from gmm_from_scratch.plotting import BOOK_COLORS, use_book_style

use_book_style()
np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## The bell curve
#
# Think of measuring the same quantity many times: the length of a table with a tape measure,
# the time a ball takes to fall. The results cluster around a typical value, small errors are
# common, large errors are rare, and errors above and below are equally likely. The Gaussian
# is the curve that describes this pattern. (The central limit theorem explains why it shows up
# so often: a sum of many small independent effects is approximately Gaussian, whatever the
# effects themselves look like.)
#
# The Gaussian density with mean $\mu$ and standard deviation $\sigma>0$ is
#
# $$
# \mathcal N(x \mid \mu, \sigma^2) \;=\; \frac{1}{\sqrt{2\pi\sigma^2}}
# \exp\!\left(-\frac{(x-\mu)^2}{2\sigma^2}\right).
# $$ (eq-ch01-pdf)
#
# Read equation {eq}`eq-ch01-pdf` from the inside out:
#
# - $(x-\mu)/\sigma$ measures how far $x$ is from the centre **in units of $\sigma$**
#   (this is the *z-score*);
# - squaring it and putting a minus sign in the exponent makes the curve fall off
#   symmetrically, and very fast: at $3\sigma$ the height is $e^{-4.5}\approx 1\%$ of the peak;
# - the factor $1/\sqrt{2\pi\sigma^2}$ is just what makes the total area equal to one.
#
# So $\mu$ **moves** the curve left and right, and $\sigma$ **stretches** it: doubling $\sigma$
# makes the curve twice as wide and, to keep the area at one, half as tall.
#
# The package works with the *logarithm* of the density (we will see why in a moment):
#
# $$
# \log \mathcal N(x \mid \mu, \sigma^2) = -\tfrac12\log(2\pi) - \log\sigma
# - \tfrac12\left(\frac{x-\mu}{\sigma}\right)^2 .
# $$
#
# That is exactly what `log_pdf_1d(x, mean, std)` computes.

# %% mystnb={"figure": {"caption": "The Gaussian density for four choices of the mean \u03bc and the standard deviation \u03c3.", "name": "fig-ch01-densities"}, "image": {"alt": "Four bell curves. The blue one (\u03bc = 0, \u03c3 = 1) and the orange one (\u03bc = 2, \u03c3 = 1) have the same shape, shifted by 2. The green one (\u03c3 = 2) is twice as wide and half as tall as the blue one. The pink one (\u03bc = 3, \u03c3 = 0.5) is narrow and peaks at about 0.8."}}
x = np.linspace(-6, 8, 600)
settings = [(0.0, 1.0), (2.0, 1.0), (0.0, 2.0), (3.0, 0.5)]
fig, ax = plt.subplots()
for (mu, sigma), color, style in zip(settings, BOOK_COLORS, ["-", "--", "-.", ":"],
                                     strict=False):
    ax.plot(x, np.exp(log_pdf_1d(x, mu, sigma)), color=color, linestyle=style,
            label=f"μ = {mu:g}, σ = {sigma:g}")
ax.set_title("The Gaussian density: μ moves the curve, σ stretches it")
ax.set_xlabel("x")
ax.set_ylabel("density  N(x | μ, σ²)")
ax.legend()
plt.show()
# The text: at 3σ the height is e^{-4.5}, about 1% of the peak; with σ = 0.5 the peak is about
# 0.8, with σ = 0.2 about 2
assert round(100 * np.exp(log_pdf_1d(3.0, 0.0, 1.0) - log_pdf_1d(0.0, 0.0, 1.0))) == 1
assert round(float(np.exp(log_pdf_1d(3.0, 3.0, 0.5))), 1) == 0.8
assert round(float(np.exp(log_pdf_1d(0.0, 0.0, 0.2)))) == 2

# %% [markdown]
# In {numref}`fig-ch01-densities`, compare the blue curve ($\mu=0,\sigma=1$) with the orange one ($\mu=2$): same shape, shifted.
# Compare it with the green one ($\sigma=2$): twice as wide, half as tall. The pink curve,
# with $\sigma=0.5$, peaks at about $0.8$; with $\sigma=0.2$ the peak would be about $2$.
#
# :::{note}
# A density is **not** a probability, so it can be larger than one. Probabilities come from
# *areas* under the curve: $P(a \le X \le b)=\int_a^b \mathcal N(x\mid\mu,\sigma^2)\,dx$.
# The height at a point tells you how probable a *small interval* around that point is,
# per unit of length. Its units are "probability per unit of $x$".
# :::
#
# A quick numerical check that each curve is a proper density (area one), and that the
# rule of thumb "68% of the mass lies within one $\sigma$, 95% within two" holds:

# %%
wide = np.linspace(-30, 30, 20001)
for mu, sigma in settings:
    area = np.trapezoid(np.exp(log_pdf_1d(wide, mu, sigma)), wide)
    print(f"mu={mu:4.1f} sigma={sigma:3.1f}: area under the curve = {area:.6f}")
    assert abs(area - 1) < 1e-6
for k in (1, 2, 3):
    print(f"P(|X - mu| < {k} sigma) = {stats.norm.cdf(k) - stats.norm.cdf(-k):.4f}")
assert [round(100 * (stats.norm.cdf(k) - stats.norm.cdf(-k))) for k in (1, 2)] == [68, 95]

# %% [markdown]
# ## From data to a likelihood
#
# Now turn the question around. Suppose we *observed* numbers $x_1,\dots,x_N$ and believe they
# were drawn independently from some Gaussian, but we do not know $\mu$ or $\sigma$. Which
# values make the data most plausible?
#
# For a candidate pair $(\mu,\sigma)$ we can evaluate the density at each observation. Because
# the observations are independent, the joint density of the whole data set is the product of
# the individual densities. Seen as a function of the parameters, with the data held fixed,
# this product is called the **likelihood**. Products of many small numbers are awkward (we will
# see them underflow to zero), and sums are easier to differentiate, so we take the logarithm.
# The **log-likelihood** is
#
# $$
# \begin{aligned}
# \ell(\mu,\sigma^2) &= \sum_{n=1}^{N}\log\mathcal N(x_n\mid\mu,\sigma^2) \\
# &= -\frac N2\log(2\pi\sigma^2) - \frac{1}{2\sigma^2}\sum_{n=1}^{N}(x_n-\mu)^2 .
# \end{aligned}
# $$ (eq-ch01-loglik)
#
# The logarithm is increasing, so the parameters that maximise $\ell$ also maximise the
# likelihood itself. This recipe, "choose the parameters under which the observed data are
# most probable", is **maximum likelihood** {cite}`bishop2006`.
#
# Let us make some data with known parameters, so that we can see how well we recover them.

# %%
rng = np.random.default_rng(0)
true_mu, true_sigma = 2.0, 1.5
data = rng.normal(true_mu, true_sigma, size=200)
print(f"N = {data.size}, first five values: {np.round(data[:5], 4)}")

for mu, sigma in [(0.0, 1.0), (2.0, 1.5), (2.0, 3.0)]:
    print(f"log-likelihood at mu={mu}, sigma={sigma}: {log_likelihood_1d(data, mu, sigma):10.4f}")
# The text below: the true parameters (2, 1.5) beat both wrong ones by a wide margin
ll_true = log_likelihood_1d(data, 2.0, 1.5)
assert ll_true > log_likelihood_1d(data, 0.0, 1.0) + 50
assert ll_true > log_likelihood_1d(data, 2.0, 3.0) + 50

# %% [markdown]
# The true parameters give a much higher (less negative) log-likelihood than the wrong ones.
# Here is why we never multiply the densities directly: with a few thousand observations the
# product is smaller than the smallest positive floating-point number and becomes exactly
# zero, while its logarithm is an ordinary number.

# %%
big = rng.normal(true_mu, true_sigma, size=2000)
product = np.prod(np.exp(log_pdf_1d(big, true_mu, true_sigma)))
print(f"product of 2000 densities: {product}")
print(f"sum of 2000 log-densities: {log_likelihood_1d(big, true_mu, true_sigma):.4f}")
assert product == 0.0 and np.isfinite(log_likelihood_1d(big, true_mu, true_sigma))

# %% [markdown]
# ## The maximum-likelihood estimates, derived
#
# Equation {eq}`eq-ch01-loglik` is simple enough to maximise by hand: set its partial
# derivatives to zero.
#
# **The mean.** Only the last term depends on $\mu$:
#
# $$
# \frac{\partial \ell}{\partial \mu} = \frac{1}{\sigma^2}\sum_{n=1}^N (x_n-\mu) = 0
# \quad\Longrightarrow\quad
# \hat\mu = \frac1N\sum_{n=1}^N x_n .
# $$ (eq-ch01-mle-mean)
#
# The maximum-likelihood mean is the sample mean. It is a maximum, not a minimum, because the
# second derivative $-N/\sigma^2$ is negative: as a function of $\mu$, $\ell$ is a downward
# parabola (we will plot it below).
#
# **The variance.** Write $v=\sigma^2$ and differentiate with respect to $v$, with $\mu=\hat\mu$:
#
# $$
# \begin{aligned}
# \frac{\partial \ell}{\partial v} &= -\frac{N}{2v} + \frac{1}{2v^2}\sum_{n=1}^N (x_n-\hat\mu)^2 = 0
# \\ \Longrightarrow\quad
# \hat\sigma^2 &= \frac1N\sum_{n=1}^N (x_n-\hat\mu)^2 .
# \end{aligned}
# $$ (eq-ch01-mle-var)
#
# The maximum-likelihood variance is the average squared deviation from the sample mean.
#
# :::{admonition} Why divide by $N$ and not by $N-1$?
# :class: note
#
# You may have learned the "sample variance" with $N-1$ in the denominator. That version is
# *unbiased*: averaged over many data sets it equals $\sigma^2$. The maximum-likelihood
# estimate {eq}`eq-ch01-mle-var` is slightly too small on average,
# $\mathbb E[\hat\sigma^2]=\tfrac{N-1}{N}\sigma^2$, because the deviations are measured from
# $\hat\mu$, which was itself fitted to the same data and so sits closer to them than the true
# $\mu$ does. Both are reasonable estimators; they answer different questions. Equation
# {eq}`eq-ch01-mle-var` is the one that **maximises the likelihood**, and that is the
# criterion EM climbs, so it is the one a Gaussian mixture uses (and the one
# `numpy.var` computes by default, with `ddof=0`). For $N=200$ the difference is half a
# percent; for $N=3$ it is a third.
# :::
#
# The package implements equations {eq}`eq-ch01-mle-mean` and {eq}`eq-ch01-mle-var` in
# `fit_gaussian_1d`, which returns $(\hat\mu, \hat\sigma)$:

# %%
mu_hat, sigma_hat = fit_gaussian_1d(data)
print(f"true:      mu = {true_mu:.4f}, sigma = {true_sigma:.4f}")
print(f"estimated: mu = {mu_hat:.4f}, sigma = {sigma_hat:.4f}")
print(f"log-likelihood at the estimate: {log_likelihood_1d(data, mu_hat, sigma_hat):.4f}")
print(f"log-likelihood at the truth:    {log_likelihood_1d(data, true_mu, true_sigma):.4f}")
assert log_likelihood_1d(data, mu_hat, sigma_hat) > log_likelihood_1d(data, true_mu, true_sigma)

# %% [markdown]
# Notice the last two lines: the estimate has a *higher* log-likelihood than the true
# parameters. That is not a bug; it is what "maximum" means. The estimate is tuned to this
# particular sample, noise included, and no other parameter pair, not even the truth, explains
# this sample better.
#
# ## The key figure: the log-likelihood as a function of the parameters
#
# {numref}`fig-ch01-loglik` shows both slices of the log-likelihood. Fix $\sigma$ at $\hat\sigma$ and let $\mu$ vary: by {eq}`eq-ch01-loglik`, $\ell$ is a
# downward parabola whose top is at the sample mean. Fix $\mu$ at $\hat\mu$ and let $\sigma$
# vary: the curve rises steeply for small $\sigma$ (a narrow Gaussian cannot reach the
# spread-out points) and falls slowly for large $\sigma$ (a wide one is too thin everywhere);
# its top is at $\hat\sigma$.

# %% mystnb={"figure": {"caption": "The log-likelihood of the 200 points, left as a function of \u03bc with \u03c3 fixed at \u03c3\u0302, right as a function of \u03c3 with \u03bc fixed at \u03bc\u0302. The dashed lines mark the maximum-likelihood estimates.", "name": "fig-ch01-loglik"}, "image": {"alt": "Left: a symmetric downward parabola in \u03bc whose top sits on the dashed line at the sample mean 2.023. Right: a curve in \u03c3 that rises steeply from small \u03c3, peaks on the dashed line at \u03c3\u0302 = 1.442, and falls slowly for larger \u03c3."}}
mus = np.linspace(0.5, 3.5, 301)
sigmas = np.linspace(0.7, 3.5, 301)
ll_mu = np.array([log_likelihood_1d(data, m, sigma_hat) for m in mus])
ll_sigma = np.array([log_likelihood_1d(data, mu_hat, s) for s in sigmas])

fig, axes = plt.subplots(1, 2, figsize=(8, 3.6), sharey=True)
axes[0].plot(mus, ll_mu, label="ℓ(μ, σ̂)")
axes[0].axvline(mu_hat, color=BOOK_COLORS[1], linestyle="--", label=f"sample mean = {mu_hat:.3f}")
axes[0].set_title("Log-likelihood as a function of μ")
axes[0].set_xlabel("μ")
axes[0].set_ylabel("log-likelihood ℓ")
axes[1].plot(sigmas, ll_sigma, label="ℓ(μ̂, σ)")
axes[1].axvline(sigma_hat, color=BOOK_COLORS[1], linestyle="--", label=f"σ̂ = {sigma_hat:.3f}")
axes[1].set_title("… and as a function of σ")
axes[1].set_xlabel("σ")
axes[1].set_ylim(-560, ll_mu.max() + 15)
# one legend below the panels: inside them it would cover the dashed lines
handles = [h for a in axes for h in a.get_legend_handles_labels()[0]]
fig.legend(handles=handles, loc="outside lower center", ncols=2)
plt.show()
# The text's claims, checked on the grids: the tops are at the sample mean and at sigma-hat
assert abs(mus[np.argmax(ll_mu)] - mu_hat) <= mus[1] - mus[0]
assert abs(sigmas[np.argmax(ll_sigma)] - sigma_hat) <= sigmas[1] - sigmas[0]

# %% [markdown]
# {numref}`fig-ch01-fit` draws the fitted density over a histogram of the data (a histogram
# normalised to area one is a rough density estimate, so the two are on the same scale).

# %% mystnb={"figure": {"caption": "Histogram of the 200 points (normalised to area one), the maximum-likelihood Gaussian N(\u03bc\u0302, \u03c3\u0302\u00b2) and the true density N(2, 1.5\u00b2).", "name": "fig-ch01-fit"}, "image": {"alt": "A grey histogram of the 200 points, roughly bell shaped around 2, with the fitted Gaussian (solid) and the true Gaussian (dashed) drawn over it; the two curves nearly coincide, the fitted one slightly narrower."}}
fig, ax = plt.subplots()
ax.hist(data, bins=25, density=True, color="0.75", edgecolor="white", label="data (histogram)")
grid = np.linspace(data.min() - 1, data.max() + 1, 400)
ax.plot(grid, np.exp(log_pdf_1d(grid, mu_hat, sigma_hat)), label="fitted N(μ̂, σ̂²)")
ax.plot(grid, np.exp(log_pdf_1d(grid, true_mu, true_sigma)), linestyle="--",
        label="true N(2, 1.5²)")
ax.set_title("Maximum-likelihood fit of a Gaussian to 200 points")
ax.set_xlabel("x")
ax.set_ylabel("density")
ax.legend()
plt.show()

# %% [markdown]
# ## Check: the code agrees with the mathematics
#
# A formula implemented once should be checked against something independent. We check
#
# 1. `log_pdf_1d` against `scipy.stats.norm.logpdf`, including far in the tails;
# 2. `log_likelihood_1d` against the closed form on the right of {eq}`eq-ch01-loglik`;
# 3. `fit_gaussian_1d` against the formulas {eq}`eq-ch01-mle-mean`–{eq}`eq-ch01-mle-var`
#    written out with NumPy, against `scipy.stats.norm.fit` (which also returns the MLE), and
#    against a general-purpose numerical optimiser that knows nothing about the closed form.

# %%
# CHECK 1: the log-density against scipy, at ordinary points and deep in the tails
pts = np.array([-40.0, -3.0, 0.0, 1.7, 2.0, 5.5, 60.0])
ours = log_pdf_1d(pts, 2.0, 1.5)
ref = stats.norm.logpdf(pts, loc=2.0, scale=1.5)
print("ours :", ours)
print("scipy:", ref)
print("agree to 13 significant digits:", np.allclose(ours, ref, rtol=1e-13, atol=0))
assert np.allclose(ours, ref, rtol=1e-13, atol=0)

# %%
# CHECK 2: the log-likelihood against the closed form of eq. (1.2)
n = data.size
closed = -0.5 * n * np.log(2 * np.pi * sigma_hat**2) - np.sum((data - mu_hat) ** 2) / (
    2 * sigma_hat**2
)
print(f"package: {log_likelihood_1d(data, mu_hat, sigma_hat):.6f}")
print(f"formula: {closed:.6f}")
assert np.isclose(log_likelihood_1d(data, mu_hat, sigma_hat), closed, rtol=1e-12)

# %%
# CHECK 3: the MLE against the formulas, scipy's fit, and a numerical optimiser
formula_mu = data.sum() / n
formula_sigma = np.sqrt(((data - formula_mu) ** 2).sum() / n)
scipy_mu, scipy_sigma = stats.norm.fit(data)
numeric = optimize.minimize(
    lambda p: -log_likelihood_1d(data, p[0], np.exp(p[1])), x0=[0.0, 0.0], method="BFGS"
)
num_mu, num_sigma = numeric.x[0], np.exp(numeric.x[1])
print(f"fit_gaussian_1d: mu = {mu_hat:.5f}, sigma = {sigma_hat:.5f}")
print(f"formulas:        mu = {formula_mu:.5f}, sigma = {formula_sigma:.5f}")
print(f"scipy norm.fit:  mu = {scipy_mu:.5f}, sigma = {scipy_sigma:.5f}")
print(f"BFGS optimiser:  mu = {num_mu:.5f}, sigma = {num_sigma:.5f}")
print(f"N-1 version (ddof=1), NOT the MLE: sigma = {np.std(data, ddof=1):.5f}")
assert np.allclose([mu_hat, sigma_hat], [formula_mu, formula_sigma], rtol=1e-12)
assert np.allclose([mu_hat, sigma_hat], [scipy_mu, scipy_sigma], rtol=1e-12)
assert np.allclose([mu_hat, sigma_hat], [num_mu, num_sigma], rtol=1e-5)
assert abs(np.std(data, ddof=1) - sigma_hat) > 1e-3  # the N-1 version differs in the 3rd digit

# %% [markdown]
# All four agree: the closed form, scipy, and an optimiser that simply climbs the
# log-likelihood. (The optimiser works on $\log\sigma$ so that $\sigma$ stays positive, a
# trick we will meet again.) The $N-1$ version is visibly different, and only the MLE sits at
# the top of the curves in {numref}`fig-ch01-loglik`.
#
# ### The bias of the MLE variance, seen by simulation
#
# The claim $\mathbb E[\hat\sigma^2]=\tfrac{N-1}{N}\sigma^2$ is easy to test: draw many small
# data sets, fit each one, and average the variance estimates.

# %%
n_small, n_repeats = 5, 20000
sim_rng = np.random.default_rng(1)
var_hat = np.array(
    [fit_gaussian_1d(sim_rng.normal(0.0, 1.0, n_small))[1] ** 2 for _ in range(n_repeats)]
)
print(f"average of the MLE variance over {n_repeats} data sets of size {n_small}: "
      f"{var_hat.mean():.3f}")
print(f"theory (N-1)/N * sigma^2 = {(n_small - 1) / n_small:.3f}; true sigma^2 = 1")
# the simulated average is within 4 standard errors of the theory, and clearly below 1
assert abs(var_hat.mean() - 0.8) < 4 * var_hat.std() / np.sqrt(n_repeats)
assert var_hat.mean() < 1 - 10 * var_hat.std() / np.sqrt(n_repeats)

# %% [markdown]
# ## When one Gaussian is not enough
#
# Maximum likelihood always gives *an* answer, even when the model is wrong. The eruption
# durations of the Old Faithful geyser {cite}`azzalini1990,hardle1991`, which we will meet
# again throughout the book, are a good example: short eruptions of about 2 minutes and long
# ones of about 4.3 minutes, hardly anything in between ({numref}`fig-ch01-old-faithful`).

# %% mystnb={"figure": {"caption": "Histogram of the 272 Old Faithful eruption durations and the best single Gaussian fitted to them by maximum likelihood.", "name": "fig-ch01-old-faithful"}, "image": {"alt": "A histogram with two bumps, one around 2 minutes and a taller one around 4.3 minutes, nearly empty between 2.5 and 3.5 minutes. The single Gaussian is one broad hump centred at 3.5 minutes, highest exactly where the histogram is nearly empty."}}
durations = load_old_faithful()[:, 0]
of_mu, of_sigma = fit_gaussian_1d(durations)
print(f"Old Faithful eruption durations: n = {durations.size}, "
      f"mu_hat = {of_mu:.4f} min, sigma_hat = {of_sigma:.4f} min")

fig, ax = plt.subplots()
ax.hist(durations, bins=30, density=True, color="0.75", edgecolor="white", label="eruptions")
grid = np.linspace(1, 6, 400)
ax.plot(grid, np.exp(log_pdf_1d(grid, of_mu, of_sigma)), label="best single Gaussian (MLE)")
ax.set_title("One Gaussian cannot describe two kinds of eruption")
ax.set_xlabel("eruption duration (minutes)")
ax.set_ylabel("density (per minute)")
ax.set_ylim(0, 0.95)  # head-room for the legend, above the tallest bar
ax.legend(loc="upper center")
plt.show()
# The text: short eruptions about 2 minutes, long about 4.3, the Gaussian's peak at about 3.5,
# where the histogram is low (less than a quarter of its tallest bar)
assert round(np.median(durations[durations < 3])) == 2
assert round(np.median(durations[durations > 3]), 1) == 4.3 and round(of_mu, 1) == 3.5
heights, edges = np.histogram(durations, bins=30, density=True)
assert heights[np.searchsorted(edges, of_mu) - 1] < 0.25 * heights.max()

# %% [markdown]
# The best single Gaussian puts its peak at about 3.5 minutes, exactly where eruptions are
# *rare*. No choice of $\mu$ and $\sigma$ can fix this: the data have two bumps and a
# Gaussian has one. The remedy, a weighted sum of Gaussians, is the subject of
# chapter 4; to fit it we will need the multivariate Gaussian (chapter 2) and a way to
# decide which bump each point belongs to (chapters 3 and 5).
#
# ## Exercises
#
# ```{exercise}
# :label: ex-ch01-known-mean
#
# Suppose the mean $\mu$ is **known** and only $\sigma^2$ is estimated. Maximise
# {eq}`eq-ch01-loglik` over $\sigma^2$ alone. Is this estimator biased? Check your answer by
# modifying the simulation above (use `log_likelihood_1d` or NumPy to evaluate it).
# ```
#
# ```{solution} ex-ch01-known-mean
# :class: dropdown
#
# The same derivative as in {eq}`eq-ch01-mle-var`, with $\mu$ in place of $\hat\mu$, gives
# $\tilde\sigma^2=\frac1N\sum_n (x_n-\mu)^2$. Each term has expectation
# $\mathbb E[(x_n-\mu)^2]=\sigma^2$, so $\mathbb E[\tilde\sigma^2]=\sigma^2$: it is
# **unbiased**. The bias of $\hat\sigma^2$ came entirely from measuring deviations from the
# fitted $\hat\mu$ rather than the true $\mu$. In the simulation, replacing the fitted
# variance by `np.mean(x**2)` (the true mean is 0) gives an average close to 1.0.
# ```
#
# ```{exercise}
# :label: ex-ch01-curvature
#
# {numref}`fig-ch01-loglik` shows $\ell(\mu,\hat\sigma)$ as a parabola. (a) Compute its second derivative
# in $\mu$. (b) A sharper peak means the data pin $\mu$ down more precisely; the usual
# standard error of the mean is $\hat\sigma/\sqrt N$. Show that it equals
# $(-\partial^2\ell/\partial\mu^2)^{-1/2}$. (c) How does the peak change if you have four
# times as much data?
# ```
#
# ```{solution} ex-ch01-curvature
# :class: dropdown
#
# (a) From {eq}`eq-ch01-mle-mean`, $\partial^2\ell/\partial\mu^2=-N/\sigma^2$, a constant:
# the curve is an exact parabola. (b) With $\sigma=\hat\sigma$,
# $(-\partial^2\ell/\partial\mu^2)^{-1/2}=\hat\sigma/\sqrt N$, the standard error. This is
# the simplest instance of the *observed information*. (c) Four times the data makes the
# curvature four times larger, so the parabola is twice as narrow (at the same drop in
# $\ell$) and the standard error halves. For our data,
# `sigma_hat / np.sqrt(200)` is about 0.10.
# ```
#
# ```{exercise}
# :label: ex-ch01-cancellation
#
# A tempting one-pass formula for the variance is $\overline{x^2}-\bar x^{\,2}$ (mean of the
# squares minus square of the mean). Algebraically it equals {eq}`eq-ch01-mle-var`.
# Evaluate both on `data + 1e8` (the same data, shifted far from zero). Which one is right,
# and why? Does `fit_gaussian_1d` get it right?
# ```
#
# ````{solution} ex-ch01-cancellation
# :class: dropdown
#
# ```python
# shifted = data + 1e8
# one_pass = np.mean(shifted**2) - np.mean(shifted) ** 2
# print(one_pass, fit_gaussian_1d(shifted)[1] ** 2, sigma_hat**2)
# ```
#
# The one-pass formula subtracts two numbers of size about $10^{16}$ that agree in almost all
# of their 16 significant digits, so the result is dominated by rounding error (it can even
# come out negative or zero). This is *catastrophic cancellation*. `fit_gaussian_1d` first
# subtracts the mean and then squares (a "two-pass" computation), so it returns the same
# variance as for the unshifted data, to about eight digits. The package uses the same
# principle in every dimension; chapter 7 and chapter 13 return to it.
# ````

# %% tags=["remove-cell"]
# The numbers in the solutions above, checked (hidden from the page, run by nbval).
known_mean = np.array([np.mean(sim_rng.normal(0.0, 1.0, n_small) ** 2) for _ in range(n_repeats)])
assert abs(known_mean.mean() - 1.0) < 4 * known_mean.std() / np.sqrt(n_repeats)  # close to 1.0
assert round(sigma_hat / np.sqrt(200), 2) == 0.10
shifted = data + 1e8
one_pass = np.mean(shifted**2) - np.mean(shifted) ** 2
assert abs(one_pass - sigma_hat**2) > 0.01  # dominated by rounding error
assert np.isclose(fit_gaussian_1d(shifted)[1] ** 2, sigma_hat**2, rtol=1e-8, atol=0)

# %% [markdown]
# ## Summary
#
# - The Gaussian density {eq}`eq-ch01-pdf` has two parameters: $\mu$ sets the centre,
#   $\sigma$ the width. A density is probability per unit length and may exceed one.
# - For independent data the log-likelihood {eq}`eq-ch01-loglik` is a sum of log-densities.
#   We work in logs because products of densities underflow.
# - Setting the derivatives to zero gives the maximum-likelihood estimates: the sample mean
#   {eq}`eq-ch01-mle-mean` and the average squared deviation {eq}`eq-ch01-mle-var`, which
#   divides by $N$. It is slightly biased, and it is the one that maximises the likelihood.
# - `log_pdf_1d`, `log_likelihood_1d` and `fit_gaussian_1d` implement these equations; they
#   agree with scipy to rounding error, and the closed form agrees with a numerical optimiser.
# - A single Gaussian cannot fit two-humped data like the Old Faithful durations: that is the
#   motivation for mixtures.
