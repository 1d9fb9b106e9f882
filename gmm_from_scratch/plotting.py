"""Figures for the book: one style and the drawing helpers every chapter shares.

This module sits at the edge of the package: it imports matplotlib and the numerical core,
and nothing in the core imports it.
"""

from __future__ import annotations

import sys
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from cycler import cycler
from matplotlib.axes import Axes
from matplotlib.patches import Ellipse

__all__ = [
    "BOOK_COLORS",
    "component_colors",
    "component_styles",
    "covariance_ellipse",
    "ellipse_geometry",
    "full_covariances",
    "plot_mixture",
    "show_figures_inline",
    "use_book_style",
]

#: A colour-blind-safe cycle (Okabe & Ito), used for components in every figure.
#: ``tests/test_palette.py`` checks that every pair stays apart under simulated colour-vision
#: deficiencies; components beyond the eighth repeat a colour, so they differ by marker and line
#: style as well (:func:`component_styles`).
BOOK_COLORS = (
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
)  # fmt: skip

#: One marker per component (its mean in :func:`plot_mixture`), so that components never differ
#: by colour alone. Ten shapes: more than :data:`BOOK_COLORS` has colours.
BOOK_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "p", "h")

#: Line style of a component's ellipses, one per round through :data:`BOOK_COLORS`.
BOOK_LINESTYLES = ("-", "--", ":", "-.")


def show_figures_inline() -> bool:
    """In a Jupyter kernel left with the non-interactive Agg backend, switch to inline figures.

    With ``MPLBACKEND=Agg`` in the environment (common in CI set-ups) the kernel that executes a
    chapter draws every figure into memory and shows none: the book would build, and nbval pass,
    without a single figure. Returns True when it switched. Outside a kernel (scripts, doctests)
    and with any other backend (inline, ``widget``) it does nothing.

    Examples
    --------
    >>> show_figures_inline()  # not in a Jupyter kernel: nothing to do
    False
    """
    if str(mpl.get_backend()).lower() != "agg":
        return False
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or getattr(shell, "kernel", None) is None:
        return False
    shell.run_line_magic("matplotlib", "inline")
    return True


def use_book_style() -> None:
    """Apply the book's figure style (sizes readable at phone width, the colour cycle).

    Every chapter calls it first; in a Jupyter kernel it also makes sure figures are shown
    (:func:`show_figures_inline`).

    Examples
    --------
    >>> with mpl.rc_context():  # restores the previous style afterwards
    ...     use_book_style()
    ...     mpl.rcParams["figure.dpi"]
    100.0
    """
    show_figures_inline()
    mpl.rcParams.update(
        {
            "figure.figsize": (6.4, 4.2),
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "figure.constrained_layout.use": True,
            "axes.prop_cycle": cycler(color=BOOK_COLORS),
            # Text sizes chosen so that a 6.4-inch figure, shrunk to a phone's width, stays legible.
            "figure.titlesize": 13,
            "axes.titlesize": 12.5,
            "axes.labelsize": 12,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "legend.fontsize": 10,
            "legend.framealpha": 0.9,
            "xtick.labelsize": 10,
            "ytick.labelsize": 10,
            "lines.linewidth": 2.0,
            "image.cmap": "viridis",
        }
    )


def component_colors(n_components: int) -> list[str]:
    """The colour of each component, cycling through :data:`BOOK_COLORS`.

    Examples
    --------
    >>> component_colors(3)
    ['#0072B2', '#E69F00', '#009E73']
    >>> colors = component_colors(10)  # more components than colours: the cycle repeats
    >>> colors[8] == colors[0]
    True
    """
    return [BOOK_COLORS[k % len(BOOK_COLORS)] for k in range(n_components)]


