"""Log-space arithmetic (chapter 7).

Densities of points far from every component underflow to zero in double precision, and
their ratios become ``0/0 = NaN``. Working with logarithms and the log-sum-exp trick
(eq. 7.1) keeps every quantity finite.
"""

from __future__ import annotations

import numpy as np

__all__ = ["logsumexp", "normalize_log_probabilities"]


def logsumexp(a: np.ndarray, axis: int | None = None, keepdims: bool = False) -> np.ndarray:
    """Compute :math:`\\log \\sum_i \\exp(a_i)` without overflow or underflow (eq. 7.1).

    The largest term ``m`` is factored out: ``m + log sum exp(a_i - m)``. Every exponent is
    then ``<= 0`` and at least one equals ``0``, so the sum lies in ``[1, n]``.

    Parameters
    ----------
    a : array-like
    axis : int, optional
        Axis to reduce; all axes when ``None``.
    keepdims : bool
        Keep the reduced axis with length one.

    Returns
    -------
    ndarray or float
        ``-inf`` where every term is ``-inf``.

    Examples
    --------
    >>> float(logsumexp(np.array([-1000.0, -1000.0])))  # log(2) - 1000
    -999.3068528194401
    """
    a = np.asarray(a, dtype=np.float64)
    m = np.max(a, axis=axis, keepdims=True)
    # An all -inf slice would give (-inf) - (-inf) = NaN; shift it by 0 instead.
    m = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore"):
        out = np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True)) + m
    if not keepdims:
        out = np.squeeze(out, axis=axis) if axis is not None else out.reshape(())
    return out


def normalize_log_probabilities(log_joint: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Normalize each row of log joint probabilities (eq. 7.2).

    Parameters
    ----------
    log_joint : ndarray of shape (n_samples, n_components)
        ``log pi_k + log N(x_n | mu_k, Sigma_k)``.

    Returns
    -------
    log_norm : ndarray of shape (n_samples,)
        ``log p(x_n)``, the log-density of the mixture at each point.
    log_resp : ndarray of shape (n_samples, n_components)
        Log-responsibilities ``log gamma(z_nk)``; each row's exponentials sum to one.

    Examples
    --------
    The second row would underflow to ``0/0`` outside log space:

    >>> log_joint = np.log([[0.1, 0.3], [2e-300, 6e-300]])
    >>> log_norm, log_resp = normalize_log_probabilities(log_joint)
    >>> np.exp(log_resp)
    array([[0.25, 0.75],
           [0.25, 0.75]])
    >>> np.round(log_norm, 4)
    array([  -0.9163, -688.6961])
    """
    log_norm = logsumexp(log_joint, axis=1)
    return log_norm, log_joint - log_norm[:, None]
