"""EM as a moving picture: one drawing routine for the static site and for the live explorer.

:class:`EMFrameDrawer` owns a figure (data with component ellipses on the left, the
log-likelihood curve on the right) and redraws it for any iteration of a recorded
:class:`~gmm_from_scratch.history.EMHistory` by updating its artists, never rebuilding them.
:func:`em_animation_html` turns the frames into a JavaScript animation that plays on the
static course website without a kernel (through :func:`animation_to_html`, which gives the
frame image a text alternative, labels every control and wraps the whole in a captioned
``<figure>``); :mod:`gmm_from_scratch.widgets` drives the same drawer from sliders in Jupyter.

This module sits at the edge of the package (it imports matplotlib).
"""

from __future__ import annotations

import html as _html
import re
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import FuncAnimation
from matplotlib.patches import Ellipse

from .history import EMHistory
from .plotting import component_styles, ellipse_geometry, use_book_style

__all__ = [
    "PHASES",
    "OBJECTIVES",
    "EMFrameDrawer",
    "FAINT_ALPHA",
    "AnimationMarkupError",
    "accessible_jshtml",
    "animation_to_html",
    "default_description",
    "curve_limits",
    "em_animation",
    "em_animation_html",
    "select_frames",
]

#: The two moments of an iteration the drawer can show.
PHASES = ("E", "M")

#: What the right-hand panel plots: its y label, title, legend entry and the data title's word.
OBJECTIVES: dict[str, dict[str, str]] = {
    "log-likelihood": {
        "ylabel": "mean log-likelihood per point",
        "title": "Log-likelihood never decreases",
        "legend": "log-likelihood",
        "short": "log-lik.",
    },
    "ELBO": {
        "ylabel": "ELBO",
        "title": "The ELBO never decreases",
        "legend": "ELBO",
        "short": "ELBO",
    },
}

_CDN_LINK = re.compile(r"<link[^>]*font-awesome[^>]*>\s*", re.IGNORECASE)
_N_STD = (1.0, 2.0)
#: Opacity of a faint (unused) component's ellipses and mean: low, because unused components
#: of a Bayesian mixture sit on the prior, on top of one another, and their opacities add up.
FAINT_ALPHA = 0.05


def curve_limits(values: np.ndarray, far: float = 5.0) -> tuple[int, tuple[float, float]]:
    """Where the objective curve's axis should start, and its y-limits.

    A start far from the optimum (a component on one point, say) can make the first value
    millions of nats below the rest, and an axis that includes it draws the later rise as a
    flat line. If the first value lies more than ``far`` times the range of the others below
    their minimum, the axis starts at iteration 2 (returned as ``first = 1``, 0-based) and the
    limits cover the values from there on; otherwise it covers all of them.

    Returns
    -------
    first : int
        0-based index of the first value inside the axis (0 or 1).
    ylim : tuple of float

    Examples
    --------
    >>> curve_limits(np.array([-4.1e6, -3.5, -3.4, -3.38]))[0]  # first value off the scale
    1
    >>> curve_limits(np.array([-3.9, -3.5, -3.4, -3.38]))[0]  # a gentle start stays in view
    0
    """
    values = np.asarray(values, dtype=np.float64)
    first = 0
    if values.size >= 3:
        rest = values[1:]
        span = rest.max() - rest.min()
        if values[0] < rest.min() - far * max(span, 1e-12):
            first = 1
    shown = values[first:]
    lo, hi = float(shown.min()), float(shown.max())
    pad = 0.08 * (hi - lo) if hi > lo else max(0.01, 1e-3 * abs(hi))
    return first, (lo - pad, hi + pad)


