"""The exercise checker catches each trap it claims to catch.

Every test feeds :func:`gmm_from_scratch.exercises.check` a deliberately wrong implementation
and asserts that the result fails and that its message names the problem (and, where the
checker promises one, the hint). The last tests run the real notebooks: every solution passes,
every untouched stub reports "not implemented yet", and ``pytest exercises/ -m chNN`` works.
"""

from __future__ import annotations

import json
import linecache
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from gmm_from_scratch.exercises import (
    EXERCISES,
    CheckResult,
    check,
    load_notebook_namespace,
    notebook_checks,
)

ROOT = Path(__file__).resolve().parents[1]
EXERCISE_DIR = ROOT / "exercises"
STUDENT = sorted(EXERCISE_DIR.glob("ch[0-9][0-9]_*.ipynb"))
SOLUTIONS = sorted((EXERCISE_DIR / "solutions").glob("ch[0-9][0-9]_*.ipynb"))

PRELUDE = """
import numpy as np
import scipy.linalg
from scipy import linalg
from scipy.optimize import linear_sum_assignment
from scipy.special import xlogy
from gmm_from_scratch import GaussianMixture, log_pdf, logsumexp
"""


def student(src: str, name: str):
    """Define the function ``name`` from source text, as a notebook cell would."""
    ns: dict = {}
    code = PRELUDE + textwrap.dedent(src)
    filename = f"<student cell {name} {len(linecache.cache)}>"
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
    exec(compile(code, filename, "exec"), ns)  # noqa: S102 - test fixtures
    return ns[name]


FIRST_DECREASE = """
def first_decrease(values, tol):
    for t in range(1, len(values)):
        if values[t] < values[t - 1] - tol:
            return t
    return None
"""


def failed(result: CheckResult, *fragments: str) -> None:
    assert isinstance(result, CheckResult)
    assert not result.passed and result.status == "failed", result.message
    for fragment in fragments:
        assert fragment in result.message, f"{fragment!r} not in:\n{result.message}"


# ----------------------------------------------------------------------------- generic behaviour
def test_stub_reports_not_implemented_without_traceback():
    f = student("def e_step(X, w, m, c):\n    raise NotImplementedError('todo')\n", "e_step")
    result = check("ch05.e_step", f)
    assert result.status == "not implemented" and not result.passed and not bool(result)
    assert "not implemented yet" in repr(result) and "Traceback" not in repr(result)


def test_exception_is_reported_with_type_message_case_and_line():
    f = student(
        """
        def fit_gaussian_1d(x):
            x = np.asarray(x, float)
            return x.sum() / 0, 1 / (len(x) - len(x))
    """,
        "fit_gaussian_1d",
    )
    result = check("ch01.fit_gaussian_1d", f)
    failed(result, "ZeroDivisionError", "four small numbers", "1 / (len(x) - len(x))")


def test_a_list_input_is_a_case_and_the_attribute_error_is_named():
    f = student(
        """
        def fit_gaussian_1d(x):
            m = x.mean()
            return m, np.sqrt(((x - m) ** 2).mean())
    """,
        "fit_gaussian_1d",
    )
    failed(check("ch01.fit_gaussian_1d", f), "a Python list", "AttributeError")


def test_unknown_exercise_and_non_callable_do_not_raise():
    failed(check("ch99.nothing", print), "no such exercise")
    failed(check("ch07.logsumexp", 3.0), "expected a function")


def test_success_message_lists_the_cases():
    f = student(FIRST_DECREASE, "first_decrease")
    result = check("ch06.first_decrease", f)
    assert result.passed, result.message
    assert "all 6 cases passed" in result.message and "a single value" in result.message


def test_mutating_the_input_is_caught():
    f = student(
        """
        def fit_gaussian_1d(x):
            x = np.asarray(x, float)
            m = x.mean()
            x -= m
            return m, np.sqrt(np.mean(x ** 2))
    """,
        "fit_gaussian_1d",
    )
    failed(check("ch01.fit_gaussian_1d", f), "modified its input `x` in place")


# ----------------------------------------------------------------------------- chapter 1
def test_variance_divisor_n_minus_one():
    f = student(
        """
        def fit_gaussian_1d(x):
            x = np.asarray(x, float)
            return x.mean(), x.std(ddof=1)
    """,
        "fit_gaussian_1d",
    )
    failed(check("ch01.fit_gaussian_1d", f), "four small numbers", "should be", "n − 1")


def test_one_pass_variance_loses_digits_far_from_zero():
    f = student(
        """
        def fit_gaussian_1d(x):
            x = np.asarray(x, float)
            return x.mean(), np.sqrt(np.mean(x ** 2) - x.mean() ** 2)
    """,
        "fit_gaussian_1d",
    )
    failed(check("ch01.fit_gaussian_1d", f), "data far from zero", "subtract the mean first")


def test_log_of_density_gives_minus_inf_far_away():
    f = student(
        """
        def log_likelihood_1d(x, mean, std):
            x = np.asarray(x, float)
            pdf = np.exp(-0.5 * ((x - mean) / std) ** 2) / np.sqrt(2 * np.pi * std ** 2)
            return float(np.sum(np.log(pdf)))
    """,
        "log_likelihood_1d",
    )
    failed(
        check("ch01.log_likelihood_1d", f),
        "100 standard deviations",
        "is -inf",
        "log-density directly",
    )


def test_log_likelihood_per_point_instead_of_sum_is_a_shape_error():
    f = student(
        """
        def log_likelihood_1d(x, mean, std):
            z = (np.asarray(x, float) - mean) / std
            return -0.5 * np.log(2 * np.pi) - np.log(std) - 0.5 * z ** 2
    """,
        "log_likelihood_1d",
    )
    failed(
        check("ch01.log_likelihood_1d", f),
        "has shape (1,)",
        "a single number",
        "sum over the points",
    )


# ----------------------------------------------------------------------------- chapter 2
CORRECT_BODY = """
    X = np.asarray(X, float)
    d = X.shape[1]
    diff = X - mean
    {maha}
    return -0.5 * (d * np.log(2 * np.pi) + {logdet} + maha)
"""


def _log_pdf(maha: str, logdet: str):
    body = textwrap.indent(textwrap.dedent(CORRECT_BODY), "    ").format(maha=maha, logdet=logdet)
    return student("def log_pdf(X, mean, covariance):" + body, "log_pdf")


@pytest.mark.parametrize(
    ("maha", "logdet", "label"),
    [
        (
            "maha = np.einsum('ni,ij,nj->n', diff, np.linalg.inv(covariance), diff)",
            "np.log(np.linalg.det(covariance))",
            "np.linalg.inv",
        ),
        (
            "maha = np.einsum('ni,ij,nj->n', diff, linalg.inv(covariance), diff)",
            "2 * np.sum(np.log(np.diag(linalg.cholesky(covariance))))",
            "scipy.linalg.inv",
        ),
        (
            "maha = np.sum(linalg.solve(covariance, diff.T) * diff.T, axis=0)",
            "np.linalg.slogdet(covariance)[1]",
            "np.linalg.slogdet",
        ),
    ],
    ids=["np-inv-det", "scipy-inv", "slogdet"],
)
def test_explicit_inverse_or_determinant_is_caught(maha, logdet, label):
    failed(check("ch02.log_pdf", _log_pdf(maha, logdet)), label, "Cholesky")


def test_inverse_imported_by_name_is_caught_before_running():
    f = student(
        """
        from numpy.linalg import inv
        def log_pdf(X, mean, covariance):
            diff = X - mean
            maha = np.einsum('ni,ij,nj->n', diff, inv(covariance), diff)
            return maha
    """,
        "log_pdf",
    )
    failed(check("ch02.log_pdf", f), "uses np.linalg.inv")


