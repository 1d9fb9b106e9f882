# %% [markdown]
# # Log-space numerics
#
# :::{admonition} Learning goals
# :class: tip
#
# After this chapter you can
#
# - explain why densities underflow in double precision and why that turns naive
#   responsibilities into `NaN`;
# - compute $\log\sum_k e^{a_k}$ safely with the log-sum-exp trick {eq}`eq-ch07-logsumexp`
#   and get log-responsibilities {eq}`eq-ch07-logresp`;
# - obtain $\log\lvert\boldsymbol\Sigma\rvert$ from the diagonal of a Cholesky factor
#   {eq}`eq-ch07-logdet` instead of a determinant that under- or overflows;
# - say what `reg_covar` {eq}`eq-ch07-reg` protects against, and recognise the
#   `DegenerateCovarianceError` it prevents;
# - explain why the package evaluates $(\mathbf x-\boldsymbol\mu)^\top\boldsymbol\Lambda
#   (\mathbf x-\boldsymbol\mu)$ in its linear form and never in its expanded form.
# :::
#
# Chapters 5 and 6 wrote EM with densities, ratios and determinants. Those formulas are
# correct mathematics and poor arithmetic: evaluated literally in floating point, they break
# on perfectly ordinary data. This chapter shows four ways they break, each with the
# package's remedy side by side, and ends with one table that summarizes them. None of the
# remedies is an approximation: each computes the same mathematical quantity, in a form
# that a computer can evaluate.

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy.special import logsumexp as scipy_logsumexp
from scipy.stats import multivariate_normal

import gmm_from_scratch as gfs
from gmm_from_scratch.covariance import (
    log_det_precision_cholesky,
    precisions_cholesky_from_covariances,
)
from gmm_from_scratch.plotting import use_book_style

use_book_style()
np.set_printoptions(precision=4, suppress=True)
fin = np.finfo(np.float64)
print(f"smallest positive normal double: {fin.tiny:.3e} = exp({np.log(fin.tiny):.1f})")
print(f"smallest subnormal double:       {fin.smallest_subnormal:.3e}"
      f" = exp({np.log(fin.smallest_subnormal):.1f})")
print(f"largest double:                  {fin.max:.3e} = exp({np.log(fin.max):.1f})")

# %% tags=["remove-cell"]
# The text below: exp(-744.4), and a 2-D unit Gaussian's density (1 / 2π) e^{-Δ²/2} reaches
# the smallest subnormal at a Mahalanobis distance Δ of about 38.5.
assert round(np.log(fin.smallest_subnormal), 1) == -744.4
delta_zero = np.sqrt(2 * (-np.log(fin.smallest_subnormal) - np.log(2 * np.pi)))
assert round(delta_zero, 1) == 38.5

# %% [markdown]
# ## Underflow: when every density is zero
#
# A double-precision number cannot be smaller than about $5\times10^{-324}$, that is
# $e^{-744.4}$. A Gaussian density is $e^{-\frac12(\text{Mahalanobis distance})^2}$ times
# a constant, so any point more than about 38.5 standard deviations from a component has
# density exactly `0.0` under it. That sounds extreme, but it is not: an outlier, a
# poor initial mean far from the data, or simply high dimension gets there quickly, since
# squared distances add up over coordinates.
#
# Take a two-component mixture in the plane, with unit covariances, means at $(0, 0)$ and
# $(3, 0)$, and equal weights. We compute the responsibilities of three points in two ways.
#
# - **Naive**: exponentiate the log-densities to get densities, multiply by the weights and
#   divide by the sum, exactly as {eq}`eq-ch05-resp` is written.
# - **Log space**: the package's `e_step`, which never leaves logarithms ({eq}`eq-ch07-logresp` below).

# %%
weights = np.array([0.5, 0.5])
means = np.array([[0.0, 0.0], [3.0, 0.0]])
covariances = np.array([np.eye(2), np.eye(2)])
prec_chol = precisions_cholesky_from_covariances(covariances, "full")
points = {"near (1, 0.5)": [1.0, 0.5], "far (45, 0)": [45.0, 0.0],
          "very far (10000, 0)": [1e4, 0.0]}
P = np.array(list(points.values()))

log_dens = gfs.estimate_log_gaussian_prob(P, means, prec_chol, "full")  # log N(x | mu_k, Sigma_k)

