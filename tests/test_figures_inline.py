"""Figures must not vanish when ``MPLBACKEND=Agg`` is set (issue 19).

With that variable (common in CI set-ups) a Jupyter kernel starts on the non-interactive Agg
backend and a notebook's ``plt.show()`` displays nothing: the book would build, and nbval
pass, without a figure. ``plotting.use_book_style()``, which every chapter calls first,
switches such a kernel to inline figures. These tests execute a small notebook in a real
kernel with the variable set: without the book style no figure comes out (the problem is
real here), with it the figure is there.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]

PLOT = "import matplotlib.pyplot as plt\nplt.plot([0, 1], [1, 0])\nplt.show()"


def _png_outputs(cells: list[str], monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    return sum(
        "image/png" in output.get("data", {}) for cell in nb.cells for output in cell.outputs
    )


def test_agg_backend_hides_figures_without_the_book_style(monkeypatch):
    assert _png_outputs([PLOT], monkeypatch) == 0


def test_book_style_shows_figures_under_agg(monkeypatch):
    cells = ["from gmm_from_scratch.plotting import use_book_style\nuse_book_style()", PLOT]
    assert _png_outputs(cells, monkeypatch) == 1


@pytest.mark.parametrize(
    "source", sorted((ROOT / "chapters" / "src").glob("*.py")), ids=lambda p: p.name
)
def test_every_chapter_applies_the_book_style_before_its_first_figure(source):
    text = source.read_text(encoding="utf-8")
    first_figure = re.search(r"plt\.(subplots|figure)\(|new_figure\(|em_animation\w*\(", text)
    if first_figure is None:
        pytest.skip("no figure")
    style = text.find("use_book_style()")
    assert 0 <= style < first_figure.start(), f"{source.name}: use_book_style() must come first"