def component_styles(n_components: int) -> list[dict[str, str]]:
    """Colour, marker and line style of each component: no two differ by colour alone.

    Component ``k`` (from 0) takes colour ``k mod 8``, marker ``k mod 10`` and the line style of
    its round through the colours: the ninth component repeats the first colour but is drawn
    with another marker and dashed ellipses.

    Examples
    --------
    >>> styles = component_styles(10)
    >>> styles[0]
    {'color': '#0072B2', 'marker': 'o', 'linestyle': '-'}
    >>> styles[8]["color"] == styles[0]["color"], styles[8]["marker"], styles[8]["linestyle"]
    (True, 'p', '--')
    >>> len({(s["color"], s["marker"], s["linestyle"]) for s in component_styles(40)})
    40
    """
    n_colors = len(BOOK_COLORS)
    return [
        {
            "color": BOOK_COLORS[k % n_colors],
            "marker": BOOK_MARKERS[k % len(BOOK_MARKERS)],
            "linestyle": BOOK_LINESTYLES[(k // n_colors) % len(BOOK_LINESTYLES)],
        }
        for k in range(n_components)
    ]


def full_covariances(
    covariances: np.ndarray, covariance_type: str, n_components: int, n_features: int
) -> np.ndarray:
    """Expand covariances of any type to ``(n_components, d, d)`` matrices.

    Examples
    --------
    >>> full_covariances(np.array([1.0, 4.0]), "spherical", n_components=2, n_features=2)
    array([[[1., 0.],
            [0., 1.]],
    <BLANKLINE>
           [[4., 0.],
            [0., 4.]]])
    >>> full_covariances(np.eye(2), "tied", n_components=3, n_features=2).shape
    (3, 2, 2)
    """
    cov = np.asarray(covariances, dtype=np.float64)
    if covariance_type == "full":
        return cov
    if covariance_type == "tied":
        return np.broadcast_to(cov, (n_components, n_features, n_features)).copy()
    if covariance_type == "diag":
        return np.stack([np.diag(c) for c in cov])
    return cov[:, None, None] * np.eye(n_features)[None]


def ellipse_geometry(covariance: np.ndarray, n_std: float = 2.0) -> tuple[float, float, float]:
    """Width, height and angle (degrees) of the ``n_std``-sigma ellipse of a 2-D covariance.

    The axes point along the eigenvectors and have half-lengths ``n_std * sqrt(eigenvalue)``.

    Examples
    --------
    Standard deviations 2 and 1 along the axes: the 2-sigma ellipse is 8 wide and 4 high.

    >>> width, height, angle = ellipse_geometry(np.diag([4.0, 1.0]), n_std=2.0)
    >>> round(width, 6), round(height, 6), round(angle % 180, 6)
    (8.0, 4.0, 0.0)
    """
    vals, vecs = np.linalg.eigh(np.asarray(covariance, dtype=np.float64)[:2, :2])
    angle = float(np.degrees(np.arctan2(vecs[1, -1], vecs[0, -1])))
    width, height = 2 * n_std * np.sqrt(np.maximum(vals[::-1], 0.0))
    return float(width), float(height), angle


def covariance_ellipse(
    mean: np.ndarray, covariance: np.ndarray, n_std: float = 2.0, **kwargs: Any
) -> Ellipse:
    """The ``n_std``-sigma ellipse of a 2-D Gaussian as a patch (see :func:`ellipse_geometry`).

    Examples
    --------
    >>> patch = covariance_ellipse(np.zeros(2), np.diag([4.0, 1.0]), n_std=1.0, fill=False)
    >>> round(patch.width, 6), round(patch.height, 6)
    (4.0, 2.0)
    """
    width, height, angle = ellipse_geometry(covariance, n_std)
    kwargs.setdefault("fill", False)
    kwargs.setdefault("linewidth", 2)
    return Ellipse(xy=tuple(mean[:2]), width=width, height=height, angle=angle, **kwargs)


def plot_mixture(
    ax: Axes,
    X: np.ndarray | None,
    means: np.ndarray,
    covariances: np.ndarray,
    covariance_type: str = "full",
    weights: np.ndarray | None = None,
    responsibilities: np.ndarray | None = None,
    n_std: tuple[float, ...] = (1.0, 2.0),
    point_size: float = 12,
    label_components: bool = True,
) -> Axes:
    """Scatter 2-D data and draw each component's 1- and 2-sigma ellipses and its mean.

    Points are coloured by their responsibilities (a mix of the component colours) when
    ``responsibilities`` is given, grey otherwise. Components are labelled from 1 ("component
    1" ... "component K"), as in the equations, and each has its own colour, marker and line
    style (:func:`component_styles`).

    Examples
    --------
    >>> fig, ax = plt.subplots()
    >>> means = np.array([[0.0, 0.0], [3.0, 3.0]])
    >>> ax = plot_mixture(ax, means, means, np.array([1.0, 1.0]), "spherical")
    >>> len(ax.patches)  # a 1- and a 2-sigma ellipse per component
    4
    >>> [line.get_label() for line in ax.lines]
    ['component 1', 'component 2']
    >>> plt.close(fig)
    """
    K, d = np.asarray(means).shape
    covs = full_covariances(covariances, covariance_type, K, d)
    styles = component_styles(K)
    colors = np.array([mpl.colors.to_rgb(style["color"]) for style in styles])
    if X is not None:
        if responsibilities is not None:
            c = np.clip(np.asarray(responsibilities) @ colors, 0, 1)
        else:
            c = "0.55"
        ax.scatter(X[:, 0], X[:, 1], s=point_size, c=c, alpha=0.7, linewidths=0, label="data")
    for k in range(K):
        for s in n_std:
            ax.add_patch(
                covariance_ellipse(
                    means[k],
                    covs[k],
                    s,
                    edgecolor=colors[k],
                    linestyle=styles[k]["linestyle"],
                    alpha=0.9 if s == n_std[0] else 0.5,
                )
            )
        label = None
        if label_components:
            label = f"component {k + 1}" + (f" (π={weights[k]:.2f})" if weights is not None else "")
        ax.plot(
            means[k, 0],
            means[k, 1],
            marker=styles[k]["marker"],
            markersize=10,
            color=colors[k],
            markeredgecolor="white",
            linestyle="none",
            label=label,
        )
    return ax


def new_figure(*args: Any, **kwargs: Any):
    """``plt.subplots`` with the book style applied."""
    use_book_style()
    return plt.subplots(*args, **kwargs)