# Naive: densities, then divide (errstate silences the warnings so the table stays clean).
with np.errstate(divide="ignore", invalid="ignore", under="ignore"):
    joint = weights * np.exp(log_dens)
    naive_p = joint.sum(axis=1)
    naive_resp = joint / naive_p[:, None]
    naive_log_p = np.log(naive_p)

# Log space: the package's E-step.
log_p, log_resp = gfs.e_step(P, weights, means, prec_chol, "full")
resp = np.exp(log_resp)

table = pd.DataFrame({
    "log N(x|μ₁), log N(x|μ₂)": [f"{a:.4g}, {b:.4g}" for a, b in log_dens],
    "naive γ₁, γ₂": [f"{a:.4f}, {b:.4f}" for a, b in naive_resp],
    "naive log p(x)": [f"{v:.6g}" for v in naive_log_p],
    "log-space γ₁, γ₂": [f"{a:.4f}, {b:.4f}" for a, b in resp],
    "log-space log γ₁": [f"{v:.6g}" for v in log_resp[:, 0]],
    "log-space log p(x)": [f"{v:.6g}" for v in log_p],
}, index=list(points))
# The text below, checked: NaN and -inf for the far points, log γ(z_1) = -130.5 at (45, 0)
assert np.isnan(naive_resp[1:]).all() and np.isneginf(naive_log_p[1:]).all()
assert round(log_resp[1, 0], 1) == -130.5 and round(resp[1, 1], 12) == 1.0
assert -58 < log_resp[1, 0] / np.log(10) < -56
table

# %% [markdown]
# For the near point both columns agree. For the two far points both densities underflow
# to zero, so the naive ratio is $0/0$ = `NaN` and the naive log-likelihood is $-\infty$:
# one such point makes the whole data set's log-likelihood $-\infty$ and every parameter
# computed from the responsibilities `NaN`. Yet the answer is not in doubt. The far points
# are much closer to the second mean, and the log-space computation says so:
# $\gamma(z_{n2}) = 1$ and $\log\gamma(z_{n1}) \approx -130.5$ at $(45, 0)$, a probability
# of about $10^{-57}$ that is tiny but perfectly well defined.
#
# High dimension makes underflow the rule rather than the exception. Even for points drawn
# from a standard Gaussian *itself*, the log-density concentrates around
# $-\frac d2(1+\log 2\pi)$:

# %%
rng = np.random.default_rng(0)
for d in (10, 100, 1000):
    Z = rng.standard_normal((1000, d))
    log_density = gfs.log_pdf(Z, np.zeros(d), np.eye(d))
    with np.errstate(under="ignore"):
        zero_fraction = np.mean(np.exp(log_density) == 0.0)
    print(f"d = {d:4d}: median log N(x|0, I) = {np.median(log_density):9.1f};"
          f" density == 0.0 for {zero_fraction:6.1%} of typical points")
    # the concentration around -d/2 (1 + log 2π), and underflow for every point at d = 1000
    assert abs(np.median(log_density) / (-d / 2 * (1 + np.log(2 * np.pi))) - 1) < 0.05
    assert zero_fraction == (1.0 if d == 1000 else 0.0)

# %% [markdown]
# ## The log-sum-exp trick
#
# The E-step needs $\log p(\mathbf x_n) = \log\sum_k e^{a_{nk}}$ with
# $a_{nk} = \log\pi_k + \log\mathcal N(\mathbf x_n\mid\boldsymbol\mu_k,\boldsymbol\Sigma_k)$,
# which are available without ever forming a density (chapter 2, {eq}`eq-ch02-cholesky`). Factor out the
# largest term $m_n = \max_k a_{nk}$:
#
# $$
# \log \sum_{k=1}^K e^{a_{nk}} \;=\; \log\Bigl(e^{m_n}\sum_{k=1}^K e^{a_{nk} - m_n}\Bigr)
# \;=\; m_n + \log \sum_{k=1}^K e^{a_{nk} - m_n}.
# $$ (eq-ch07-logsumexp)
#
# Every exponent on the right is $\le 0$, so nothing overflows, and one of them is exactly
# $0$, so the sum is at least $1$ and its logarithm is finite: nothing underflows into
# $\log 0$. Terms far below the maximum do underflow to $0$, but harmlessly: they could not
# change the sum in double precision anyway. With $\log p(\mathbf x_n)$ in hand, the
# responsibilities {eq}`eq-ch05-resp` become a subtraction:
#
# $$
# \log\gamma(z_{nk}) \;=\; a_{nk} - \log\sum_{j=1}^K e^{a_{nj}} .
# $$ (eq-ch07-logresp)
#
# `gmm_from_scratch.logsumexp` implements {eq}`eq-ch07-logsumexp`;
# `normalize_log_probabilities` implements {eq}`eq-ch07-logresp`, and `e_step` calls it. The
# EM code exponentiates only at the very end, to get $\gamma(z_{nk}) \in [0, 1]$, which is
# always safe.

