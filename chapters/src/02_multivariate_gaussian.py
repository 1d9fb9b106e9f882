# %% [markdown]
# # The multivariate Gaussian
#
# :::{admonition} Learning goals
# :class: tip
#
# After this chapter you will be able to
#
# - write down the density of a $d$-dimensional Gaussian and explain the role of the mean
#   vector $\boldsymbol\mu$ and the covariance matrix $\boldsymbol\Sigma$;
# - read a covariance matrix as a *shape*: draw its 1σ and 2σ ellipses from its eigenvectors
#   and eigenvalues;
# - compute the Mahalanobis distance and explain why it, not the Euclidean distance, measures
#   how unusual a point is;
# - explain how `gmm_from_scratch` evaluates the log-density through the Cholesky factor of
#   the precision matrix, and why it never forms an inverse or a determinant;
# - check `log_pdf` against `scipy.stats.multivariate_normal`.
# :::
#
# Real data rarely come one number at a time. An Old Faithful eruption has a duration *and* a
# waiting time; a flower has a petal length *and* a width. The measurements of one object are
# usually related: long eruptions tend to be followed by long waits. The multivariate Gaussian
# describes a cloud of points that has a centre, a spread in every direction, and such
# relationships between the coordinates, all in one object, the covariance matrix. In a
# Gaussian mixture every cluster is one of these clouds, so this chapter is about the shape of
# a single cluster.

# %%
import matplotlib.pyplot as plt
import numpy as np
from scipy import stats
from scipy.spatial import distance

from gmm_from_scratch import log_pdf, log_pdf_1d, mahalanobis, precision_cholesky
from gmm_from_scratch.plotting import BOOK_COLORS, covariance_ellipse, use_book_style

use_book_style()
np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## From one dimension to $d$
#
# In one dimension (chapter 1) the density depends on $x$ only through the squared z-score
# $((x-\mu)/\sigma)^2$. In $d$ dimensions the point $\mathbf x$, the mean $\boldsymbol\mu$ are
# vectors of length $d$ and the variance becomes a symmetric positive definite $d\times d$
# **covariance matrix** $\boldsymbol\Sigma$: its diagonal holds the variance of each
# coordinate, and the off-diagonal entry $\Sigma_{ij}$ the covariance of coordinates $i$ and
# $j$ (positive when they tend to rise together). The density is
#
# $$
# \mathcal N(\mathbf x \mid \boldsymbol\mu, \boldsymbol\Sigma) \;=\;
# \frac{1}{(2\pi)^{d/2}\,\det(\boldsymbol\Sigma)^{1/2}}
# \exp\!\left(-\tfrac12(\mathbf x-\boldsymbol\mu)^\top\boldsymbol\Sigma^{-1}
# (\mathbf x-\boldsymbol\mu)\right).
# $$ (eq-ch02-pdf)
#
# Compare it term by term with the 1-D density {eq}`eq-ch01-pdf`: $\sigma^2$ has become
# $\boldsymbol\Sigma$, dividing by $\sigma^2$ has become multiplying by the inverse
# $\boldsymbol\Sigma^{-1}$ (called the **precision matrix** $\boldsymbol\Lambda$), and the
# normalising $\sqrt{2\pi\sigma^2}$ has become $\sqrt{(2\pi)^d\det\boldsymbol\Sigma}$. When
# $\boldsymbol\Sigma$ is diagonal the density factorises into a product of 1-D Gaussians, one
# per coordinate: the coordinates are independent.
#
# ## What a 2-D Gaussian looks like
#
# With $d=2$ the density is a surface over the plane: a smooth hill. In {numref}`fig-ch02-surface`
# the same Gaussian is drawn twice, as a 3-D surface and, seen from above, as a contour plot, in which each line
# joins points of equal height. The contour plot is the view we will use from now on, because
# data points can be drawn on it.

# %% mystnb={"figure": {"caption": "One 2-D Gaussian with mean \u03bc = (1, 2) and covariance \u03a3 = [[1, 0.8], [0.8, 1.5]], drawn as a surface over the plane (left) and as filled contours of the same density seen from above (right).", "name": "fig-ch02-surface"}, "image": {"alt": "Left: a smooth single hill over the plane, peaking at about 0.18. Right: nested tilted elliptical contours around the mean (1, 2), marked with a white cross, elongated along the rising diagonal; a colour bar gives the density."}}
mu = np.array([1.0, 2.0])
Sigma = np.array([[1.0, 0.8],
                  [0.8, 1.5]])