def test_covariance_where_precision_belongs():
    f = _log_pdf(
        "L = linalg.cholesky(covariance, lower=True)\n    maha = np.sum((diff @ L) ** 2, axis=1)",
        "2 * np.sum(np.log(np.diag(L)))",
    )
    failed(check("ch02.log_pdf", f), "non-diagonal", "Σ where Σ⁻¹ belongs")


def test_log_det_sign_flipped():
    f = _log_pdf(
        "L = linalg.cholesky(covariance, lower=True)\n"
        "    maha = np.sum(linalg.solve_triangular(L, diff.T, lower=True) ** 2, axis=0)",
        "-2 * np.sum(np.log(np.diag(L)))",
    )
    failed(check("ch02.log_pdf", f), "but it should be", "sign of the log-determinant")


def test_wrong_shape_is_reported():
    f = _log_pdf(
        "L = linalg.cholesky(covariance, lower=True)\n"
        "    maha = np.sum(linalg.solve_triangular(L, diff.T, lower=True) ** 2, axis=0)"
        "[:, None]",
        "2 * np.sum(np.log(np.diag(L)))",
    )
    failed(check("ch02.log_pdf", f), "log_pdf has shape (6, 1)", "(6,)")


def test_calling_the_package_is_caught():
    f = student(
        "def log_pdf2(X, mean, covariance):\n    return log_pdf(X, mean, covariance)\n", "log_pdf2"
    )
    failed(check("ch02.log_pdf", f), "gmm_from_scratch.log_pdf", "write it yourself")


# ----------------------------------------------------------------------------- chapter 3
def test_lloyd_argmax_instead_of_argmin():
    f = student(
        """
        def lloyd_step(X, centers):
            d2 = ((X[:, None] - centers[None]) ** 2).sum(-1)
            labels = d2.argmax(1)
            return labels, np.array([X[labels == k].mean(0) for k in range(len(centers))])
    """,
        "lloyd_step",
    )
    failed(check("ch03.lloyd_step", f), "three blobs", "closest to centre", "farthest")


def test_lloyd_empty_cluster_nan():
    f = student(
        """
        def lloyd_step(X, centers):
            labels = ((X[:, None] - centers[None]) ** 2).sum(-1).argmin(1)
            return labels, np.array([X[labels == k].mean(0) for k in range(len(centers))])
    """,
        "lloyd_step",
    )
    failed(check("ch03.lloyd_step", f), "an empty cluster", "NaN", "keep the old centre")


# ----------------------------------------------------------------------------- chapter 4
SAMPLE = """
def sample_mixture(weights, means, covariances, n_samples, rng):
    K, d = means.shape
    z = {z}
    X = np.empty((n_samples, d))
    for k in range(K):
        rows = np.flatnonzero(z == k)
        L = np.linalg.cholesky(covariances[k])
        X[rows] = means[k] + {noise}
    return X, z
"""
GOOD_Z = "rng.choice(K, size=n_samples, p=weights)"
GOOD_NOISE = "rng.standard_normal((rows.size, d)) @ L.T"


def _sample(z=GOOD_Z, noise=GOOD_NOISE):
    return student(SAMPLE.format(z=z, noise=noise), "sample_mixture")


def test_sampling_correct_passes():
    assert check("ch04.sample_mixture", _sample()).passed


def test_sampling_forgetting_the_weights():
    failed(
        check("ch04.sample_mixture", _sample(z="rng.choice(K, size=n_samples)")),
        "component 0 was drawn",
        "equally frequent",
    )


def test_sampling_with_the_transposed_factor():
    failed(
        check("ch04.sample_mixture", _sample(noise="rng.standard_normal((rows.size, d)) @ L")),
        "non-diagonal",
        "have covariance",
        "transpose",
    )


def test_sampling_with_the_covariance_instead_of_its_factor():
    noise = "rng.standard_normal((rows.size, d)) @ covariances[k]"
    failed(check("ch04.sample_mixture", _sample(noise=noise)), "have covariance")


def test_sampling_ignoring_rng():
    noise = "np.random.standard_normal((rows.size, d)) @ L.T"
    failed(check("ch04.sample_mixture", _sample(noise=noise)), "same seeded `rng`")


RESP = """
def responsibilities(X, weights, means, covariances):
    K = len(weights)
    joint = np.column_stack([{w} * np.exp(log_pdf(X, means[k], covariances[k]))
                             for k in range(K)])
    return {ret}
"""


def test_responsibilities_forgetting_the_weights():
    f = student(RESP.format(w="1.0", ret="joint / joint.sum(1, keepdims=True)"), "responsibilities")
    failed(check("ch04.responsibilities", f), "but it should be", "mixing weights")


def test_responsibilities_not_normalized():
    f = student(RESP.format(w="weights[k]", ret="joint"), "responsibilities")
    failed(check("ch04.responsibilities", f), "sum to", "not 1")


def test_responsibilities_transposed():
    f = student(
        RESP.format(w="weights[k]", ret="(joint / joint.sum(1, keepdims=True)).T"),
        "responsibilities",
    )
    failed(check("ch04.responsibilities", f), "transposed")


# ----------------------------------------------------------------------------- chapter 5
def test_naive_e_step_nans_on_far_points():
    f = student(
        """
        def e_step(X, weights, means, covariances):
            p = np.column_stack([weights[k] * np.exp(log_pdf(X, means[k], covariances[k]))
                                 for k in range(len(weights))])
            norm = p.sum(1)
            return np.log(norm), np.log(p / norm[:, None])
    """,
        "e_step",
    )
    failed(check("ch05.e_step", f), "points far from every component", "NaN", "logsumexp")


def test_e_step_returning_probabilities_not_logs():
    f = student(
        """
        def e_step(X, weights, means, covariances):
            lj = np.column_stack([np.log(weights[k]) + log_pdf(X, means[k], covariances[k])
                                  for k in range(len(weights))])
            norm = logsumexp(lj, axis=1)
            return norm, np.exp(lj - norm[:, None])
    """,
        "e_step",
    )
    failed(check("ch05.e_step", f), "sum to", "not their logarithms")


def test_e_step_forgetting_the_weights():
    f = student(
        """
        def e_step(X, weights, means, covariances):
            lj = np.column_stack([log_pdf(X, means[k], covariances[k])
                                  for k in range(len(weights))])
            norm = logsumexp(lj, axis=1)
            return norm, lj - norm[:, None]
    """,
        "e_step",
    )
    failed(check("ch05.e_step", f), "log_resp", "forgot the mixing weights")


M_STEP = """
def m_step(X, resp):
    n, d = X.shape
    K = resp.shape[1]
    nk = resp.sum(0)
    weights = {weights}
    means = {means}
    cov = np.empty((K, d, d))
    for k in range(K):
        diff = X - means[k]
        cov[k] = (resp[:, k, None] * diff).T @ diff / {div}
    return weights, means, cov
"""


def _m_step(weights="nk / n", means="resp.T @ X / nk[:, None]", div="nk[k]"):
    return student(M_STEP.format(weights=weights, means=means, div=div), "m_step")


def test_m_step_correct_passes():
    assert check("ch05.m_step", _m_step()).passed


@pytest.mark.parametrize(
    ("kwargs", "fragments"),
    [
        ({"div": "(nk[k] - 1)"}, ("covariances[", "N_k − 1")),
        ({"div": "n"}, ("covariances[", "not by N")),
        ({"weights": "nk"}, ("weights[", "the N_k themselves")),
        ({"means": "np.tile(X.mean(0), (K, 1))"}, ("means[", "weighted by the responsibilities")),
    ],
    ids=["n_k-minus-1", "divide-by-N", "weights-not-normalized", "unweighted-means"],
)
def test_m_step_mistakes(kwargs, fragments):
    failed(check("ch05.m_step", _m_step(**kwargs)), "but it should be", *fragments)


