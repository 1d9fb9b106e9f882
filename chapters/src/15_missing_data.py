# %% [markdown]
# # Missing data
#
# :::{admonition} Learning goals
# :class: tip
#
# After this chapter you will be able to
#
# - tell the three ways values go missing (MCAR, MAR, MNAR) apart, and say which of them
#   exact EM can handle;
# - explain why filling holes with column means, or dropping incomplete rows, distorts a
#   fitted mixture;
# - derive the E-step and M-step of a Gaussian mixture when some coordinates are missing,
#   including the conditional-covariance term {eq}`eq-ch15-mstep` without which the
#   covariances shrink;
# - fit a mixture to data with holes with `GaussianMixture(nan_policy="marginalize")`,
#   fill the holes by their conditional means with `impute`, and draw multiple imputations
#   that show how uncertain the filled values are.
# :::
#
# Real tables have holes: a sensor was off, a patient skipped a visit, a survey question was
# left blank. EM was introduced for exactly this situation {cite}`dempster1977`: the missing
# values are latent variables, like the component labels $z_n$ of chapter 5, and the E-step
# averages over them. For a Gaussian mixture the averaging is exact and cheap, because the
# marginals and conditionals of a Gaussian are Gaussian again {cite}`ghahramani1994`.
# scikit-learn refuses `NaN`; the usual workaround, filling each hole with its column's mean
# before fitting, biases the fit. This chapter derives the right algorithm and shows the
# difference.

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
from scipy import stats

from gmm_from_scratch import GaussianMixture, align_components, load_old_faithful
from gmm_from_scratch.missing import conditional_draws, mean_impute
from gmm_from_scratch.plotting import covariance_ellipse, use_book_style

use_book_style()
np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## Three ways values go missing
#
# Write $\mathbf x_n = (\mathbf x_n^{o}, \mathbf x_n^{m})$ for the observed and the missing
# coordinates of row $n$, and $R_n$ for its *pattern*, which coordinates are missing. Little
# and Rubin {cite}`little2019` distinguish three mechanisms by what $R_n$ may depend on:
#
# - **MCAR**, missing completely at random: $p(R_n)$ depends on nothing, as if a coin decided
#   which entries to erase;
# - **MAR**, missing at random: $p(R_n \mid \mathbf x_n)$ depends only on the *observed*
#   part $\mathbf x_n^{o}$ (a second test is ordered only when the first one is high);
# - **MNAR**, missing not at random: it depends on the missing value itself (people with
#   high incomes leave the income question blank).
#
# Under MCAR and MAR the mechanism can be ignored when we maximize the likelihood of the
# observed values: the factor $p(R_n \mid \mathbf x_n^{o})$ does not involve the mixture's
# parameters. Under MNAR it cannot. Below, 2,000 points of a correlated Gaussian lose their
# second coordinate $x_2$ by each mechanism; the first coordinate $x_1$ is always observed.

# %%
rng = np.random.default_rng(0)
n = 2000
Z = rng.multivariate_normal([0.0, 0.0], [[1.0, 0.8], [0.8, 1.0]], size=n)
u = rng.uniform(size=n)
mechanisms = {
    "MCAR": u < 0.4,  # a coin
    "MAR": u < np.where(Z[:, 0] > 0.3, 0.8, 0.1),  # depends on the observed x1
    "MNAR": u < np.where(Z[:, 1] > 0.3, 0.8, 0.1),  # depends on the missing x2 itself
}
estimates = {}
print("mechanism  missing  mean of x2: all rows  complete rows  exact EM")
for name, missing in mechanisms.items():
    Xmiss = Z.copy()
    Xmiss[missing, 1] = np.nan
    em = GaussianMixture(1, nan_policy="marginalize", random_state=0).fit(Xmiss)
    estimates[name] = (Z[:, 1].mean(), Z[~missing, 1].mean(), em.means_[0, 1])
    print(f"{name:>9}  {missing.mean():7.1%}  {estimates[name][0]:19.3f}"
          f"  {estimates[name][1]:13.3f}  {estimates[name][2]:8.3f}")

