"""Every chapter notebook has a committed text source, and the two say the same thing.

Chapters are edited as jupytext percent scripts, ``chapters/src/NN_name.py``, paired with the
executed notebooks ``chapters/NN_name.ipynb`` by ``chapters/jupytext.toml`` (see CONTRIBUTING.md,
"Edit a chapter"). These tests fail when

- a notebook has no source, or a source no notebook;
- a source and its notebook differ in any cell's type, text, tags or myst-nb metadata (someone
  edited one and forgot ``jupytext --sync``);
- a code cell of a chapter holds what was meant to be Markdown: a comment line that is a MyST
  heading (``# ## Check ...``), a MyST role (``{eq}`...```) or directive, which is how a section
  once disappeared into a code cell;
- a code cell shows readers a test or formatter marker (``NBVAL_...``, ``fmt:``, ``noqa``):
  nbval and ruff are steered by cell tags and ``pyproject.toml`` instead.
"""

from __future__ import annotations

import re
from pathlib import Path

import jupytext
import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"
SOURCES = CHAPTERS / "src"
NOTEBOOKS = sorted(CHAPTERS.glob("*.ipynb"))

# A comment line in a code cell that reads as Markdown meant for the page.
MARKDOWN_IN_CODE = [
    (re.compile(r"^\s*#\s*#{1,6}\s+\S"), "a MyST heading"),
    (re.compile(r"\{(eq|doc|numref|ref|cite|cite:p|cite:t|term|math|download)\}`"), "a MyST role"),
    (re.compile(r"^\s*#\s*(:::|```)\s*\{"), "a MyST directive"),
]
# Markers for tools, which readers would see in the rendered code.
TOOL_MARKERS = re.compile(r"NBVAL_|#\s*fmt:\s*(skip|off|on)|#\s*noqa|#\s*type:\s*ignore")

# Cell metadata that must be the same in the source and the notebook.
KEPT_METADATA = ("tags", "mystnb")


def markdown_in_code(cell) -> list[str]:
    """Lines of a code cell that look like Markdown (headings, MyST roles or directives)."""
    if cell.cell_type != "code":
        return []
    found = []
    for line in cell.source.splitlines():
        if not line.lstrip().startswith("#") and "{" not in line:
            continue
        comment = line[line.index("#") :] if "#" in line else ""
        for pattern, what in MARKDOWN_IN_CODE:
            if pattern.search(comment):
                found.append(f"{what}: {line.strip()!r}")
    return found


def tool_markers(cell) -> list[str]:
    if cell.cell_type != "code":
        return []
    return [line.strip() for line in cell.source.splitlines() if TOOL_MARKERS.search(line)]


def cell_summary(cell) -> tuple:
    meta = {k: cell.metadata[k] for k in KEPT_METADATA if cell.metadata.get(k)}
    return cell.cell_type, cell.source.rstrip(), meta


def test_every_notebook_has_a_source_and_every_source_a_notebook():
    assert NOTEBOOKS, "no chapter notebook found"
    notebooks = {p.stem for p in NOTEBOOKS}
    sources = {p.stem for p in SOURCES.glob("*.py")}
    assert notebooks - sources == set(), f"notebooks without a text source: {notebooks - sources}"
    assert sources - notebooks == set(), f"text sources without a notebook: {sources - notebooks}"


def test_pairing_is_configured():
    config = (CHAPTERS / "jupytext.toml").read_text(encoding="utf-8")
    assert 'formats = "ipynb,src//py:percent"' in config


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_source_and_notebook_are_in_sync(notebook: Path):
    source = SOURCES / f"{notebook.stem}.py"
    nb = nbformat.read(notebook, as_version=4)
    text = jupytext.read(source, fmt="py:percent")
    ours, theirs = [cell_summary(c) for c in text.cells], [cell_summary(c) for c in nb.cells]
    for i, (a, b) in enumerate(zip(ours, theirs, strict=False)):
        assert a == b, (
            f"{notebook.name}: cell {i} differs from {source.relative_to(ROOT)}; edit the source "
            f"and run `.venv/bin/jupytext --sync {source.relative_to(ROOT)}`\n"
            f"source:   {a[0]} {a[2]} {a[1][:300]!r}\nnotebook: {b[0]} {b[2]} {b[1][:300]!r}"
        )
    assert len(ours) == len(theirs), (
        f"{notebook.name} has {len(theirs)} cells, {source.name} has {len(ours)}"
    )


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_markdown_inside_code_cells(notebook: Path):
    nb = nbformat.read(notebook, as_version=4)
    problems = [f"cell {i}: {p}" for i, cell in enumerate(nb.cells) for p in markdown_in_code(cell)]
    assert not problems, (
        f"{notebook.name}: Markdown inside a code cell (start a `# %% [markdown]` cell in the "
        f"source instead): {problems}"
    )


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_tool_markers_shown_to_readers(notebook: Path):
    nb = nbformat.read(notebook, as_version=4)
    problems = [f"cell {i}: {m}" for i, cell in enumerate(nb.cells) for m in tool_markers(cell)]
    assert not problems, (
        f"{notebook.name}: use cell tags (nbval-ignore-output, nbval-skip) and pyproject.toml, "
        f"not comments readers see: {problems}"
    )


# The checks themselves must be able to fail.


def test_the_lint_finds_a_section_swallowed_by_a_code_cell():
    cell = nbformat.v4.new_code_cell(
        'print("done")\n#\n# ## Check: `KMeans` agrees with the equations\n#\n'
        "# the labels satisfy {eq}`eq-ch03-assign`."
    )
    found = markdown_in_code(cell)
    assert any("heading" in f for f in found) and any("role" in f for f in found), found
    assert not markdown_in_code(nbformat.v4.new_code_cell("# CHECK: eq. (3.2), see §3.1\nx = {}"))
    assert not markdown_in_code(nbformat.v4.new_markdown_cell("## A heading\n{eq}`eq-x`"))


def test_the_lint_finds_tool_markers():
    assert tool_markers(nbformat.v4.new_code_cell("# NBVAL_IGNORE_OUTPUT\nx = 1"))
    assert tool_markers(nbformat.v4.new_code_cell("x = [1,  2]  # fmt: skip"))
    assert tool_markers(nbformat.v4.new_code_cell("import os  # noqa: F401"))
    assert not tool_markers(nbformat.v4.new_code_cell("fmt = 'x'  # the format"))


def test_the_sync_check_notices_an_edit(tmp_path: Path):
    notebook = NOTEBOOKS[0]
    nb = nbformat.read(notebook, as_version=4)
    text = jupytext.read(SOURCES / f"{notebook.stem}.py", fmt="py:percent")
    text.cells[1].source += "\nprint('edited in the source only')"
    assert [cell_summary(c) for c in text.cells] != [cell_summary(c) for c in nb.cells]
    tagged = nbformat.read(notebook, as_version=4)
    tagged.cells[1].metadata["tags"] = ["remove-input"]
    assert [cell_summary(c) for c in tagged.cells] != [cell_summary(c) for c in nb.cells]
