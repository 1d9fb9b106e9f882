"""Remove the stored output of animation cells from notebooks before committing them.

A ``to_jshtml`` animation weighs 1–3 MB and carries random ids, so nbval ignores it
(the cell tag ``nbval-ignore-output``) and the book build re-executes every notebook anyway: the
committed notebook does not need it. Usage::

    .venv/bin/python tools/strip_animations.py chapters/*.ipynb
"""

import sys

import nbformat

MARKER = "em_animation_html"


def _is_animation(cell) -> bool:
    """A cell that makes an animation: the package's helper, or any to_jshtml output."""
    html = "".join(str(out.get("data", {}).get("text/html", "")) for out in cell.get("outputs", []))
    return MARKER in cell.source or "Animation" in html and "anim_" in html


def strip(path: str) -> int:
    nb = nbformat.read(path, as_version=4)
    n = 0
    for cell in nb.cells:
        if cell.cell_type == "code" and _is_animation(cell) and cell.get("outputs"):
            if "nbval-ignore-output" not in cell.metadata.get("tags", []):
                raise SystemExit(f"{path}: an animation cell lacks the tag 'nbval-ignore-output'")
            cell.outputs = []
            n += 1
    if n:
        nbformat.write(nb, path)
    return n


if __name__ == "__main__":
    for p in sys.argv[1:]:
        print(f"{p}: stripped {strip(p)} animation output(s)")
