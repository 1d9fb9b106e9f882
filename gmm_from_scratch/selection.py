"""Choosing the number of components (chapter 10).

The log-likelihood of the training data can only rise as components are added, so it cannot
choose ``K`` by itself. Three criteria penalize or test that growth:

- AIC ``= -2 log L + 2 p`` (eq. 10.1),
- BIC ``= -2 log L + p log n`` (eq. 10.2), where ``p`` is the number of free parameters
  (eq. 9.5) and ``log L`` the log-likelihood of all ``n`` rows,
- the held-out log-likelihood: the mean log-density of rows the model did not see, averaged
  over the ``cv`` folds of a shuffled K-fold split (higher is better).

:func:`select_n_components` fits every ``(K, covariance type)`` pair and returns a
:class:`SelectionResult` whose ``table`` has one row per pair. The AIC and BIC come from
:meth:`.GaussianMixture.aic` and :meth:`.GaussianMixture.bic`: one implementation of each formula.
This module imports only NumPy (and tqdm, lazily and only if installed, for a progress bar).
"""

from __future__ import annotations

import numbers
import time
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._validation import (
    ConvergenceWarning,
    check_array,
    check_positive_int,
    check_random_state,
)
from .covariance import COVARIANCE_TYPES, DegenerateCovarianceError, n_parameters
from .mixture import GaussianMixture

__all__ = [
    "CRITERIA",
    "SelectionResult",
    "heldout_log_likelihood",
    "kfold_indices",
    "select_n_components",
]

#: The criteria :func:`select_n_components` can choose by.
CRITERIA = ("bic", "aic", "heldout")

#: Columns of ``SelectionResult.table``, in order.
COLUMNS = (
    "n_components",
    "covariance_type",
    "n_parameters",
    "log_likelihood",
    "aic",
    "bic",
    "heldout_mean",
    "heldout_std",
    "converged",
)

# Parameters that select_n_components sets itself and so cannot be forwarded.
_RESERVED = ("n_components", "covariance_type", "n_init", "random_state", "warm_start")


