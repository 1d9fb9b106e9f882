# %% [markdown]
# # Why EM works
#
# :::{admonition} Learning goals
# :class: tip
#
# After this chapter you can
#
# - state Jensen's inequality for a concave function and draw the picture behind it;
# - derive the evidence lower bound (ELBO) $\mathcal L(q, \boldsymbol\theta)$ and the exact
#   decomposition $\log p(\mathbf X\mid\boldsymbol\theta) = \mathcal L(q,\boldsymbol\theta) +
#   \mathrm{KL}(q \,\Vert\, p(\mathbf Z\mid\mathbf X,\boldsymbol\theta))$;
# - explain the E-step as "make the bound touch" and the M-step as "climb the bound";
# - prove that EM never decreases the log-likelihood, and check it on a fit;
# - say what the proof does **not** promise (a global maximum).
# :::
#
# Chapter 5 derived EM by a plausible recipe: replace the unknown indicators by their
# expectations, then maximize. Plausible is not the same as correct. Why should maximizing
# an *expected* complete-data log-likelihood improve the log-likelihood we actually care
# about? This chapter answers with one inequality and one identity, following
# {cite}`dempster1977` and {cite}`bishop2006` (section 9.4). The answer also explains the
# curve of chapter 5, which only ever went up.

# %%
import matplotlib.pyplot as plt
import numpy as np

import gmm_from_scratch as gfs
from gmm_from_scratch import GaussianMixture, load_old_faithful
from gmm_from_scratch.covariance import precisions_cholesky_from_covariances
from gmm_from_scratch.plotting import BOOK_COLORS, use_book_style

use_book_style()
np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## Jensen's inequality
#
# A function $f$ is *concave* if every chord lies below its graph. The logarithm is the
# example we need. Take numbers $a_1,\dots,a_K > 0$ and weights $q_k \ge 0$ with
# $\sum_k q_k = 1$. Concavity says that the log of an average is at least the average of the
# logs:
#
# $$
# \log\Bigl(\sum_{k=1}^K q_k\, a_k\Bigr) \;\ge\; \sum_{k=1}^K q_k \log a_k ,
# $$ (eq-ch06-jensen)
#
# with equality exactly when all the $a_k$ with $q_k > 0$ are equal. With two points the
# picture is a chord: the weighted average $q_1 a_1 + q_2 a_2$ lies between $a_1$ and
# $a_2$, the left side of {eq}`eq-ch06-jensen` is the curve above it and the right side is
# the chord ({numref}`fig-ch06-jensen`).

# %% mystnb={"figure": {"caption": "Jensen's inequality for the logarithm with two points, a\u2081 = 0.4 and a\u2082 = 4, and weights q\u2081 = 0.35, q\u2082 = 0.65: the log of the weighted average (circle, on the curve) lies above the weighted average of the logs (square, on the chord).", "name": "fig-ch06-jensen"}, "image": {"alt": "The concave curve log a, a straight chord joining it at a = 0.4 and a = 4, and at the weighted average a vertical dotted gap between a circle on the curve (about 1.01) and a lower square on the chord (about 0.58), labelled gap \u2265 0."}}
a1, a2, q1 = 0.4, 4.0, 0.35
xs = np.linspace(0.15, 5.0, 300)
x_bar = q1 * a1 + (1 - q1) * a2
on_curve, on_chord = np.log(x_bar), q1 * np.log(a1) + (1 - q1) * np.log(a2)

fig, ax = plt.subplots()
ax.plot(xs, np.log(xs), color="k", label="f(a) = log a (concave)")
ax.plot([a1, a2], [np.log(a1), np.log(a2)], color=BOOK_COLORS[0], marker="o",
        label="chord between a₁ and a₂")
ax.plot([x_bar, x_bar], [on_chord, on_curve], color=BOOK_COLORS[1], linestyle=":")
ax.plot(x_bar, on_curve, "o", color=BOOK_COLORS[1], label="log(q₁a₁ + q₂a₂): log of the average")
ax.plot(x_bar, on_chord, "s", color=BOOK_COLORS[2], label="q₁ log a₁ + q₂ log a₂: average of logs")
ax.annotate("gap ≥ 0", xy=(x_bar, 0.5 * (on_chord + on_curve)), xytext=(x_bar + 0.3, 0.0),
            arrowprops={"arrowstyle": "->"})
ax.set_xlabel("a")
ax.set_ylabel("log a")
ax.set_title(f"Jensen's inequality with q₁ = {q1}, q₂ = {1 - q1:.2f}")
ax.legend(loc="lower right")
plt.show()
print(f"log of average = {on_curve:.4f} >= average of logs = {on_chord:.4f}")
assert on_curve >= on_chord

