"""Write the exercise notebooks (student and solution editions) from one source.

Each exercise below is stated once, with its stub and its solution. This script writes

- ``exercises/chNN_<topic>.ipynb``: the student notebook, with stubs that raise
  ``NotImplementedError``, a ``check(...)`` cell after each, and the solution in a
  ``{solution}`` dropdown (a markdown cell tagged ``solution``) for the book;
- ``exercises/solutions/chNN_<topic>.ipynb``: the same notebook with the code filled in.

Run it from the repository root, then execute the notebooks so that they carry their outputs::

    .venv/bin/python exercises/build_notebooks.py
    .venv/bin/jupyter nbconvert --to notebook --execute --inplace exercises/*.ipynb \\
        exercises/solutions/*.ipynb
"""

from __future__ import annotations

import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent


@dataclass
class Exercise:
    name: str  # checker name, e.g. "ch05.e_step"
    title: str
    statement: str  # markdown inside the {exercise} block
    header: str  # def line and docstring
    solution: str  # the body that replaces the stub

    @property
    def func(self) -> str:
        return self.name.split(".")[1]

    @property
    def label(self) -> str:
        return "lab-" + self.name.replace(".", "-").replace("_", "-")

    def code(self, solved: bool) -> str:
        header = textwrap.dedent(self.header).strip("\n")
        if solved:
            body = textwrap.indent(textwrap.dedent(self.solution).strip("\n"), "    ")
        else:
            body = ("    # YOUR CODE HERE\n"
                    f'    raise NotImplementedError("{self.name}: write your code here")')
        return f"{header}\n{body}\n"


@dataclass
class Chapter:
    stem: str  # exercises/<stem>.ipynb
    number: int
    title: str
    chapter_file: str
    intro: str
    setup: str
    exercises: list[Exercise] = field(default_factory=list)

    @property
    def marker(self) -> str:
        return f"ch{self.number:02d}"


HOW_TO = """\
:::{{admonition}} How these exercises work
:class: tip

1. Run the first code cell (the imports).
2. In every cell marked `# YOUR CODE HERE`, replace the line `raise NotImplementedError(...)`
   with your code. Keep the function's name and arguments.
3. Run the `check(...)` cell right below it. It runs your function on several cases, including
   the traps the chapter warns about, and tells you in plain words what is wrong and on which
   case, or that everything passed. Until you start, it says "not implemented yet".
4. From a terminal, `pytest exercises/ -m {marker}` checks every exercise of this notebook.

In the book, a solution follows each exercise in a dropdown: try first!
:::
"""


def student_notebook(ch: Chapter) -> nbformat.NotebookNode:
    return _notebook(ch, solved=False)


def solution_notebook(ch: Chapter) -> nbformat.NotebookNode:
    return _notebook(ch, solved=True)


def _notebook(ch: Chapter, solved: bool) -> nbformat.NotebookNode:
    v4 = nbformat.v4
    cells = []
    chapter_link = f"[Chapter {ch.number}](../{'../' if solved else ''}chapters/{ch.chapter_file})"
    title = f"# Exercises for chapter {ch.number}: {ch.title}"
    if solved:
        title = f"# Solutions for chapter {ch.number}: {ch.title}"
    intro = ch.intro.strip().replace("{chapter}", chapter_link)
    head = f"{title}\n\n{intro}\n"
    if solved:
        head += ("\nThis is the instructor's copy: every exercise is filled in and every check "
                 "passes. The student notebook is `exercises/" + ch.stem + ".ipynb`.\n")
    else:
        head += "\n" + HOW_TO.format(marker=ch.marker)
    cells.append(v4.new_markdown_cell(head))
    cells.append(v4.new_code_cell(ch.setup.strip() + "\n", metadata={"tags": ["setup"]}))
    for i, ex in enumerate(ch.exercises, start=1):
        statement = textwrap.dedent(ex.statement).strip()
        # The heading carries the number (P5.1, P5.2, ...: P for programming, because chapter 5's
        # own exercises are Exercise 5.1, 5.2, ...), and so do the exercise box and its solution,
        # through the box's subtitle: "Exercise (P5.1)", "Solution to Exercise (P5.1)". The box
        # itself is unnumbered: these pages sit in an unnumbered part of the book, where
        # sphinx-exercise would otherwise count exercises across the whole book ("Exercise 7"
        # under "P5.1").
        number = f"P{ch.number}.{i}"
        md = (f"## {number} {ex.title}\n\n"
              f"```{{exercise}} {number}\n:label: {ex.label}\n:nonumber:\n\n{statement}\n```\n")
        cells.append(v4.new_markdown_cell(md))
        cells.append(v4.new_code_cell(ex.code(solved).rstrip("\n"),
                                      metadata={"tags": ["exercise"]}))
        cells.append(v4.new_code_cell(f'check("{ex.name}", {ex.func})',
                                      metadata={"tags": ["check"]}))
        if not solved:
            sol = (f"````{{solution}} {ex.label}\n:class: dropdown\n\n```python\n"
                   f"{ex.code(True)}```\n````\n")
            cells.append(v4.new_markdown_cell(sol, metadata={"tags": ["solution"]}))
    for k, cell in enumerate(cells):  # stable ids: regenerating changes only what changed
        cell["id"] = f"{ch.marker}-{'solved' if solved else 'student'}-{k:02d}"
    nb = v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python",
                                 "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