g1, g2 = np.meshgrid(np.linspace(-3, 5, 161), np.linspace(-2.5, 6.5, 181))
grid = np.column_stack([g1.ravel(), g2.ravel()])
density = np.exp(log_pdf(grid, mu, Sigma)).reshape(g1.shape)

fig = plt.figure(figsize=(9, 4))
ax3d = fig.add_subplot(1, 2, 1, projection="3d")
ax3d.plot_surface(g1, g2, density, cmap="viridis", linewidth=0, antialiased=True)
ax3d.set_title("Surface: density over the plane")
ax3d.set_xlabel("x₁")
ax3d.set_ylabel("x₂")
ax3d.set_zlabel("density", labelpad=12)
ax3d.set_zticks([0.0, 0.05, 0.1, 0.15])  # fewer ticks, so the label does not sit on them
ax = fig.add_subplot(1, 2, 2)
filled = ax.contourf(g1, g2, density, levels=12, cmap="viridis")
ax.plot(*mu, marker="X", color="white", markersize=10, linestyle="none", label="mean μ")
ax.set_title("Contours: the same hill from above")
ax.set_xlabel("x₁")
ax.set_ylabel("x₂")
ax.set_aspect("equal")
ax.legend(loc="upper left")
fig.colorbar(filled, ax=ax, label="density")
plt.show()

# %% [markdown]
# The contours are ellipses, all centred on $\boldsymbol\mu$ and all with the same
# orientation. They are tilted because $\Sigma_{12}=0.8>0$: when $x_1$ is above its mean,
# $x_2$ tends to be above its mean too.
#
# ## Covariance is shape
#
# To see exactly which ellipses, write the covariance in terms of its eigenvectors. Because
# $\boldsymbol\Sigma$ is symmetric positive definite, it has orthonormal eigenvectors
# $\mathbf v_1,\dots,\mathbf v_d$ with positive eigenvalues $\lambda_1,\dots,\lambda_d$:
# $\boldsymbol\Sigma=\sum_i\lambda_i\mathbf v_i\mathbf v_i^\top$. In the rotated coordinates
# $u_i=\mathbf v_i^\top(\mathbf x-\boldsymbol\mu)$ the exponent of {eq}`eq-ch02-pdf` becomes
# $-\tfrac12\sum_i u_i^2/\lambda_i$: **the Gaussian is a product of independent 1-D Gaussians
# along the eigenvectors, with standard deviations $\sqrt{\lambda_i}$**. So
#
# - the eigenvectors give the directions of the ellipse's axes;
# - the square roots of the eigenvalues give their half-lengths: the "$n\sigma$ ellipse" has
#   semi-axes $n\sqrt{\lambda_i}$ along $\mathbf v_i$.
#
# `gmm_from_scratch.plotting.covariance_ellipse(mean, cov, n_std)` draws exactly this
# ellipse; every mixture figure in the book uses it. {numref}`fig-ch02-shapes` shows four
# covariance matrices with the same mean, each with 200 points drawn from it and its 1σ and 2σ
# ellipses.