# %% tags=["remove-cell"]
truth = Z[:, 1].mean()
assert abs(estimates["MCAR"][1] - truth) < 0.05 and abs(estimates["MCAR"][2] - truth) < 0.05
assert truth - 0.45 < estimates["MAR"][1] < truth - 0.25 and abs(estimates["MAR"][2] - truth) < 0.05
assert estimates["MNAR"][1] < truth - 0.25 and estimates["MNAR"][2] < truth - 0.15

# %% [markdown]
# The true mean of $x_2$ is about 0.02. Averaging only the complete rows is right under MCAR
# and wrong by a third of a standard deviation under MAR, because the rows that lost $x_2$
# are those with a large $x_1$, hence (by the correlation) a large $x_2$. Exact EM, which uses the incomplete rows'
# $x_1$ through the correlation, is right under both MCAR and MAR. Under MNAR both are wrong:
# the rows that lost $x_2$ lost precisely the large values, and nothing in the observed data
# says so. {numref}`fig-ch15-mechanisms` shows where the missing values were.

# %% mystnb={"figure": {"caption": "The same 2,000 points under three missing-data mechanisms. Blue dots: complete rows. Orange crosses: the true position of the rows whose second coordinate is missing (the analyst sees only their first coordinate).", "name": "fig-ch15-mechanisms"}, "image": {"alt": "Three scatter plots of a correlated Gaussian cloud. Under MCAR the orange crosses of the missing points are spread over the whole cloud; under MAR they are the points with large x1; under MNAR they are the points with large x2."}}
fig, axes = plt.subplots(1, 3, figsize=(8.8, 3.2), sharex=True, sharey=True)
for ax, (name, missing) in zip(axes, mechanisms.items(), strict=True):
    ax.scatter(*Z[~missing].T, s=3, color="C0", label="complete row")
    ax.scatter(*Z[missing].T, s=5, marker="x", linewidths=0.6, color="C1", alpha=0.7,
               label="$x_2$ missing (true value)")
    ax.set_title(name)
    ax.set_xlabel("$x_1$")
axes[0].set_ylabel("$x_2$")
axes[0].legend(loc="upper left", markerscale=3, fontsize=8)
plt.show()

# %% [markdown]
# ## Holes in Old Faithful
#
# Now a mixture. We take the standardized Old Faithful data (272 eruptions, duration and
# waiting time), fit two components to the complete data as the reference, and then remove
# 30 % of the values completely at random: 163 of the 544 values, never both values of the
# same row. Three ways to fit the damaged data:
#
# 1. **complete-case analysis**: drop every row with a hole;
# 2. **mean imputation**: fill every hole with its column's mean, then fit;
# 3. **exact EM**: `GaussianMixture(nan_policy="marginalize")`, derived below.

# %%
X = load_old_faithful(standardize_columns=True)
rng = np.random.default_rng(1)
n_removed = round(0.3 * X.size)
rows = rng.choice(len(X), size=n_removed, replace=False)
Xm = X.copy()
Xm[rows, rng.integers(0, 2, size=n_removed)] = np.nan
complete_rows = ~np.isnan(Xm).any(axis=1)
print(f"{np.isnan(Xm).sum()} of {X.size} values removed; {complete_rows.sum()} complete rows "
      f"of {len(X)}")

reference = GaussianMixture(2, tol=1e-6, random_state=0).fit(X)
fits = {
    "complete-case": GaussianMixture(2, tol=1e-6, random_state=0).fit(Xm[complete_rows]),
    "mean imputation": GaussianMixture(2, tol=1e-6, random_state=0).fit(mean_impute(Xm)),
    "exact EM": GaussianMixture(2, tol=1e-6, nan_policy="marginalize", random_state=0).fit(Xm),
}
errors = {}
print("\ntreatment        weights          largest error against the complete-data fit")
print("                                  means    covariances")
for name, gmm in fits.items():
    perm = align_components(reference.means_, gmm.means_)
    errors[name] = (
        np.abs(gmm.means_[perm] - reference.means_).max(),
        np.abs(gmm.covariances_[perm] - reference.covariances_).max(),
    )
    print(f"{name:<16} {gmm.weights_[perm]}  {errors[name][0]:.4f}   {errors[name][1]:.4f}")

