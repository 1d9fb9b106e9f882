"""EM as a moving picture: one drawing routine for the static site and for the live explorer.

:class:`EMFrameDrawer` owns a figure (data with component ellipses on the left, the
log-likelihood curve on the right) and redraws it for any iteration of a recorded
:class:`~gmm_from_scratch.history.EMHistory` by updating its artists, never rebuilding them.
:func:`em_animation_html` turns the frames into a JavaScript animation that plays on the
static course website without a kernel; :mod:`gmm_from_scratch.widgets` drives the same
drawer from sliders in Jupyter.

This module sits at the edge of the package (it imports matplotlib).
"""

from __future__ import annotations

import re
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import FuncAnimation
from matplotlib.patches import Ellipse

from .history import EMHistory
from .plotting import component_colors, ellipse_geometry, use_book_style

__all__ = ["PHASES", "EMFrameDrawer", "em_animation", "em_animation_html", "select_frames"]

#: The two moments of an iteration the drawer can show.
PHASES = ("E", "M")

_CDN_LINK = re.compile(r"<link[^>]*font-awesome[^>]*>\s*", re.IGNORECASE)
_N_STD = (1.0, 2.0)


class EMFrameDrawer:
    """Draw the state of EM at iteration ``t``, after its E-step or after its M-step.

    After the E-step of iteration ``t`` the parameters are those the iteration started from
    (``history.means[t]`` ...) and the points are coloured by the new responsibilities
    ``history.responsibilities[t]``. After the M-step the same colours are shown with the
    updated parameters ``history.means[t + 1]`` ...

    Parameters
    ----------
    X : ndarray of shape (n_samples, 2)
        The data (only the first two features are drawn).
    history : EMHistory
    figsize : tuple, default=(8.0, 3.6)
    dpi : int, default=80
    feature_names : tuple of two str, optional
        Axis labels of the data panel; ``("feature 1", "feature 2")`` by default.

    Attributes
    ----------
    fig : matplotlib Figure
    ellipses : list of list of Ellipse
        ``ellipses[k][j]`` is component ``k``'s ellipse at ``n_std[j]`` standard deviations.
    iteration, phase : int, str
        What is currently drawn.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from gmm_from_scratch import GaussianMixture
    >>> from gmm_from_scratch.datasets import make_teaching_dataset
    >>> X = make_teaching_dataset("two_blobs", n_samples=60)
    >>> gmm = GaussianMixture(2, random_state=0, record_history=True).fit(X)
    >>> drawer = EMFrameDrawer(X, gmm.history_)
    >>> drawer.draw(1, "M")
    >>> drawer.iteration, drawer.phase
    (1, 'M')
    >>> plt.close(drawer.fig)
    """

    def __init__(
        self,
        X: np.ndarray,
        history: EMHistory,
        figsize: tuple[float, float] = (8.0, 3.6),
        dpi: int = 80,
        feature_names: tuple[str, str] = ("feature 1", "feature 2"),
    ) -> None:
        if history.n_iter == 0:
            raise ValueError("The EM history is empty: fit with max_iter >= 1 to record it.")
        use_book_style()
        self.X = np.asarray(X, dtype=np.float64)
        self.history = history
        K = history.means[0].shape[0]
        self.colors = np.array([mpl.colors.to_rgb(c) for c in component_colors(K)])
        with plt.ioff():
            self.fig, (self.ax_data, self.ax_ll) = plt.subplots(
                1, 2, figsize=figsize, dpi=dpi, gridspec_kw={"width_ratios": [1.25, 1.0]}
            )
        self.scatter = self.ax_data.scatter(
            self.X[:, 0], self.X[:, 1], s=9, color="0.6", linewidths=0, alpha=0.8, label="data"
        )
        self.ellipses = []
        for k in range(K):
            row = []
            for j, _ in enumerate(_N_STD):
                e = Ellipse(
                    (0, 0),
                    1,
                    1,
                    fill=False,
                    linewidth=2 if j == 0 else 1.2,
                    edgecolor=self.colors[k],
                    alpha=1.0 if j == 0 else 0.6,
                )
                self.ax_data.add_patch(e)
                row.append(e)
            self.ellipses.append(row)
        (self.mean_markers,) = self.ax_data.plot(
            [],
            [],
            "X",
            markersize=10,
            color="black",
            markeredgecolor="white",
            linestyle="none",
            label="component means",
        )
        self._frame_limits()
        self.ax_data.set_xlabel(feature_names[0])
        self.ax_data.set_ylabel(feature_names[1])
        self.ax_data.legend(loc="upper left", fontsize=8)
        iters = np.arange(1, history.n_iter + 1)
        self.ax_ll.plot(iters, history.log_likelihood, color="0.3", label="log-likelihood")
        (self.ll_marker,) = self.ax_ll.plot(
            [], [], "o", color="#D55E00", markersize=8, label="current iteration"
        )
        self.ax_ll.set_xlabel("EM iteration")
        self.ax_ll.set_ylabel("mean log-likelihood per point")
        self.ax_ll.set_title("Log-likelihood never decreases")
        self.ax_ll.legend(loc="lower right", fontsize=8)
        self.iteration, self.phase = 0, "E"
        self.draw(0, "E")

    def _frame_limits(self) -> None:
        lo, hi = self.X[:, :2].min(axis=0), self.X[:, :2].max(axis=0)
        pad = 0.15 * (hi - lo)
        self.ax_data.set_xlim(lo[0] - pad[0], hi[0] + pad[0])
        self.ax_data.set_ylim(lo[1] - pad[1], hi[1] + pad[1])

    def parameter_index(self, iteration: int, phase: str) -> int:
        """Index into the history's parameter lists for ``(iteration, phase)``."""
        return iteration if phase == "E" else iteration + 1

    def draw(self, iteration: int, phase: str = "E") -> None:
        """Show iteration ``iteration`` (0-based) after its E-step (``'E'``) or M-step (``'M'``)."""
        h = self.history
        if phase not in PHASES:
            raise ValueError(f"phase must be 'E' or 'M', got {phase!r}.")
        if not 0 <= iteration < h.n_iter:
            raise ValueError(f"iteration must be in [0, {h.n_iter - 1}], got {iteration}.")
        p = self.parameter_index(iteration, phase)
        means = h.means[p]
        covs = h.full_covariances(p)
        resp = h.responsibilities[iteration]
        self.scatter.set_facecolor(np.clip(resp @ self.colors, 0.0, 1.0))
        for k, row in enumerate(self.ellipses):
            for e, n_std in zip(row, _N_STD, strict=True):
                width, height, angle = ellipse_geometry(covs[k], n_std)
                e.set_center(tuple(means[k, :2]))
                e.set_width(width)
                e.set_height(height)
                e.set_angle(angle)
        self.mean_markers.set_data(means[:, 0], means[:, 1])
        self.ll_marker.set_data([iteration + 1], [h.log_likelihood[iteration]])
        step = "E-step" if phase == "E" else "M-step"
        self.ax_data.set_title(
            f"Iteration {iteration + 1}, after the {step} "
            f"(log-lik. {h.log_likelihood[iteration]:.4f})"
        )
        self.iteration, self.phase = iteration, phase