# %% mystnb={"figure": {"caption": "Four covariance matrices with mean zero: the identity, a diagonal matrix diag(3, 0.4), a positive and a negative correlation. Each panel shows 200 samples (grey), the 1\u03c3 ellipse (solid) and the 2\u03c3 ellipse (dashed); the arrows are \u221a\u03bb\u1d62 v\u1d62, the eigenvectors scaled by the square roots of their eigenvalues.", "name": "fig-ch02-shapes"}, "image": {"alt": "Four scatter panels. Spherical: a round cloud with circular ellipses. Axis-aligned: a cloud stretched horizontally. Positive correlation: a cloud tilted up to the right. Negative correlation: a cloud tilted down to the right. In each, the two arrows from the centre point along the ellipse's axes, the longer one along the cloud's long direction."}}
shapes = {
    "spherical  Σ = I": np.array([[1.0, 0.0], [0.0, 1.0]]),
    "axis-aligned  Σ = diag(3, 0.4)": np.array([[3.0, 0.0], [0.0, 0.4]]),
    "positive correlation": np.array([[2.0, 1.2], [1.2, 1.0]]),
    "negative correlation": np.array([[1.0, -0.8], [-0.8, 1.5]]),
}
rng = np.random.default_rng(0)
fig, axes = plt.subplots(2, 2, figsize=(8, 7.2), sharex=True, sharey=True)
for ax, (name, cov) in zip(axes.ravel(), shapes.items(), strict=True):
    pts = rng.multivariate_normal(np.zeros(2), cov, size=200, method="cholesky")
    ax.scatter(pts[:, 0], pts[:, 1], s=8, color="0.6", label="200 samples")
    ax.add_patch(covariance_ellipse(np.zeros(2), cov, 1.0, edgecolor=BOOK_COLORS[0],
                                    label="1σ ellipse"))
    ax.add_patch(covariance_ellipse(np.zeros(2), cov, 2.0, edgecolor=BOOK_COLORS[1],
                                    linestyle="--", label="2σ ellipse"))
    vals, vecs = np.linalg.eigh(cov)
    for lam, v in zip(vals, vecs.T, strict=True):
        ax.annotate("", xy=np.sqrt(lam) * v, xytext=(0, 0),
                    arrowprops={"arrowstyle": "->", "color": "black", "lw": 1.5})
    ax.set_title(name)
    ax.set_aspect("equal")
    ax.set_xlim(-5, 5)
    ax.set_ylim(-4.5, 4.5)
for ax in axes[1]:
    ax.set_xlabel("x₁")
for ax in axes[:, 0]:
    ax.set_ylabel("x₂")
fig.legend(*axes[0, 0].get_legend_handles_labels(), loc="outside lower center", ncols=3)
fig.suptitle("Covariance is shape (arrows: √λᵢ vᵢ)")
plt.show()

# %% [markdown]
# The arrows are $\sqrt{\lambda_i}\,\mathbf v_i$, the semi-axes of the 1σ ellipse. With
# $\boldsymbol\Sigma=\mathbf I$ the cloud is round; a diagonal $\boldsymbol\Sigma$ stretches
# it along the coordinate axes; off-diagonal entries rotate it.
#
# :::{note}
# In one dimension, 68% of the mass lies within one $\sigma$. In two dimensions that is
# **not** true of the 1σ ellipse: it holds only $1-e^{-1/2}\approx 39\%$ of the mass, and the
# 2σ ellipse $1-e^{-2}\approx 86\%$. The squared Mahalanobis distance introduced next follows a
# $\chi^2$ distribution with $d$ degrees of freedom, and $P(\chi^2_2\le r^2)=1-e^{-r^2/2}$.
# We check this below.
# :::
#
# ## The Mahalanobis distance
#
# The exponent of {eq}`eq-ch02-pdf` is minus one half of a squared distance,
#
# $$
# \Delta(\mathbf x) \;=\; \sqrt{(\mathbf x-\boldsymbol\mu)^\top\boldsymbol\Sigma^{-1}
# (\mathbf x-\boldsymbol\mu)} ,
# $$ (eq-ch02-mahalanobis)
#
# the **Mahalanobis distance** of $\mathbf x$ from $\boldsymbol\mu$. It is the multivariate
# z-score: the number of standard deviations from the centre, measured *along the direction
# of the point*. The density depends on $\mathbf x$ only through $\Delta$, so the contours are
# the sets $\Delta=\text{const}$, and the $n\sigma$ ellipse is exactly $\Delta=n$.
#
# Here is why it matters. Take the tilted Gaussian of {numref}`fig-ch02-surface` and two points at the
# **same Euclidean distance** (1.5) from the mean: one along the direction in which the cloud is
# long, one across it.

# %%
vals, vecs = np.linalg.eigh(Sigma)
along = mu + 1.5 * vecs[:, 1]   # along the long axis (largest eigenvalue)
across = mu + 1.5 * vecs[:, 0]  # along the short axis
two = np.vstack([along, across])
print("Euclidean distances:  ", np.linalg.norm(two - mu, axis=1))
print("Mahalanobis distances:", mahalanobis(two, mu, Sigma))
print("densities:            ", np.exp(log_pdf(two, mu, Sigma)))
# The text below: the point along the trend is about one standard deviation out, the other
# more than two, and far less likely.
d_along, d_across = mahalanobis(two, mu, Sigma)
assert 1.0 < d_along < 1.1 and d_across > 2.0
assert np.exp(log_pdf(two, mu, Sigma)[1]) < 0.2 * np.exp(log_pdf(two, mu, Sigma)[0])