class EMFrameDrawer:
    """Draw the state of EM at iteration ``t``, after its E-step or after its M-step.

    After the E-step of iteration ``t`` the parameters are those the iteration started from
    (``history.means[t]`` ...) and the points are coloured by the new responsibilities
    ``history.responsibilities[t]``. After the M-step the same colours are shown with the
    updated parameters ``history.means[t + 1]`` ...

    Each component has its own colour, mean marker and ellipse line style
    (:func:`~gmm_from_scratch.plotting.component_styles`), so components beyond the eighth,
    which repeat a colour, still differ in shape. The right-hand panel plots the recorded
    objective; its axis leaves out iteration 1 when that value is far below the rest
    (:func:`curve_limits`), so the later rise stays visible.

    Parameters
    ----------
    X : ndarray of shape (n_samples, 2)
        The data (only the first two features are drawn).
    history : EMHistory
    figsize : tuple, default=(8.0, 3.6)
    dpi : int, default=80
    feature_names : tuple of two str, optional
        Axis labels of the data panel; ``("feature 1", "feature 2")`` by default.
    objective : {"log-likelihood", "ELBO"}, default="log-likelihood"
        What ``history.log_likelihood`` holds: the mean log-likelihood per point (EM) or the
        ELBO (variational Bayes); sets the labels of the right-hand panel (:data:`OBJECTIVES`).
    legend_loc : str, default="upper left"
        Where the data panel's legend goes (choose a corner the data leave empty).
    faint_below : float, optional
        Draw the ellipses of components whose weight is below this value faint (alpha 0.05):
        the unused components of a Bayesian mixture.

    Attributes
    ----------
    fig : matplotlib Figure
    ellipses : list of list of Ellipse
        ``ellipses[k][j]`` is component ``k``'s ellipse at ``n_std[j]`` standard deviations.
    mean_markers : list of Line2D
        ``mean_markers[k]`` marks component ``k``'s mean.
    curve_first : int
        0 if the objective axis shows every iteration, 1 if it starts at iteration 2.
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
        objective: str = "log-likelihood",
        legend_loc: str = "upper left",
        faint_below: float | None = None,
    ) -> None:
        if history.n_iter == 0:
            raise ValueError("The EM history is empty: fit with max_iter >= 1 to record it.")
        if objective not in OBJECTIVES:
            raise ValueError(f"objective must be one of {sorted(OBJECTIVES)}, got {objective!r}.")
        use_book_style()
        self.X = np.asarray(X, dtype=np.float64)
        self.history = history
        self.objective = objective
        self.faint_below = faint_below
        K = history.means[0].shape[0]
        self.styles = component_styles(K)
        self.colors = np.array([mpl.colors.to_rgb(s["color"]) for s in self.styles])
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
                    linestyle=self.styles[k]["linestyle"],
                    edgecolor=self.colors[k],
                    alpha=1.0 if j == 0 else 0.6,
                )
                self.ax_data.add_patch(e)
                row.append(e)
            self.ellipses.append(row)
        self.mean_markers = []
        for k in range(K):
            (marker,) = self.ax_data.plot(
                [],
                [],
                self.styles[k]["marker"],
                markersize=9,
                color=self.colors[k],
                markeredgecolor="black",
                markeredgewidth=1.0,
                linestyle="none",
                label="component means" if k == 0 else None,
            )
            self.mean_markers.append(marker)
        self._frame_limits()
        self.ax_data.set_xlabel(feature_names[0])
        self.ax_data.set_ylabel(feature_names[1])
        self.ax_data.legend(loc=legend_loc, fontsize=8)
        labels = OBJECTIVES[objective]
        values = np.asarray(history.log_likelihood, dtype=np.float64)
        iters = np.arange(1, history.n_iter + 1)
        self.ax_ll.plot(iters, values, color="0.3", label=labels["legend"])
        (self.ll_marker,) = self.ax_ll.plot(
            [], [], "o", color="#D55E00", markersize=8, label="current iteration"
        )
        self.curve_first, ylim = curve_limits(values)
        self.ax_ll.set_ylim(*ylim)
        if self.curve_first:
            self.ax_ll.set_xlim(1.5, history.n_iter + 0.5)
            self.ax_ll.set_xlabel("EM iteration (from the 2nd)")
            self.ax_ll.text(
                0.03,
                0.97,
                f"iteration 1: {values[0]:.3g},\nfar below this axis",
                transform=self.ax_ll.transAxes,
                va="top",
                fontsize=8,
                color="0.3",
            )
        else:
            self.ax_ll.set_xlabel("EM iteration")
        self.ax_ll.set_ylabel(labels["ylabel"])
        self.ax_ll.set_title(labels["title"])
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
        weights = h.weights[p]
        self.scatter.set_facecolor(np.clip(resp @ self.colors, 0.0, 1.0))
        for k, row in enumerate(self.ellipses):
            faint = self.faint_below is not None and weights[k] < self.faint_below
            for j, (e, n_std) in enumerate(zip(row, _N_STD, strict=True)):
                width, height, angle = ellipse_geometry(covs[k], n_std)
                e.set_center(tuple(means[k, :2]))
                e.set_width(width)
                e.set_height(height)
                e.set_angle(angle)
                e.set_alpha(FAINT_ALPHA if faint else (1.0 if j == 0 else 0.6))
            self.mean_markers[k].set_data([means[k, 0]], [means[k, 1]])
            self.mean_markers[k].set_alpha(FAINT_ALPHA if faint else 1.0)
        value = h.log_likelihood[iteration]
        self.ll_marker.set_data([iteration + 1], [value])
        step = "E-step" if phase == "E" else "M-step"
        number = f"{value:.4f}" if abs(value) < 1e3 and self.objective != "ELBO" else f"{value:.1f}"
        if abs(value) >= 1e6:
            number = f"{value:.3g}"
        short = OBJECTIVES[self.objective]["short"]
        self.ax_data.set_title(f"Iteration {iteration + 1}, after the {step} ({short} {number})")
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
    **drawer_options: Any,
) -> FuncAnimation:
    """A matplotlib animation of EM: at most ``max_frames`` frames (E- and M-steps alternate).

    ``drawer_options`` (``objective``, ``legend_loc``, ``faint_below``, ``figsize``) go to
    :class:`EMFrameDrawer`.
    """
    drawer = EMFrameDrawer(X, history, dpi=dpi, feature_names=feature_names, **drawer_options)
    frames = select_frames(history.n_iter, max_frames)

    def update(frame: tuple[int, str]) -> list[Any]:
        drawer.draw(*frame)
        return []

    anim = FuncAnimation(drawer.fig, update, frames=frames, interval=interval, blit=False)
    anim.drawer = drawer  # type: ignore[attr-defined]  # keep it alive and testable
    return anim


# What each control of matplotlib's jshtml player does, keyed by the method its onclick calls.
_BUTTON_LABELS = {
    "slower": "Slower",
    "first_frame": "First frame",
    "previous_frame": "Previous frame",
    "reverse_animation": "Play backwards",
    "pause_animation": "Pause",
    "play_animation": "Play forward",
    "next_frame": "Next frame",
    "last_frame": "Last frame",
    "faster": "Faster",
}
_RADIO_LABELS = {"once": "Once", "loop": "Loop", "reflect": "Reflect"}  # labels if missing

_IMG = re.compile(r'<img\b(?P<attrs>[^>]*\bid="_anim_img[^"]*"[^>]*?)\s*/?>')
_SLIDER = re.compile(r'<input\b(?P<attrs>[^>]*\bid="_anim_slider[^"]*"[^>]*)>')
_BUTTON = re.compile(r"<button\b(?P<attrs>[^>]*)>(?P<body>.*?)</button>", re.DOTALL)
_RADIO = re.compile(r'<input\b(?P<attrs>[^>]*\btype="radio"[^>]*)>')
_FORM = re.compile(r'<form\b(?P<attrs>[^>]*\bname="_anim_loop_select[^"]*"[^>]*)>')
_ICON = re.compile(r"<i\b(?![^>]*aria-hidden)([^>]*)>")


class AnimationMarkupError(RuntimeError):
    """matplotlib's ``to_jshtml`` markup is not what :func:`accessible_jshtml` expects."""