# %%
# CHECK CELL: the package's logsumexp against scipy and against the naive formula.
cases = {"moderate": [1.0, 2.0, 3.0], "very negative": [-1000.0, -1000.5, -1001.0],
         "very positive": [1000.0, 1000.5, 1001.0], "one -inf": [-np.inf, 0.0, -2.0]}
print(f"{'case':14s} {'naive log Σ exp':>15s} {'package (7.1)':>15s} {'scipy':>15s}")
for name, a in cases.items():
    a = np.array(a)
    with np.errstate(divide="ignore", over="ignore"):
        naive = np.log(np.sum(np.exp(a)))
    ours, ref = float(gfs.logsumexp(a)), float(scipy_logsumexp(a))
    assert np.isclose(ours, ref, rtol=1e-14, atol=0)
    # exercise 7.1's solution: the naive formula gives -inf and inf on the extreme rows
    assert naive == {"very negative": -np.inf, "very positive": np.inf}.get(name, naive)
    print(f"{name:14s} {naive:15.6f} {ours:15.6f} {ref:15.6f}")

# (7.2): the log-responsibilities of the table above, by hand from the log-joint.
log_joint = np.log(weights) + log_dens
by_hand = log_joint - scipy_logsumexp(log_joint, axis=1, keepdims=True)
print("log-responsibilities (7.2) by hand vs e_step: allclose =",
      np.allclose(by_hand, log_resp, rtol=1e-13, atol=1e-12))
assert np.allclose(by_hand, log_resp, rtol=1e-13, atol=1e-12)

# %% [markdown]
# ## Log-determinants from the Cholesky diagonal
#
# The Gaussian log-density contains $-\frac12\log\lvert\boldsymbol\Sigma\rvert$.
# Chapter 2 showed (in "Why not just call `det` and `inv`?") that the determinant itself leaves
# the range of doubles after a mere change of units, while its logarithm stays an ordinary
# number. The package never forms the determinant. Chapter 2 factored the precision as
# $\boldsymbol\Lambda = \boldsymbol\Sigma^{-1} = \mathbf U\mathbf U^\top$ with $\mathbf U$
# triangular. The determinant of a triangular matrix is the product of its diagonal, so
#
# $$
# \log\lvert\boldsymbol\Sigma\rvert \;=\; -\log\lvert\boldsymbol\Lambda\rvert
# \;=\; -2\sum_{i=1}^d \log U_{ii} ,
# $$ (eq-ch07-logdet)
#
# a sum of $d$ moderate logarithms, with no product ever formed. (`U` comes from a
# Cholesky factorization and a triangular solve, never an explicit inverse; see
# `precision_cholesky`.) We check it against NumPy's `slogdet` (an LU factorization) on a
# random $400\times400$ covariance at three scales, where `det` itself would return `0.0`, a
# finite number and `inf`.

# %%
d = 400
B = rng.standard_normal((d, d)) / np.sqrt(d)
base = B @ B.T + 0.5 * np.eye(d)  # a well-conditioned covariance
rows = []
for scale in (1e-2, 1.0, 1e2):
    cov = scale * base
    U = gfs.precision_cholesky(cov)
    ours = -2.0 * float(log_det_precision_cholesky(U[None], "full", d)[0])  # eq. (7.3)
    ref = np.linalg.slogdet(cov)[1]
    assert np.isclose(ours, ref, rtol=1e-12)  # CHECK against slogdet (LU-based)
    rows.append({"scale": scale, "log|Σ| from Cholesky (7.3)": f"{ours:.6g}",
                 "slogdet": f"{ref:.6g}"})
logdet_table = pd.DataFrame(rows).set_index("scale")
logdet_table