# %% tags=["remove-cell"]
assert n_removed == 163 and complete_rows.sum() == len(X) - n_removed
assert errors["exact EM"][1] < 0.6 * errors["complete-case"][1]
assert errors["complete-case"][0] < errors["exact EM"][0]
assert errors["complete-case"][1] < errors["mean imputation"][1]
assert errors["mean imputation"][0] > 5 * errors["exact EM"][0]
assert errors["mean imputation"][1] > 5 * errors["exact EM"][1]

# %% [markdown]
# Exact EM's covariances are the closest to the complete-data fit's, about half as far off as
# complete-case analysis's; complete-case analysis has the smaller error in the means here.
# It is unbiased under MCAR, but it throws away the 163 rows that lost one value, and under
# MAR it would be biased, as we saw above. Mean imputation is by far the worst: off by more
# than five times as much as EM in both means and covariances: it puts the filled points on
# two lines through the middle of the data, between the clusters, where no eruption ever
# was. {numref}`fig-ch15-treatments` shows the three fits against the complete-data one.

# %% mystnb={"figure": {"caption": "Two-component fits to Old Faithful with 30 % of the values removed at random, under the three treatments (coloured 1- and 2-sigma ellipses), against the fit to the complete data (dashed). Grey: complete rows; orange crosses: the points each treatment adds for the incomplete rows (column means; conditional means for exact EM).", "name": "fig-ch15-treatments"}, "image": {"alt": "Three panels of Old Faithful with fitted ellipses. Complete-case ellipses are close to the dashed reference but based on fewer points; mean imputation's ellipses are stretched towards the centre lines; exact EM's ellipses nearly coincide with the reference."}}
def draw(ax, gmm, title, added=None):
    ax.scatter(*X[complete_rows].T, s=6, color="0.6", label="complete rows")
    if added is not None:
        ax.scatter(*added.T, s=14, marker="x", color="C1", label="filled-in rows")
    for k in range(2):
        for n_std in (1.0, 2.0):
            ax.add_patch(covariance_ellipse(reference.means_[k], reference.covariances_[k],
                                            n_std, color="black", linestyle="--", linewidth=1))
            ax.add_patch(covariance_ellipse(gmm.means_[k], gmm.covariances_[k], n_std,
                                            color="C2", linewidth=1.5))
    ax.plot([], [], color="black", linestyle="--", linewidth=1, label="complete-data fit")
    ax.plot([], [], color="C2", linewidth=1.5, label="this treatment")
    ax.set_title(title)


fig, axes = plt.subplots(1, 3, figsize=(8.8, 3.4), sharex=True, sharey=True)
draw(axes[0], fits["complete-case"], "complete-case analysis")
draw(axes[1], fits["mean imputation"], "mean imputation", mean_impute(Xm)[~complete_rows])
draw(axes[2], fits["exact EM"], "exact EM", fits["exact EM"].impute(Xm)[~complete_rows])
axes[0].set_ylabel("waiting time (standardized)")
fig.supxlabel("eruption duration (standardized)")
axes[0].set_xlim(-2.4, 2.4)
axes[0].set_ylim(-2.8, 2.8)
axes[1].legend(loc="upper left", fontsize=7)
plt.show()