@dataclass
class SelectionResult:
    """What :func:`select_n_components` found.

    Attributes
    ----------
    table : list of dict
        One row per ``(n_components, covariance_type)`` pair, in the order they were fitted,
        with the keys of :data:`COLUMNS`: ``n_parameters`` (eq. 9.5), ``log_likelihood``
        (total over all rows, of the model fitted on all rows), ``aic`` (eq. 10.1), ``bic``
        (eq. 10.2), ``heldout_mean`` and ``heldout_std`` (mean log-likelihood per held-out row
        across folds, and its standard deviation across folds; NaN unless
        ``criterion='heldout'``) and ``converged``. A fit that failed because a covariance
        became singular has NaN scores.
    criterion : str
        ``'bic'``, ``'aic'`` or ``'heldout'``.
    best_n_components_ : int
    best_covariance_type_ : str
    best_estimator_ : GaussianMixture
        The best pair's model, fitted on all rows.
    estimators_ : dict
        Every fitted model, keyed by ``(n_components, covariance_type)``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(-4, 1, (100, 2)), rng.normal(4, 1, (100, 2))])
    >>> result = select_n_components(X, range(1, 4), random_state=0, progress=False)
    >>> result.column("n_components"), int(result.column("bic").argmin()) + 1
    (array([1, 2, 3]), 2)
    >>> result.best_estimator_.n_components
    2
    >>> result.to_pandas().shape  # one row per fitted pair, one column per entry of COLUMNS
    (3, 9)
    """

    table: list[dict[str, Any]]
    criterion: str
    best_n_components_: int
    best_covariance_type_: str
    best_estimator_: GaussianMixture
    estimators_: dict[tuple[int, str], GaussianMixture] = field(repr=False, default_factory=dict)

    def column(self, name: str, covariance_type: str | None = None) -> np.ndarray:
        """One column of the table as an array, optionally only for one covariance type.

        Parameters
        ----------
        name : str
            One of :data:`COLUMNS`, e.g. ``'bic'`` or ``'heldout_mean'``.
        covariance_type : str, optional
            Keep only the rows of this covariance type (in the order they were fitted).

        Returns
        -------
        ndarray
        """
        if name not in COLUMNS:
            raise ValueError(f"Unknown column {name!r}; the columns are {COLUMNS}.")
        rows = [
            r
            for r in self.table
            if covariance_type is None or r["covariance_type"] == covariance_type
        ]
        if covariance_type is not None and not rows:
            raise ValueError(f"No rows with covariance_type={covariance_type!r} in the table.")
        return np.array([r[name] for r in rows])

    def to_pandas(self) -> Any:
        """The table as a :class:`pandas.DataFrame` (pandas is imported only here).

        Returns
        -------
        pandas.DataFrame
            One row per fitted pair, with the columns of :data:`COLUMNS`.
        """
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - pandas is in the book extra
            raise ImportError(
                "to_pandas() needs pandas: pip install 'gmm_from_scratch[book]'. "
                "The table itself is available without it as result.table."
            ) from exc
        return pd.DataFrame(self.table, columns=list(COLUMNS))

    def to_string(self, digits: int = 2) -> str:
        """The table as fixed-width text (no pandas needed).

        Totals (log-likelihood, AIC, BIC) are rounded to ``digits`` decimals, the per-row
        held-out scores to ``digits + 2``.
        """
        header = COLUMNS
        lines = []
        for r in self.table:
            cells = []
            for c in header:
                v = r[c]
                if isinstance(v, float | np.floating):
                    places = digits + 2 if c.startswith("heldout") else digits
                    cells.append("nan" if np.isnan(v) else f"{v:.{places}f}")
                else:
                    cells.append(str(v))
            lines.append(cells)
        widths = [max(len(h), *(len(row[i]) for row in lines)) for i, h in enumerate(header)]
        fmt = "  ".join(f"{{:>{w}}}" for w in widths)
        out = [fmt.format(*header)] + [fmt.format(*row) for row in lines]
        return "\n".join(out)

    def __str__(self) -> str:
        return (
            f"Best by {self.criterion}: n_components={self.best_n_components_}, "
            f"covariance_type={self.best_covariance_type_!r}\n{self.to_string()}"
        )