def _set_attr(attrs: str, name: str, value: str) -> str:
    """Set (or replace) the attribute ``name`` in a tag's attribute string."""
    value = _html.escape(value, quote=True)
    pattern = re.compile(rf'\s{re.escape(name)}="[^"]*"')
    if pattern.search(attrs):
        return pattern.sub(lambda _: f' {name}="{value}"', attrs, count=1)
    return f'{attrs.rstrip()} {name}="{value}"'


def _attr(attrs: str, name: str) -> str | None:
    m = re.search(rf'\s{re.escape(name)}="([^"]*)"', attrs)
    return m.group(1) if m else None


def _one(pattern: re.Pattern[str], html: str, what: str) -> re.Match[str]:
    found = list(pattern.finditer(html))
    if len(found) != 1:
        raise AnimationMarkupError(
            f"expected exactly one {what} in matplotlib's to_jshtml output, found {len(found)}; "
            f"matplotlib {mpl.__version__} changed its player markup: update "
            "gmm_from_scratch.animation.accessible_jshtml (tests/test_animation.py pins it)."
        )
    return found[0]


def accessible_jshtml(html: str, description: str) -> str:
    """Make matplotlib's ``to_jshtml`` player accessible and self-contained.

    The frame image gets ``description`` as its alt text; the frame slider, every button
    (labelled by what its ``onclick`` does) and every loop-mode radio button (a ``<label
    for>``, added if missing) get an accessible name; the icon fonts are hidden from screen
    readers; the CDN stylesheet ``<link>`` is removed (the site must make no outside
    request; the book theme ships the icon font); and the whole player is wrapped in
    ``<figure class="em-animation">`` with ``description`` as its visible ``<figcaption>``.

    Raises
    ------
    ValueError
        If ``description`` is empty.
    AnimationMarkupError
        If the markup lacks the frame image, the slider, the nine buttons or the three radio
        buttons that matplotlib's player has: a new matplotlib changed it, and a silent patch
        would leave the controls unlabelled.
    """
    description = " ".join(description.split())
    if not description:
        raise ValueError("An animation needs a description: what is animated, what to watch for.")
    html = _CDN_LINK.sub("", html)
    if "<link" in html:
        raise AnimationMarkupError("to_jshtml output still fetches a stylesheet (<link>).")

    img = _one(_IMG, html, "frame <img>")
    attrs = _set_attr(img.group("attrs"), "alt", description)
    html = html[: img.start()] + f"<img{attrs}>" + html[img.end() :]

    slider = _one(_SLIDER, html, "frame slider <input>")
    attrs = _set_attr(slider.group("attrs"), "aria-label", "Frame")
    html = html[: slider.start()] + f"<input{attrs}>" + html[slider.end() :]

    seen: list[str] = []

    def label_button(m: re.Match[str]) -> str:
        onclick = _attr(m.group("attrs"), "onclick") or ""
        method = re.search(r"\.(\w+)\(", onclick)
        if method is None or method.group(1) not in _BUTTON_LABELS:
            raise AnimationMarkupError(f"unknown animation button: {m.group(0)[:120]!r}")
        label = _BUTTON_LABELS[method.group(1)]
        seen.append(method.group(1))
        attrs = _set_attr(_set_attr(m.group("attrs"), "title", label), "aria-label", label)
        attrs = _set_attr(attrs, "type", "button")
        body = _ICON.sub(r'<i aria-hidden="true"\1>', m.group("body"))
        return f"<button{attrs}>{body}</button>"

    html = _BUTTON.sub(label_button, html)
    if sorted(seen) != sorted(_BUTTON_LABELS):
        raise AnimationMarkupError(
            f"expected the buttons {sorted(_BUTTON_LABELS)}, found {sorted(seen)} "
            f"(matplotlib {mpl.__version__})."
        )

    radios = [_attr(m.group("attrs"), "value") for m in _RADIO.finditer(html)]
    if sorted(radios) != sorted(_RADIO_LABELS):  # type: ignore[type-var]
        raise AnimationMarkupError(f"expected three loop-mode radio buttons, found {radios}.")
    for m in list(_RADIO.finditer(html)):
        radio_id = _attr(m.group("attrs"), "id")
        if not radio_id:
            raise AnimationMarkupError(f"a loop-mode radio button has no id: {m.group(0)!r}")
        if f'for="{radio_id}"' not in html:  # give it a visible label of its own
            value = _attr(m.group("attrs"), "value") or ""
            label = f'<label for="{radio_id}">{_RADIO_LABELS[value]}</label>'
            html = html.replace(m.group(0), m.group(0) + label, 1)

    form = _one(_FORM, html, "loop-mode <form>")
    attrs = _set_attr(form.group("attrs"), "aria-label", "Repetition mode")
    html = html[: form.start()] + f"<form{attrs}>" + html[form.end() :]

    caption = _html.escape(description, quote=False)
    return (
        '<figure class="em-animation">\n'
        + html.strip()
        + f"\n<figcaption>{caption}</figcaption>\n</figure>"
    )