# ============================================================================ the exercises
def setup(third_party: str = "", package: str = "") -> str:
    """The imports cell, sorted as ruff (isort) wants it."""
    lines = ["import numpy as np"] + ([third_party] if third_party else [])
    lines += ["", *([package] if package else []), "from gmm_from_scratch.exercises import check"]
    return "\n".join(lines) + "\n"


CHAPTERS: list[Chapter] = []

CHAPTERS.append(Chapter(
    "ch01_gaussian_1d", 1, "The 1-D Gaussian and maximum likelihood", "01_gaussian_1d.ipynb",
    """
In {chapter} we derived the maximum-likelihood estimates of a Gaussian's mean and standard
deviation. Here you write them, and the log-likelihood they maximize, yourself.
""",
    setup(),
    [
        Exercise(
            "ch01.log_likelihood_1d", "The log-likelihood of 1-D data",
            r"""
            Write `log_likelihood_1d(x, mean, std)`, the total log-likelihood of eq. (1.2),

            $$\log L(\mu, \sigma) = \sum_{n=1}^{N}\Big(-\tfrac12\log(2\pi) - \log\sigma
              - \tfrac12\Big(\frac{x_n-\mu}{\sigma}\Big)^2\Big).$$

            Return one Python `float`. Do not compute the density and then take its log: a
            point 100 standard deviations away has density 0 in floating point.
            """,
            '''
            def log_likelihood_1d(x, mean, std):
                """Total log-likelihood of the points x under N(mean, std**2)."""
            ''',
            """
            x = np.asarray(x, dtype=float)
            z = (x - mean) / std
            return float(np.sum(-0.5 * np.log(2 * np.pi) - np.log(std) - 0.5 * z**2))
            """,
        ),
        Exercise(
            "ch01.fit_gaussian_1d", "Maximum-likelihood mean and standard deviation",
            r"""
            Write `fit_gaussian_1d(x)` returning the pair `(mean, std)` of maximum-likelihood
            estimates (eqs. 1.3 and 1.4):

            $$\hat\mu = \frac1N\sum_n x_n, \qquad
              \hat\sigma = \sqrt{\frac1N\sum_n (x_n-\hat\mu)^2}.$$

            The checker also gives you a plain Python list, a single point, and data whose mean
            ($10^6$) is huge compared with their spread (1).
            """,
            '''
            def fit_gaussian_1d(x):
                """Maximum-likelihood (mean, std) of 1-D data x."""
            ''',
            """
            x = np.asarray(x, dtype=float)
            mean = x.mean()
            std = np.sqrt(np.mean((x - mean) ** 2))  # centre first, divide by n
            return float(mean), float(std)
            """,
        ),
    ],
))

CHAPTERS.append(Chapter(
    "ch02_multivariate_gaussian", 2, "The multivariate Gaussian",
    "02_multivariate_gaussian.ipynb",
    """
{chapter} evaluated the multivariate Gaussian's log-density through a Cholesky factor instead
of an inverse and a determinant. Now you write that function.
""",
    setup("from scipy import linalg"),
    [
        Exercise(
            "ch02.log_pdf", "The log-density via a Cholesky factor",
            r"""
            Write `log_pdf(X, mean, covariance)` returning, for each row $x_n$ of `X`
            (shape `(n, d)`),

            $$\begin{aligned}\log\mathcal N(x_n\mid\mu,\Sigma) = -\tfrac12\Big(&d\log(2\pi)
              + \log\det\Sigma\\ &+ (x_n-\mu)^\top\Sigma^{-1}(x_n-\mu)\Big).\end{aligned}$$

            Do **not** call `inv`, `pinv`, `det` or `slogdet` (the checker watches for them).
            Factor $\Sigma = LL^\top$ with `linalg.cholesky(covariance, lower=True)`; solve
            $Lz_n = x_n-\mu$ with `linalg.solve_triangular`, so the Mahalanobis term is
            $\lVert z_n\rVert^2$; and use $\log\det\Sigma = 2\sum_i\log L_{ii}$.
            Return an array of shape `(n,)`.
            """,
            '''
            def log_pdf(X, mean, covariance):
                """Log-density of N(mean, covariance) at every row of X, shape (n,)."""
            ''',
            """
            X = np.asarray(X, dtype=float)
            d = X.shape[1]
            L = linalg.cholesky(covariance, lower=True)
            Z = linalg.solve_triangular(L, (X - mean).T, lower=True)  # shape (d, n)
            mahalanobis_sq = np.sum(Z**2, axis=0)
            log_det = 2.0 * np.sum(np.log(np.diag(L)))
            return -0.5 * (d * np.log(2 * np.pi) + log_det + mahalanobis_sq)
            """,
        ),
    ],
))