# %% [markdown]
# ## A lower bound on the log-likelihood
#
# Take one data point $\mathbf x_n$ and **any** distribution $q_n$ over the $K$ components
# ($q_{nk} \ge 0$, $\sum_k q_{nk} = 1$, and $q_{nk} > 0$ wherever the joint density is
# positive). Multiply and divide by $q_{nk}$ inside the sum, which changes nothing, and then
# apply {eq}`eq-ch06-jensen` with $a_k = \pi_k \mathcal N(\mathbf x_n \mid
# \boldsymbol\mu_k, \boldsymbol\Sigma_k)/q_{nk}$:
#
# $$
# \begin{aligned}
# \log p(\mathbf x_n\mid\boldsymbol\theta)
# &= \log \sum_{k=1}^K q_{nk}\,\frac{\pi_k\,\mathcal N(\mathbf x_n\mid\boldsymbol\mu_k,
# \boldsymbol\Sigma_k)}{q_{nk}} \\
# &\ge \sum_{k=1}^K q_{nk} \log \frac{\pi_k\,\mathcal N(\mathbf x_n\mid\boldsymbol\mu_k,
# \boldsymbol\Sigma_k)}{q_{nk}} .
# \end{aligned}
# $$
#
# Summing over the points defines the **evidence lower bound** (ELBO), a function of both the
# distribution $q = (q_1, \dots, q_N)$ and the parameters:
#
# $$
# \begin{aligned}
# \mathcal L(q, \boldsymbol\theta) &= \sum_{n=1}^N \sum_{k=1}^K q_{nk}
# \Bigl[\log \pi_k + \log\mathcal N(\mathbf x_n\mid\boldsymbol\mu_k,\boldsymbol\Sigma_k)
# - \log q_{nk}\Bigr] \\
# &\le \log p(\mathbf X\mid\boldsymbol\theta).
# \end{aligned}
# $$ (eq-ch06-elbo)
#
# Look closely at the bracket: the first two terms are the complete-data log-likelihood of
# chapter 5 with $z_{nk}$ replaced by $q_{nk}$, and the last term, $-\sum q\log q$, is the
# entropy of $q$, which does not depend on $\boldsymbol\theta$. So **for fixed $q$,
# maximizing $\mathcal L$ over $\boldsymbol\theta$ is exactly chapter 5's M-step**.
#
# ## How far below? The Kullback–Leibler divergence
#
# The gap in the bound has a name. The joint density of a point and component $k$ factors
# as $\pi_k \mathcal N(\mathbf x_n \mid \boldsymbol\mu_k, \boldsymbol\Sigma_k) =
# p(\mathbf x_n \mid \boldsymbol\theta)\, \gamma(z_{nk})$, where
# $\gamma(z_{nk}) = p(z_{nk} = 1 \mid \mathbf x_n, \boldsymbol\theta)$ is the
# responsibility {eq}`eq-ch05-resp` at the same $\boldsymbol\theta$. Substitute this into {eq}`eq-ch06-elbo` and use $\sum_k q_{nk} = 1$:
#
# $$
# \begin{aligned}
# \mathcal L(q,\boldsymbol\theta) &= \sum_{n}\sum_{k} q_{nk}\Bigl[\log p(\mathbf x_n \mid
# \boldsymbol\theta) + \log \frac{\gamma(z_{nk})}{q_{nk}}\Bigr] \\
# &= \log p(\mathbf X\mid\boldsymbol\theta) - \sum_n \sum_k q_{nk}\log
# \frac{q_{nk}}{\gamma(z_{nk})} .
# \end{aligned}
# $$
#
# The last sum is the Kullback–Leibler divergence of $q$ from the posterior,
#
# $$
# \mathrm{KL}\bigl(q \,\Vert\, p(\mathbf Z\mid\mathbf X,\boldsymbol\theta)\bigr)
# = \sum_{n=1}^N \sum_{k=1}^K q_{nk} \log \frac{q_{nk}}{\gamma(z_{nk})}
# \;\ge\; 0 ,
# $$ (eq-ch06-kl)
#
# which is never negative and is zero only when $q_{nk} = \gamma(z_{nk})$
# for every $n$ and $k$ (see {ref}`ex-ch06-kl`). We have proved an *identity*, not just
# an inequality ({cite}`bishop2006`, eq. 9.70):
#
# $$
# \log p(\mathbf X\mid\boldsymbol\theta) = \mathcal L(q,\boldsymbol\theta)
# + \mathrm{KL}\bigl(q \,\Vert\, p(\mathbf Z\mid\mathbf X,\boldsymbol\theta)\bigr).
# $$ (eq-ch06-decomposition)
#
# ## EM as coordinate ascent on the bound
#
# Read {eq}`eq-ch06-decomposition` twice, once for each EM step.
#
# - **E-step: maximize $\mathcal L$ over $q$, with $\boldsymbol\theta = \boldsymbol\theta^{
#   \text{old}}$ fixed.** The left side does not depend on $q$, so making $\mathcal L$ as
#   large as possible means making the KL term zero: $q_{nk} =
#   \gamma(z_{nk})$ computed at $\boldsymbol\theta^{\text{old}}$, the responsibilities. The bound now
#   **touches** the log-likelihood at $\boldsymbol\theta^{\text{old}}$.
# - **M-step: maximize $\mathcal L$ over $\boldsymbol\theta$, with $q$ fixed.** That is the
#   closed-form update of chapter 5, giving $\boldsymbol\theta^{\text{new}}$.
#
# Now chain the three facts:
#
# $$
# \log p(\mathbf X\mid\boldsymbol\theta^{\text{new}})
# \;\ge\; \mathcal L(q^{\text{old}}, \boldsymbol\theta^{\text{new}})
# \;\ge\; \mathcal L(q^{\text{old}}, \boldsymbol\theta^{\text{old}})
# \;=\; \log p(\mathbf X\mid\boldsymbol\theta^{\text{old}}) .
# $$ (eq-ch06-monotone)
#
# The first inequality is the bound {eq}`eq-ch06-elbo`, valid for every $q$ and
# $\boldsymbol\theta$; the second holds because the M-step maximized $\mathcal L(q^{\text{
# old}}, \cdot)$, so its value at $\boldsymbol\theta^{\text{new}}$ is at least its value
# at any other point, $\boldsymbol\theta^{\text{old}}$ included; the equality is the E-step's
# touching. **The log-likelihood can never decrease.** Notice that the argument only used
# "at least as large", so any M-step that merely *increases* $\mathcal L$ keeps the
# guarantee; such variants are called generalized EM.