# %% [markdown]
# ## EM with missing coordinates
#
# Split every component's mean and covariance the way row $n$ is split: $\boldsymbol\mu_k^{o}$
# and $\boldsymbol\mu_k^{m}$, and the blocks $\boldsymbol\Sigma_k^{oo}$,
# $\boldsymbol\Sigma_k^{om}$, $\boldsymbol\Sigma_k^{mo}$, $\boldsymbol\Sigma_k^{mm}$. The
# split changes from row to row, and we leave the superscripts' dependence on $n$ implicit.
#
# **The likelihood of what we saw.** The marginal of a Gaussian on some of its coordinates
# is the Gaussian of the sub-vector and the sub-matrix (chapter 2), so integrating the
# missing values out of the mixture density leaves
#
# $$
# \log p(\mathbf x_n^{o}) = \log \sum_{k=1}^{K} \pi_k\,
# \mathcal N\bigl(\mathbf x_n^{o} \mid \boldsymbol\mu_k^{o}, \boldsymbol\Sigma_k^{oo}\bigr).
# $$ (eq-ch15-loglik)
#
# Its sum over $n$ is the *observed-data log-likelihood*, the quantity EM climbs and the
# package reports as `lower_bounds_`. Under MCAR and MAR, maximizing it is maximum likelihood.
#
# **E-step.** The posterior of the component label given the observed values is, as in
# chapter 5, the responsibility, computed from the marginal densities:
#
# $$
# r_{nk} = \frac{\pi_k\,\mathcal N(\mathbf x_n^{o} \mid \boldsymbol\mu_k^{o},
# \boldsymbol\Sigma_k^{oo})}{\sum_{j=1}^{K} \pi_j\,\mathcal N(\mathbf x_n^{o} \mid
# \boldsymbol\mu_j^{o}, \boldsymbol\Sigma_j^{oo})}.
# $$ (eq-ch15-resp)
#
# The missing values are latent too. Given the component, they are Gaussian with the
# conditional mean and covariance of chapter 2 (completing the square in the joint density):
#
# $$
# \hat{\mathbf x}_{nk}^{m} = \mathbb E[\mathbf x_n^{m} \mid \mathbf x_n^{o}, z_n = k] =
# \boldsymbol\mu_k^{m} + \boldsymbol\Sigma_k^{mo} (\boldsymbol\Sigma_k^{oo})^{-1}
# (\mathbf x_n^{o} - \boldsymbol\mu_k^{o}),
# $$ (eq-ch15-condmean)
#
# $$
# \mathbf C_{nk} = \operatorname{Cov}[\mathbf x_n^{m} \mid \mathbf x_n^{o}, z_n = k] =
# \boldsymbol\Sigma_k^{mm} - \boldsymbol\Sigma_k^{mo} (\boldsymbol\Sigma_k^{oo})^{-1}
# \boldsymbol\Sigma_k^{om}.
# $$ (eq-ch15-condcov)
#
# The conditional covariance is the Schur complement of $\boldsymbol\Sigma_k^{oo}$: what is
# left of the missing block's uncertainty once the observed values are known. It does not
# depend on the observed values themselves, only on which coordinates are observed.
#
# **Expected sufficient statistics.** The M-step of chapter 5 needs, for each component,
# $\sum_n r_{nk}$, $\sum_n r_{nk}\mathbf x_n$ and $\sum_n r_{nk}\mathbf x_n\mathbf x_n^\top$.
# With holes, EM replaces each statistic by its expectation given the observed values. Write
# $\hat{\mathbf x}_{nk}$ for row $n$ with its missing block filled by
# {eq}`eq-ch15-condmean`, and $\tilde{\mathbf C}_{nk}$ for the $d\times d$ matrix that holds
# $\mathbf C_{nk}$ in the missing block and zeros elsewhere. Then
#
# $$
# \begin{aligned}
# \mathbb E[\mathbf x_n \mid \mathbf x_n^{o}, z_n=k] &= \hat{\mathbf x}_{nk},\\
# \mathbb E[\mathbf x_n \mathbf x_n^\top \mid \mathbf x_n^{o}, z_n=k] &=
# \hat{\mathbf x}_{nk}\hat{\mathbf x}_{nk}^\top + \tilde{\mathbf C}_{nk}.
# \end{aligned}
# $$ (eq-ch15-expected)
#
# **M-step.** Maximizing the expected complete-data log-likelihood is the M-step of chapter 5
# with these expectations in place of the data:
#
# $$
# \begin{aligned}
# N_k &= \sum_{n} r_{nk}, \qquad
# \boldsymbol\mu_k = \frac{1}{N_k}\sum_{n} r_{nk}\,\hat{\mathbf x}_{nk},\\
# \boldsymbol\Sigma_k &= \frac{1}{N_k}\sum_{n} r_{nk}\Bigl[
# (\hat{\mathbf x}_{nk}-\boldsymbol\mu_k)(\hat{\mathbf x}_{nk}-\boldsymbol\mu_k)^\top
# + \tilde{\mathbf C}_{nk}\Bigr],
# \end{aligned}
# $$ (eq-ch15-mstep)
#
# and $\pi_k = N_k/N$. The term $\tilde{\mathbf C}_{nk}$ is the *conditional-covariance
# correction*. Filling the holes with $\hat{\mathbf x}_{nk}$ and computing an ordinary
# covariance would leave it out; the filled values lie exactly on the regression line, with
# none of the scatter real values have, and the covariances shrink. The argument of chapter 6
# goes through unchanged (the missing values are just more latent variables), so every
# iteration increases {eq}`eq-ch15-loglik`.
#
# For `'diag'` and `'spherical'` covariances, $\boldsymbol\Sigma_k^{mo} = \mathbf 0$: the
# conditional mean of a missing coordinate is its component mean and its conditional
# variance is its component variance. For `'tied'`, the blocks come from the shared
# $\boldsymbol\Sigma$ and the covariance update sums the bracket over components, as in
# chapter 9.
#
# **In the package.** `gmm_from_scratch.missing` groups the rows by their pattern of
# holes. For each pattern and component it computes one Cholesky factor of
# $\boldsymbol\Sigma_k^{oo}$, from which come the marginal log-density (in log space, as in
# chapter 7), the regression coefficients of {eq}`eq-ch15-condmean` and the Schur
# complement {eq}`eq-ch15-condcov`. All rows with that pattern are then processed in a few
# matrix products. The expected statistics go into the same `SufficientStatistics` and the
# same `m_step` as complete data. EM starts from k-means on the mean-imputed data; that start
# is biased, and the iterations remove the bias.
#
# Here is a check of the package against the formulas, written inline for one incomplete
# row: its marginal density (SciPy's one-dimensional normal) and its conditional mean.