def select_frames(n_iter: int, max_frames: int = 50) -> list[tuple[int, str]]:
    """Choose at most ``max_frames`` (iteration, phase) pairs, dense early where EM moves most.

    Every chosen iteration contributes its E-step and its M-step frame; the first and last
    iterations are always included.

    Examples
    --------
    >>> select_frames(3)
    [(0, 'E'), (0, 'M'), (1, 'E'), (1, 'M'), (2, 'E'), (2, 'M')]
    >>> len(select_frames(100, max_frames=50))
    50
    """
    if max_frames < 2:
        raise ValueError("max_frames must be at least 2.")
    n_pick = min(n_iter, max_frames // 2)
    if n_pick == n_iter:
        iters = list(range(n_iter))
    else:
        # Geometric spacing: early iterations change the picture most.
        raw = np.geomspace(1, n_iter, num=4 * n_pick) - 1
        iters = sorted(set(np.round(raw).astype(int).tolist()) | {0, n_iter - 1})
        while len(iters) > n_pick:
            # drop the iteration whose neighbours are closest (keep the ends)
            gaps = [iters[i + 1] - iters[i - 1] for i in range(1, len(iters) - 1)]
            del iters[1 + int(np.argmin(gaps))]
    return [(t, phase) for t in iters for phase in PHASES]


def em_animation(
    X: np.ndarray,
    history: EMHistory,
    max_frames: int = 50,
    dpi: int = 80,
    interval: int = 500,
    feature_names: tuple[str, str] = ("feature 1", "feature 2"),
) -> FuncAnimation:
    """A matplotlib animation of EM: at most ``max_frames`` frames (E- and M-steps alternate)."""
    drawer = EMFrameDrawer(X, history, dpi=dpi, feature_names=feature_names)
    frames = select_frames(history.n_iter, max_frames)

    def update(frame: tuple[int, str]) -> list[Any]:
        drawer.draw(*frame)
        return []

    anim = FuncAnimation(drawer.fig, update, frames=frames, interval=interval, blit=False)
    anim.drawer = drawer  # type: ignore[attr-defined]  # keep it alive and testable
    return anim


def em_animation_html(
    X: np.ndarray,
    history: EMHistory,
    max_frames: int = 50,
    dpi: int = 80,
    interval: int = 500,
    feature_names: tuple[str, str] = ("feature 1", "feature 2"),
) -> str:
    """The animation as self-contained HTML (``to_jshtml``) for the static course website.

    The CDN stylesheet ``<link>`` that matplotlib adds for its button icons is removed: the
    site must make no outside request (the book theme ships the same icon font).

    Examples
    --------
    >>> from gmm_from_scratch import GaussianMixture
    >>> from gmm_from_scratch.datasets import make_teaching_dataset
    >>> X = make_teaching_dataset("two_blobs", n_samples=60)
    >>> gmm = GaussianMixture(2, random_state=0, record_history=True).fit(X)
    >>> html = em_animation_html(X, gmm.history_, max_frames=4)
    >>> "<script" in html, "<link" in html  # plays offline, fetches nothing
    (True, False)
    """
    anim = em_animation(
        X, history, max_frames=max_frames, dpi=dpi, interval=interval, feature_names=feature_names
    )
    with mpl.rc_context({"animation.frame_format": "jpeg"}):  # a third smaller than PNG
        html = anim.to_jshtml(default_mode="once")
    plt.close(anim.drawer.fig)  # type: ignore[attr-defined]
    return _CDN_LINK.sub("", html)