def animation_to_html(anim: FuncAnimation, description: str) -> str:
    """Any matplotlib animation as accessible, self-contained HTML for the static site.

    ``to_jshtml(default_mode="once")`` with JPEG frames (a third smaller than PNG), made
    accessible by :func:`accessible_jshtml`: ``description`` (what is animated and what to
    watch for) becomes the frame image's alt text and the figure's visible caption, and every
    control is labelled. Closes the animation's figure.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from matplotlib.animation import FuncAnimation
    >>> fig, ax = plt.subplots(figsize=(2, 2), dpi=30)
    >>> (line,) = ax.plot([], [])
    >>> anim = FuncAnimation(fig, lambda i: line.set_data([0, i], [0, i]), frames=3)
    >>> html = animation_to_html(anim, "A line that grows.")
    >>> html.startswith('<figure class="em-animation">'), 'alt="A line that grows."' in html
    (True, True)
    >>> "<figcaption>A line that grows.</figcaption>" in html, "<link" in html
    (True, False)
    """
    if not " ".join(str(description).split()):
        plt.close(anim._fig)  # type: ignore[attr-defined]
        raise ValueError("An animation needs a description: what is animated, what to watch for.")
    try:
        with mpl.rc_context({"animation.frame_format": "jpeg"}):
            html = anim.to_jshtml(default_mode="once")
    finally:
        plt.close(anim._fig)  # type: ignore[attr-defined]
    return accessible_jshtml(html, description)