# %%
em = fits["exact EM"]
i = int(np.flatnonzero(np.isnan(Xm[:, 1]))[0])  # a row whose waiting time is missing
x1 = Xm[i, 0]
marginal = [stats.norm(em.means_[k, 0], np.sqrt(em.covariances_[k, 0, 0])).pdf(x1)
            for k in range(2)]
r = em.weights_ * marginal / (em.weights_ @ marginal)
slopes = em.covariances_[:, 1, 0] / em.covariances_[:, 0, 0]
by_hand = r @ (em.means_[:, 1] + slopes * (x1 - em.means_[:, 0]))
print(f"row {i}: eruption {x1:.4f}, waiting missing")
print(f"  log p(x_o): package {em.score_samples(Xm[i:i + 1])[0]:.6f}, "
      f"SciPy {np.log(em.weights_ @ marginal):.6f}")
print(f"  E[waiting | eruption]: package {em.impute(Xm[i:i + 1])[0, 1]:.6f}, "
      f"by hand {by_hand:.6f}")
assert np.isclose(em.score_samples(Xm[i:i + 1])[0], np.log(em.weights_ @ marginal), rtol=1e-12)
assert np.isclose(em.impute(Xm[i:i + 1])[0, 1], by_hand, rtol=1e-12)

# %% [markdown]
# EM's observed-data log-likelihood never decreased during the fit:

# %%
bounds = np.array(em.lower_bounds_)
print(f"{em.n_iter_} iterations; mean observed-data log-likelihood from {bounds[0]:.4f} "
      f"to {bounds[-1]:.4f}; smallest step {np.diff(bounds).min():.2e}")
assert np.all(np.diff(bounds) >= 0)

# %% [markdown]
# ### Leaving out the correction
#
# What if we skip $\tilde{\mathbf C}_{nk}$? That is the tempting shortcut "impute the
# conditional means, refit, repeat". We start it from the exact EM fit and let it run:

# %%
shortcut = fits["exact EM"]
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # one iteration per fit never "converges"
    for _ in range(100):
        filled = shortcut.impute(Xm)
        shortcut = GaussianMixture(2, max_iter=1, weights_init=shortcut.weights_,
                                   means_init=shortcut.means_,
                                   precisions_init=shortcut.precisions_).fit(filled)
variances = {}
for name, gmm in (("complete data", reference), ("exact EM", em), ("impute-refit", shortcut)):
    perm = align_components(reference.means_, gmm.means_)
    variances[name] = np.diagonal(gmm.covariances_[perm], axis1=1, axis2=2)
    print(f"{name:>13}: variances of component 1 {variances[name][0]}, "
          f"component 2 {variances[name][1]}")
shrink = variances["impute-refit"] / variances["exact EM"]
print(f"impute-refit / exact EM: {shrink.ravel()}")

# %% tags=["remove-cell"]
assert 0.8 < shrink.min() and shrink.max() < 0.92
assert np.all(np.abs(variances["exact EM"] / variances["complete data"] - 1) < 0.15)

# %% [markdown]
# Without the correction, every variance shrinks, by 9 to 18 % against exact EM's, which
# stay within 15 % of the complete-data fit's.
#
# ## Imputation and its uncertainty
#
# Once the mixture is fitted, the best guess of a missing block (in mean squared error) is its
# conditional mean under the whole mixture, the responsibility-weighted average of the
# components' regressions:
#
# $$
# \mathbb E[\mathbf x_n^{m} \mid \mathbf x_n^{o}] = \sum_{k=1}^{K} r_{nk}\,
# \hat{\mathbf x}_{nk}^{m}.
# $$ (eq-ch15-impute)
#
# `gmm.impute(X)` returns `X` with every hole filled this way and the observed values left
# alone. Since we removed the values ourselves, we can compare with the truth:

# %%
filled = em.impute(Xm)
removed = np.isnan(Xm)
rmse_em = np.sqrt(np.mean((filled - X)[removed] ** 2))
rmse_mean = np.sqrt(np.mean((mean_impute(Xm) - X)[removed] ** 2))
print(f"root-mean-square error of the filled values: conditional mean {rmse_em:.3f}, "
      f"column mean {rmse_mean:.3f} (standard deviations)")
assert np.array_equal(filled[~removed], Xm[~removed])
assert rmse_em < 0.5 * rmse_mean

# %% [markdown]
# The conditional means are less than half as far from the truth as the column means. But a
# filled-in table treats guesses as facts: any statistic computed from it is as confident as
# if nothing had been missing. *Multiple imputation* keeps the uncertainty. Draw several
# completed tables, each filling a row's holes by first drawing a component with
# probabilities $r_{nk}$ and then the missing block from
# $\mathcal N(\hat{\mathbf x}_{nk}^{m}, \mathbf C_{nk})$. Then analyse each table and pool
# the results: their spread is the part of the uncertainty due to the missing values.
# {numref}`fig-ch15-draws` shows 20 such draws for every row that lost its waiting time.

# %% mystnb={"figure": {"caption": "Rows whose waiting time was removed: the true waiting time (black), its conditional mean under the fitted mixture (orange) and 20 conditional draws (blue dots). Between the clusters (eruption durations near -0.6 to -0.9) the draws split between the two components.", "name": "fig-ch15-draws"}, "image": {"alt": "Scatter of waiting time against eruption duration for rows with missing waiting time; the conditional means follow two regression lines joined by a steep step; blue draws scatter around them, bimodal in the middle."}}
draws = conditional_draws(Xm, em.weights_, em.means_, em.covariances_, "full",
                          np.random.default_rng(2), n_draws=20)