# %% [markdown]
# ## The picture: a bound that touches
#
# To see {eq}`eq-ch06-monotone` we need a parameter we can put on one axis. Take 250 points
# from a two-component mixture in one dimension, freeze everything except the first
# component's mean $\mu_1$, and start it at a poor value, $\mu_1 = 0.5$. We evaluate, on a
# grid of $\mu_1$ values,
#
# - the log-likelihood $\log p(\mathbf X\mid\mu_1)$, from the package's `e_step`, and
# - the bound $\mathcal L(q, \mu_1)$ of {eq}`eq-ch06-elbo`, with $q$ **fixed** at the
#   responsibilities of the current $\mu_1$, and the log-densities from the package's
#   `estimate_log_gaussian_prob`.
#
# Both are divided by $N$ (nats per point), the scale `GaussianMixture` reports.

# %%
rng = np.random.default_rng(0)
x = np.concatenate([rng.normal(-2.0, 0.8, 150), rng.normal(1.5, 1.0, 100)])
X1 = x[:, None]  # the package expects (n_samples, n_features)
weights = np.array([0.5, 0.5])
sigmas = np.array([1.0, 1.0])
prec_chol = 1.0 / sigmas  # 'spherical' parametrization: 1 / sigma per component
mu_2 = 2.0  # the second mean stays fixed


def means_with(mu_1):
    return np.array([[mu_1], [mu_2]])


def log_likelihood(mu_1):
    """Mean log-likelihood log p(X | mu_1) / N from the package's E-step."""
    log_prob_norm, _ = gfs.e_step(X1, weights, means_with(mu_1), prec_chol, "spherical")
    return log_prob_norm.mean()


def elbo(q, mu_1):
    """L(q, mu_1) / N, eq. (6.2), with the package's log-densities."""
    log_joint = (gfs.estimate_log_gaussian_prob(X1, means_with(mu_1), prec_chol, "spherical")
                 + np.log(weights))
    return np.sum(q * (log_joint - np.log(q))) / len(X1)


grid = np.linspace(-5.0, 6.0, 441)
ll_curve = np.array([log_likelihood(m) for m in grid])

# Two EM steps on mu_1 alone: E-step (q), then M-step (the maximizer of the bound).
steps = []
mu_1 = 0.5
for _ in range(2):
    q = gfs.responsibilities(X1, weights, means_with(mu_1), prec_chol, "spherical")
    bound = np.array([elbo(q, m) for m in grid])
    mu_1_new = float(q[:, 0] @ x / q[:, 0].sum())  # eq. (5.6) for mu_1
    steps.append((mu_1, q, bound, mu_1_new))
    mu_1 = mu_1_new