# %% mystnb={"figure": {"caption": "Contours of the tilted Gaussian (\u03bc = (1, 2), \u03a3 = [[1, 0.8], [0.8, 1.5]]) with its \u0394 = 1 (solid) and \u0394 = 2 (dashed) ellipses, and two points at the same Euclidean distance 1.5 from the mean (dotted circle): one along the direction in which the cloud is long, one across it.", "name": "fig-ch02-mahalanobis"}, "image": {"alt": "Tilted elliptical contours and a dotted circle of radius 1.5 around the mean. A green circle on the circle, along the long axis, sits just outside the \u0394 = 1 ellipse (\u0394 = 1.04); an orange square on the circle, across the long axis, lies outside the \u0394 = 2 ellipse (\u0394 = 2.34)."}}
fig, ax = plt.subplots(figsize=(5.6, 5.2))
ax.contour(g1, g2, density, levels=8, cmap="viridis", linewidths=1)
for n_std, color, style in [(1.0, BOOK_COLORS[0], "-"), (2.0, BOOK_COLORS[1], "--")]:
    ax.add_patch(covariance_ellipse(mu, Sigma, n_std, edgecolor=color, linestyle=style,
                                    label=f"Δ = {n_std:g}"))
circle = plt.Circle(mu, 1.5, fill=False, linestyle=":", color="0.3",
                    label="Euclidean distance 1.5")
ax.add_patch(circle)
ax.plot(*along, "o", color=BOOK_COLORS[2], markersize=9,
        label=f"along the trend: Δ = {mahalanobis(along[None], mu, Sigma)[0]:.2f}")
ax.plot(*across, "s", color=BOOK_COLORS[5], markersize=9,
        label=f"against the trend: Δ = {mahalanobis(across[None], mu, Sigma)[0]:.2f}")
ax.set_title("Same Euclidean distance, different Mahalanobis distance")
ax.set_xlabel("x₁")
ax.set_ylabel("x₂")
ax.set_aspect("equal")
ax.set_xlim(-2.5, 4.5)
ax.set_ylim(-1.5, 5.5)
ax.legend(loc="lower right", fontsize=8)
plt.show()

# %% [markdown]
# In {numref}`fig-ch02-mahalanobis`, both points are on the dotted circle, but the one that follows the trend of the cloud is
# about one standard deviation out, while the one that goes against it is more than two.
# The Gaussian finds the second point far less likely. Euclidean distance, which k-means uses
# (chapter 3), cannot tell these two points apart; the Mahalanobis distance can, and that is
# the main reason a Gaussian mixture can follow elongated clusters.
#
# ## Evaluating the density without inverse or determinant
#
# Equation {eq}`eq-ch02-pdf` seems to ask for two things: the inverse $\boldsymbol\Sigma^{-1}$
# and the determinant $\det\boldsymbol\Sigma$. Computing either one directly is a bad idea:
#
# - the determinant is a product of $d$ eigenvalues, and overflows or underflows long before
#   the density itself is in trouble (we will see this happen in 50 dimensions);
# - an explicit inverse costs more than a factorisation, is less accurate, and rounding can
#   make the computed quadratic form slightly negative for nearly singular covariances.
#
# Instead, the package factorises the precision matrix $\boldsymbol\Lambda=\boldsymbol\Sigma^{-1}$
# as $\boldsymbol\Lambda=\mathbf U\mathbf U^\top$ with $\mathbf U$ **upper triangular** with a
# positive diagonal. It gets $\mathbf U$ without inverting $\boldsymbol\Sigma$: take the usual
# Cholesky factorisation $\boldsymbol\Sigma=\mathbf L\mathbf L^\top$ ($\mathbf L$ lower
# triangular); then $\boldsymbol\Sigma^{-1}=\mathbf L^{-\top}\mathbf L^{-1}$, so
# $\mathbf U=\mathbf L^{-\top}$, which is found by a triangular solve. With
# $\mathbf y=\mathbf U^\top(\mathbf x-\boldsymbol\mu)$ everything becomes easy:
#
# $$
# \begin{aligned}
# \log\mathcal N(\mathbf x\mid\boldsymbol\mu,\boldsymbol\Sigma)
# &= -\frac d2\log(2\pi) + \sum_{i=1}^d \log U_{ii} - \frac12\lVert\mathbf y\rVert^2, \\
# \text{where}\quad \mathbf y &= \mathbf U^\top(\mathbf x-\boldsymbol\mu)
# \quad\text{and}\quad \boldsymbol\Lambda=\mathbf U\mathbf U^\top .
# \end{aligned}
# $$ (eq-ch02-cholesky)
#
# Two facts were used: the squared Mahalanobis distance is
# $(\mathbf x-\boldsymbol\mu)^\top\mathbf U\mathbf U^\top(\mathbf x-\boldsymbol\mu)
# =\lVert\mathbf y\rVert^2$, a sum of squares, which can never be negative; and the determinant
# of a triangular matrix is the product of its diagonal, so
# $-\tfrac12\log\det\boldsymbol\Sigma=\tfrac12\log\det\boldsymbol\Lambda=\sum_i\log U_{ii}$:
# a **sum of logarithms**, which cannot overflow. In code, a whole batch of points is one matrix
# product, `(X - mean) @ U`. This is what `precision_cholesky` and `log_pdf` do, and it is how
# `GaussianMixture` stores each component (`precisions_cholesky_`), as scikit-learn does
# {cite}`pedregosa2011`. Chapter 7 returns to this in detail.