lost = np.flatnonzero(np.isnan(Xm[:, 1]))
fig, ax = plt.subplots(figsize=(6, 4))
ax.scatter(np.repeat(X[lost, 0], 20), draws[:, lost, 1].T.ravel(), s=4, color="C0",
           alpha=0.4, label="20 conditional draws")
ax.scatter(X[lost, 0], filled[lost, 1], s=14, color="C1", label="conditional mean")
ax.scatter(X[lost, 0], X[lost, 1], s=14, color="black", marker="x", label="true value")
ax.set_xlabel("eruption duration (standardized)")
ax.set_ylabel("waiting time (standardized)")
ax.set_title("Imputing the missing waiting times")
ax.legend(loc="upper left", fontsize=8)
plt.show()

# %%
low, high = np.percentile(draws[:, lost, 1], [5, 95], axis=0)
coverage = np.mean((X[lost, 1] >= low) & (X[lost, 1] <= high))
print(f"{len(lost)} missing waiting times; the central 90 % of their 20 draws contains the "
      f"true value for {coverage:.0%} of them")
assert 0.75 <= coverage < 0.9

# %% [markdown]
# The draws cover the true values somewhat less often than a 90 % interval should: 20 draws
# make only a rough interval, 84 rows leave room for chance, and the mixture itself was
# estimated from the damaged data. A single filled-in value has no spread at all, and would
# present every guess as certain.
#
# ## When the values are missing not at random
#
# Everything above assumed that whether a value is missing does not depend on the value
# itself. Suppose instead that the long waits went unrecorded: each waiting time more than
# half a standard deviation above the mean is lost with probability 0.7.

# %%
rng = np.random.default_rng(3)
long_wait_lost = (X[:, 1] > 0.5) & (rng.uniform(size=len(X)) < 0.7)
Xmnar = X.copy()
Xmnar[long_wait_lost, 1] = np.nan
mnar = GaussianMixture(2, nan_policy="marginalize", random_state=0).fit(Xmnar)
perm = align_components(reference.means_, mnar.means_)
print(f"{long_wait_lost.sum()} long waits lost")
print(f"mean waiting time of the long-wait cluster: complete data "
      f"{reference.means_[:, 1].max():.3f}, exact EM under MNAR {mnar.means_[perm, 1].max():.3f}")
bias = reference.means_[:, 1].max() - mnar.means_[perm, 1].max()
assert 0.15 < bias < 0.35