# %% [markdown]
# Scaling a $d$-dimensional covariance by $s$ moves {eq}`eq-ch07-logdet` by exactly
# $d\log s$, here $400\log 100 = 1842.07$ from one row to the next:

# %%
steps = np.diff([float(v) for v in logdet_table["slogdet"]])
print("log|Σ| moves by", np.round(steps, 2), "per factor 100;",
      "d log 100 =", round(d * np.log(100), 2))
assert np.allclose(steps, d * np.log(100), rtol=1e-5)

# %% [markdown]
# ## What `reg_covar` protects: collapsing components
#
# A positive definite covariance is the one thing the Cholesky factorization needs. The
# M-step {eq}`eq-ch05-covariances` can violate it. If a component ends up responsible for points that are all
# *identical* (duplicated records are common in real data) its responsibility-weighted
# covariance is the zero matrix, which has no Cholesky factor, no inverse and a log-density
# of $+\infty$ at those points. The likelihood is then unbounded: this is the singularity
# of maximum likelihood for mixtures that chapter 11 studies in depth. The package, like
# scikit-learn, adds a small constant $\varepsilon$ = `reg_covar` (default $10^{-6}$) to
# the diagonal after every M-step:
#
# $$
# \boldsymbol\Sigma_k^{\text{new}} \;=\; \frac1{N_k}\sum_{n=1}^N \gamma(z_{nk})
# (\mathbf x_n-\boldsymbol\mu_k^{\text{new}})(\mathbf x_n-\boldsymbol\mu_k^{\text{new}})^\top
# \;+\; \varepsilon\,\mathbf I .
# $$ (eq-ch07-reg)
#
# Every eigenvalue is then at least $\varepsilon$. Here are 200 ordinary points plus 30
# copies of one record, fitted with $K = 2$. First without regularization:

# %%
X_dup = np.vstack([rng.standard_normal((200, 2)), np.tile([6.0, 6.0], (30, 1))])
try:
    gfs.GaussianMixture(n_components=2, reg_covar=0.0, random_state=0).fit(X_dup)
except gfs.DegenerateCovarianceError as err:
    degenerate_message = str(err)
    print(f"{type(err).__name__}:\n{degenerate_message}")
else:
    raise AssertionError("the text says this fit fails without regularization")

# %% [markdown]
# The k-means initialization put the 30 duplicates in a component of their own, whose
# covariance is exactly zero, and the package stops with an error that names the cause and
# the fixes instead of returning `NaN`s. With the default `reg_covar` the same fit succeeds:

# %%
gmm_dup = gfs.GaussianMixture(n_components=2, random_state=0).fit(X_dup)
k_dup = int(np.argmin(gmm_dup.weights_))
print(f"converged: {gmm_dup.converged_}; weight of the duplicate component:"
      f" {gmm_dup.weights_[k_dup]:.4f} (= 30/230)")
is_eps_identity = np.allclose(gmm_dup.covariances_[k_dup], gmm_dup.reg_covar * np.eye(2),
                              rtol=1e-9, atol=1e-14)
print("its covariance equals reg_covar · I:", is_eps_identity)
log_dens_dup = gfs.estimate_log_gaussian_prob(X_dup[-1:], gmm_dup.means_,
                                              gmm_dup.precisions_cholesky_, "full")
expected = -np.log(2 * np.pi) - np.log(gmm_dup.reg_covar)  # -log(2π) - ½ ln|εI| in d = 2
print(f"log-density of a duplicate under it: {log_dens_dup[0, k_dup]:.4f}"
      f" (closed form {expected:.4f})")
assert np.isclose(log_dens_dup[0, k_dup], expected, rtol=1e-9)
# The text: converged, weight 30/230, covariance reg_covar · I, log-density about +12
assert gmm_dup.converged_ and np.isclose(gmm_dup.weights_[k_dup], 30 / 230, rtol=1e-9)
assert is_eps_identity and round(log_dens_dup[0, k_dup]) == 12

