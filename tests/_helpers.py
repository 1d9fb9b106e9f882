"""Shared helpers for the package tests: random SPD matrices and small mixture data sets."""

from __future__ import annotations

import numpy as np


def random_spd(rng: np.random.Generator, d: int, scale: float = 1.0, cond: float = 10.0):
    """A random symmetric positive-definite matrix with a random (non-diagonal) eigenbasis.

    Its eigenvalues lie between ``scale**2 / cond`` and ``scale**2``.
    """
    Q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    eig = scale**2 * np.exp(rng.uniform(-np.log(cond), 0.0, size=d))
    S = (Q * eig) @ Q.T
    return 0.5 * (S + S.T)


def full_covariances(covariances: np.ndarray, covariance_type: str, K: int, d: int) -> np.ndarray:
    """Any covariance parametrization as K full (d, d) matrices, written independently here."""
    covariances = np.asarray(covariances)
    if covariance_type == "full":
        return covariances
    if covariance_type == "tied":
        return np.repeat(covariances[None], K, axis=0)
    if covariance_type == "diag":
        return np.stack([np.diag(c) for c in covariances])
    return np.stack([c * np.eye(d) for c in covariances])


def random_covariances(rng, covariance_type: str, K: int, d: int, scale: float = 1.0):
    """Random covariances of the given type (non-diagonal where the type allows it)."""
    if covariance_type == "full":
        return np.stack([random_spd(rng, d, scale) for _ in range(K)])
    if covariance_type == "tied":
        return random_spd(rng, d, scale)
    if covariance_type == "diag":
        return scale**2 * rng.uniform(0.2, 1.0, size=(K, d))
    return scale**2 * rng.uniform(0.2, 1.0, size=K)


def blobs(seed: int = 0, n_per: int = 150, d: int = 2, K: int = 3, spread: float = 6.0):
    """K well-separated, correlated Gaussian blobs; returns (X, labels, centres)."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=spread, size=(K, d))
    parts, labels = [], []
    for k in range(K):
        A = rng.normal(size=(d, d)) * 0.5 + np.eye(d) * 0.7
        parts.append(centres[k] + rng.normal(size=(n_per, d)) @ A)
        labels.append(np.full(n_per, k))
    return np.vstack(parts), np.concatenate(labels), centres