# %%
U = precision_cholesky(Sigma)
print("Sigma =\n", Sigma)
print("U (upper triangular) =\n", U)
print("U U^T =\n", U @ U.T)
print("inverse of Sigma, for comparison =\n", np.linalg.inv(Sigma))
assert np.allclose(np.tril(U, -1), 0) and np.all(np.diag(U) > 0)  # upper triangular
assert np.allclose(U @ U.T, np.linalg.inv(Sigma), rtol=1e-12)

# %% [markdown]
# ## Check: the code agrees with the mathematics
#
# We check `log_pdf` against `scipy.stats.multivariate_normal`, with **non-diagonal**
# covariances: a diagonal test would not notice if the code used $\boldsymbol\Sigma$ where
# $\boldsymbol\Sigma^{-1}$ belongs (a real bug in a public implementation). We also check the
# Mahalanobis distance against `scipy.spatial.distance.mahalanobis` and against a direct
# NumPy evaluation of {eq}`eq-ch02-pdf`, and check the probabilities of the ellipses.

# %%
# CHECK 1: log_pdf against scipy in 2-D (the tilted Gaussian) and in 5-D (a random covariance)
pts = rng.normal(size=(6, 2)) * 3
ours = log_pdf(pts, mu, Sigma)
ref = stats.multivariate_normal(mu, Sigma).logpdf(pts)
print("2-D  ours :", ours)
print("2-D  scipy:", ref)
assert np.allclose(ours, ref, rtol=1e-12, atol=0)

A = rng.normal(size=(5, 5))
Sigma5 = A @ A.T + 0.5 * np.eye(5)  # symmetric positive definite, far from diagonal
mu5 = rng.normal(size=5)
X5 = rng.normal(size=(1000, 5)) * 2
ours5, ref5 = log_pdf(X5, mu5, Sigma5), stats.multivariate_normal(mu5, Sigma5).logpdf(X5)
print("5-D: 1000 points agree with scipy to 1e-12 relative:",
      np.allclose(ours5, ref5, rtol=1e-12, atol=0))
assert np.allclose(ours5, ref5, rtol=1e-12, atol=0)

# %%
# CHECK 2: eq. (2.1) written out literally with det and inv (fine for this small, tame case)
diff = pts - mu
quad = np.einsum("ni,ij,nj->n", diff, np.linalg.inv(Sigma), diff)
literal = np.log(np.exp(-0.5 * quad) / np.sqrt((2 * np.pi) ** 2 * np.linalg.det(Sigma)))
print("literal eq. (2.1):", literal)
assert np.allclose(ours, literal, rtol=1e-12)