CHAPTERS.append(Chapter(
    "ch03_kmeans", 3, "k-means and its limits", "03_kmeans.ipynb",
    """
{chapter} introduced Lloyd's algorithm, which alternates an assignment step and an update step.
Here you write one full iteration.
""",
    setup(),
    [
        Exercise(
            "ch03.lloyd_step", "One iteration of Lloyd's algorithm",
            r"""
            Write `lloyd_step(X, centers)` returning `(labels, new_centers)`:

            - **assignment** (eq. 3.2): `labels[n]` is the index of the centre nearest to
              `X[n]` in squared Euclidean distance;
            - **update** (eq. 3.3): `new_centers[k]` is the mean of the points labelled `k`.
              A centre that received no point keeps its old position.

            `X` has shape `(n, d)`, `centers` shape `(K, d)`. Do not modify `centers`.
            """,
            '''
            def lloyd_step(X, centers):
                """One assignment step and one update step of k-means."""
            ''',
            """
            d2 = np.sum((X[:, None, :] - centers[None, :, :]) ** 2, axis=2)  # (n, K)
            labels = np.argmin(d2, axis=1)
            new_centers = centers.copy()
            for k in range(centers.shape[0]):
                members = X[labels == k]
                if len(members) > 0:  # an empty cluster keeps its centre
                    new_centers[k] = members.mean(axis=0)
            return labels, new_centers
            """,
        ),
    ],
))

CHAPTERS.append(Chapter(
    "ch04_mixture_model", 4, "The mixture as a generative model", "04_mixture_model.ipynb",
    """
{chapter} told the mixture's generative story (pick a component, then draw from it) and
inverted it with Bayes' rule. You now write both directions.
""",
    setup(package="from gmm_from_scratch import log_pdf"),
    [
        Exercise(
            "ch04.sample_mixture", "Sampling from a mixture",
            r"""
            Write `sample_mixture(weights, means, covariances, n_samples, rng)` returning
            `(X, z)`: `z[n]` is the component of point `n`, drawn with probabilities
            `weights`, and `X[n]` is a draw from $\mathcal N(\mu_{z_n}, \Sigma_{z_n})$.
            `covariances` has shape `(K, d, d)`.

            Use only the generator `rng` for randomness (`rng.choice`, `rng.standard_normal`),
            so that the same seed gives the same sample. To draw from
            $\mathcal N(\mu, \Sigma)$, take the Cholesky factor $\Sigma = LL^\top$ and a row
            $e$ of standard normals: $x = \mu + eL^\top$.
            """,
            '''
            def sample_mixture(weights, means, covariances, n_samples, rng):
                """Draw n_samples points and their components from a Gaussian mixture."""
            ''',
            """
            K, d = means.shape
            z = rng.choice(K, size=n_samples, p=weights)
            X = np.empty((n_samples, d))
            for k in range(K):
                rows = np.flatnonzero(z == k)
                L = np.linalg.cholesky(covariances[k])
                X[rows] = means[k] + rng.standard_normal((rows.size, d)) @ L.T
            return X, z
            """,
        ),
        Exercise(
            "ch04.responsibilities", "Responsibilities by Bayes' rule",
            r"""
            Write `responsibilities(X, weights, means, covariances)` returning the `(n, K)`
            matrix of eq. (4.2),

            $$\gamma(z_{nk}) = \frac{\pi_k\,\mathcal N(x_n\mid\mu_k,\Sigma_k)}
              {\sum_j \pi_j\,\mathcal N(x_n\mid\mu_j,\Sigma_j)}.$$

            You may use the package's `log_pdf(X, mean, covariance)` for each component's
            log-density. (Chapter 7 shows what goes wrong for points far from every component;
            these cases stay close.)
            """,
            '''
            def responsibilities(X, weights, means, covariances):
                """Posterior probability of each component for each row of X, shape (n, K)."""
            ''',
            """
            K = len(weights)
            joint = np.column_stack(
                [weights[k] * np.exp(log_pdf(X, means[k], covariances[k])) for k in range(K)]
            )
            return joint / joint.sum(axis=1, keepdims=True)
            """,
        ),
    ],
))