# %% [markdown]
# The duplicate component has covariance $\varepsilon\mathbf I$, exactly what
# {eq}`eq-ch07-reg` predicts, and each duplicate contributes a log-density of about $+12$:
# large, but finite. `reg_covar` keeps the arithmetic alive. It does not decide whether such
# a component is what you want; that modelling question is chapter 11's.
#
# ## Expanded versus linear quadratic forms: accuracy is not free
#
# The squared Mahalanobis distance can be computed in two algebraically equal ways:
#
# $$
# (\mathbf x-\boldsymbol\mu)^\top\boldsymbol\Lambda(\mathbf x-\boldsymbol\mu)
# \;=\; \bigl\lVert(\mathbf x-\boldsymbol\mu)^\top\mathbf U\bigr\rVert^2
# \qquad\text{or}\qquad
# \mathbf x^\top\boldsymbol\Lambda\mathbf x - 2\,\mathbf x^\top\boldsymbol\Lambda
# \boldsymbol\mu + \boldsymbol\mu^\top\boldsymbol\Lambda\boldsymbol\mu .
# $$
#
# The expanded form is tempting because its terms can be precomputed for all points at
# once. But each of its three terms has size about $(\lVert\mathbf x\rVert/\sigma)^2$, while
# their sum is a number of order $d$: the subtraction cancels almost all the digits. Each
# term carries a rounding error of relative size $\epsilon \approx 2.2\times10^{-16}$, so
# the result is off by about $\epsilon(\lVert\mathbf x\rVert/\sigma)^2$. The linear form
# loses only about $\epsilon\lVert\mathbf x\rVert/\sigma$.
#
# A tight cluster ($\sigma = 10^{-3}$) centred at $(1000, -2000)$ makes the difference
# visible. We compare both forms with SciPy's `multivariate_normal.logpdf`, which
# subtracts the mean first.

# %%
mu_far = np.array([1000.0, -2000.0])
sigma = 1e-3
cov_tight = sigma**2 * np.array([[1.0, 0.5], [0.5, 1.0]])
L_tight = np.linalg.cholesky(cov_tight)
X_tight = mu_far + rng.standard_normal((1000, 2)) @ L_tight.T

reference = multivariate_normal(mu_far, cov_tight).logpdf(X_tight)
U_tight = gfs.precision_cholesky(cov_tight)[None]  # (K=1, d, d)
# The E-step's own log-density (full covariance: centred rows, then the linear form).
package = gfs.estimate_log_gaussian_prob(X_tight, mu_far[None], U_tight, "full")[:, 0]

# DEMONSTRATION OF WHAT NOT TO DO: the expanded quadratic form, written inline.
Lam = np.linalg.inv(cov_tight)
maha_expanded = (np.einsum("ni,ij,nj->n", X_tight, Lam, X_tight)
                 - 2.0 * X_tight @ Lam @ mu_far + mu_far @ Lam @ mu_far)
expanded = -0.5 * (2 * np.log(2 * np.pi) + np.linalg.slogdet(cov_tight)[1] + maha_expanded)

err_package = np.abs(package - reference).max()
err_expanded = np.abs(expanded - reference).max()
print(f"size of each expanded term ~ (|x|/σ)² = {(np.linalg.norm(mu_far) / sigma) ** 2:.2e}")
print(f"package (centred, linear) vs scipy: max error < 1e-9: {err_package < 1e-9}")
print(f"expanded form (don't) vs scipy:     max error > 1e-5: {err_expanded > 1e-5}")
assert err_package < 1e-9 and err_expanded > 1e-5

# %% tags=["nbval-ignore-output"]
# The exact digits of rounding errors depend on the machine's arithmetic: not checked.
print(f"max |error| of the package:       {err_package:.1e} nats")
print(f"max |error| of the expanded form: {err_expanded:.1e} nats")
# The text below: wrong in the third or fourth decimal
assert 1e-5 < err_expanded < 1e-2