# CHECK 3: Mahalanobis distance (eq. 2.2) against scipy, which takes the inverse covariance
VI = np.linalg.inv(Sigma)
scipy_d = np.array([distance.mahalanobis(p, mu, VI) for p in pts])
print("Mahalanobis, ours :", mahalanobis(pts, mu, Sigma))
print("Mahalanobis, scipy:", scipy_d)
assert np.allclose(mahalanobis(pts, mu, Sigma), scipy_d, rtol=1e-12)

# %%
# CHECK 4: the fraction of samples inside the 1σ and 2σ ellipses is P(chi²_2 <= n²) = 1 - e^{-n²/2}
samples = np.random.default_rng(1).multivariate_normal(mu, Sigma, size=100_000,
                                                         method="cholesky")
delta = mahalanobis(samples, mu, Sigma)
for n_std in (1, 2, 3):
    print(f"inside the {n_std}σ ellipse: simulated {np.mean(delta <= n_std):.4f}, "
          f"theory {1 - np.exp(-n_std**2 / 2):.4f}")
    # within 4 standard errors of the binomial proportion (100 000 samples)
    p_theory = 1 - np.exp(-n_std**2 / 2)
    assert abs(np.mean(delta <= n_std) - p_theory) < 4 * np.sqrt(p_theory * (1 - p_theory) / 1e5)
# The note above: 39% inside the 1σ ellipse, 86% inside the 2σ ellipse
assert [round(100 * (1 - np.exp(-n**2 / 2))) for n in (1, 2)] == [39, 86]

# %% [markdown]
# ## Why not just call `det` and `inv`? A 50-dimensional example
#
# The literal formula passed the check above because the example was small and well scaled.
# Now take $d=50$ correlated measurements. The shape of their covariance is fixed, and we only
# change the **units**. Multiplying every value by $s$ is a change to a unit $1/s$ times as
# large: $s=10^{-4}$ turns metres into units of 10 km (the numbers get $10^4$ times smaller),
# and $s=10^{4}$ turns them into units of 0.1 mm (the numbers get $10^4$ times larger). It
# multiplies every covariance entry by $s^2$ and the determinant by $s^{2d}=s^{100}$.

# %%
d = 50
B = np.random.default_rng(2).normal(size=(d, d))
base = B @ B.T / d + 0.5 * np.eye(d)  # a correlated 50x50 covariance, eigenvalues ~0.5 to 4.5
assert 0.5 < np.linalg.eigvalsh(base).min() < 0.6 and 4 < np.linalg.eigvalsh(base).max() < 5
x50 = np.random.default_rng(3).multivariate_normal(np.zeros(d), base, size=3,
                                                               method="cholesky")

for s in (1.0, 1e-4, 1e4):
    cov_s, x_s = base * s**2, x50 * s
    with np.errstate(all="ignore"):
        det = np.linalg.det(cov_s)
        quad = np.einsum("ni,ij,nj->n", x_s, np.linalg.inv(cov_s), x_s)
        naive = -0.5 * quad - 0.5 * d * np.log(2 * np.pi) - 0.5 * np.log(det)
    U_s = precision_cholesky(cov_s)
    print(f"scale s = {s:g}")
    print(f"   np.linalg.det(Sigma)          = {det:.4g}")
    print(f"   log det from Cholesky diagonal = {-2 * np.sum(np.log(np.diag(U_s))):.6g}")
    print(f"   naive log-density   : {naive}")
    print(f"   package log_pdf     : {log_pdf(x_s, np.zeros(d), cov_s)}")
    print(f"   scipy logpdf        : {stats.multivariate_normal(np.zeros(d), cov_s).logpdf(x_s)}")
    # The text below: the package agrees with scipy in every unit system; the naive formula
    # agrees at s = 1, gives +inf when det underflows to 0.0 and -inf when it overflows.
    scipy_s = stats.multivariate_normal(np.zeros(d), cov_s).logpdf(x_s)
    assert np.allclose(log_pdf(x_s, np.zeros(d), cov_s), scipy_s, rtol=1e-10)
    expected_det, expected_naive = {1.0: (det, naive), 1e-4: (0.0, np.inf),
                                    1e4: (np.inf, -np.inf)}[s]
    assert det == expected_det and np.all(naive == expected_naive)
    assert s != 1.0 or np.allclose(naive, scipy_s, rtol=1e-10)