CHAPTERS.append(Chapter(
    "ch05_em_algorithm", 5, "The E-step and the M-step", "05_em_algorithm.ipynb",
    """
{chapter} derived the two halves of an EM iteration. You write both: the E-step in log space,
and the M-step for full covariances.
""",
    setup(package="from gmm_from_scratch import log_pdf, logsumexp"),
    [
        Exercise(
            "ch05.e_step", "The E-step in log space",
            r"""
            Write `e_step(X, weights, means, covariances)` returning
            `(log_prob_norm, log_resp)`:

            - `log_resp[n, k]` $=\log\gamma(z_{nk}) = \log\pi_k + \log\mathcal N(x_n\mid\mu_k,
              \Sigma_k) - \log p(x_n)$ (eq. 5.2), shape `(n, K)`;
            - `log_prob_norm[n]` $=\log p(x_n) = \operatorname{logsumexp}_k\big(\log\pi_k +
              \log\mathcal N(x_n\mid\mu_k,\Sigma_k)\big)$, shape `(n,)`.

            Use `log_pdf` and `logsumexp(a, axis=...)` from the package. Stay in log space:
            one test case puts points hundreds of standard deviations from every component.
            """,
            '''
            def e_step(X, weights, means, covariances):
                """Log-density of the mixture and log-responsibilities at every row of X."""
            ''',
            """
            K = len(weights)
            log_joint = np.column_stack(
                [np.log(weights[k]) + log_pdf(X, means[k], covariances[k]) for k in range(K)]
            )
            log_prob_norm = logsumexp(log_joint, axis=1)
            return log_prob_norm, log_joint - log_prob_norm[:, None]
            """,
        ),
        Exercise(
            "ch05.m_step", "The M-step",
            r"""
            Write `m_step(X, resp)` returning `(weights, means, covariances)` from the data and
            the responsibilities `resp` (shape `(n, K)`), eqs. (5.4)–(5.7):

            $$\begin{aligned}N_k&=\sum_n r_{nk},\qquad \pi_k=\frac{N_k}{N},\\
              \mu_k&=\frac1{N_k}\sum_n r_{nk}x_n,\\
              \Sigma_k&=\frac1{N_k}\sum_n r_{nk}(x_n-\mu_k)(x_n-\mu_k)^\top.\end{aligned}$$

            `covariances` has shape `(K, d, d)`; add no regularization here.
            """,
            '''
            def m_step(X, resp):
                """New weights (K,), means (K, d) and full covariances (K, d, d)."""
            ''',
            """
            n, d = X.shape
            K = resp.shape[1]
            nk = resp.sum(axis=0)
            weights = nk / n
            means = resp.T @ X / nk[:, None]
            covariances = np.empty((K, d, d))
            for k in range(K):
                diff = X - means[k]
                covariances[k] = (resp[:, k, None] * diff).T @ diff / nk[k]
            return weights, means, covariances
            """,
        ),
    ],
))

CHAPTERS.append(Chapter(
    "ch06_why_em_works", 6, "Why EM works", "06_why_em_works.ipynb",
    """
{chapter} showed that EM maximizes a lower bound, the ELBO, and that the log-likelihood never
decreases. You compute the bound, and write the test that every EM run must pass.
""",
    setup("from scipy.special import xlogy", "from gmm_from_scratch import log_pdf"),
    [
        Exercise(
            "ch06.elbo", "The evidence lower bound",
            r"""
            Write `elbo(X, resp, weights, means, covariances)` returning the float

            $$\mathcal L(q) = \sum_n\sum_k r_{nk}\big(\log\pi_k + \log\mathcal N(x_n\mid\mu_k,
              \Sigma_k)\big) - \sum_n\sum_k r_{nk}\log r_{nk},$$

            for any responsibilities `resp` (rows summing to one), with the convention
            $0\log 0 = 0$ (`scipy.special.xlogy(r, r)` implements it). When `resp` is the
            posterior, the bound touches the log-likelihood: the checker tests that too.
            """,
            '''
            def elbo(X, resp, weights, means, covariances):
                """The evidence lower bound for responsibilities resp and the given parameters."""
            ''',
            """
            K = len(weights)
            log_joint = np.column_stack(
                [np.log(weights[k]) + log_pdf(X, means[k], covariances[k]) for k in range(K)]
            )
            return float(np.sum(resp * log_joint) - np.sum(xlogy(resp, resp)))
            """,
        ),
        Exercise(
            "ch06.first_decrease", "Checking that the log-likelihood never decreases",
            r"""
            Write `first_decrease(values, tol)` which takes the list of log-likelihoods of an
            EM run and returns the first index `t` with `values[t] < values[t - 1] - tol`, or
            `None` if there is none. The tolerance absorbs rounding: in floating point EM can
            "decrease" by about $10^{-13}$ near convergence.
            """,
            '''
            def first_decrease(values, tol):
                """Index of the first decrease larger than tol in values, or None."""
            ''',
            """
            for t in range(1, len(values)):
                if values[t] < values[t - 1] - tol:
                    return t
            return None
            """,
        ),
    ],
))

