"""gmm_from_scratch: Gaussian mixture models and EM, written from scratch for the book.

The numerical core imports only NumPy and SciPy. Each module is the summary of a chapter:

- :mod:`.gaussian` (chapters 1–2): 1-D and multivariate Gaussian log-densities, MLE.
- :mod:`.kmeans` (chapter 3): Lloyd's algorithm and k-means++.
- :mod:`.em` (chapters 5, 7, 13): E-step, sufficient statistics, M-step; blocked and streamed.
- :mod:`.online` (chapter 13): online (stepwise) EM behind ``GaussianMixture.partial_fit``.
- :mod:`.logspace` (chapter 7): log-sum-exp.
- :mod:`.covariance` (chapter 9): the four covariance types.
- :mod:`.mixture`: the :class:`.GaussianMixture` estimator.
- :mod:`.selection` (chapter 10): choosing the number of components (AIC, BIC, held-out).
- :mod:`.alignment` (chapter 11): label switching.
- :mod:`.bayesian` (chapter 14): variational Bayesian mixtures.

Plotting (:mod:`.plotting`) sits at the edge and is imported separately, as does the Dask
path (:mod:`.scale`, chapter 13; ``pip install "gmm_from_scratch[scale]"``).
"""

from ._validation import ConvergenceWarning, NotFittedError
from .alignment import align_components, align_labels, permute_mixture
from .bayesian import BayesianGaussianMixture
from .covariance import COVARIANCE_TYPES, DegenerateCovarianceError, n_parameters
from .datasets import load_old_faithful, standardize
from .em import (
    SufficientStatistics,
    e_step,
    em_pass,
    estimate_log_gaussian_prob,
    m_step,
    responsibilities,
)
from .gaussian import (
    fit_gaussian_1d,
    log_likelihood_1d,
    log_pdf,
    log_pdf_1d,
    mahalanobis,
    precision_cholesky,
)
from .history import EMHistory
from .kmeans import KMeans, kmeans_plusplus
from .logspace import logsumexp, normalize_log_probabilities
from .mixture import INIT_METHODS, GaussianMixture
from .selection import (
    SelectionResult,
    heldout_log_likelihood,
    kfold_indices,
    select_n_components,
)

__version__ = "0.1.0"

__all__ = [
    "COVARIANCE_TYPES",
    "INIT_METHODS",
    "BayesianGaussianMixture",
    "ConvergenceWarning",
    "DegenerateCovarianceError",
    "EMHistory",
    "GaussianMixture",
    "KMeans",
    "NotFittedError",
    "SelectionResult",
    "SufficientStatistics",
    "align_components",
    "align_labels",
    "e_step",
    "em_pass",
    "estimate_log_gaussian_prob",
    "fit_gaussian_1d",
    "heldout_log_likelihood",
    "kfold_indices",
    "kmeans_plusplus",
    "load_old_faithful",
    "log_likelihood_1d",
    "log_pdf",
    "log_pdf_1d",
    "logsumexp",
    "m_step",
    "mahalanobis",
    "n_parameters",
    "normalize_log_probabilities",
    "permute_mixture",
    "precision_cholesky",
    "responsibilities",
    "select_n_components",
    "standardize",
]