def default_description(
    X: np.ndarray, history: EMHistory, objective: str = "log-likelihood"
) -> str:
    """A description naming the data, for an animation nobody wrote one for."""
    X = np.asarray(X)
    K = history.means[0].shape[0]
    what = OBJECTIVES[objective]["legend"]
    return (
        f"Animation of EM fitting {K} Gaussian components to {X.shape[0]} points over "
        f"{history.n_iter} iterations. Left: the points coloured by their responsibilities "
        f"and each component's 1- and 2-standard-deviation ellipses, after each E-step and "
        f"M-step. Right: the {what} at each iteration, which never decreases."
    )


def em_animation_html(
    X: np.ndarray,
    history: EMHistory,
    max_frames: int = 50,
    dpi: int = 80,
    interval: int = 500,
    feature_names: tuple[str, str] = ("feature 1", "feature 2"),
    *,
    description: str | None = None,
    **drawer_options: Any,
) -> str:
    """The EM animation as accessible, self-contained HTML for the static course website.

    ``description`` (what is animated and what to watch for) becomes the frame image's alt
    text and the visible caption (:func:`animation_to_html`); without one, a generic
    description naming the data's size and the number of components is used. The CDN
    stylesheet ``<link>`` that matplotlib adds for its button icons is removed: the site must
    make no outside request (the book theme ships the same icon font). ``drawer_options``
    (``objective``, ``legend_loc``, ``faint_below``, ``figsize``) go to :class:`EMFrameDrawer`.

    Examples
    --------
    >>> from gmm_from_scratch import GaussianMixture
    >>> from gmm_from_scratch.datasets import make_teaching_dataset
    >>> X = make_teaching_dataset("two_blobs", n_samples=60)
    >>> gmm = GaussianMixture(2, random_state=0, record_history=True).fit(X)
    >>> html = em_animation_html(X, gmm.history_, max_frames=4, description="EM on two blobs.")
    >>> "<script" in html, "<link" in html  # plays offline, fetches nothing
    (True, False)
    >>> 'alt="EM on two blobs."' in html
    True
    """
    if description is None:
        description = default_description(
            X, history, drawer_options.get("objective", "log-likelihood")
        )
    anim = em_animation(
        X,
        history,
        max_frames=max_frames,
        dpi=dpi,
        interval=interval,
        feature_names=feature_names,
        **drawer_options,
    )
    return animation_to_html(anim, description)