M_STEP_COV = """
def m_step(X, resp):
    n, d = X.shape
    K = resp.shape[1]
    nk = resp.sum(0)
    weights = nk / n
    means = resp.T @ X / nk[:, None]
    cov = np.empty((K, d, d))
    for k in range(K):
        diff = X - means[k]
        cov[k] = {cov}
    return weights, {means}, cov
"""


def _m_step_cov(cov, means="means"):
    return student(M_STEP_COV.format(cov=cov, means=means), "m_step")


@pytest.mark.parametrize(
    ("cov", "fragments"),
    [
        (
            "np.cov(X.T, aweights=resp[:, k])",
            ("covariances[", "aweights=r) applies a bias correction", "bias=True", "by N_k"),
        ),
        (
            "np.cov(X, rowvar=False, aweights=resp[:, k])",
            ("aweights=r) applies a bias correction", "bias=True"),
        ),
        ("diff.T @ diff / nk[k]", ("covariances[", "forgot the responsibilities", "by N_k.")),
        ("diff.T @ diff / n", ("forgot the responsibilities", "by N.")),
        ("np.cov(X.T, bias=True)", ("covariance of the whole data set", "r_nk")),
        ("np.cov(X.T)", ("np.cov of the whole data set", "aweights=r with bias=True")),
        ("(resp[:, k, None] ** 2 * diff).T @ diff / nk[k]", ("weighted by r_nk², not r_nk",)),
        ("(resp[:, k, None] * diff).T @ diff", ("Divide the weighted scatter by N_k",)),
        ("np.cov(X, aweights=resp[:, k])", ("RuntimeError", "rowvar=False")),
        ("np.cov(X.T, fweights=resp[:, k], bias=True)", ("TypeError", "fweights are whole")),
    ],
    ids=[
        "np.cov-aweights",
        "np.cov-aweights-rowvar",
        "unweighted-over-N_k",
        "unweighted-over-N",
        "global-covariance",
        "global-np.cov",
        "r-squared",
        "not-divided",
        "np.cov-rows-as-variables",
        "np.cov-fweights",
    ],
)
def test_m_step_covariance_mistakes(cov, fragments):
    failed(check("ch05.m_step", _m_step_cov(cov)), *fragments)


def test_m_step_np_cov_with_bias_true_passes():
    """The hint's advice works: np.cov(..., aweights=r, bias=True) is the M-step's Σ_k."""
    assert check("ch05.m_step", _m_step_cov("np.cov(X.T, aweights=resp[:, k], bias=True)")).passed


def test_m_step_transposed_means_describes_the_means():
    result = check(
        "ch05.m_step", _m_step_cov("(resp[:, k, None] * diff).T @ diff / nk[k]", means="means.T")
    )
    failed(
        result,
        "means has shape (2, 3)",
        "(3, 2)",
        "means is transposed",
        "one row per component and one column per feature",
    )
    assert "points" not in result.message  # not the responsibilities' description


# ----------------------------------------------------------------------------- chapter 6
ELBO = """
def elbo(X, resp, weights, means, covariances):
    lj = np.column_stack([np.log(weights[k]) + log_pdf(X, means[k], covariances[k])
                          for k in range(len(weights))])
    return float(np.sum(resp * lj) {entropy})
"""


def test_elbo_without_entropy():
    f = student(ELBO.format(entropy=""), "elbo")
    failed(check("ch06.elbo", f), "posterior", "entropy term")


def test_elbo_zero_log_zero():
    f = student(ELBO.format(entropy="- np.sum(resp * np.log(resp))"), "elbo")
    failed(check("ch06.elbo", f), "hard 0/1", "NaN", "xlogy")


def test_first_decrease_off_by_one_and_tol():
    f = student(
        """
        def first_decrease(values, tol):
            for t in range(1, len(values)):
                if values[t] < values[t - 1] - tol:
                    return t - 1
    """,
        "first_decrease",
    )
    failed(check("ch06.first_decrease", f), "a drop at iteration 3", "returned 2", "Off by one")
    g = student(
        """
        def first_decrease(values, tol):
            for t in range(1, len(values)):
                if values[t] < values[t - 1]:
                    return t
    """,
        "first_decrease",
    )
    failed(check("ch06.first_decrease", g), "rounding-size drop", "Allow a decrease of up to tol")


# ----------------------------------------------------------------------------- chapter 7
def test_naive_logsumexp_overflows():
    f = student(
        "def logsumexp2(a, axis=None):\n    return np.log(np.sum(np.exp(a), axis=axis))\n",
        "logsumexp2",
    )
    failed(check("ch07.logsumexp", f), "large values", "is inf", "subtract the maximum")


def test_logsumexp_all_minus_inf_gives_nan():
    f = student(
        """
        def lse(a, axis=None):
            m = np.max(a, axis=axis, keepdims=True)
            out = m + np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True))
            return np.squeeze(out, axis=axis) if axis is not None else out.reshape(())
    """,
        "lse",
    )
    failed(check("ch07.logsumexp", f), "all −inf", "replace a non-finite maximum by 0")


LSE = """
def logsumexp(a, axis=None):
    a = np.asarray(a, dtype=float)
    {body}
"""


@pytest.mark.parametrize(
    ("body", "fragments"),
    [
        (
            "m = np.max(a)\n    m = m if np.isfinite(m) else 0.0\n"
            "    return m + np.log(np.sum(np.exp(a - m), axis=axis))",
            ("a matrix, axis=0", "is -inf", "one maximum over the whole array", "per slice"),
        ),
        (
            "m = np.max(a)\n    return m + np.log(np.sum(np.exp(a - m), axis=axis))",
            ("is -inf", "one maximum over the whole array", "along `axis`"),
        ),
        (
            "m = np.max(a, axis=axis, keepdims=True)\n    m = np.where(np.isfinite(m), m, 0)\n"
            "    out = np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True))\n"
            "    return np.squeeze(out, axis=axis) if axis is not None else out.reshape(())",
            ("a small vector", "Add the maximum back after the log"),
        ),
        (
            "m = np.max(a, axis=axis, keepdims=True)\n    m = np.where(np.isfinite(m), m, 0)\n"
            "    return m + np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True))",
            ("shape (1,)", "return the number itself", "keepdims=True"),
        ),
        (
            "m = np.max(a)\n    m = m if np.isfinite(m) else 0.0\n"
            "    return m + np.log(np.sum(np.exp(a - m)))",
            ("a matrix, axis=1", "shape ()", "reduce only along the axis"),
        ),
        (
            "m = np.max(a, axis=-1, keepdims=True)\n    m = np.where(np.isfinite(m), m, 0)\n"
            "    out = m + np.log(np.sum(np.exp(a - m), axis=-1, keepdims=True))\n"
            "    return np.squeeze(out, -1) if axis is not None else out.reshape(())",
            ("a matrix, axis=0", "shape (3,)", "You reduced along axis 1"),
        ),
        (
            "m = np.max(a, axis=axis)\n    m = np.where(np.isfinite(m), m, 0)\n"
            "    return m + np.log(np.sum(np.exp(a - m), axis=axis))",
            ("ValueError", "could not be broadcast", "keepdims=True keeps the reduced axis"),
        ),
    ],
    ids=[
        "global-max",
        "global-max-unguarded",
        "max-not-added-back",
        "keepdims-left",
        "axis-ignored",
        "wrong-axis",
        "max-without-keepdims",
    ],
)
def test_logsumexp_mistakes(body, fragments):
    failed(check("ch07.logsumexp", student(LSE.format(body=body), "logsumexp")), *fragments)