CHAPTERS.append(Chapter(
    "ch07_log_space", 7, "Log-space numerics", "07_log_space.ipynb",
    """
{chapter} showed how densities underflow and how the log-sum-exp trick avoids it. Write the
trick yourself.
""",
    setup(),
    [
        Exercise(
            "ch07.logsumexp", "log-sum-exp",
            r"""
            Write `logsumexp(a, axis)` computing $\log\sum_i e^{a_i}$ along `axis` (all entries
            when `axis is None`) without overflow or underflow (eq. 7.1):

            $$\log\sum_i e^{a_i} = m + \log\sum_i e^{a_i-m},\qquad m=\max_i a_i.$$

            The reduced axis disappears from the result's shape (`axis=None` gives a 0-d
            array or a float). A slice whose entries are all $-\infty$ must give $-\infty$,
            not NaN. Do not call `scipy.special.logsumexp` or the package's `logsumexp`.
            """,
            '''
            def logsumexp(a, axis=None):
                """log(sum(exp(a))) along axis, computed stably."""
            ''',
            """
            a = np.asarray(a, dtype=float)
            m = np.max(a, axis=axis, keepdims=True)
            m = np.where(np.isfinite(m), m, 0.0)  # an all -inf slice: shift by 0, not -inf
            with np.errstate(divide="ignore"):
                out = np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True)) + m
            return np.squeeze(out, axis=axis) if axis is not None else out.reshape(())
            """,
        ),
    ],
))

CHAPTERS.append(Chapter(
    "ch08_initialization", 8, "Initialization and local optima", "08_initialization.ipynb",
    """
{chapter} showed that EM finds a local optimum that depends on where it starts. You write
k-means++ seeding, and the "best of several runs" rule.
""",
    setup(package="from gmm_from_scratch import GaussianMixture"),
    [
        Exercise(
            "ch08.kmeans_plusplus", "k-means++ seeding",
            r"""
            Write `kmeans_plusplus(X, n_clusters, rng)` returning the row indices (shape
            `(n_clusters,)`) of the initial centres chosen by $D^2$ sampling (eq. 3.4):

            1. the first centre is a row chosen uniformly at random;
            2. each next centre is row $n$ with probability $D(x_n)^2/\sum_m D(x_m)^2$, where
               $D(x)$ is the distance from $x$ to the nearest centre chosen so far.

            Use only `rng` (`rng.integers`, `rng.choice(n, p=...)`). If every point already
            coincides with a centre (all $D = 0$), choose uniformly instead of dividing 0 by 0.
            The checker draws 4000 seeds and compares your frequencies with the $D^2$ law.
            """,
            '''
            def kmeans_plusplus(X, n_clusters, rng):
                """Indices of n_clusters rows of X chosen by k-means++ (D² sampling)."""
            ''',
            """
            n = X.shape[0]
            indices = [int(rng.integers(n))]
            closest = np.sum((X - X[indices[0]]) ** 2, axis=1)
            for _ in range(1, n_clusters):
                total = closest.sum()
                p = closest / total if total > 0 else np.full(n, 1.0 / n)
                j = int(rng.choice(n, p=p))
                indices.append(j)
                closest = np.minimum(closest, np.sum((X - X[j]) ** 2, axis=1))
            return np.array(indices)
            """,
        ),
        Exercise(
            "ch08.best_of_n_init", "Keeping the best of several runs",
            r"""
            Write `best_of_n_init(X, n_components, n_init, seed)`: fit `n_init` models
            `GaussianMixture(n_components, init_params="random_from_data", max_iter=200,
            random_state=seed + i)` for `i = 0, ..., n_init - 1`, and return the fitted model
            whose run is best. Which attribute tells you, and is larger or smaller better?
            (Starts from random data points land in different local optima, so the choice
            matters. With `init_params="random"` every run would begin near the saddle where
            all components coincide, stop there after two iterations, and the "best" of them
            would be as poor as the others: chapter 8.)
            """,
            '''
            def best_of_n_init(X, n_components, n_init, seed):
                """The best of n_init fitted GaussianMixture runs."""
            ''',
            """
            best = None
            for i in range(n_init):
                gm = GaussianMixture(n_components, init_params="random_from_data",
                                     max_iter=200, random_state=seed + i).fit(X)
                if best is None or gm.lower_bound_ > best.lower_bound_:  # higher is better
                    best = gm
            return best
            """,
        ),
    ],
))