# %% [markdown]
# The expanded form is wrong in the third or fourth decimal of a log-density, for a data
# set that is not exotic at all (think of GPS coordinates in metres with centimetre-scale
# clusters). The error grows with the *square* of the distance-to-width ratio, so shifting
# the data further makes it worse, and EM feeds these log-densities straight into the
# responsibilities. scikit-learn's diagonal and spherical covariance paths use the expanded
# form as it stands.
#
# What `gmm_from_scratch` does (see the docstring of `gmm_from_scratch/em.py`) is more
# careful than either formula alone:
#
# - it first **centres** every row at a point $\mathbf c$ near the data (the mean of the
#   mixture's means), so the $\lVert\mathbf x\rVert$ in both error estimates becomes
#   $\lVert\mathbf x-\mathbf c\rVert$, the distance from the data rather than from the origin;
# - for **full** covariances it then uses the linear form
#   $(\mathbf x-\mathbf c)\mathbf U-(\boldsymbol\mu-\mathbf c)\mathbf U$;
# - for **tied, diag and spherical** covariances it uses the *expanded* form, because it turns
#   the work into a few large matrix products, but it bounds the rounding error of every
#   entry and recomputes directly the few entries whose bound is not small compared with the
#   distance itself.
#
# {numref}`fig-ch07-expanded-error` shows how the errors grow as the cluster moves away
# from the origin. The
# package's line is flat because of the centring: the linear form on its own, applied to the
# raw coordinates, loses $\epsilon\lVert\mathbf x\rVert/\sigma$, a few $10^{-9}$ nats at
# $\lVert\boldsymbol\mu\rVert=10^4$, just as predicted.

# %% mystnb={"figure": {"caption": "Largest error of the log-density, against SciPy, for a tight cluster (\u03c3 = 0.001) moved away from the origin: the package (rows centred first), the linear form on raw coordinates, and the expanded quadratic form, with the expanded form's predicted error \u03b5(|\u03bc|/\u03c3)\u00b2. Both axes are logarithmic.", "name": "fig-ch07-expanded-error"}, "image": {"alt": "Log-log plot of log-density error against the cluster's distance from the origin, from 1 to 10,000. The expanded form's error rises steeply along the dashed prediction to about 0.05 nats; the uncentred linear form rises slowly to a few 1e-9 nats; the package's line stays flat at the bottom."}}
offsets = np.logspace(0, 4, 9)
errors = {"package (centred)": [], "linear form, not centred": [], "expanded form (don't)": []}
U_raw = U_tight[0]
z = rng.standard_normal((500, 2)) @ L_tight.T
for offset in offsets:
    mu_o = offset * np.array([1.0, -2.0]) / np.sqrt(5.0)  # |mu_o| = offset
    X_o = mu_o + z
    ref_o = multivariate_normal(mu_o, cov_tight).logpdf(X_o)
    maha_o = (np.einsum("ni,ij,nj->n", X_o, Lam, X_o) - 2.0 * X_o @ Lam @ mu_o
              + mu_o @ Lam @ mu_o)
    exp_o = -0.5 * (2 * np.log(2 * np.pi) + np.linalg.slogdet(cov_tight)[1] + maha_o)
    # the linear form on the raw coordinates, written inline for comparison: x U - mu U
    lin_o = -0.5 * (2 * np.log(2 * np.pi) + np.linalg.slogdet(cov_tight)[1]
                    + np.sum((X_o @ U_raw - mu_o @ U_raw) ** 2, axis=1))
    pkg_o = gfs.estimate_log_gaussian_prob(X_o, mu_o[None], U_tight, "full")[:, 0]
    errors["package (centred)"].append(np.abs(pkg_o - ref_o).max())
    errors["linear form, not centred"].append(np.abs(lin_o - ref_o).max())
    errors["expanded form (don't)"].append(np.abs(exp_o - ref_o).max())

fig, ax = plt.subplots()
floor = 1e-16  # plot exact agreement (error 0) at the bottom of the log scale
for (label, errs), marker in zip(errors.items(), ["o", "s", "^"], strict=True):
    ax.loglog(offsets, np.maximum(errs, floor), marker=marker, label=label)
ax.loglog(offsets, np.finfo(float).eps * (offsets / sigma) ** 2, color="0.5", linestyle="--",
          label="ε (|μ|/σ)², predicted for the expanded form")
ax.set_xlabel("distance of the cluster centre from the origin, |μ|")
ax.set_ylabel("max |log-density error| vs SciPy (nats)")
ax.set_title("A tight cluster (σ = 0.001) far from the origin")
ax.legend(loc="upper left", fontsize=9)
plt.show()
# The sentences above, checked: the package stays flat, the uncentred linear form loses a few
# 1e-9 nats at |mu| = 1e4 (about eps |x| / sigma), the expanded form far more.
err = {k: np.array(v) for k, v in errors.items()}
print(f"at |μ| = 1e4: uncentred linear form loses more than 1e-9 nats: "
      f"{err['linear form, not centred'][-1] > 1e-9}; package below 1e-10: "
      f"{err['package (centred)'].max() < 1e-10}")