def test_logsumexp_calling_scipy_is_caught():
    f = student(
        """
        import scipy.special
        def lse(a, axis=None):
            return scipy.special.logsumexp(a, axis=axis)
    """,
        "lse",
    )
    failed(check("ch07.logsumexp", f), "scipy.special.logsumexp")


# ----------------------------------------------------------------------------- chapter 8
KPP = """
def kmeans_plusplus(X, n_clusters, rng):
    n = X.shape[0]
    idx = [int(rng.integers(n))]
    closest = np.sum((X - X[idx[0]]) ** 2, axis=1)
    for _ in range(1, n_clusters):
        w = {weights}
        j = int(rng.choice(n, p=w / w.sum()))
        idx.append(j)
        closest = np.minimum(closest, np.sum((X - X[j]) ** 2, axis=1))
    return np.array(idx)
"""


def test_kmeanspp_distance_instead_of_squared():
    f = student(KPP.format(weights="np.sqrt(closest) + (closest.sum() == 0)"), "kmeans_plusplus")
    failed(check("ch08.kmeans_plusplus", f), "D² probabilities", "square it")


def test_kmeanspp_uniform():
    f = student(KPP.format(weights="(closest > 0) + (closest.sum() == 0) + 0.0"), "kmeans_plusplus")
    failed(check("ch08.kmeans_plusplus", f), "second centre", "uniformly")


def test_kmeanspp_duplicates_divide_by_zero():
    f = student(KPP.format(weights="closest"), "kmeans_plusplus")
    failed(check("ch08.kmeans_plusplus", f), "duplicated points", "ValueError")


def test_best_of_n_init_keeping_the_worst():
    f = student(
        """
        def best_of_n_init(X, n_components, n_init, seed):
            runs = [GaussianMixture(n_components, init_params="random_from_data", max_iter=200,
                                    random_state=seed + i).fit(X) for i in range(n_init)]
            return min(runs, key=lambda g: g.lower_bound_)
    """,
        "best_of_n_init",
    )
    failed(check("ch08.best_of_n_init", f), "best of the runs", "HIGHEST")


BEST = """
def best_of_n_init(X, n_components, n_init, seed):
    runs = [GaussianMixture(n_components, {options}, random_state={state}).fit(X)
            for i in range(n_init)]
    return {keep}
"""
BEST_KEEP = "max(runs, key=lambda g: g.lower_bound_)"


@pytest.mark.parametrize(
    ("options", "state", "keep", "fragments"),
    [
        ('init_params="random", max_iter=200', "seed + i", BEST_KEEP, ("saddle",)),
        ("max_iter=200", "seed + i", BEST_KEEP, ("default k-means start",)),
        ('init_params="random_from_data", max_iter=200', "seed", BEST_KEEP, ("same random_state",)),
        ('init_params="random_from_data", max_iter=200', "seed + i", "runs[0]", ("first run",)),
        ('init_params="random_from_data", max_iter=200', "i", BEST_KEEP, ("random_state=i",)),
    ],
    ids=["random-init", "kmeans-init", "same-seed", "first-run", "seed-ignored"],
)
def test_best_of_n_init_setup_mistakes(options, state, keep, fragments):
    f = student(BEST.format(options=options, state=state, keep=keep), "best_of_n_init")
    failed(check("ch08.best_of_n_init", f), "best of the runs", *fragments)


