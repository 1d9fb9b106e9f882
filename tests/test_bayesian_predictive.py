"""BayesianGaussianMixture.predictive_log_density: the Student-t mixture of Bishop eq. 10.81.

Checked against independent references: scipy's multivariate t with the shape matrix written
from Bishop's formula, a Monte Carlo average of Gaussian densities over draws from the
variational posterior (Dirichlet and Gauss-Wishart, sampled with scipy), and normalization
(the density integrates to one on a grid).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from scipy.special import logsumexp

from gmm_from_scratch import BayesianGaussianMixture


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    a = rng.multivariate_normal([0.0, 0.0], [[1.0, 0.6], [0.6, 0.8]], size=40)
    b = rng.multivariate_normal([4.0, 2.0], [[0.5, -0.2], [-0.2, 0.4]], size=25)
    return np.vstack([a, b])


def fit(X, covariance_type="full", prior_type="dirichlet_distribution"):
    return BayesianGaussianMixture(
        n_components=3,
        covariance_type=covariance_type,
        weight_concentration_prior_type=prior_type,
        weight_concentration_prior=0.5,
        max_iter=200,
        random_state=0,
    ).fit(X)


def reference(model, X):
    """Bishop eq. 10.81 with scipy.stats.multivariate_t, from W_k^{-1} = nu_k * covariances_."""
    K, d = model.means_.shape
    nu = np.broadcast_to(np.asarray(model.degrees_of_freedom_, dtype=float), (K,))
    covs = model.covariances_
    if model.covariance_type == "tied":
        covs = np.repeat(covs[None], K, axis=0)
    parts = []
    for k in range(K):
        dof = nu[k] + 1 - d
        beta = model.mean_precision_[k]
        shape = (1 + beta) / (beta * dof) * (nu[k] * covs[k])  # L_k^{-1}
        t = stats.multivariate_t(loc=model.means_[k], shape=shape, df=dof)
        parts.append(np.log(model.weights_[k]) + t.logpdf(X))
    return logsumexp(np.column_stack(parts), axis=1)


@pytest.mark.parametrize("covariance_type", ["full", "tied"])
@pytest.mark.parametrize("prior_type", ["dirichlet_distribution", "dirichlet_process"])
def test_matches_scipy_student_t_mixture(data, covariance_type, prior_type):
    model = fit(data, covariance_type, prior_type)
    grid = np.array([[0.0, 0.0], [4.0, 2.0], [2.0, 1.0], [-5.0, 7.0], [30.0, -20.0]])
    ours = model.predictive_log_density(grid)
    np.testing.assert_allclose(ours, reference(model, grid), rtol=1e-10)


def test_equals_monte_carlo_over_the_posterior(data):
    """E_q[sum_k pi_k N(x | mu_k, Lambda_k^-1)], sampled from q(pi) q(mu, Lambda)."""
    model = fit(data)
    rng = np.random.default_rng(1)
    K, d = model.means_.shape
    S = 40000
    x = np.array([[0.5, 0.2], [3.5, 2.5], [2.0, -1.0]])
    pis = rng.dirichlet(model.weight_concentration_, size=S)
    dens = np.zeros((S, len(x)))
    for k in range(K):
        W = np.linalg.inv(model.degrees_of_freedom_[k] * model.covariances_[k])
        lambdas = stats.wishart(df=model.degrees_of_freedom_[k], scale=W).rvs(S, random_state=rng)
        covs = np.linalg.inv(lambdas)
        chol = np.linalg.cholesky(covs / model.mean_precision_[k])
        mus = model.means_[k] + np.einsum("sij,sj->si", chol, rng.standard_normal((S, d)))
        diff = x[None, :, :] - mus[:, None, :]  # (S, points, d)
        maha = np.einsum("spi,sij,spj->sp", diff, lambdas, diff)
        log_det = np.linalg.slogdet(lambdas)[1]
        log_pdf = 0.5 * (log_det[:, None] - maha - d * np.log(2 * np.pi))
        dens += pis[:, k, None] * np.exp(log_pdf)
    mc = dens.mean(axis=0)
    stderr = dens.std(axis=0) / np.sqrt(S)
    ours = np.exp(model.predictive_log_density(x))
    assert np.all(np.abs(ours - mc) < 5 * stderr), (ours, mc, stderr)
    assert np.all(stderr < 0.02 * mc)  # the check is sharp enough to see a wrong scale


def test_integrates_to_one(data):
    model = fit(data)
    g = np.linspace(-40, 45, 1201)
    xx, yy = np.meshgrid(g, g)
    p = np.exp(model.predictive_log_density(np.column_stack([xx.ravel(), yy.ravel()])))
    total = p.sum() * (g[1] - g[0]) ** 2
    assert abs(total - 1.0) < 5e-3, total


def test_heavier_tails_than_the_plug_in_gaussian_mixture(data):
    """Far from the data the Student-t mixture is far above the plug-in Gaussian mixture."""
    model = fit(data)
    far = np.array([[25.0, -25.0]])
    plug_in = logsumexp(
        [np.log(w) + stats.multivariate_normal(m, c).logpdf(far[0])
         for w, m, c in zip(model.weights_, model.means_, model.covariances_, strict=True)]
    )  # fmt: skip
    assert model.predictive_log_density(far)[0] > plug_in + 10


def test_refuses_diag_and_spherical(data):
    for covariance_type in ("diag", "spherical"):
        model = fit(data, covariance_type)
        with pytest.raises(ValueError, match="'full' or 'tied'"):
            model.predictive_log_density(data)