for t, (m_old, _q, _bound, m_new) in enumerate(steps):
    print(f"step {t + 1}: mu_1 {m_old:+.4f} -> {m_new:+.4f};  "
          f"log p/N {log_likelihood(m_old):.4f} -> {log_likelihood(m_new):.4f}")
    assert log_likelihood(m_new) > log_likelihood(m_old)  # each EM step climbs

# %% mystnb={"figure": {"caption": "Two EM steps on the mean \u03bc\u2081 of component 1 alone (250 one-dimensional points, everything else fixed). Black: the log-likelihood per point. Dashed: the lower bound built by each E-step, with q fixed at the responsibilities of the current \u03bc\u2081; circles mark where the bound touches, triangles its maximum, where the M-step moves \u03bc\u2081.", "name": "fig-ch06-bound"}, "image": {"alt": "A black log-likelihood curve with one peak near \u03bc\u2081 = \u22121.8 that flattens into a plateau to the right. A blue dashed parabola touches it at \u03bc\u2081 = 0.5 and peaks at \u22121.30; an orange dashed parabola touches at \u22121.30 and peaks near \u22121.73, closer to the top of the black curve. Both parabolas lie below the black curve everywhere."}}
fig, ax = plt.subplots(figsize=(6.4, 5.4))
ax.plot(grid, ll_curve, color="k", linewidth=2.5, label=r"$\log p(\mathbf{X} \mid \mu_1)\,/\,N$")
for t, (m_old, q, bound, m_new) in enumerate(steps):
    c = BOOK_COLORS[t]
    ax.plot(grid, bound, color=c, linestyle="--",
            label=rf"bound $\mathcal{{L}}(q, \mu_1)\,/\,N$, $q$ fixed at $\mu_1$ = {m_old:.2f}")
    ax.plot(m_old, log_likelihood(m_old), "o", color=c, markersize=8)
    ax.plot(m_new, elbo(q, m_new), "^", color=c, markersize=9)
    ax.axvline(m_new, color=c, linewidth=1, linestyle=":")
ax.plot([], [], "o", color="0.3", label="touching point (E-step)")
ax.plot([], [], "^", color="0.3", label="maximum of the bound (M-step)")
ax.set_ylim(-7.5, -1.5)
ax.set_xlabel("mean of component 1, μ₁")
ax.set_ylabel("nats per point")
ax.set_title("Each E-step builds a bound that touches; each M-step climbs it")
fig.legend(loc="outside lower center", ncols=2, fontsize=8)
plt.show()

# %% [markdown]
# In {numref}`fig-ch06-bound`, the black curve is the log-likelihood as a function of
# $\mu_1$. The blue dashed curve is
# the bound built by the first E-step at $\mu_1 = 0.5$: it lies below the black curve
# everywhere and touches it exactly at $0.5$ (the circle). The M-step jumps to the top of the
# blue curve (the triangle). Because the black curve lies above the blue one, it is higher
# there too, and higher than at the start. The next E-step builds the orange bound, which
# touches at the new point, and the climb continues. Each bound is a simple concave
# parabola in $\mu_1$, easy to maximize, while the log-likelihood itself is not: it has one
# peak, near the left cluster, but to the right of the data it flattens into a plateau,
# where component 1 is so far from every point that moving it further hardly matters (all
# the points are explained by component 2 alone). No parabola flattens out; the cell below
# checks both shapes.

# %%
# The shapes described above: every bound has a constant second difference (a parabola);
# the log-likelihood's second difference changes sign (it is concave near its peak and
# convex where it bends into the plateau), and it is nearly flat to the right of the data.
h = grid[1] - grid[0]
for _m_old, _q, bound_t, _m_new in steps:
    assert np.allclose(np.diff(bound_t, 2), np.diff(bound_t, 2)[0], rtol=1e-6, atol=1e-12)
curv = np.diff(ll_curve, 2) / h**2
right = grid >= 4.5
plateau = ll_curve[right].max() - ll_curve[right].min()
bound_drop = steps[0][2][right].max() - steps[0][2][right].min()
print(f"log-likelihood: curvature from {curv.min():.2f} to {curv.max():.2f} per unit²; "
      f"it varies by {plateau:.3f} nats/point over μ₁ in [4.5, 6], the first bound by "
      f"{bound_drop:.2f}")
assert curv.min() < 0 < curv.max()
assert plateau < 0.05 and bound_drop > 1.0
# one peak, near the left cluster (centred at -2): a single local maximum on the grid, at mu_1 < 0
peaks = np.flatnonzero((ll_curve[1:-1] > ll_curve[:-2]) & (ll_curve[1:-1] > ll_curve[2:])) + 1
assert peaks.size == 1 and -2.5 < grid[peaks[0]] < -1.0