# %% [markdown]
# In the original units the three agree. With the small numbers ($s=10^{-4}$, large units)
# the determinant underflows to exactly `0.0`, its logarithm is $-\infty$, and the naive
# log-density is $+\infty$; with the large numbers ($s=10^{4}$, small units) it overflows to
# `inf` and the naive log-density is $-\infty$. Nothing is wrong with the data or
# the model; only the intermediate number was out of range. The Cholesky route never forms that
# number: its log-determinant is a sum of 50 ordinary logarithms, and it agrees with scipy
# (which uses an eigendecomposition, another safe route) in every unit system.
#
# There is also a closed-form check hidden in this experiment. A change of units
# $\mathbf x\mapsto s\mathbf x$ changes a density by the Jacobian $s^{-d}$, so the log-density
# must change by exactly $-d\log s$:

# %%
# CHECK 5: log p_s(s x) = log p(x) - d log s, for both extreme unit systems
for s in (1e-4, 1e4):
    shift = log_pdf(x50 * s, np.zeros(d), base * s**2) - log_pdf(x50, np.zeros(d), base)
    print(f"s = {s:g}: shift = {shift}, expected -d log s = {-d * np.log(s):.4f}")
    assert np.allclose(shift, -d * np.log(s), rtol=1e-10)

# %% [markdown]
# ## Exercises
#
# ```{exercise}
# :label: ex-ch02-diagonal
#
# Show that when $\boldsymbol\Sigma=\operatorname{diag}(\sigma_1^2,\dots,\sigma_d^2)$ the
# density {eq}`eq-ch02-pdf` is the product of $d$ one-dimensional densities
# {eq}`eq-ch01-pdf`. What is $\mathbf U$ in {eq}`eq-ch02-cholesky` in that case? Check your
# answer with `precision_cholesky(np.diag([4.0, 1.0, 0.25]))`, and check the product formula
# with `log_pdf` and `log_pdf_1d`.
# ```
#
# ```{solution} ex-ch02-diagonal
# :class: dropdown
#
# With a diagonal $\boldsymbol\Sigma$, $\det\boldsymbol\Sigma=\prod_i\sigma_i^2$ and the
# quadratic form is $\sum_i (x_i-\mu_i)^2/\sigma_i^2$, so the exponential and the
# normalising constant both split into a product over coordinates. The precision is
# $\operatorname{diag}(1/\sigma_i^2)$, so $\mathbf U=\operatorname{diag}(1/\sigma_i)$:
# `precision_cholesky(np.diag([4.0, 1.0, 0.25]))` is `diag(0.5, 1, 2)`. Numerically,
# `log_pdf(X, m, np.diag(s**2))` equals
# `sum(log_pdf_1d(X[:, i], m[i], s[i]) for i in range(d))` to rounding error.
# ```
#
# ```{exercise}
# :label: ex-ch02-ellipse
#
# For $\boldsymbol\Sigma=\begin{pmatrix}2 & 1.2\\ 1.2 & 1\end{pmatrix}$ (the "positive
# correlation" panel), compute the eigenvalues and eigenvectors with `np.linalg.eigh`. What are
# the lengths of the semi-axes of the 2σ ellipse, and at what angle is its long axis? Compare
# with the `width`, `height` and `angle` of the patch returned by `covariance_ellipse`.
# ```
#
# ```{solution} ex-ch02-ellipse
# :class: dropdown
#
# The eigenvalues are $\tfrac{3\pm\sqrt{1+4\cdot1.44}}{2}$, i.e. about $2.800$ and $0.200$.
# The 2σ semi-axes are $2\sqrt{2.8}\approx3.35$ and $2\sqrt{0.2}\approx0.89$; the patch's
# `width` and `height` are the full axes, twice that (about 6.69 and 1.79). The long axis
# points along the eigenvector of the largest eigenvalue, about $(0.83, 0.55)$, an angle of
# $\arctan(0.5547/0.8321)\approx 33.7°$, which is the patch's `angle` (up to a
# multiple of 180°, which describes the same ellipse, depending on the eigenvector's sign).
# ```
#
# ```{exercise}
# :label: ex-ch02-sampling
#
# If $\mathbf z$ is a vector of $d$ independent standard normal numbers and
# $\boldsymbol\Sigma=\mathbf L\mathbf L^\top$, show that
# $\mathbf x=\boldsymbol\mu+\mathbf L\mathbf z$ has mean $\boldsymbol\mu$ and covariance
# $\boldsymbol\Sigma$. Generate 100 000 points this way for the tilted Gaussian of this
# chapter, and check that their sample covariance is close to `Sigma` and that their
# Mahalanobis distances follow the $\chi^2_2$ law of CHECK 4.
# ```
#
# ```{solution} ex-ch02-sampling
# :class: dropdown
#
# $\mathbb E[\mathbf x]=\boldsymbol\mu+\mathbf L\,\mathbb E[\mathbf z]=\boldsymbol\mu$ and
# $\operatorname{Cov}(\mathbf x)=\mathbf L\operatorname{Cov}(\mathbf z)\mathbf L^\top
# =\mathbf L\mathbf I\mathbf L^\top=\boldsymbol\Sigma$. In code:
# `L = np.linalg.cholesky(Sigma); x = mu + rng.standard_normal((100_000, 2)) @ L.T`; then
# `np.cov(x.T)` is within about 0.01 of `Sigma`, and `np.mean(mahalanobis(x, mu, Sigma) <= 1)`
# is about 0.39 (the $\chi^2_2$ law gives $1-e^{-1/2}\approx0.393$). This is how `GaussianMixture.sample` draws from each component (chapter 4).
# ```