CHAPTERS.append(Chapter(
    "ch09_covariance_types", 9, "Covariance types", "09_covariance_types.ipynb",
    """
{chapter} compared four ways to constrain the covariances. The M-step changes only in how it
estimates them: write all four.
""",
    setup(),
    [
        Exercise(
            "ch09.m_step_covariances", "The M-step for every covariance type",
            r"""
            Write `m_step_covariances(X, resp, means, covariance_type)` returning the new
            covariances, given the responsibilities `resp` `(n, K)` and the new `means`
            `(K, d)` (eqs. 9.1–9.4). With $N_k=\sum_n r_{nk}$ and
            $S_k=\frac1{N_k}\sum_n r_{nk}(x_n-\mu_k)(x_n-\mu_k)^\top$:

            | type | shape | estimate |
            |---|---|---|
            | `'full'` | `(K, d, d)` | $S_k$ |
            | `'tied'` | `(d, d)` | $\sum_k \frac{N_k}{N} S_k$ |
            | `'diag'` | `(K, d)` | the diagonal of $S_k$ |
            | `'spherical'` | `(K,)` | the mean of the diagonal of $S_k$ |

            No regularization.
            """,
            '''
            def m_step_covariances(X, resp, means, covariance_type):
                """Covariances for 'full', 'tied', 'diag' or 'spherical'."""
            ''',
            """
            nk = resp.sum(axis=0)
            K, d = means.shape
            full = np.empty((K, d, d))
            for k in range(K):
                diff = X - means[k]
                full[k] = (resp[:, k, None] * diff).T @ diff / nk[k]
            if covariance_type == "full":
                return full
            if covariance_type == "tied":
                return np.einsum("k,kij->ij", nk, full) / nk.sum()
            diag = np.diagonal(full, axis1=1, axis2=2).copy()
            if covariance_type == "diag":
                return diag
            return diag.mean(axis=1)  # spherical
            """,
        ),
    ],
))

CHAPTERS.append(Chapter(
    "ch10_choosing_k", 10, "Choosing the number of components", "10_choosing_k.ipynb",
    """
{chapter} traded fit against complexity with information criteria. You count the parameters and
compute BIC and AIC.
""",
    setup(),
    [
        Exercise(
            "ch10.n_free_parameters", "Counting free parameters",
            r"""
            Write `n_free_parameters(n_components, n_features, covariance_type)`: the number of
            free parameters of a mixture of $K$ components in $d$ dimensions (eq. 9.5). The
            weights sum to one; a symmetric $d\times d$ matrix has $d(d+1)/2$ free entries.
            Return an `int`.
            """,
            '''
            def n_free_parameters(n_components, n_features, covariance_type):
                """Number of free parameters of a Gaussian mixture."""
            ''',
            """
            K, d = n_components, n_features
            cov = {"full": K * d * (d + 1) // 2, "tied": d * (d + 1) // 2,
                   "diag": K * d, "spherical": K}[covariance_type]
            return int((K - 1) + K * d + cov)
            """,
        ),
        Exercise(
            "ch10.bic_aic", "BIC and AIC",
            r"""
            Write `bic_aic(gmm, X)` returning `(bic, aic)` for a fitted `GaussianMixture` on
            data `X` with $N$ rows (eqs. 10.1 and 10.2):

            $$\mathrm{AIC} = -2\log L + 2p,\qquad \mathrm{BIC} = -2\log L + p\log N,$$

            where $\log L = \sum_n \log p(x_n)$ (use `gmm.score_samples(X)`) and $p$ is
            your `n_free_parameters`. Do not call `gmm.bic` or `gmm.aic`.
            """,
            '''
            def bic_aic(gmm, X):
                """(BIC, AIC) of a fitted mixture on X; lower is better."""
            ''',
            """
            n, d = X.shape
            log_l = float(np.sum(gmm.score_samples(X)))
            p = n_free_parameters(gmm.n_components, d, gmm.covariance_type)
            return -2 * log_l + p * np.log(n), -2 * log_l + 2 * p
            """,
        ),
    ],
))