assert err["package (centred)"].max() < 1e-10
assert 1e-9 < err["linear form, not centred"][-1] < 1e-7
assert err["expanded form (don't)"][-1] > 1e3 * err["linear form, not centred"][-1]

# %% [markdown]
# ## One table
#
# Every row below was computed in this notebook: the naive formula on the left, the
# package's formulation on the right.

# %%
i_far = 1  # the point (45, 0)
with np.errstate(divide="ignore", over="ignore", under="ignore"):
    naive_logdet = [np.log(np.linalg.det(s * base)) for s in (1e-2, 1.0, 1e2)]
# The determinant itself: 0.0 (log -inf) for the small scale, inf for the large one
assert np.isneginf(naive_logdet[0]) and np.isfinite(naive_logdet[1])
assert np.isposinf(naive_logdet[2])
summary = pd.DataFrame(
    [
        ["responsibilities of a far point", "exp, then divide", f"{naive_resp[i_far, 0]}",
         "log-responsibilities (7.2)", f"γ₂ = {resp[i_far, 1]:.4f}"],
        ["log-likelihood of a far point", "log Σ exp", f"{naive_log_p[i_far]}",
         "log-sum-exp (7.1)", f"{log_p[i_far]:.6g}"],
        ["log|Σ|, d = 400, Σ small", "np.log(np.linalg.det)", f"{naive_logdet[0]}",
         "Cholesky diagonal (7.3)", logdet_table.iloc[0, 0]],
        ["log|Σ|, d = 400, Σ large", "np.log(np.linalg.det)", f"{naive_logdet[2]}",
         "Cholesky diagonal (7.3)", logdet_table.iloc[2, 0]],
        ["30 duplicated points", "reg_covar = 0", "DegenerateCovarianceError",
         "reg_covar = 1e-6 (7.4)", f"fits, Σ = {gmm_dup.reg_covar:g}·I"],
        ["tight cluster far from 0", "expanded quadratic form", "error > 1e-5 nats",
         "centred rows (full: linear form)", "error < 1e-9 nats"],
    ],
    columns=["problem", "naive", "naive result", "package", "package result"],
).set_index("problem")
summary

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: ex-ch07-softmax
#
# The log-sum-exp trick factors out the **maximum**. Would any other constant do? Show that
# {eq}`eq-ch07-logsumexp` holds for every real $c$ in place of $m_n$, then explain what can
# go wrong with $c = 0$ and with $c = \min_k a_{nk}$, using the row "very negative" and
# "very positive" of the check cell.
# ```
#
# ```{solution} ex-ch07-softmax
# :class: dropdown
#
# $\log\sum_k e^{a_k} = \log\bigl(e^{c}\sum_k e^{a_k-c}\bigr) = c + \log\sum_k e^{a_k-c}$
# for every real $c$, so the identity is exact for any $c$. Numerically, $c = 0$ is the
# naive formula: for $a = (-1000, -1000.5, -1001)$ every $e^{a_k}$ underflows and we get
# $\log 0 = -\infty$; for $a = (1000, \dots)$ they overflow to $\infty$. With
# $c = \min_k a_k$ the exponents are $\ge 0$; underflow to $\log 0$ cannot happen, but a
# large spread (say $a = (0, 800)$) overflows $e^{800}$. Only $c = \max_k a_k$ guarantees
# exponents in $(-\infty, 0]$ with one of them equal to $0$, hence a sum in $[1, K]$.
# ```
#
# ```{exercise}
# :label: ex-ch07-logdet-diag
#
# For `covariance_type="diag"` the package stores $1/\sigma_{ki}$ as the "precision
# Cholesky factor". Write down {eq}`eq-ch07-logdet` for that case, and check it with
# `log_det_precision_cholesky(1 / np.sqrt(variances), "diag", d)` for a random positive
# vector `variances` of length 1000 with entries between 0.001 and 0.01, against
# `np.sum(np.log(variances))`. What does `np.prod(variances)` return?
# ```
#
# ````{solution} ex-ch07-logdet-diag
# :class: dropdown
#
# A diagonal $\mathbf U$ with entries $1/\sigma_i$ gives $\log\lvert\boldsymbol\Sigma\rvert =
# -2\sum_i\log(1/\sigma_i) = \sum_i \log\sigma_i^2$.
#
# ```python
# v = np.random.default_rng(1).uniform(1e-3, 1e-2, size=(1, 1000))
# ours = -2 * log_det_precision_cholesky(1 / np.sqrt(v), "diag", 1000)[0]
# print(np.isclose(ours, np.sum(np.log(v))), np.prod(v))  # True 0.0
# ```
#
# The product of 1000 numbers below 0.01 is below $10^{-2000}$ and underflows to `0.0`; the
# sum of logarithms (about $-5300$) is unremarkable.
# ````
#
# ```{exercise}
# :label: ex-ch07-reg
#
# Refit the duplicated-points data with `reg_covar=1e-3` and with `reg_covar=1e-1`. How do
# the duplicate component's covariance and its log-density at a duplicate change? Why does
# the mean log-likelihood of the whole fit (`score`) *decrease* as `reg_covar` grows?
# ```
#
# ````{solution} ex-ch07-reg
# :class: dropdown
#
# ```python
# for eps in (1e-6, 1e-3, 1e-1):
#     g = gfs.GaussianMixture(2, reg_covar=eps, random_state=0).fit(X_dup)
#     k = np.argmin(g.weights_)
#     print(eps, g.covariances_[k].diagonal(), round(g.score(X_dup), 4))
# ```
#
# The duplicate component's covariance is $\varepsilon\mathbf I$, so its log-density at a
# duplicate, $-\log 2\pi - \log\varepsilon$, falls from about $12$ to $5.1$ to $0.5$ as
# $\varepsilon$ grows. `reg_covar` moves the covariance away from the maximum-likelihood
# value (which would be $\mathbf 0$, with infinite likelihood), so a larger $\varepsilon$
# always costs likelihood on the training data. It trades likelihood for a well-posed,
# finite problem; chapter 11 discusses how to choose it.
# ````

