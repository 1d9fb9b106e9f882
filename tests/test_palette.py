"""The book's palette stays readable with a colour-vision deficiency (issue 19).

Every pair of :data:`BOOK_COLORS` is compared in CAM02-UCS, a perceptually uniform colour space
(distance ~1: just noticeable; ~10: clearly different colours), after simulating protanopia,
deuteranopia and tritanopia at full severity (Machado et al. 2009, as implemented by
colorspacious). Measured: the closest pair is 20.8 apart with normal vision, 14.8 with
deuteranopia, 14.0 with protanopia and 11.0 with tritanopia. matplotlib's default ``tab10``
falls well below the bound, so the check can fail.
"""

from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from colorspacious import cspace_convert
from matplotlib import pyplot as plt
from matplotlib.colors import to_rgb

from gmm_from_scratch.plotting import BOOK_COLORS, component_styles, plot_mixture

#: Smallest CAM02-UCS distance allowed between two book colours, under every simulation.
MIN_PAIR_DISTANCE = 10.0
#: Smallest distance allowed between a book colour and the white page.
MIN_BACKGROUND_DISTANCE = 15.0
DEFICIENCIES = ("protanomaly", "deuteranomaly", "tritanomaly")


def _as_seen(colors: list[str] | tuple[str, ...], deficiency: str | None) -> np.ndarray:
    rgb = np.array([to_rgb(c) for c in colors])
    if deficiency is not None:
        space = {"name": "sRGB1+CVD", "cvd_type": deficiency, "severity": 100}
        rgb = np.clip(cspace_convert(rgb, space, "sRGB1"), 0, 1)
    return cspace_convert(rgb, "sRGB1", "CAM02-UCS")


def closest_pair(colors, deficiency):
    seen = _as_seen(colors, deficiency)
    return min(
        float(np.linalg.norm(seen[i] - seen[j]))
        for i, j in itertools.combinations(range(len(colors)), 2)
    )


@pytest.mark.parametrize("deficiency", [None, *DEFICIENCIES])
def test_book_colours_stay_apart(deficiency):
    assert closest_pair(BOOK_COLORS, deficiency) >= MIN_PAIR_DISTANCE


@pytest.mark.parametrize("deficiency", [None, *DEFICIENCIES])
def test_book_colours_stand_out_from_the_page(deficiency):
    seen = _as_seen([*BOOK_COLORS, "#ffffff"], deficiency)
    distances = np.linalg.norm(seen[:-1] - seen[-1], axis=1)
    assert distances.min() >= MIN_BACKGROUND_DISTANCE


def test_the_check_rejects_a_palette_that_is_not_colour_blind_safe():
    tab10 = plt.get_cmap("tab10").colors
    assert min(closest_pair(tab10, d) for d in DEFICIENCIES) < MIN_PAIR_DISTANCE / 2


@pytest.mark.parametrize("n_components", [1, 3, 8, 9, 10, 16, 25])
def test_components_never_differ_by_colour_alone(n_components):
    styles = component_styles(n_components)
    for a, b in itertools.combinations(styles, 2):
        if a["color"] == b["color"]:
            assert (a["marker"], a["linestyle"]) != (b["marker"], b["linestyle"])
    assert len({s["marker"] for s in styles}) == min(n_components, 10)


def test_plot_mixture_numbers_components_from_one_with_their_own_markers():
    fig, ax = plt.subplots()
    means = np.arange(20.0).reshape(10, 2)
    plot_mixture(ax, None, means, np.ones(10), "spherical", weights=np.full(10, 0.1))
    labels = [line.get_label() for line in ax.lines]
    assert labels[0] == "component 1 (π=0.10)" and labels[-1] == "component 10 (π=0.10)"
    assert len({line.get_marker() for line in ax.lines}) == 10
    # components 1 and 9 share a colour: their ellipses differ in line style
    styles = {
        p.get_linestyle() for p in ax.patches if to_rgb(p.get_edgecolor()) == to_rgb(BOOK_COLORS[0])
    }
    assert len(styles) == 2
    plt.close(fig)