def test_best_of_n_init_runs_differ_and_beat_random_starts():
    """The exercise is not a best-of-useless-runs setup (issue 15): the checker's runs
    (init_params='random_from_data') end at different log-likelihoods, and every one of them
    is far above the saddle at which all 'random' starts stop."""
    import warnings

    from gmm_from_scratch import GaussianMixture

    rng = np.random.default_rng(82)  # the checker's data (ch08.py)
    X = np.concatenate(
        [rng.normal(c, 0.6, size=(40, 2)) for c in ([0, 0], [3, 0], [0, 3], [3, 3], [1.5, 6])]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = [
            GaussianMixture(5, init_params="random_from_data", max_iter=200, random_state=i)
            .fit(X)
            .lower_bound_
            for i in range(6)
        ]
        saddle = [
            GaussianMixture(5, init_params="random", max_iter=200, random_state=i)
            .fit(X)
            .lower_bound_
            for i in range(6)
        ]
        one = GaussianMixture(1).fit(X).lower_bound_
    assert max(data) - min(data) > 0.1  # the choice of run matters
    assert max(saddle) - one < 1e-2  # 'random' starts stop where K = 1 is
    assert min(data) > max(saddle) + 0.4


# ----------------------------------------------------------------------------- chapter 9
COV = """
def m_step_covariances(X, resp, means, covariance_type):
    nk = resp.sum(0)
    K, d = means.shape
    full = np.stack([(resp[:, k, None] * (X - means[k])).T @ (X - means[k]) / nk[k]
                     for k in range(K)])
    diag = np.diagonal(full, axis1=1, axis2=2)
    return {{"full": full, "tied": {tied}, "diag": {diag}, "spherical": {sph}}}[covariance_type]
"""


def _cov(tied="np.einsum('k,kij->ij', nk, full) / nk.sum()", diag="diag", sph="diag.mean(1)"):
    return student(COV.format(tied=tied, diag=diag, sph=sph), "m_step_covariances")


def test_covariance_types_correct_passes():
    assert check("ch09.m_step_covariances", _cov()).passed


@pytest.mark.parametrize(
    ("kwargs", "fragments"),
    [
        ({"tied": "full.mean(0)"}, ("'tied'", "N_k / N")),
        ({"sph": "diag.sum(1)"}, ("'spherical'", "MEAN of the diagonal")),
        ({"diag": "full"}, ("'diag'", "shape (3, 3, 3)", "only the variances")),
    ],
    ids=["tied-plain-average", "spherical-sum", "diag-full-matrices"],
)
def test_covariance_type_mistakes(kwargs, fragments):
    failed(check("ch09.m_step_covariances", _cov(**kwargs)), *fragments)


@pytest.mark.parametrize(
    ("kwargs", "fragments"),
    [
        ({"tied": "np.einsum('k,kij->ij', nk, full)"}, ("'tied'", "Divide Σ_k N_k S_k by N")),
        ({"sph": "np.sqrt(diag.mean(1))"}, ("'spherical'", "not the standard deviation")),
        ({"diag": "full * np.eye(d)"}, ("'diag'", "shape (3, 3, 3)", "not diagonal matrices")),
        ({"tied": "full"}, ("'tied'", "shape (3, 3, 3)", "ONE covariance")),
        ({"sph": "diag"}, ("'spherical'", "shape (3, 3)", "ONE variance per component")),
    ],
    ids=[
        "tied-not-divided",
        "spherical-std",
        "diag-matrices",
        "tied-per-component",
        "spherical-per-feature",
    ],
)
def test_covariance_type_more_mistakes(kwargs, fragments):
    failed(check("ch09.m_step_covariances", _cov(**kwargs)), *fragments)


COV_FULL = """
def m_step_covariances(X, resp, means, covariance_type):
    nk = resp.sum(0)
    K, d = means.shape
    full = np.stack([{cov} for k in range(K)])
    diag = np.diagonal(full, axis1=1, axis2=2)
    return {{"full": full, "tied": np.einsum('k,kij->ij', nk, full) / nk.sum(), "diag": diag,
             "spherical": diag.mean(1)}}[covariance_type]
"""


@pytest.mark.parametrize(
    ("cov", "fragments"),
    [
        ("np.cov(X.T, aweights=resp[:, k])", ("'full'", "bias correction", "bias=True")),
        ("(X - means[k]).T @ (X - means[k]) / nk[k]", ("'full'", "forgot the responsibilities")),
    ],
    ids=["np.cov-aweights", "unweighted"],
)
def test_covariance_types_share_the_m_step_hints(cov, fragments):
    f = student(COV_FULL.format(cov=cov), "m_step_covariances")
    failed(check("ch09.m_step_covariances", f), *fragments)


# ----------------------------------------------------------------------------- chapter 10
def test_parameter_count_with_d_squared():
    f = student(
        """
        def n_free_parameters(K, d, t):
            cov = {"full": K * d * d, "tied": d * d, "diag": K * d, "spherical": K}[t]
            return K - 1 + K * d + cov
    """,
        "n_free_parameters",
    )
    failed(check("ch10.n_free_parameters", f), "'full'", "d(d+1)/2")


def test_parameter_count_with_k_weights():
    f = student(
        """
        def n_free_parameters(K, d, t):
            cov = {"full": K * d * (d + 1) // 2, "tied": d * (d + 1) // 2, "diag": K * d,
                   "spherical": K}[t]
            return K + K * d + cov
    """,
        "n_free_parameters",
    )
    failed(check("ch10.n_free_parameters", f), "free parameters", "K − 1")


def test_best_of_n_init_with_random_starts_is_refused():
    """The 'random' starts all stop at the saddle: the checker's runs are 'random_from_data'."""
    f = student(
        """
        def best_of_n_init(X, n_components, n_init, seed):
            runs = [GaussianMixture(n_components, init_params="random", max_iter=200,
                                    random_state=seed + i).fit(X) for i in range(n_init)]
            return max(runs, key=lambda g: g.lower_bound_)
    """,
        "best_of_n_init",
    )
    failed(check("ch08.best_of_n_init", f), "best of the runs")


def test_parameter_count_off_elsewhere_gets_the_breakdown():
    f = student(
        """
        def n_free_parameters(K, d, t):
            cov = {"full": K * d * (d + 1) // 2, "tied": d * (d + 1) // 2, "diag": K * d,
                   "spherical": K}[t]
            return K - 1 + K * d + cov + 2
    """,
        "n_free_parameters",
    )
    failed(
        check("ch10.n_free_parameters", f),
        "three parts",
        "the weights, K − 1",
        "the means, K·d",
        "the covariances, K·d(d+1)/2 = 9 for 'full'",
        "17 in all",
        "2 too many",
    )


NFP = """
def n_free_parameters(K, d, t):
    cov = {cov}[t]
    return {total}
"""
NFP_COV = '{"full": K * d * (d + 1) // 2, "tied": d * (d + 1) // 2, "diag": K * d, "spherical": K}'


def _nfp(cov=NFP_COV, total="K - 1 + K * d + cov", **changes):
    for key, value in changes.items():
        cov = cov.replace(
            f'"{key}": '
            + dict(
                full="K * d * (d + 1) // 2", tied="d * (d + 1) // 2", diag="K * d", spherical="K"
            )[key],
            f'"{key}": {value}',
        )
    return student(NFP.format(cov=cov, total=total), "n_free_parameters")


@pytest.mark.parametrize(
    ("f", "fragments"),
    [
        (
            lambda: _nfp(full="d * (d + 1) // 2"),
            ("'full'", "off in the covariances", "its own covariance in 'full'"),
        ),
        (
            lambda: _nfp(tied="K * d * (d + 1) // 2"),
            ("'tied'", "off in the covariances", "ONE covariance among all"),
        ),
        (
            lambda: _nfp(spherical="K * d"),
            ("'spherical'", "off in the covariances", "ONE variance per component, not d"),
        ),
        (lambda: _nfp(total="K - 1 + d + cov"), ("off in the means", "its own mean")),
        (lambda: _nfp(total="K + K * d + cov"), ("off in the weights", "only K − 1")),
        (lambda: _nfp(total="K * d + cov"), ("off in the weights", "missing")),
        (lambda: _nfp(full="K * d * d", tied="d * d"), ("off in the covariances", "not d²")),
        (
            lambda: _nfp(diag="d"),
            ("'diag'", "off in the means", "or in the covariances", "its own d variances"),
        ),
        (
            lambda: _nfp(full="K * d * (d + 1) / 2", tied="d * (d + 1) / 2"),
            ("returned 17.0", "Return an int", "//"),
        ),
    ],
    ids=[
        "full-one-covariance",
        "tied-K-covariances",
        "spherical-per-feature",
        "one-mean",
        "K-weights",
        "no-weights",
        "d-squared",
        "diag-ambiguous",
        "float",
    ],
)
def test_parameter_count_names_the_wrong_part(f, fragments):
    result = check("ch10.n_free_parameters", f())
    failed(result, *fragments)
    if "Return an int" not in fragments:  # a float count is right in every part
        failed(result, "three parts and add them")


def test_bic_with_the_mean_log_likelihood():
    f = student(
        """
        from gmm_from_scratch import n_parameters
        def bic_aic(gmm, X):
            n, d = X.shape
            ll = gmm.score(X)
            p = n_parameters(gmm.n_components, d, gmm.covariance_type)
            return -2 * ll + p * np.log(n), -2 * ll + 2 * p
    """,
        "bic_aic",
    )
    failed(check("ch10.bic_aic", f), "(bic, aic)", "TOTAL log-likelihood")


def test_bic_calling_the_model_is_caught():
    f = student("def bic_aic(gmm, X):\n    return gmm.bic(X), gmm.aic(X)\n", "bic_aic")
    failed(check("ch10.bic_aic", f), "calls gmm.bic")


# ----------------------------------------------------------------------------- chapter 11
def test_alignment_greedy_nearest_is_not_a_permutation_or_not_optimal():
    f = student(
        """
        def align_to_reference(reference_means, means):
            d = ((reference_means[:, None] - means[None]) ** 2).sum(-1)
            return d.argmin(1)
    """,
        "align_to_reference",
    )
    failed(
        check("ch11.align_to_reference", f), "greedy", "not a permutation", "linear_sum_assignment"
    )


def test_alignment_inverse_permutation():
    f = student(
        """
        def align_to_reference(reference_means, means):
            cost = ((reference_means[:, None] - means[None]) ** 2).sum(-1)
            rows, cols = linear_sum_assignment(cost)
            return np.argsort(cols)
    """,
        "align_to_reference",
    )
    failed(check("ch11.align_to_reference", f), "shuffled", "inverse permutation")


def test_alignment_with_plain_distances():
    f = student(
        """
        def align_to_reference(reference_means, means):
            cost = np.sqrt(((reference_means[:, None] - means[None]) ** 2).sum(-1))
            rows, cols = linear_sum_assignment(cost)
            return cols
    """,
        "align_to_reference",
    )
    failed(check("ch11.align_to_reference", f), "plain distances would pick", "SQUARED distances")


# ----------------------------------------------------------------------------- chapter 12
def test_threshold_on_the_wrong_tail():
    f = student(
        """
        def anomaly_threshold(gmm, X_train, contamination):
            return float(np.quantile(gmm.score_samples(X_train), 1 - contamination))
    """,
        "anomaly_threshold",
    )
    failed(check("ch12.anomaly_threshold", f), "the threshold is", "LEAST likely")


def test_flags_the_wrong_way_round():
    f = student(
        "def flag_anomalies(gmm, X, t):\n    return gmm.score_samples(X) > t\n", "flag_anomalies"
    )
    failed(check("ch12.flag_anomalies", f), "should be flagged", "LOW log-density")


LOG_JOINT = """
def _log_joint(X, weights, means, covariances):
    return np.column_stack([np.log(weights[k]) + log_pdf(X, means[k], covariances[k])
                            for k in range(len(weights))])
"""
CHOLESKY_LOG_PDF = """
def log_pdf(X, mean, covariance):
    L = linalg.cholesky(covariance{lower})
    Z = linalg.solve_triangular(L, (X - mean).T{solve_lower})
    log_det = {two} * np.sum(np.log(np.diag(L)))
    return -0.5 * (X.shape[1] * np.log(2 * np.pi) + log_det + {maha})
"""


def _cholesky_log_pdf(
    lower=", lower=True", solve_lower=", lower=True", two="2", maha="np.sum(Z**2, 0)"
):
    return CHOLESKY_LOG_PDF.format(lower=lower, solve_lower=solve_lower, two=two, maha=maha)


LL1 = """
def log_likelihood_1d(x, mean, std):
    z = (x - mean) / {scale}
    return float(np.{reduce}(-0.5 * np.log(2 * np.pi) - np.log(std) - 0.5 * z**2))
"""
MORE_MISTAKES = [
    (
        "ch01.fit_gaussian_1d",
        "int-mean",
        "def fit_gaussian_1d(x):\n    x = np.asarray(x, float)\n"
        "    return int(x.mean()), x.std()\n",
        ("the mean is 2", "rounded to a whole number"),
    ),
    (
        "ch01.log_likelihood_1d",
        "mean-not-sum",
        LL1.format(scale="std", reduce="mean"),
        ("the log-likelihood is", "SUM of the points"),
    ),
    (
        "ch01.log_likelihood_1d",
        "divided-by-variance",
        LL1.format(scale="std**2", reduce="sum"),
        ("Standardize by σ, not σ²",),
    ),
    ("ch02.log_pdf", "upper-factor", _cholesky_log_pdf(lower=""), ("log_pdf[", "UPPER factor")),
    (
        "ch02.log_pdf",
        "solve-upper",
        _cholesky_log_pdf(solve_lower=""),
        ("only the diagonal of the factor",),
    ),
    (
        "ch02.log_pdf",
        "sum-over-points",
        _cholesky_log_pdf(maha="np.sum(Z**2, 1)"),
        ("shape (2,)", "one value per row of X", "axis=0"),
    ),
    (
        "ch02.log_pdf",
        "norm-not-squared",
        _cholesky_log_pdf(maha="np.linalg.norm(Z, axis=0)"),
        ("SQUARED",),
    ),
    (
        "ch03.lloyd_step",
        "empty-cluster-to-origin",
        """
def lloyd_step(X, centers):
    labels = np.argmin(((X[:, None] - centers[None]) ** 2).sum(2), 1)
    new = np.zeros_like(centers)
    for k in range(len(centers)):
        if (labels == k).any():
            new[k] = X[labels == k].mean(0)
    return labels, new
""",
        ("an empty cluster", "new_centers[2, 0] is 0", "keep its old position"),
    ),
    (
        "ch04.responsibilities",
        "logs-returned",
        LOG_JOINT
        + """
def responsibilities(X, weights, means, covariances):
    lj = _log_joint(X, weights, means, covariances)
    return lj - logsumexp(lj, axis=1)[:, None]
""",
        ("sum to", "LOGARITHMS"),
    ),
    (
        "ch04.responsibilities",
        "normalized-over-points",
        LOG_JOINT
        + """
def responsibilities(X, weights, means, covariances):
    joint = np.exp(_log_joint(X, weights, means, covariances))
    return joint / joint.sum(0, keepdims=True)
""",
        ("sum to", "Each COLUMN", "axis=1"),
    ),
    (
        "ch05.e_step",
        "swapped-returns",
        LOG_JOINT
        + """
def e_step(X, weights, means, covariances):
    lj = _log_joint(X, weights, means, covariances)
    norm = logsumexp(lj, axis=1)
    return lj - norm[:, None], norm
""",
        ("log_resp has shape (12,)", "swapped the two return values"),
    ),
    (
        "ch05.e_step",
        "logsumexp-over-points",
        LOG_JOINT
        + """
def e_step(X, weights, means, covariances):
    lj = _log_joint(X, weights, means, covariances)
    norm = logsumexp(lj, axis=0)
    return norm, lj - norm
""",
        ("sum to", "logsumexp over the points", "axis=1"),
    ),
    (
        "ch12.anomaly_threshold",
        "percentile",
        "def anomaly_threshold(gmm, X, c):\n"
        "    return float(np.percentile(gmm.score_samples(X), c))\n",
        ("the threshold is", "percents (0-100)"),
    ),
    (
        "ch12.anomaly_threshold",
        "sorted-index",
        """
def anomaly_threshold(gmm, X, c):
    s = np.sort(gmm.score_samples(X))
    return float(s[int(c * len(s))])
""",
        ("the threshold is", "interpolates linearly"),
    ),
    (
        "ch14.expected_log_weights",
        "digamma-of-mean",
        "from scipy.special import digamma\n"
        "def expected_log_weights(alpha):\n    return digamma(alpha / alpha.sum())\n",
        ("E[log pi][0]", "ψ of the mean weight"),
    ),
    (
        "ch14.weights_m_step",
        "prior-added-once",
        """
def weights_m_step(resp, alpha0):
    alpha = alpha0 + resp.sum(0)
    return alpha, (resp.sum(0) + alpha0) / (len(resp) + alpha0)
""",
        ("weights[1]", "K α_0 + N"),
    ),
    (
        "ch14.weights_m_step",
        "sum-over-components",
        "def weights_m_step(resp, alpha0):\n"
        "    a = alpha0 + resp.sum(1)\n    return a, a / a.sum()\n",
        ("alpha has shape (50,)", "over the POINTS"),
    ),
    (
        "ch15.conditional_gaussian",
        "no-inverse",
        """
def conditional_gaussian(x, mean, covariance):
    o = ~np.isnan(x)
    m = ~o
    S_mo = covariance[np.ix_(m, o)]
    return mean[m] + S_mo @ (x[o] - mean[o]), covariance[np.ix_(m, m)] - S_mo @ S_mo.T
""",
        ("mean_m[0]", "Σ_oo⁻¹ is missing"),
    ),
]


@pytest.mark.parametrize(
    ("name", "src", "fragments"),
    [pytest.param(ex, src, fr, id=f"{ex}-{label}") for ex, label, src, fr in MORE_MISTAKES],
)
def test_more_natural_mistakes_are_named(name, src, fragments):
    """Each exercise done wrong in a natural way: the message says what is wrong."""
    func = src.rsplit("\ndef ", 1)[-1].removeprefix("def ").split("(", 1)[0]
    failed(check(name, student(src, func)), *fragments)


MERGE_SHIFTED = """
def merge_statistics(part_a, part_b, shift):
    N, s, S = 0.0, np.zeros(len(shift)), np.zeros((len(shift), len(shift)))
    for n_part, s_part, S_part, c_part in (part_a, part_b):
        delta = {delta}
        N += n_part
        s = s + s_part + n_part * delta
        S = S + S_part + {cross} + n_part * np.outer(delta, delta)
    return N, s, S
"""
BOTH = "np.outer(s_part, delta) + np.outer(delta, s_part)"


@pytest.mark.parametrize(
    ("delta", "cross", "fragments"),
    [
        ("c_part - shift", "np.outer(s_part, delta)", ("S[", "BOTH cross terms")),
        ("c_part - shift", "2 * np.outer(s_part, delta)", ("S[", "BOTH cross terms")),
        ("c_part", BOTH, ("s[", "DIFFERENCE of the two shifts")),
    ],
    ids=["one-cross-term", "cross-term-twice", "delta-is-old-shift"],
)
def test_merge_statistics_more_mistakes(delta, cross, fragments):
    f = student(MERGE_SHIFTED.format(delta=delta, cross=cross), "merge_statistics")
    failed(check("ch13.merge_statistics", f), *fragments)


def test_sampling_with_per_feature_scales_is_told_it_lost_the_correlations():
    f = student(
        """
        def sample_mixture(weights, means, covariances, n_samples, rng):
            K, d = means.shape
            z = rng.choice(K, size=n_samples, p=weights)
            X = np.empty((n_samples, d))
            for k in range(K):
                rows = np.flatnonzero(z == k)
                scale = np.sqrt(np.diag(covariances[k]))
                X[rows] = means[k] + rng.standard_normal((rows.size, d)) * scale
            return X, z
    """,
        "sample_mixture",
    )
    failed(check("ch04.sample_mixture", f), "have covariance", "uncorrelated", "Cholesky")


# ----------------------------------------------------------------------------- the notebooks
def test_every_exercise_has_a_student_and_a_solution_notebook():
    assert [p.name for p in STUDENT] == [p.name for p in SOLUTIONS]
    assert len(STUDENT) >= 12
    names = [name for path in STUDENT for name, _ in notebook_checks(path)]
    assert sorted(names) == sorted(EXERCISES)
    assert {path.name[:4] for path in STUDENT} == {name.split(".")[0] for name in EXERCISES}


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_solution_notebook_functions_pass(path):
    namespace = load_notebook_namespace(path)
    for exercise, function in notebook_checks(path):
        result = check(exercise, namespace[function])
        assert result.passed, result.message


@pytest.mark.parametrize("path", STUDENT, ids=lambda p: p.stem)
def test_student_notebook_stubs_are_not_implemented(path):
    namespace = load_notebook_namespace(path)
    for exercise, function in notebook_checks(path):
        result = check(exercise, namespace[function])
        assert result.status == "not implemented", result.message


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


@pytest.mark.parametrize("path", STUDENT, ids=lambda p: p.stem)
def test_book_solution_dropdowns_match_the_solution_notebooks(path):
    student_cells = _cells(path)
    dropdowns = [
        "".join(c["source"])
        for c in student_cells
        if "solution" in c.get("metadata", {}).get("tags", [])
    ]
    solved = [
        "".join(c["source"])
        for c in _cells(EXERCISE_DIR / "solutions" / path.name)
        if "exercise" in c.get("metadata", {}).get("tags", [])
    ]
    stubs = [c for c in student_cells if "exercise" in c.get("metadata", {}).get("tags", [])]
    assert len(dropdowns) == len(solved) == len(stubs) >= 1
    for md, code, stub in zip(dropdowns, solved, stubs, strict=True):
        assert md.startswith("````{solution}") and ":class: dropdown" in md
        assert f"```python\n{code}\n```" in md
        assert "# YOUR CODE HERE" in "".join(stub["source"])
        assert "raise NotImplementedError" in "".join(stub["source"])


@pytest.mark.parametrize("path", STUDENT + SOLUTIONS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_exercises_are_numbered_in_heading_box_and_solution_title(path):
    """Issue 15: "P5.1, P5.2, ..." in the headings, in the exercise boxes and so in the solution
    titles, which sphinx-exercise builds from the box's subtitle ("Solution to Exercise (P5.1)").
    P (programming) keeps them apart from chapter 5's own Exercise 5.1, 5.2, ..."""
    chapter = int(path.name[2:4])
    boxes = [
        "".join(c["source"])
        for c in _cells(path)
        if c["cell_type"] == "markdown" and "{exercise}" in "".join(c["source"])
    ]
    assert boxes
    for i, md in enumerate(boxes, start=1):
        number = f"P{chapter}.{i}"
        assert md.startswith(f"## {number} "), md[:60]
        assert f"```{{exercise}} {number}\n:label: lab-ch{chapter:02d}-" in md
        assert ":nonumber:" in md  # not counted across the whole book
    ids = [c["id"] for c in _cells(path)]
    assert len(set(ids)) == len(ids) and all(i.startswith(f"ch{chapter:02d}-") for i in ids)


def _pytest_exercises(marker: str, folder: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, GMM_EXERCISES_DIR=str(folder))
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            str(EXERCISE_DIR),
            "-m",
            marker,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_terminal_marker_selects_one_chapter_and_passes_on_solutions():
    run = _pytest_exercises("ch01", EXERCISE_DIR / "solutions")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 passed" in run.stdout and "deselected" in run.stdout


def test_terminal_reports_not_implemented_on_the_student_notebooks():
    run = _pytest_exercises("ch07", EXERCISE_DIR)
    assert run.returncode == 1
    assert "not implemented yet" in run.stdout and "ch07_log_space.ipynb" in run.stdout


def test_patched_functions_are_restored_even_when_the_student_raises():
    import scipy.linalg
    import scipy.special

    import gmm_from_scratch

    originals = (
        np.linalg.inv,
        np.linalg.det,
        scipy.linalg.inv,
        scipy.special.logsumexp,
        gmm_from_scratch.logsumexp,
        gmm_from_scratch.log_pdf,
    )
    f = student(
        "def log_pdf2(X, mean, cov):\n    np.linalg.inv(cov)\n    raise KeyError('x')\n", "log_pdf2"
    )
    failed(check("ch02.log_pdf", f), "KeyError")
    g = student("def lse(a, axis=None):\n    return scipy.special.logsumexp(a, axis=axis)\n", "lse")
    failed(check("ch07.logsumexp", g), "scipy.special.logsumexp")
    assert originals == (
        np.linalg.inv,
        np.linalg.det,
        scipy.linalg.inv,
        scipy.special.logsumexp,
        gmm_from_scratch.logsumexp,
        gmm_from_scratch.log_pdf,
    )


def test_an_array_instead_of_a_tuple_is_accepted():
    f = student(
        """
        def fit_gaussian_1d(x):
            x = np.asarray(x, float)
            return np.array([x.mean(), x.std()])
    """,
        "fit_gaussian_1d",
    )
    assert check("ch01.fit_gaussian_1d", f).passed


# ----------------------------------------------------------------------------- robustness
def test_numeric_strings_and_complex_numbers_are_refused():
    f = student(
        """
        def fit_gaussian_1d(x):
            x = np.asarray(x, float)
            return str(x.mean()), str(x.std())
    """,
        "fit_gaussian_1d",
    )
    failed(check("ch01.fit_gaussian_1d", f), "holds text", "'3.0'")
    g = student(
        """
        def fit_gaussian_1d(x):
            x = np.asarray(x, float)
            return x.mean() + 5j, x.std() + 3j
    """,
        "fit_gaussian_1d",
    )
    failed(check("ch01.fit_gaussian_1d", g), "complex numbers", "(3+5j)")


def test_changing_the_model_in_place_is_caught_and_does_not_move_the_reference():
    f = student(
        """
        def anomaly_threshold(gmm, X_train, contamination):
            gmm.means_ += 1.0
            return float(np.quantile(gmm.score_samples(X_train), contamination))
    """,
        "anomaly_threshold",
    )
    failed(check("ch12.anomaly_threshold", f), "modified its input `gmm` in place")


def test_exits_and_endless_loops_are_reported_not_obeyed():
    f = student("def first_decrease(values, tol):\n    raise SystemExit(2)\n", "first_decrease")
    failed(check("ch06.first_decrease", f), "sys.exit(2)")
    g = student("import os\ndef first_decrease(values, tol):\n    os._exit(0)\n", "first_decrease")
    failed(check("ch06.first_decrease", g), "os._exit(0)")
    h = student(
        "def first_decrease(values, tol):\n    while True:\n        pass\n", "first_decrease"
    )
    failed(check("ch06.first_decrease", h, time_limit=0.5), "time limit (0.5 s")


def test_borrowing_through_a_default_argument_or_partial_is_caught():
    f = student(
        """
        import functools
        from gmm_from_scratch import logsumexp as _lse
        def lse(a, axis=None, _f=scipy.special.logsumexp):
            return _f(a, axis=axis)
        lse2 = functools.partial(lambda a, axis=None, f=None: f(a, axis=axis), f=_lse)
    """,
        "lse",
    )
    failed(check("ch07.logsumexp", f), "uses scipy.special.logsumexp")
    failed(check("ch07.logsumexp", f.__globals__["lse2"]), "uses gmm_from_scratch.logsumexp")


def test_tampering_with_the_runner_is_undone_and_reported():
    from gmm_from_scratch import exercises

    good = student(FIRST_DECREASE, "first_decrease")
    wrong = student("def first_decrease(values, tol):\n    return 1\n", "first_decrease")
    original = exercises._Runner.fail
    exercises._Runner.fail = lambda self, message, hint=None: None
    try:
        failed(check("ch06.first_decrease", wrong), "checker itself was modified", "Runner.fail")
    finally:
        assert exercises._Runner.fail is original  # check() put it back
    failed(check("ch06.first_decrease", wrong), "you returned 1")
    assert check("ch06.first_decrease", good).passed


def test_a_syntax_error_names_the_code_cell_and_the_notebook_cell(tmp_path):
    nb = json.loads((EXERCISE_DIR / "solutions" / "ch07_log_space.ipynb").read_text("utf-8"))
    i = next(i for i, c in enumerate(nb["cells"]) if "def logsumexp" in "".join(c["source"]))
    nb["cells"][i]["source"] = "def logsumexp(a, axis=None)\n    return 0\n"
    path = tmp_path / "ch07_log_space.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    k = sum(c["cell_type"] == "code" for c in nb["cells"][: i + 1])
    with pytest.raises(SyntaxError, match=rf"code cell {k} \(cell {i + 1} of the notebook\)"):
        load_notebook_namespace(path)
    errors: list = []
    load_notebook_namespace(path, errors)
    assert [e.defines for e in errors] == [("logsumexp",)]
    assert f"code cell {k} (cell {i + 1} of the notebook) has a syntax error" in errors[0].message


# ----------------------------------------------------------------------------- chapter 13
MERGE = """
def merge_statistics(part_a, part_b, shift):
    N, s, S = 0.0, np.zeros(len(shift)), np.zeros((len(shift), len(shift)))
    for n_part, s_part, S_part, c_part in (part_a, part_b):
        delta = {delta}
        N += n_part
        s = s + s_part + {s_term}
        S = S + S_part + {cross} + {outer}
    return N, s, S
"""


def _merge(delta="c_part - shift", s_term="n_part * delta",
           cross="np.outer(s_part, delta) + np.outer(delta, s_part)",
           outer="n_part * np.outer(delta, delta)"):  # fmt: skip
    src = MERGE.format(delta=delta, s_term=s_term, cross=cross, outer=outer)
    return student(src, "merge_statistics")


def test_merge_statistics_reference_passes():
    assert check("ch13.merge_statistics", _merge()).passed


@pytest.mark.parametrize(
    ("kwargs", "fragments"),
    [
        ({"s_term": "0.0", "cross": "0.0", "outer": "0.0"}, ("s[", "different shifts")),
        ({"outer": "0.0"}, ("S[", "N Δ Δᵀ term is missing")),
        ({"cross": "0.0"}, ("S[", "cross terms")),
        ({"delta": "shift - c_part"}, ("s[", "sign of Δ")),
    ],
    ids=["not-moved", "no-outer-term", "no-cross-terms", "wrong-sign"],
)
def test_merge_statistics_mistakes(kwargs, fragments):
    failed(check("ch13.merge_statistics", _merge(**kwargs)), *fragments)


# ----------------------------------------------------------------------------- chapter 14
def test_expected_log_weights_reference_passes():
    f = student(
        "from scipy.special import digamma\n"
        "def expected_log_weights(alpha):\n"
        "    return digamma(alpha) - digamma(np.sum(alpha))\n",
        "expected_log_weights",
    )
    assert check("ch14.expected_log_weights", f).passed


def test_expected_log_weights_plug_in():
    f = student(
        "def expected_log_weights(alpha):\n    return np.log(alpha / alpha.sum())\n",
        "expected_log_weights",
    )
    failed(check("ch14.expected_log_weights", f), "E[log pi]", "plug-in", "digamma")


def test_expected_log_weights_with_gammaln():
    f = student(
        "from scipy.special import gammaln\n"
        "def expected_log_weights(alpha):\n"
        "    return gammaln(alpha) - gammaln(alpha.sum())\n",
        "expected_log_weights",
    )
    failed(check("ch14.expected_log_weights", f), "derivative, the digamma function")


WEIGHTS_M_STEP = """
def weights_m_step(resp, alpha0):
    alpha = {alpha}
    return alpha, {weights}
"""


def test_weights_m_step_reference_passes():
    src = WEIGHTS_M_STEP.format(alpha="alpha0 + resp.sum(axis=0)", weights="alpha / alpha.sum()")
    assert check("ch14.weights_m_step", student(src, "weights_m_step")).passed


@pytest.mark.parametrize(
    ("alpha", "weights", "fragments"),
    [
        ("resp.sum(axis=0)", "alpha / alpha.sum()", ("alpha[", "forgot the prior")),
        ("alpha0 + resp.mean(axis=0)", "alpha / alpha.sum()", ("alpha[", "SUM of the")),
        ("alpha0 + resp.sum(axis=0)", "resp.mean(axis=0)", ("weights[", "maximum-likelihood")),
    ],
    ids=["no-prior", "mean-not-sum", "ml-weights"],
)
def test_weights_m_step_mistakes(alpha, weights, fragments):
    src = WEIGHTS_M_STEP.format(alpha=alpha, weights=weights)
    failed(check("ch14.weights_m_step", student(src, "weights_m_step")), *fragments)


# ----------------------------------------------------------------------------- chapter 15
CONDITIONAL_GAUSSIAN = """
def conditional_gaussian(x, mean, covariance):
    o = ~np.isnan(x)
    m = ~o
    S_oo, S_mo = covariance[np.ix_(o, o)], covariance[np.ix_(m, o)]
    gain = np.linalg.solve(S_oo, S_mo.T).T
    return mean[m] + gain @ (x[o] - mean[o]), covariance[np.ix_(m, m)] - gain @ S_mo.T
"""


def test_conditional_gaussian_reference_passes():
    assert check(
        "ch15.conditional_gaussian", student(CONDITIONAL_GAUSSIAN, "conditional_gaussian")
    ).passed


def test_conditional_gaussian_without_the_schur_complement():
    wrong = CONDITIONAL_GAUSSIAN.replace(
        "covariance[np.ix_(m, m)] - gain @ S_mo.T", "covariance[np.ix_(m, m)]"
    )
    f = student(wrong, "conditional_gaussian")
    failed(check("ch15.conditional_gaussian", f), "cov_mm[0, 0]", "Schur complement")


def test_conditional_gaussian_ignoring_the_observed_values():
    wrong = CONDITIONAL_GAUSSIAN.replace("mean[m] + gain @ (x[o] - mean[o])", "mean[m]")
    failed(
        check("ch15.conditional_gaussian", student(wrong, "conditional_gaussian")),
        "mean_m[0]",
        "You returned the component mean",
    )


def test_conditional_gaussian_with_an_explicit_inverse():
    wrong = CONDITIONAL_GAUSSIAN.replace(
        "np.linalg.solve(S_oo, S_mo.T).T", "S_mo @ np.linalg.inv(S_oo)"
    )
    failed(check("ch15.conditional_gaussian", student(wrong, "conditional_gaussian")), "inv")