# %% [markdown]
# The identity {eq}`eq-ch06-decomposition` also fits in three bars ({numref}`fig-ch06-bars`;
# compare {cite}`bishop2006`, figures 9.11–9.13), here with the numbers of the first step above. The height of each bar
# is $\log p(\mathbf X\mid\boldsymbol\theta)/N$, split into the bound $\mathcal L$ and the
# gap $\mathrm{KL}$. On the left, $q$ is some other distribution (every point shared equally
# between the components) and the gap is wide. The E-step sets $q$ to the responsibilities:
# the gap closes and $\mathcal L$ rises to the log-likelihood. The M-step raises
# $\mathcal L$ by changing $\boldsymbol\theta$; the log-likelihood rises at least as much,
# because a new gap opens on top.

# %% mystnb={"figure": {"caption": "The decomposition log p = L + KL (per point) at three moments of the first EM step of the one-dimensional example: with q sharing every point equally, after the E-step (q = the responsibilities), and after the M-step. Blue: the bound L; orange, hatched: the gap KL; black line and number: the log-likelihood.", "name": "fig-ch06-bars"}, "image": {"alt": "Three stacked bars. Left: a blue bound with a tall orange KL gap on top, total \u22123.55. Middle: same total \u22123.55, no orange gap, the bound reaches the log-likelihood. Right: a taller blue bound and a thin new orange gap, total \u22122.06."}}
m_old, q_old, _bound, m_new = steps[0]
q_equal = np.full_like(q_old, 0.5)
bars = [  # (label, L, log p); KL = log p - L
    (f"any q (here ½, ½),\nμ₁ = {m_old:.2f}", elbo(q_equal, m_old), log_likelihood(m_old)),
    (f"after the E-step,\nμ₁ = {m_old:.2f}", elbo(q_old, m_old), log_likelihood(m_old)),
    (f"after the M-step,\nμ₁ = {m_new:.2f}", elbo(q_old, m_new), log_likelihood(m_new)),
]
base = -5.0  # the bars start here (all three quantities are negative, in nats per point)
fig, ax = plt.subplots(figsize=(6.4, 4.4))
for i, (_label, L_value, log_p_value) in enumerate(bars):
    ax.bar(i, L_value - base, bottom=base, width=0.55, color=BOOK_COLORS[0],
           label=r"$\mathcal{L}(q, \theta)\,/\,N$" if i == 0 else None)
    ax.bar(i, log_p_value - L_value, bottom=L_value, width=0.55, color=BOOK_COLORS[1], hatch="//",
           label=r"$\mathrm{KL}(q \,\|\, p(\mathbf{Z} \mid \mathbf{X}, \theta))\,/\,N$"
           if i == 0 else None)
    ax.hlines(log_p_value, i - 0.4, i + 0.4, color="black", linewidth=2,
              label=r"$\log p(\mathbf{X} \mid \theta)\,/\,N$" if i == 0 else None)
    ax.text(i, log_p_value + 0.05, f"{log_p_value:.2f}", ha="center", va="bottom", fontsize=9)
ax.set_xticks(range(3), [b[0] for b in bars], fontsize=9)
ax.set_ylim(base, -1.5)
ax.set_xlabel("the distribution q and the parameter μ₁ at three moments of EM")
ax.set_ylabel("nats per point")
ax.set_title("log p = L + KL: the E-step closes the gap, the M-step lifts the bar")
ax.legend(loc="upper left", fontsize=9)
plt.show()
# The picture's claims: a wide gap for the equal q, none after the E-step, and after the
# M-step a higher L and an even higher log-likelihood, with a new gap.
(_, L_a, p_a), (_, L_b, p_b), (_, L_c, p_c) = bars
assert p_a - L_a > 0.5 and abs(p_b - L_b) < 1e-12
assert L_c > L_b and p_c - L_c > 0 and p_c > L_c > p_b

# %% [markdown]
# ## Check: the bound, the gap and the M-step
#
# Three claims of the derivation can be checked numerically from these package quantities:
# the bound touches at the current parameters and lies below elsewhere
# ({eq}`eq-ch06-elbo`); the gap is exactly the KL divergence {eq}`eq-ch06-kl`, computed
# from the responsibilities at each grid point; and the grid maximizer of the bound is the
# M-step's closed form.