# %% tags=["remove-cell"]
# The numbers in the solutions above, checked (hidden from the page, run by nbval).
assert np.allclose(precision_cholesky(np.diag([4.0, 1.0, 0.25])), np.diag([0.5, 1.0, 2.0]))
m_ex, s_ex = np.array([1.0, -2.0, 0.5]), np.array([2.0, 1.0, 0.5])
X_ex = np.random.default_rng(4).normal(size=(10, 3))
assert np.allclose(log_pdf(X_ex, m_ex, np.diag(s_ex**2)),
                   sum(log_pdf_1d(X_ex[:, i], m_ex[i], s_ex[i]) for i in range(3)), rtol=1e-12)
cov_pos = shapes["positive correlation"]
lam, vec = np.linalg.eigh(cov_pos)
assert list(np.round(lam[::-1], 3)) == [2.8, 0.2]
assert [round(2 * np.sqrt(v), 2) for v in lam[::-1]] == [3.35, 0.89]
patch = covariance_ellipse(np.zeros(2), cov_pos, 2.0)
assert (round(patch.width, 2), round(patch.height, 2)) == (6.69, 1.79)
v_long = vec[:, 1] * np.sign(vec[0, 1])
assert list(np.round(v_long, 2)) == [0.83, 0.55]
assert list(np.round(v_long, 4)) == [0.8321, 0.5547]
assert round(np.degrees(np.arctan2(v_long[1], v_long[0])), 1) == 33.7
assert np.isclose(patch.angle % 180, 33.7, atol=0.05)
L_ex = np.linalg.cholesky(Sigma)
x_ex = mu + np.random.default_rng(5).standard_normal((100_000, 2)) @ L_ex.T
assert np.abs(np.cov(x_ex.T) - Sigma).max() < 0.01  # "within about 0.01"
assert round(np.mean(mahalanobis(x_ex, mu, Sigma) <= 1), 2) == 0.39  # "about 0.39"

# %% [markdown]
# ## Summary
#
# - The multivariate Gaussian {eq}`eq-ch02-pdf` has a mean vector and a covariance matrix; the
#   covariance is the cloud's **shape**: its eigenvectors are the axes of the elliptical
#   contours and the square roots of its eigenvalues their half-lengths.
# - The Mahalanobis distance {eq}`eq-ch02-mahalanobis` is the multivariate z-score. It, not
#   the Euclidean distance, decides how likely a point is; the $n\sigma$ ellipse is
#   $\Delta=n$, and in 2-D it holds $1-e^{-n^2/2}$ of the mass (39% for $n=1$).
# - The package evaluates the log-density through the upper-triangular Cholesky factor of
#   the precision, {eq}`eq-ch02-cholesky`: a triangular product gives the squared distance as
#   a sum of squares, and the log-determinant is a sum of logs of the diagonal. No inverse,
#   no determinant.
# - `log_pdf` and `mahalanobis` agree with scipy for non-diagonal covariances; the literal
#   formula with `det` fails in 50 dimensions after a mere change of units, while the
#   Cholesky route does not.
