"""The static animations: accessible markup (alt text, labelled controls, a captioned figure)
and an objective axis on which the curve can be read."""

import re
import warnings
from html.parser import HTMLParser

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.animation import FuncAnimation  # noqa: E402

from gmm_from_scratch import ConvergenceWarning, GaussianMixture  # noqa: E402
from gmm_from_scratch.animation import (  # noqa: E402
    FAINT_ALPHA,
    AnimationMarkupError,
    EMFrameDrawer,
    accessible_jshtml,
    animation_to_html,
    curve_limits,
    em_animation_html,
)
from gmm_from_scratch.datasets import make_teaching_dataset  # noqa: E402
from gmm_from_scratch.plotting import component_styles  # noqa: E402

DESCRIPTION = 'EM on two blobs: watch the "ellipses" <move> & the curve rise.'


class _Tags(HTMLParser):
    """Every start tag with its attributes, and the text inside <figcaption> and <label>."""

    def __init__(self):
        super().__init__()
        self.tags, self.captions, self.labels, self._in = [], [], {}, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "figcaption":
            self._in = ("caption", None)
        elif tag == "label":
            self._in = ("label", attrs.get("for"))

    def handle_endtag(self, tag):
        if tag in ("figcaption", "label"):
            self._in = None

    def handle_data(self, data):
        if self._in and self._in[0] == "caption":
            self.captions.append(data)
        elif self._in and self._in[0] == "label":
            self.labels[self._in[1]] = self.labels.get(self._in[1], "") + data


def _parse(html):
    p = _Tags()
    p.feed(html)
    return p


@pytest.fixture(scope="module")
def fitted():
    X = make_teaching_dataset("elongated")
    gmm = GaussianMixture(
        3, random_state=0, init_params="random_from_data", record_history=True, max_iter=12
    )
    with warnings.catch_warnings():  # 12 iterations are enough to draw, not to converge
        warnings.simplefilter("ignore", ConvergenceWarning)
        gmm.fit(X)
    return X, gmm


@pytest.fixture(scope="module")
def page(fitted):
    X, gmm = fitted
    return em_animation_html(X, gmm.history_, max_frames=6, dpi=30, description=DESCRIPTION)


def _tiny_animation():
    fig, ax = plt.subplots(figsize=(2, 2), dpi=30)
    (line,) = ax.plot([], [])
    return FuncAnimation(fig, lambda i: line.set_data([0, i], [0, i]), frames=3)


def _raw_jshtml():
    anim = _tiny_animation()
    html = anim.to_jshtml(default_mode="once")
    plt.close(anim._fig)
    return html


def test_frame_image_has_the_description_as_alt(page):
    imgs = [a for t, a in _parse(page).tags if t == "img"]
    assert len(imgs) == 1
    assert imgs[0]["alt"] == DESCRIPTION  # the parser unescapes: quotes, < > & survived


def test_every_control_has_an_accessible_name(page):
    p = _parse(page)
    buttons = [a for t, a in p.tags if t == "button"]
    assert len(buttons) == 9
    names = [b.get("aria-label", "") for b in buttons]
    assert all(n.strip() for n in names) and len(set(names)) == 9
    assert {"Play forward", "Play backwards", "Pause", "Previous frame", "Next frame"} <= set(names)
    inputs = [a for t, a in p.tags if t == "input"]
    assert len(inputs) == 4  # the slider and three radio buttons
    for a in inputs:
        named = a.get("aria-label", "").strip() or p.labels.get(a.get("id"), "").strip()
        assert named, f"unlabelled control {a}"
    slider = next(a for a in inputs if a.get("type") == "range")
    assert slider["aria-label"] == "Frame"
    radios = [a for a in inputs if a.get("type") == "radio"]
    assert sorted(p.labels[a["id"]] for a in radios) == ["Loop", "Once", "Reflect"]
    icons = [a for t, a in p.tags if t == "i"]
    assert icons and all(a.get("aria-hidden") == "true" for a in icons)


def test_wrapped_in_a_captioned_figure_fetching_nothing(page):
    assert page.startswith('<figure class="em-animation">')
    assert page.rstrip().endswith("</figure>")
    p = _parse(page)
    assert [t for t, _ in p.tags].count("figure") == 1
    assert "".join(p.captions) == DESCRIPTION
    assert "<link" not in page and "font-awesome" not in page


def test_matplotlib_player_still_needs_the_patch():
    """Pins what this matplotlib's jshtml lacks, so a change in its markup is noticed."""
    raw = _raw_jshtml()
    assert "font-awesome" in raw and "<figure" not in raw
    img = next(a for t, a in _parse(raw).tags if t == "img")
    assert "alt" not in img
    html = accessible_jshtml(raw, "A growing line.")
    assert 'alt="A growing line."' in html