# %% [markdown]
# EM, which assumes MAR, now puts the long-wait cluster's mean waiting time about a quarter
# of a standard deviation too low. It fills each lost value from the regression on eruption
# duration fitted to the *kept* long-wait rows, which are the shorter ones. No method can
# detect this from the observed data alone: the data are equally consistent with "long waits
# were lost" and with "these eruptions had ordinary waits". The remedies use knowledge from
# outside the data: model the mechanism $p(R_n \mid \mathbf x_n)$ jointly with the mixture
# (a *selection model*), or fit under several assumed mechanisms and report how much the
# conclusions move (a *sensitivity analysis*) {cite}`little2019`.
#
# ## Exercises
#
# ```{exercise}
# :label: ex-ch15-schur
#
# Derive {eq}`eq-ch15-condmean` and {eq}`eq-ch15-condcov` for a single Gaussian. Write the
# precision matrix $\boldsymbol\Lambda = \boldsymbol\Sigma^{-1}$ in blocks, collect the
# terms of $-\tfrac12(\mathbf x-\boldsymbol\mu)^\top\boldsymbol\Lambda(\mathbf x-\boldsymbol\mu)$
# that involve $\mathbf x^{m}$, and complete the square. Then use the block-inverse formula
# to express the result with blocks of $\boldsymbol\Sigma$. (The programming exercise of this
# chapter asks you to compute the same two quantities in code.)
# ```
#
# ```{solution} ex-ch15-schur
# :class: dropdown
#
# The terms with $\mathbf x^{m}$ are
# $-\tfrac12(\mathbf x^{m}-\boldsymbol\mu^{m})^\top\boldsymbol\Lambda^{mm}
# (\mathbf x^{m}-\boldsymbol\mu^{m}) - (\mathbf x^{m}-\boldsymbol\mu^{m})^\top
# \boldsymbol\Lambda^{mo}(\mathbf x^{o}-\boldsymbol\mu^{o})$. Completing the square, the
# conditional is Gaussian with covariance $(\boldsymbol\Lambda^{mm})^{-1}$ and mean
# $\boldsymbol\mu^{m} - (\boldsymbol\Lambda^{mm})^{-1}\boldsymbol\Lambda^{mo}
# (\mathbf x^{o}-\boldsymbol\mu^{o})$. The block inverse of $\boldsymbol\Sigma$ gives
# $(\boldsymbol\Lambda^{mm})^{-1} = \boldsymbol\Sigma^{mm} - \boldsymbol\Sigma^{mo}
# (\boldsymbol\Sigma^{oo})^{-1}\boldsymbol\Sigma^{om}$ and
# $-(\boldsymbol\Lambda^{mm})^{-1}\boldsymbol\Lambda^{mo} = \boldsymbol\Sigma^{mo}
# (\boldsymbol\Sigma^{oo})^{-1}$, which are {eq}`eq-ch15-condcov` and
# {eq}`eq-ch15-condmean`.
# ```
#
# ```{exercise}
# :label: ex-ch15-shrink
#
# One Gaussian in one dimension, variance $\sigma^2$ unknown, mean known to be 0. A fraction
# $q$ of the values is missing completely at random, and the observed ones have mean square
# $s^2$. (a) Write the EM update of $\sigma^2$ from {eq}`eq-ch15-mstep` and find its fixed
# point. (b) Do the same for the shortcut that fills each hole with its conditional mean (0)
# and leaves out the correction. Which one is right, and by how much is the other one off?
# ```
#
# ```{solution} ex-ch15-shrink
# :class: dropdown
#
# (a) A missing value has conditional mean 0 and conditional variance $\sigma^2_{\text{old}}$,
# so $\sigma^2_{\text{new}} = (1-q)s^2 + q\,\sigma^2_{\text{old}}$, whose fixed point is
# $\sigma^2 = s^2$: the maximum-likelihood estimate from the observed values, as it should be
# under MCAR. (b) Without the correction, $\sigma^2_{\text{new}} = (1-q)s^2$ after any number
# of iterations: the variance shrinks by the factor $1-q$, by 30 % when 30 % is missing.
# ```
#
# ## Summary
#
# - Values can be missing completely at random, at random given the observed values, or not
#   at random. Under the first two, maximizing the observed-data likelihood
#   {eq}`eq-ch15-loglik` is right and the mechanism can be ignored; under MNAR it cannot.
# - Complete-case analysis wastes rows and is biased under MAR; mean imputation puts points
#   where there are none and distorts means and covariances.
# - Exact EM takes responsibilities from the observed coordinates {eq}`eq-ch15-resp`, fills
#   each missing block with its conditional mean under each component
#   {eq}`eq-ch15-condmean`, and adds the conditional covariance {eq}`eq-ch15-condcov` to the
#   scatter {eq}`eq-ch15-mstep`; without that correction the covariances shrink.
# - `GaussianMixture(nan_policy="marginalize")` fits data with `NaN`, groups rows by pattern
#   so that each pattern's linear algebra is done once, and scores, predicts and imputes
#   {eq}`eq-ch15-impute` rows with holes. `conditional_draws` gives multiple imputations
#   whose spread shows what the filled values do not know.