CHAPTERS.append(Chapter(
    "ch11_degeneracies", 11, "Degeneracies, regularization, label switching",
    "11_degeneracies.ipynb",
    """
{chapter} explained why two fits can number the same clusters differently. Undo the
renumbering yourself.
""",
    setup("from scipy.optimize import linear_sum_assignment"),
    [
        Exercise(
            "ch11.align_to_reference", "Aligning component labels",
            r"""
            Write `align_to_reference(reference_means, means)` returning the permutation
            `perm` (integers, shape `(K,)`) for which `means[perm]` lines up with
            `reference_means`, i.e. which minimizes the total cost (eq. 11.4)

            $$\sum_k \lVert \mathrm{reference}_k - \mathrm{means}_{\mathrm{perm}[k]}\rVert^2 .$$

            Matching each reference component to its nearest one fails when two want the same
            partner; `scipy.optimize.linear_sum_assignment(cost)` solves the assignment
            problem exactly.
            """,
            '''
            def align_to_reference(reference_means, means):
                """perm such that means[perm] best matches reference_means."""
            ''',
            """
            diff = reference_means[:, None, :] - means[None, :, :]
            cost = np.sum(diff**2, axis=2)  # cost[k, j]: reference k paired with means j
            rows, cols = linear_sum_assignment(cost)
            perm = np.empty(len(rows), dtype=int)
            perm[rows] = cols
            return perm
            """,
        ),
    ],
))

CHAPTERS.append(Chapter(
    "ch12_applications", 12, "Applications", "12_applications.ipynb",
    """
{chapter} used a fitted mixture as a density model to find anomalies: points the model finds
unlikely. You set the threshold and flag the points.
""",
    setup(),
    [
        Exercise(
            "ch12.anomaly_threshold", "A threshold at a quantile",
            r"""
            Write `anomaly_threshold(gmm, X_train, contamination)` returning the log-density
            below which a fraction `contamination` of the training points lie: the
            `contamination` quantile of `gmm.score_samples(X_train)` (use `np.quantile` with
            its default interpolation). Return a float.
            """,
            '''
            def anomaly_threshold(gmm, X_train, contamination):
                """Log-density threshold that flags a fraction contamination of X_train."""
            ''',
            """
            return float(np.quantile(gmm.score_samples(X_train), contamination))
            """,
        ),
        Exercise(
            "ch12.flag_anomalies", "Flagging anomalies",
            r"""
            Write `flag_anomalies(gmm, X, threshold)` returning a boolean array of shape
            `(n,)` that is `True` for the rows of `X` whose log-density under `gmm` is below
            `threshold`.
            """,
            '''
            def flag_anomalies(gmm, X, threshold):
                """True for the rows of X that are anomalies under gmm."""
            ''',
            """
            return gmm.score_samples(X) < threshold
            """,
        ),
    ],
))


CHAPTERS.append(Chapter(
    "ch13_scaling", 13, "Scaling EM", "13_scaling.ipynb",
    """
{chapter} showed that one EM iteration is a map-reduce: the M-step needs only sums over the
rows, and the sums of parts add up, provided they are taken about the same shift. You write
the reduce step.
""",
    setup(),
    [
        Exercise(
            "ch13.merge_statistics", "Merging sufficient statistics",
            r"""
            Two machines computed the sufficient statistics of one component about their own
            shifts: `part_a = (N_a, s_a, S_a, c_a)` and `part_b = (N_b, s_b, S_b, c_b)`, with
            $N=\sum_n r_n$, $\mathbf s=\sum_n r_n(\mathbf x_n-\mathbf c)$ (shape `(d,)`) and
            $\mathbf S=\sum_n r_n(\mathbf x_n-\mathbf c)(\mathbf x_n-\mathbf c)^\top$
            (shape `(d, d)`). Write `merge_statistics(part_a, part_b, shift)` returning
            `(N, s, S)` of all the rows together, about `shift`. Move each part first: with
            $\boldsymbol\Delta=\mathbf c_{\text{old}}-\mathbf c$,
            $\mathbf s'=\mathbf s+N\boldsymbol\Delta$ and
            $\mathbf S'=\mathbf S+\mathbf s\boldsymbol\Delta^\top+\boldsymbol\Delta\mathbf s^\top
            +N\boldsymbol\Delta\boldsymbol\Delta^\top$ (eq. 13.2 read backwards).
            """,
            '''
            def merge_statistics(part_a, part_b, shift):
                """(N, s, S) of both parts together, taken about shift."""
            ''',
            """
            N, s, S = 0.0, np.zeros(len(shift)), np.zeros((len(shift), len(shift)))
            for n_part, s_part, S_part, c_part in (part_a, part_b):
                delta = c_part - shift
                N += n_part
                s = s + s_part + n_part * delta
                S = (S + S_part + np.outer(s_part, delta) + np.outer(delta, s_part)
                     + n_part * np.outer(delta, delta))
            return N, s, S
            """,
        ),
    ],
))

