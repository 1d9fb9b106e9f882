"""The EM explorer and the static animations draw exactly what the EM history recorded."""

import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.colors as mcolors  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from gmm_from_scratch import GaussianMixture  # noqa: E402
from gmm_from_scratch.animation import EMFrameDrawer, em_animation_html, select_frames  # noqa: E402
from gmm_from_scratch.datasets import make_teaching_dataset  # noqa: E402
from gmm_from_scratch.plotting import component_colors, ellipse_geometry  # noqa: E402
from gmm_from_scratch.widgets import EMExplorer  # noqa: E402


def _fit(dataset="elongated", K=3, covariance_type="full", seed=0, **kw):
    X = make_teaching_dataset(dataset)
    gmm = GaussianMixture(
        K,
        covariance_type=covariance_type,
        random_state=seed,
        init_params="random_from_data",
        record_history=True,
        tol=1e-6,
        max_iter=40,
        **kw,
    ).fit(X)
    return X, gmm


def _assert_drawn(drawer, t, phase):
    h = drawer.history
    p = t if phase == "E" else t + 1
    covs = h.full_covariances(p)
    for k, row in enumerate(drawer.ellipses):
        np.testing.assert_allclose(row[0].get_center(), h.means[p][k], rtol=1e-12)
        w, hgt, _ = ellipse_geometry(covs[k], 1.0)
        assert row[0].get_width() == pytest.approx(w)
        assert row[0].get_height() == pytest.approx(hgt)
    xs, ys = np.array([np.ravel(m.get_data()) for m in drawer.mean_markers]).T
    np.testing.assert_allclose(np.c_[xs, ys], h.means[p][:, :2])
    rgb = np.array([mcolors.to_rgb(c) for c in component_colors(len(h.means[p]))])
    expected = np.clip(h.responsibilities[t] @ rgb, 0, 1)
    np.testing.assert_allclose(drawer.scatter.get_facecolors()[:, :3], expected, atol=1e-12)
    mx, my = drawer.ll_marker.get_data()
    assert list(mx) == [t + 1] and my[0] == pytest.approx(h.log_likelihood[t])


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_drawer_matches_history(covariance_type):
    X, gmm = _fit(covariance_type=covariance_type)
    drawer = EMFrameDrawer(X, gmm.history_)
    for t in (0, 1, gmm.history_.n_iter - 1):
        for phase in ("E", "M"):
            drawer.draw(t, phase)
            _assert_drawn(drawer, t, phase)


def test_drawer_rejects_out_of_range():
    X, gmm = _fit()
    drawer = EMFrameDrawer(X, gmm.history_)
    with pytest.raises(ValueError, match="iteration must be in"):
        drawer.draw(gmm.history_.n_iter, "E")
    with pytest.raises(ValueError, match="phase"):
        drawer.draw(0, "X")


def test_explorer_slider_and_toggle_redraw_from_history():
    ex = EMExplorer(dataset="old_faithful", n_components=2, random_state=1)
    h = ex.gmm.history_
    assert ex.controls["iteration"].max == h.n_iter
    ex.controls["iteration"].value = 3
    _assert_drawn(ex.drawer, 2, "E")
    ex.controls["phase"].value = "M"
    _assert_drawn(ex.drawer, 2, "M")
    # displayed through the widget only, never again by a later plt.show()
    assert not plt.fignum_exists(ex.drawer.fig.number)
    assert ex.drawer.fig.axes[0].get_title().startswith("Iteration 3, after the M-step")


def test_explorer_controls_refit():
    ex = EMExplorer(dataset="two_blobs", n_components=2)
    first = ex.gmm
    ex.controls["n_components"].value = 4
    assert ex.gmm is not first and ex.gmm.n_components == 4
    assert len(ex.drawer.ellipses) == 4
    ex.controls["covariance_type"].value = "diag"
    assert ex.gmm.covariance_type == "diag"
    ex.controls["init_params"].value = "kmeans"
    assert ex.gmm.init_params == "kmeans"
    ex.controls["seed"].value = 7
    assert ex.gmm.random_state == 7
    ex.controls["dataset"].value = "overlapping"
    np.testing.assert_array_equal(ex.X, make_teaching_dataset("overlapping"))
    assert ex.controls["iteration"].value == 1


def test_explorer_shows_collapse_without_crashing():
    # Seed 0 with a k-means start sends one component onto the 8 duplicated points.
    ex = EMExplorer(
        dataset="duplicates", n_components=3, reg_covar=1e-9, random_state=0, init_params="kmeans"
    )
    assert ex.gmm is not None
    assert "collapsing" in ex.status.value
    assert np.linalg.eigvalsh(ex.gmm.covariances_).min() < 1e-8
    ex.controls["iteration"].value = ex.controls["iteration"].max
    _assert_drawn(ex.drawer, ex.gmm.history_.n_iter - 1, "E")
    ex.controls["reg_covar"].value = 1e-12  # smaller still: fits or reports, never raises
    assert ex.gmm is not None or "EM failed" in ex.status.value


def test_select_frames_bounds():
    frames = select_frames(200, 50)
    assert len(frames) <= 50
    iters = sorted({t for t, _ in frames})
    assert iters[0] == 0 and iters[-1] == 199
    assert select_frames(5, 50) == [(t, p) for t in range(5) for p in "EM"]


def test_animation_html_has_frames_and_no_cdn():
    X, gmm = _fit(dataset="old_faithful", K=2, seed=1)
    html = em_animation_html(X, gmm.history_, max_frames=10, dpi=40)
    n_frames = len(re.findall(r"frames\[\d+\] = ", html))
    assert n_frames == len(select_frames(gmm.history_.n_iter, 10))
    assert "font-awesome" not in html and "<link" not in html


def test_drawer_uses_feature_names():
    X, gmm = _fit(dataset="old_faithful", K=2, seed=1)
    drawer = EMFrameDrawer(X, gmm.history_, feature_names=("duration", "waiting"))
    assert drawer.ax_data.get_xlabel() == "duration"
    assert drawer.ax_data.get_ylabel() == "waiting"