def test_unexpected_markup_fails_loudly():
    raw = _raw_jshtml()
    with pytest.raises(AnimationMarkupError, match="frame <img>"):
        accessible_jshtml(raw.replace("<img", "<span"), "x")
    with pytest.raises(AnimationMarkupError, match="slider"):
        accessible_jshtml(raw.replace('id="_anim_slider', 'id="_other'), "x")
    with pytest.raises(AnimationMarkupError, match="unknown animation button"):
        accessible_jshtml(raw.replace(".faster()", ".fastest()"), "x")
    first_button = raw.index("<button")
    without_one = raw[:first_button] + raw[raw.index("</button>", first_button) + 9 :]
    with pytest.raises(AnimationMarkupError, match="expected the buttons"):
        accessible_jshtml(without_one, "x")
    with pytest.raises(ValueError, match="description"):
        accessible_jshtml(raw, "   ")
    anim = _tiny_animation()
    with pytest.raises(ValueError, match="description"):
        animation_to_html(anim, "")
    assert not plt.fignum_exists(anim._fig.number)  # closed even on error


def test_missing_radio_labels_are_added():
    raw = _raw_jshtml()
    stripped = re.sub(r"<label for=[^>]*>[^<]*</label>", "", raw)
    p = _parse(accessible_jshtml(stripped, "x"))
    radios = [a for t, a in p.tags if t == "input" and a.get("type") == "radio"]
    assert sorted(p.labels[a["id"]] for a in radios) == ["Loop", "Once", "Reflect"]


def test_animation_to_html_closes_its_figure():
    anim = _tiny_animation()
    number = anim._fig.number
    html = animation_to_html(anim, "A growing line.")
    assert not plt.fignum_exists(number)
    assert html.count("frames[") >= 3


def test_default_description_names_the_data(fitted):
    X, gmm = fitted
    html = em_animation_html(X, gmm.history_, max_frames=4, dpi=20)
    alt = next(a for t, a in _parse(html).tags if t == "img")["alt"]
    assert "3 Gaussian components" in alt and f"{len(X)} points" in alt


def test_curve_axis_leaves_out_a_first_value_far_below(fitted):
    X, gmm = fitted
    h = gmm.history_
    ll = np.asarray(h.log_likelihood, dtype=float)
    assert len(ll) >= 4
    far = type(h)(**{f: getattr(h, f) for f in h.__dataclass_fields__})
    far.log_likelihood = [ll[0] - 4e6, *ll[1:]]
    drawer = EMFrameDrawer(X, far)
    lo, hi = drawer.ax_ll.get_ylim()
    assert drawer.curve_first == 1
    assert lo > far.log_likelihood[0] + 1e6  # the first frame is off the axis
    assert lo <= ll[1:].min() and hi >= ll[1:].max()  # every later value is on it
    assert hi - lo < 2 * (ll[1:].max() - ll[1:].min()) + 0.05  # and fills most of it
    assert drawer.ax_ll.get_xlim()[0] > 1
    notes = [t.get_text() for t in drawer.ax_ll.texts]
    assert "from the 2nd" in drawer.ax_ll.get_xlabel()
    assert len(notes) == 1 and f"{far.log_likelihood[0]:.3g}" in notes[0]
    plt.close(drawer.fig)


def test_curve_axis_keeps_a_gentle_start(fitted):
    X, gmm = fitted
    ll = np.asarray(gmm.history_.log_likelihood, dtype=float)
    drawer = EMFrameDrawer(X, gmm.history_)
    lo, hi = drawer.ax_ll.get_ylim()
    if ll[0] >= ll[1:].min() - 5 * (ll[1:].max() - ll[1:].min()):
        assert drawer.curve_first == 0 and lo <= ll.min() and hi >= ll.max()
        assert len(drawer.ax_ll.texts) == 0 and drawer.ax_ll.get_xlabel() == "EM iteration"
    plt.close(drawer.fig)
    assert curve_limits(np.array([-3.9, -3.5, -3.4, -3.38]))[0] == 0
    first, (lo, hi) = curve_limits(np.array([-2.3e5, -1.2, -1.1, -1.05]))
    assert first == 1 and -1.3 < lo < -1.2 and -1.05 < hi < -1.0


@pytest.mark.filterwarnings("ignore::gmm_from_scratch.ConvergenceWarning")
def test_elbo_labels_and_faint_unused_components():
    X = make_teaching_dataset("two_blobs", n_samples=80)
    gmm = GaussianMixture(10, random_state=0, record_history=True, max_iter=15).fit(X)
    h = gmm.history_
    drawer = EMFrameDrawer(X, h, objective="ELBO", faint_below=0.2)
    assert drawer.ax_ll.get_ylabel() == "ELBO"
    assert "ELBO" in drawer.ax_data.get_title()
    t = h.n_iter - 1
    drawer.draw(t, "M")
    w = h.weights[t + 1]
    for k in range(10):
        expected = FAINT_ALPHA if w[k] < 0.2 else 1.0
        assert drawer.ellipses[k][0].get_alpha() == pytest.approx(expected)
    assert (w < 0.2).any() and (w >= 0.2).any()
    # ten components, eight colours: the ninth and tenth differ by marker and line style
    styles = component_styles(10)
    markers = [m.get_marker() for m in drawer.mean_markers]
    assert len(set(markers)) == 10 and markers == [s["marker"] for s in styles]
    assert drawer.ellipses[8][0].get_linestyle() != drawer.ellipses[0][0].get_linestyle()
    with pytest.raises(ValueError, match="objective"):
        EMFrameDrawer(X, h, objective="likelihood")
    plt.close("all")