# %% tags=["remove-cell"]
# The numbers in the solutions above, checked (hidden from the page, run by nbval).
v = np.random.default_rng(1).uniform(1e-3, 1e-2, size=(1, 1000))
ours_v = -2 * log_det_precision_cholesky(1 / np.sqrt(v), "diag", 1000)[0]
assert np.isclose(ours_v, np.sum(np.log(v))) and np.prod(v) == 0.0
assert -5500 < ours_v < -5100  # "about -5300"
scores, dup_log_dens = [], []
for eps in (1e-6, 1e-3, 1e-1):
    g = gfs.GaussianMixture(2, reg_covar=eps, random_state=0).fit(X_dup)
    k = np.argmin(g.weights_)
    assert np.allclose(g.covariances_[k], eps * np.eye(2), rtol=1e-6, atol=1e-12)
    scores.append(g.score(X_dup))
    dup_log_dens.append(gfs.estimate_log_gaussian_prob(X_dup[-1:], g.means_,
                                                       g.precisions_cholesky_, "full")[0, k])
assert [round(v_, 1) for v_ in dup_log_dens] == [12.0, 5.1, 0.5]
assert scores[0] > scores[1] > scores[2]  # score decreases as reg_covar grows

# %% [markdown]
# ## Summary
#
# - Densities of far-away points, and of typical points in high dimension, underflow to
#   zero; naive responsibilities become $0/0$ = `NaN` and log-likelihoods $-\infty$.
# - The log-sum-exp trick {eq}`eq-ch07-logsumexp` computes $\log\sum_k e^{a_k}$ exactly and
#   safely by factoring out the maximum; log-responsibilities {eq}`eq-ch07-logresp` are then
#   a subtraction. The package stays in log space until the final, harmless exponential.
# - Log-determinants come from the Cholesky diagonal {eq}`eq-ch07-logdet`; the determinant
#   itself under- or overflows already at $d = 400$.
# - `reg_covar` {eq}`eq-ch07-reg` keeps every covariance positive definite when a component
#   collapses onto duplicated points; without it the package raises
#   `DegenerateCovarianceError` with a message that says what to do.
# - The linear form $\lVert(\mathbf x-\boldsymbol\mu)^\top\mathbf U\rVert^2$ is accurate
#   for tight clusters far from the origin; the expanded quadratic form loses digits in
#   proportion to $(\lVert\mathbf x\rVert/\sigma)^2$ and should not be used.