def kfold_indices(
    n_samples: int, n_splits: int = 5, random_state: Any = None
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Shuffled K-fold split: ``n_splits`` pairs of (train rows, test rows).

    The rows are permuted once, then cut into ``n_splits`` folds whose sizes differ by at
    most one; every row is a test row exactly once.

    Parameters
    ----------
    n_samples : int
    n_splits : int, default=5
        At least 2 and at most ``n_samples``.
    random_state : None, int or numpy Generator
        Seeds the permutation.

    Returns
    -------
    list of (train, test) index arrays

    Examples
    --------
    >>> folds = kfold_indices(10, 3, random_state=0)
    >>> [len(test) for _, test in folds]
    [4, 3, 3]
    """
    n_samples = check_positive_int(n_samples, "n_samples")
    n_splits = check_positive_int(n_splits, "n_splits", minimum=2)
    if n_splits > n_samples:
        raise ValueError(
            f"Cannot split {n_samples} samples into cv={n_splits} folds: "
            "use at most one fold per sample."
        )
    rng = check_random_state(random_state)
    perm = rng.permutation(n_samples)
    folds = np.array_split(perm, n_splits)
    out = []
    for i, test in enumerate(folds):
        train = np.concatenate([f for j, f in enumerate(folds) if j != i])
        out.append((np.sort(train), np.sort(test)))
    return out


def heldout_log_likelihood(
    X: Any,
    n_components: int,
    covariance_type: str = "full",
    *,
    cv: int = 5,
    n_init: int = 1,
    random_state: Any = None,
    **gmm_params: Any,
) -> np.ndarray:
    """Mean log-likelihood per held-out row, for each fold of a shuffled K-fold split.

    For each fold the mixture is fitted on the other folds and scored, with
    :meth:`.GaussianMixture.score`, on the rows it did not see: an estimate of
    ``E[log p(x)]`` for new data from the same source. Unlike the training log-likelihood it
    falls again once extra components start fitting noise.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    n_components : int
    covariance_type : {'full', 'tied', 'diag', 'spherical'}
    cv : int, default=5
        Number of folds.
    n_init : int, default=1
    random_state : None, int or numpy Generator
        Seeds both the split and every fit.
    **gmm_params
        Passed to :class:`.GaussianMixture` (e.g. ``max_iter``, ``tol``, ``reg_covar``).

    Returns
    -------
    ndarray of shape (cv,)
        One score per fold (higher is better).

    Examples
    --------
    Two well-separated clusters: two components predict unseen rows better than one.

    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(-3, 1, (100, 1)), rng.normal(3, 1, (100, 1))])
    >>> one = heldout_log_likelihood(X, 1, cv=4, random_state=0)
    >>> two = heldout_log_likelihood(X, 2, cv=4, random_state=0)
    >>> one.shape, bool(two.mean() > one.mean())
    ((4,), True)
    """
    X = check_array(X, min_samples=2, keep_float32=True)  # float32 data is not copied
    _check_gmm_params(gmm_params)
    folds = kfold_indices(X.shape[0], cv, random_state)
    scores = np.empty(len(folds))
    for i, (train, test) in enumerate(folds):
        gmm = GaussianMixture(
            n_components, covariance_type=covariance_type, n_init=n_init,
            random_state=random_state, **gmm_params,
        )  # fmt: skip
        gmm.fit(X[train])
        scores[i] = gmm.score(X[test])
    return scores


def select_n_components(
    X: Any,
    n_components_range: Iterable[int],
    covariance_types: str | Sequence[str] = ("full",),
    criterion: str = "bic",
    *,
    cv: int = 5,
    n_init: int = 1,
    random_state: Any = None,
    verbose: int = 0,
    progress: bool | None = None,
    **gmm_params: Any,
) -> SelectionResult:
    """Fit a mixture for every ``(K, covariance type)`` pair and pick the best by a criterion.

    Every pair is fitted on all rows (giving its log-likelihood, AIC, eq. 10.1, and BIC,
    eq. 10.2); with ``criterion='heldout'`` it is also fitted ``cv`` times on K-fold training
    sets and scored on the held-out rows (:func:`heldout_log_likelihood`).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    n_components_range : iterable of int
        The candidate numbers of components, e.g. ``range(1, 9)``.
    covariance_types : str or sequence of str, default=('full',)
        Any of ``'full'``, ``'tied'``, ``'diag'``, ``'spherical'`` (chapter 9).
    criterion : {'bic', 'aic', 'heldout'}, default='bic'
        BIC and AIC: lower is better. Held-out log-likelihood: higher is better.
    cv : int, default=5
        Number of folds for ``criterion='heldout'`` (ignored otherwise).
    n_init : int, default=1
        Initializations per fit; the best is kept (chapter 8).
    random_state : None, int or numpy Generator
        With an int, every fit uses that seed, so each row of the table is exactly what
        ``GaussianMixture(K, covariance_type=..., n_init=n_init, random_state=seed).fit(X)``
        gives.
    verbose : int, default=0
        ``>= 1`` prints one line per fitted pair.
    progress : bool or None, default=None
        Show a tqdm progress bar. ``None``: show one only when tqdm is installed and the
        search runs for more than 3 seconds. ``True`` without tqdm falls back to printing.
    **gmm_params
        Passed to every :class:`.GaussianMixture` (e.g. ``max_iter``, ``tol``, ``reg_covar``,
        ``init_params``).

    Returns
    -------
    SelectionResult

    Raises
    ------
    ValueError
        For an empty or non-integer ``n_components_range``, a ``K`` larger than the number of
        rows, an unknown covariance type or criterion, a bad ``cv``, or if every fit failed.

    Notes
    -----
    A fit whose covariance becomes singular (:class:`.DegenerateCovarianceError`) is recorded
    with NaN scores and skipped; fits that stop at ``max_iter`` are flagged in the
    ``converged`` column and summarized in one :class:`.ConvergenceWarning`.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(-4, 1, (150, 2)), rng.normal(4, 1, (150, 2))])
    >>> result = select_n_components(X, range(1, 5), random_state=0, progress=False)
    >>> result.best_n_components_
    2
    """
    X = check_array(X, min_samples=2, keep_float32=True)  # float32 data is not copied
    n, d = X.shape
    ks = _check_range(n_components_range, n)
    types = _check_covariance_types(covariance_types)
    if criterion not in CRITERIA:
        raise ValueError(f"criterion must be one of {CRITERIA}, got {criterion!r}.")
    n_init = check_positive_int(n_init, "n_init")
    check_positive_int(verbose, "verbose", minimum=0)
    if criterion == "heldout":
        if isinstance(cv, bool) or not isinstance(cv, numbers.Integral) or cv < 2:
            raise ValueError(f"cv must be an integer >= 2 (the number of folds), got {cv!r}.")
        if cv > n:
            raise ValueError(f"cv={cv} folds need at least {cv} samples, X has {n}.")
        n_train_min = n - -(-n // cv)  # the smallest training set
        if max(ks) > n_train_min:
            raise ValueError(
                f"n_components={max(ks)} is larger than the smallest training fold "
                f"({n_train_min} rows with cv={cv}): lower the largest K or use fewer folds."
            )
    _check_gmm_params(gmm_params)

    pairs = [(k, t) for t in types for k in ks]
    bar = _progress_bar(len(pairs), progress)
    table: list[dict[str, Any]] = []
    estimators: dict[tuple[int, str], GaussianMixture] = {}
    not_converged = []
    start = time.perf_counter()
    try:
        for k, ctype in pairs:
            row: dict[str, Any] = {
                "n_components": k,
                "covariance_type": ctype,
                "n_parameters": n_parameters(k, d, ctype),
                "log_likelihood": np.nan,
                "aic": np.nan,
                "bic": np.nan,
                "heldout_mean": np.nan,
                "heldout_std": np.nan,
                "converged": False,
            }
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", ConvergenceWarning)
                try:
                    gmm = GaussianMixture(
                        k, covariance_type=ctype, n_init=n_init, random_state=random_state,
                        **gmm_params,
                    ).fit(X)  # fmt: skip
                    row["log_likelihood"] = float(np.sum(gmm.score_samples(X)))
                    row["aic"] = gmm.aic(X)
                    row["bic"] = gmm.bic(X)
                    row["converged"] = bool(gmm.converged_)
                    estimators[(k, ctype)] = gmm
                except DegenerateCovarianceError:
                    pass  # recorded with NaN scores
                if criterion == "heldout" and (k, ctype) in estimators:
                    try:
                        folds = heldout_log_likelihood(
                            X, k, ctype, cv=cv, n_init=n_init, random_state=random_state,
                            **gmm_params,
                        )  # fmt: skip
                        row["heldout_mean"] = float(np.mean(folds))
                        row["heldout_std"] = float(np.std(folds))
                    except DegenerateCovarianceError:
                        pass  # a fold's fit failed: no held-out score for this pair
            _rewarn_others(caught)
            if any(issubclass(w.category, ConvergenceWarning) for w in caught):
                not_converged.append((k, ctype))
            table.append(row)
            if verbose:
                elapsed = time.perf_counter() - start
                print(
                    f"[{len(table)}/{len(pairs)}] K={k} {ctype}: bic={row['bic']:.6g} "
                    f"aic={row['aic']:.6g} heldout={row['heldout_mean']:.6g} ({elapsed:.1f} s)"
                )
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()

    key = {"bic": "bic", "aic": "aic", "heldout": "heldout_mean"}[criterion]
    scores = np.array([r[key] for r in table], dtype=np.float64)
    if np.all(np.isnan(scores)):
        raise ValueError(
            "Every fit failed with a singular covariance. Standardize X, increase reg_covar, "
            "or try fewer components."
        )
    best = int(np.nanargmax(scores) if criterion == "heldout" else np.nanargmin(scores))
    if not_converged:
        warnings.warn(
            f"{len(not_converged)} of {len(pairs)} fits stopped at max_iter before converging "
            f"(first: K={not_converged[0][0]}, {not_converged[0][1]!r}); increase max_iter or "
            "loosen tol. See the 'converged' column.",
            ConvergenceWarning,
            stacklevel=2,
        )
    best_k, best_type = table[best]["n_components"], table[best]["covariance_type"]
    return SelectionResult(
        table=table,
        criterion=criterion,
        best_n_components_=best_k,
        best_covariance_type_=best_type,
        best_estimator_=estimators[(best_k, best_type)],
        estimators_=estimators,
    )


# ---------------------------------------------------------------------- helpers
def _check_range(n_components_range: Iterable[int], n_samples: int) -> list[int]:
    if isinstance(n_components_range, numbers.Integral | str):
        raise ValueError(
            "n_components_range must be an iterable of integers such as range(1, 9), "
            f"got {n_components_range!r}."
        )
    try:
        ks = list(n_components_range)
    except TypeError:
        raise ValueError(
            "n_components_range must be an iterable of integers such as range(1, 9), "
            f"got {n_components_range!r}."
        ) from None
    if not ks:
        raise ValueError("n_components_range is empty: give at least one number of components.")
    out: list[int] = []
    for k in ks:
        if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 1:
            raise ValueError(f"Every n_components must be an integer >= 1, got {k!r}.")
        if k > n_samples:
            raise ValueError(
                f"n_components={k} is larger than the number of samples ({n_samples})."
            )
        out.append(int(k))
    if len(set(out)) != len(out):
        raise ValueError(f"n_components_range has repeated values: {out}.")
    return out


def _check_covariance_types(covariance_types: str | Sequence[str]) -> list[str]:
    if isinstance(covariance_types, str):
        covariance_types = (covariance_types,)
    types = list(covariance_types)
    if not types:
        raise ValueError(f"covariance_types is empty: give some of {COVARIANCE_TYPES}.")
    for t in types:
        if t not in COVARIANCE_TYPES:
            raise ValueError(f"Unknown covariance type {t!r}: use some of {COVARIANCE_TYPES}.")
    if len(set(types)) != len(types):
        raise ValueError(f"covariance_types has repeated values: {types}.")
    return types


def _check_gmm_params(gmm_params: dict[str, Any]) -> None:
    reserved = sorted(set(gmm_params) & set(_RESERVED))
    if reserved:
        raise ValueError(
            f"{reserved} cannot be passed through: select_n_components sets them itself."
        )
    unknown = sorted(set(gmm_params) - set(GaussianMixture().get_params()))
    if unknown:
        raise ValueError(f"Unknown GaussianMixture parameter(s) {unknown}.")


def _rewarn_others(caught: list[warnings.WarningMessage]) -> None:
    """Re-issue warnings other than ConvergenceWarning that were caught during a fit."""
    for w in caught:
        if not issubclass(w.category, ConvergenceWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


def _progress_bar(total: int, progress: bool | None):
    """A tqdm bar (delayed 3 s when ``progress`` is None), a print fallback, or None."""
    if progress is False:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return _PrintProgress(total) if progress else None
    return tqdm(total=total, desc="select_n_components", delay=0 if progress else 3.0)


class _PrintProgress:
    """Minimal stand-in for tqdm when it is not installed and ``progress=True``."""

    def __init__(self, total: int) -> None:
        self.total, self.count = total, 0

    def update(self, n: int = 1) -> None:
        self.count += n
        print(f"select_n_components: {self.count}/{self.total} fits", flush=True)

    def close(self) -> None:
        pass