CHAPTERS.append(Chapter(
    "ch14_bayesian", 14, "Bayesian mixtures", "14_bayesian.ipynb",
    """
{chapter} replaced EM's point estimates by distributions. Two pieces of the variational
algorithm for the weights: the expected log-weights of the E-step and the weights' M-step.
""",
    setup("from scipy.special import digamma"),
    [
        Exercise(
            "ch14.expected_log_weights", "The expected log-weights",
            r"""
            Under a Dirichlet posterior $q(\boldsymbol\pi)=\operatorname{Dir}(\boldsymbol\alpha)$
            the variational E-step needs $\mathbb E[\log\pi_k]=\psi(\alpha_k)-
            \psi\big(\sum_j\alpha_j\big)$ (eq. 14.7), with $\psi$ the digamma function
            (`scipy.special.digamma`). Write `expected_log_weights(alpha)` returning the array
            of shape `(K,)`.
            """,
            '''
            def expected_log_weights(alpha):
                """E[log pi_k] under Dir(alpha)."""
            ''',
            """
            return digamma(alpha) - digamma(np.sum(alpha))
            """,
        ),
        Exercise(
            "ch14.weights_m_step", "The variational M-step for the weights",
            r"""
            Write `weights_m_step(resp, alpha0)` for a symmetric Dirichlet prior
            $\operatorname{Dir}(\alpha_0,\dots,\alpha_0)$: given the responsibilities `resp`
            `(N, K)`, return the posterior's parameters $\alpha_k=\alpha_0+N_k$ (eq. 14.8) and
            the posterior mean weights $\alpha_k/\sum_j\alpha_j$ (eq. 14.11), as a tuple of
            two arrays of shape `(K,)`.
            """,
            '''
            def weights_m_step(resp, alpha0):
                """(alpha, posterior mean weights) of the Dirichlet posterior."""
            ''',
            """
            alpha = alpha0 + resp.sum(axis=0)
            return alpha, alpha / alpha.sum()
            """,
        ),
    ],
))


# ---------------------------------------------------------------------------- chapter 15
def _chapter_15() -> Chapter:
    """Missing data: the conditional of the missing block (kept apart from ch. 1-14)."""
    return Chapter(
        "ch15_missing_data", 15, "Missing data", "15_missing_data.ipynb",
        """
{chapter} fills the holes of a row with their conditional distribution given the observed
values. You write the two formulas at the heart of EM with missing values.
""",
        setup(),
        [
            Exercise(
                "ch15.conditional_gaussian", "The conditional of the missing block",
                r"""
                Write `conditional_gaussian(x, mean, covariance)` for one Gaussian
                $\mathcal N(\boldsymbol\mu, \boldsymbol\Sigma)$ and a row `x` of shape `(d,)`
                whose missing entries are `NaN`. Return the conditional mean
                $\boldsymbol\mu^{m} + \boldsymbol\Sigma^{mo}(\boldsymbol\Sigma^{oo})^{-1}
                (\mathbf x^{o} - \boldsymbol\mu^{o})$, shape `(n_missing,)`, and the
                conditional covariance $\boldsymbol\Sigma^{mm} - \boldsymbol\Sigma^{mo}
                (\boldsymbol\Sigma^{oo})^{-1}\boldsymbol\Sigma^{om}$, shape
                `(n_missing, n_missing)`, of the missing block, in the order of the
                coordinates. Solve linear systems (`np.linalg.solve`); do not form an inverse.
                """,
                '''
                def conditional_gaussian(x, mean, covariance):
                    """Mean and covariance of the NaN entries of x given the others."""
                ''',
                """
                observed = ~np.isnan(x)
                missing = ~observed
                S_oo = covariance[np.ix_(observed, observed)]
                S_mo = covariance[np.ix_(missing, observed)]
                gain = np.linalg.solve(S_oo, S_mo.T).T  # Sigma_mo Sigma_oo^-1
                mean_m = mean[missing] + gain @ (x[observed] - mean[observed])
                cov_mm = covariance[np.ix_(missing, missing)] - gain @ S_mo.T
                return mean_m, cov_mm
                """,
            ),
        ],
    )


CHAPTERS.append(_chapter_15())


def main(argv: list[str]) -> None:
    (HERE / "solutions").mkdir(exist_ok=True)
    for ch in CHAPTERS:
        nbformat.write(student_notebook(ch), HERE / f"{ch.stem}.ipynb")
        nbformat.write(solution_notebook(ch), HERE / "solutions" / f"{ch.stem}.ipynb")
        print(f"wrote exercises/{ch.stem}.ipynb and exercises/solutions/{ch.stem}.ipynb")


if __name__ == "__main__":
    main(sys.argv[1:])