# %%
# CHECK CELL: eqs. (6.2)-(6.4) on the grid, for the first bound (q fixed at mu_1 = 0.5).
m_old, q, bound, m_new = steps[0]
touch = abs(elbo(q, m_old) - log_likelihood(m_old))
print(f"|L(q, mu_old) - log p(mu_old)| / N < 1e-12: {touch < 1e-12}")
below = np.all(bound <= ll_curve + 1e-12)
print(f"bound <= log-likelihood on all {grid.size} grid points: {below}")

posteriors = [gfs.responsibilities(X1, weights, means_with(m), prec_chol, "spherical")
              for m in grid]
kl = np.array([np.sum(q * (np.log(q) - np.log(p))) / len(x) for p in posteriors])
gap_is_kl = np.allclose(ll_curve - bound, kl, rtol=1e-9, atol=1e-12)
print(f"log p - L equals KL(q || posterior) on the grid (6.4): {gap_is_kl};"
      f" largest KL on the grid {kl.max():.3f} nats/point")

grid_argmax = grid[np.argmax(bound)]
print(f"grid maximizer of the bound {grid_argmax:.3f} vs M-step (5.6) {m_new:.3f}"
      f" (grid spacing {grid[1] - grid[0]:.3f})")
assert touch < 1e-12 and below and gap_is_kl
assert abs(grid_argmax - m_new) <= grid[1] - grid[0]

# %% [markdown]
# ## The sandwich at every iteration of a real fit
#
# The one-parameter picture was a toy. In a real fit, all parameters move together, and
# {eq}`eq-ch06-monotone` must hold at every iteration. We can verify each link of the
# chain on the Old Faithful run of chapter 5, using the recorded history: $q^{\text{old}}$
# is `responsibilities[t]`, $\boldsymbol\theta^{\text{old}}$ and $\boldsymbol\theta^{\text{
# new}}$ are the parameters at indices $t$ and $t+1$.

# %%
X = load_old_faithful(standardize_columns=True)
gmm = GaussianMixture(
    2, weights_init=[0.5, 0.5], means_init=[[-1.8, 1.5], [1.8, -1.5]],
    precisions_init=np.array([np.eye(2), np.eye(2)]), tol=1e-6, max_iter=200,
    record_history=True,
).fit(X)
h = gmm.history_


def elbo_full(q, weights, means, covariances):
    """L(q, theta) / N for a full-covariance mixture, eq. (6.2)."""
    prec_chol = precisions_cholesky_from_covariances(covariances, "full")
    log_joint = gfs.estimate_log_gaussian_prob(X, means, prec_chol, "full") + np.log(weights)
    pos = q > 0  # a zero responsibility contributes 0 * log 0 = 0
    return np.sum(q[pos] * (log_joint[pos] - np.log(q[pos]))) / len(X)


def loglik_full(weights, means, covariances):
    prec_chol = precisions_cholesky_from_covariances(covariances, "full")
    return gfs.e_step(X, weights, means, prec_chol, "full")[0].mean()


tol = 1e-12
print(" t   log p(θ_t)   L(q_t, θ_t)  L(q_t, θ_t+1)  log p(θ_t+1)")
for t in range(h.n_iter):
    q = h.responsibilities[t]
    old = (h.weights[t], h.means[t], h.covariances[t])
    new = (h.weights[t + 1], h.means[t + 1], h.covariances[t + 1])
    ll_old, L_old, L_new, ll_new = (loglik_full(*old), elbo_full(q, *old),
                                    elbo_full(q, *new), loglik_full(*new))
    assert abs(L_old - ll_old) < tol and L_old <= L_new + tol and L_new <= ll_new + tol
    if t in (0, 1, 5, 10, h.n_iter - 1):
        print(f"{t:2d}  {ll_old:10.5f}  {L_old:11.5f}  {L_new:13.5f}  {ll_new:11.5f}")
print(f"all {h.n_iter} iterations satisfy "
      "log p(θ_t) = L(q_t, θ_t) <= L(q_t, θ_t+1) <= log p(θ_t+1)")

# %% [markdown]
# ## Watching the bound rise
#
# `GaussianMixture` records, at every iteration, the mean log-likelihood computed during the
# E-step, in `lower_bounds_` (the name comes from scikit-learn). Right after an E-step the
# bound touches, so this number is both $\mathcal L/N$ and $\log p(\mathbf X \mid
# \boldsymbol\theta)/N$. By {eq}`eq-ch06-monotone` the sequence can never go down: we
# *assert* that for six fits with three components from random starts.

# %% mystnb={"figure": {"caption": "lower_bounds_ (mean log-likelihood after each E-step) of six fits of K = 3 components to Old Faithful from random starts (seeds 0\u20135), against the iteration on a logarithmic axis. Bottom: the end of the same curves, enlarged.", "name": "fig-ch06-lower-bounds"}, "image": {"alt": "Top: six curves stay near \u22122.0 for 10 to 30 iterations, then rise steeply to about \u22121.38; none ever goes down. Bottom, enlarged: three seeds end at \u22121.3781 and three at \u22121.3765, a few of them after a long slow stretch."}}
fig, (ax, ax_zoom) = plt.subplots(2, 1, figsize=(6.4, 8.2))
finals = []
for seed in range(6):
    fit = GaussianMixture(3, init_params="random", random_state=seed, tol=1e-8,
                          max_iter=1000).fit(X)
    lb = np.array(fit.lower_bounds_)
    assert np.all(np.diff(lb) >= -1e-12), f"seed {seed}: the bound decreased"
    finals.append(lb[-1])
    for a in (ax, ax_zoom):
        # dashes let fits that end on the same curve show through one another
        a.plot(np.arange(1, lb.size + 1), lb, linestyle=("-", "--", ":")[seed % 3],
               label=f"seed {seed}: final {lb[-1]:.4f}")
for a in (ax, ax_zoom):
    a.set_xscale("log")
    a.set_xlabel("iteration (log scale)")
    a.set_ylabel("mean log-likelihood (nats)")
ax.set_title("Old Faithful, K = 3, random starts: lower_bounds_ of each fit")
ax_zoom.set_ylim(-1.386, -1.375)
ax_zoom.set_xlim(20, None)
ax_zoom.xaxis.set_major_formatter(plt.ScalarFormatter())
ax_zoom.xaxis.set_minor_formatter(plt.NullFormatter())
ax_zoom.set_xticks([20, 30, 50, 100, 200])
ax_zoom.set_title("Zoom on the end: two different final values")
ax_zoom.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=2)  # below: hides no curve
plt.show()
print("every lower_bounds_ sequence is non-decreasing (np.diff >= -1e-12): True")
print("distinct final values:", sorted({round(float(f), 4) for f in finals}))
# The text below: some seeds end at -1.3781, the others at -1.3765
assert sorted({round(float(f), 4) for f in finals}) == [-1.3781, -1.3765]

# %% [markdown]
# Every curve in {numref}`fig-ch06-lower-bounds` rises, as promised. But the curves do not all end at the same height: some
# seeds stop at a mean log-likelihood of about $-1.3781$ and others at $-1.3765$. The proof
# guarantees that EM climbs; it does not say *which* hill. EM converges to a stationary
# point of the likelihood (usually a local maximum) that depends on the start
# {cite}`bishop2006`, which is why one runs several initializations (`n_init`) and keeps
# the run with the **highest** final log-likelihood. Chapter 8 returns to this.
#
# :::{admonition} A practical corollary: a decrease is a bug
# :class: warning
# Because the guarantee is a theorem, a log-likelihood that goes *down* between two EM
# iterations is not a local optimum or bad luck: it means the E-step, the M-step or the
# likelihood computation is wrong (or has lost precision, chapter 7). Monitoring the
# log-likelihood is therefore a cheap and powerful test, and the package's test suite uses
# it. The only honest exception is rounding: differences of order $10^{-15}$ near
# convergence, which is why the assertion above allows $-10^{-12}$.
# :::

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: ex-ch06-kl
#
# Use Jensen's inequality {eq}`eq-ch06-jensen` to prove that the KL divergence
# $\sum_k q_k \log(q_k/p_k)$ between two distributions on $K$ outcomes is non-negative, and
# that it is zero only when $q = p$.
# ```
#
# ```{solution} ex-ch06-kl
# :class: dropdown
#
# Sum over the outcomes with $q_k > 0$ and apply {eq}`eq-ch06-jensen` with weights $q_k$ and
# $a_k = p_k / q_k$:
# $-\mathrm{KL} = \sum_k q_k \log(p_k/q_k) \le \log \sum_k q_k (p_k/q_k) = \log \sum_{k: q_k>0}
# p_k \le \log 1 = 0$. Equality in Jensen requires all $a_k$ equal, i.e. $p_k = c\,q_k$, and
# equality in the last step requires $\sum_{k:q_k>0} p_k = 1$, so $c = 1$ and $p = q$.
# ```
#
# ```{exercise}
# :label: ex-ch06-gap
#
# In the Old Faithful run above, the gap after the M-step,
# $\log p(\mathbf X\mid\boldsymbol\theta_{t+1}) - \mathcal L(q_t, \boldsymbol\theta_{t+1})$,
# is positive. By {eq}`eq-ch06-decomposition` it equals a KL divergence between two sets of
# responsibilities that `history_` has recorded. Which two? Verify the identity numerically
# for $t = 5$ using `elbo_full`, `loglik_full` and `h.responsibilities`.
# ```
#
# ````{solution} ex-ch06-gap
# :class: dropdown
#
# The bound was built with $q = q_t$ = `h.responsibilities[t]`, and is evaluated at
# $\boldsymbol\theta_{t+1}$, whose posterior is the next E-step's responsibilities,
# `h.responsibilities[t + 1]`. So the gap is $\mathrm{KL}(q_t \Vert q_{t+1})$:
#
# ```python
# t = 5
# new = (h.weights[t + 1], h.means[t + 1], h.covariances[t + 1])
# gap = loglik_full(*new) - elbo_full(h.responsibilities[t], *new)
# q_t, q_next = h.responsibilities[t], h.responsibilities[t + 1]
# kl = np.sum(q_t * (np.log(q_t) - np.log(q_next))) / len(X)
# print(f"{gap:.6f} {kl:.6f}", np.isclose(gap, kl))  # 0.043385 0.043385 True
# ```
#
# The gap is the amount by which the next E-step lifts the bound back to the
# log-likelihood. It shrinks to zero as EM converges.
# ````
#
# ```{exercise}
# :label: ex-ch06-generalized
#
# The monotonicity argument {eq}`eq-ch06-monotone` needs only
# $\mathcal L(q^{\text{old}}, \boldsymbol\theta^{\text{new}}) \ge \mathcal L(q^{\text{old}},
# \boldsymbol\theta^{\text{old}})$. In the one-dimensional example, move $\mu_1$ only
# *half-way* from its current value to the M-step's value at each iteration. Show with the
# functions `responsibilities` and `log_likelihood` that the log-likelihood still never
# decreases over 20 iterations, and explain why from the shape of the bound.
# ```
#
# ````{solution} ex-ch06-generalized
# :class: dropdown
#
# ```python
# mu_1, values = 0.5, []
# for _ in range(20):
#     q = gfs.responsibilities(X1, weights, means_with(mu_1), prec_chol, "spherical")
#     target = q[:, 0] @ x / q[:, 0].sum()
#     mu_1 = mu_1 + 0.5 * (target - mu_1)
#     values.append(log_likelihood(mu_1))
# print(np.all(np.diff(values) >= 0))  # True
# ```
#
# For fixed $q$ the bound is a concave parabola in $\mu_1$ with its top at the M-step's
# value. Any point strictly between the current value and the top is higher on the parabola
# than the current value, so $\mathcal L$ increases, and the chain {eq}`eq-ch06-monotone`
# goes through unchanged. This is a *generalized* EM step; it converges more slowly.
# ````

# %% tags=["remove-cell"]
# The numbers in the solutions above, checked (hidden from the page, run by nbval).
t = 5
new = (h.weights[t + 1], h.means[t + 1], h.covariances[t + 1])
gap = loglik_full(*new) - elbo_full(h.responsibilities[t], *new)
q_t, q_next = h.responsibilities[t], h.responsibilities[t + 1]
kl = np.sum(q_t * (np.log(q_t) - np.log(q_next))) / len(X)
assert np.isclose(gap, kl) and f"{gap:.6f} {kl:.6f}" == "0.043385 0.043385"
mu_1, values = 0.5, []
for _ in range(20):
    q = gfs.responsibilities(X1, weights, means_with(mu_1), prec_chol, "spherical")
    target = q[:, 0] @ x / q[:, 0].sum()
    mu_1 = mu_1 + 0.5 * (target - mu_1)
    values.append(log_likelihood(mu_1))
assert np.all(np.diff(values) >= 0)

# %% [markdown]
# ## Summary
#
# - Jensen's inequality {eq}`eq-ch06-jensen` turns the log of a sum into a sum of logs at
#   the price of an inequality: for any distribution $q$ over components, the ELBO
#   $\mathcal L(q,\boldsymbol\theta)$ {eq}`eq-ch06-elbo` is a lower bound on the
#   log-likelihood.
# - The gap is exactly $\mathrm{KL}(q \Vert p(\mathbf Z\mid\mathbf X,\boldsymbol\theta))$
#   {eq}`eq-ch06-decomposition`, zero when $q$ is the posterior.
# - EM is coordinate ascent on $\mathcal L$: the E-step sets $q$ to the posterior so the bound
#   touches; the M-step maximizes the bound over $\boldsymbol\theta$. Hence
#   $\log p(\mathbf X\mid\boldsymbol\theta)$ never decreases {eq}`eq-ch06-monotone`, as the
#   recorded `lower_bounds_` confirm.
# - "Never decreases" is not "finds the best": different starts reach different local maxima.
#   A decrease, on the other hand, always signals a bug.
