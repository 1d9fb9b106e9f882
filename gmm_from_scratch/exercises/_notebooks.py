"""Reading an exercise notebook and running the student's cells.

Cells are named the same way everywhere (tracebacks, syntax errors, the gradebook): "code cell
3 (cell 5 of the notebook)", where the first number counts code cells only and the second counts
every cell, markdown included, as the notebook shows them from the top.
"""

from __future__ import annotations

import json
import linecache
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["CellError", "NotebookError", "load_notebook_namespace", "notebook_checks"]

_CHECK_CALL = re.compile(r"""check\(\s*["'](ch\d\d\.\w+)["']\s*,\s*(\w+)\s*\)""")
_DEF = re.compile(r"^def\s+(\w+)\s*\(", re.MULTILINE)


class NotebookError(ValueError):
    """The file is not a readable notebook (not JSON, or not a notebook's structure)."""


@dataclass(frozen=True)
class CellError:
    """A cell that failed to run: where, which functions it defines, and what went wrong."""

    where: str
    defines: tuple[str, ...]
    message: str


def read_notebook(path: str | Path) -> dict[str, Any]:
    """The notebook's JSON, or a :class:`NotebookError` that says what is wrong with it."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise NotebookError(f"{path.name} cannot be read ({exc})") from None
    try:
        nb = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotebookError(
            f"{path.name} is not a valid notebook: its JSON is broken at line {exc.lineno}, "
            f"column {exc.colno} ({exc.msg}). Open it in Jupyter (or a text editor), fix or "
            "re-save it, and hand it in again."
        ) from None
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list) or not all(isinstance(c, dict) for c in cells):
        raise NotebookError(f"{path.name} is JSON but not a notebook (it has no list of cells).")
    return nb


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    if isinstance(src, list):
        return "".join(s for s in src if isinstance(s, str))
    return src if isinstance(src, str) else ""


def _code_cells(path: Path) -> list[tuple[str, dict]]:
    """``(where, cell)`` for every code cell; ``where`` reads "code cell k (cell i of ...)"."""
    out = []
    k = 0
    for i, cell in enumerate(read_notebook(path)["cells"], start=1):
        if cell.get("cell_type") == "code":
            k += 1
            out.append((f"code cell {k} (cell {i} of the notebook)", cell))
    return out


def notebook_checks(path: str | Path) -> list[tuple[str, str]]:
    """``(exercise name, function name)`` for every ``check("...", f)`` call in a notebook."""
    out = []
    for _, cell in _code_cells(Path(path)):
        out.extend(_CHECK_CALL.findall(_source(cell)))
    return out


def _describe(exc: BaseException, where: str) -> str:
    if isinstance(exc, SyntaxError):
        line = (exc.text or "").strip()
        shown = f": {line}" if line else ""
        return f"{where} has a syntax error at line {exc.lineno} ({exc.msg}){shown}"
    if isinstance(exc, SystemExit):
        return f"{where} calls sys.exit({exc.code!r})"
    if type(exc).__name__ == "OsExitCalled":
        return f"{where} calls os._exit({exc.args[0] if exc.args else 0!r})"
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"running {where} raised {type(exc).__name__}" + (f": {text}" if text else "")


def load_notebook_namespace(
    path: str | Path, errors: list[CellError] | None = None
) -> dict[str, Any]:
    """Run a notebook's setup and exercise cells (not its checks) and return their namespace.

    The cells run are those tagged ``setup`` or ``exercise``, and any cell containing
    ``YOUR CODE HERE``. IPython magics (lines starting with ``%`` or ``!``) are skipped.

    Parameters
    ----------
    path : str or Path
        The notebook.
    errors : list, optional
        Without it, the first cell that fails raises its exception (a ``SyntaxError`` names the
        cell as "code cell k (cell i of the notebook)"). With it, a failing cell is recorded
        there as a :class:`CellError` and the next cells still run, so that one broken exercise
        does not hide the others.

    Returns
    -------
    dict
        The names the cells defined.

    Raises
    ------
    NotebookError
        If the file is not a notebook (e.g. broken JSON).
    """
    path = Path(path)
    namespace: dict[str, Any] = {"__name__": f"exercise_{path.stem}"}
    for where, cell in _code_cells(path):
        metadata = cell.get("metadata")
        tags = metadata.get("tags", []) if isinstance(metadata, dict) else []
        src = _source(cell)
        if not (set(tags if isinstance(tags, list) else []) & {"setup", "exercise"}) and (
            "YOUR CODE HERE" not in src
        ):
            continue
        lines = [ln for ln in src.splitlines() if not ln.lstrip().startswith(("%", "!"))]
        src = "\n".join(lines) + "\n"
        filename = f"<{path.name}, {where}>"
        linecache.cache[filename] = (len(src), None, src.splitlines(True), filename)
        if errors is None:
            exec(compile(src, filename, "exec"), namespace)  # noqa: S102 - the student's own code
            continue
        try:
            exec(compile(src, filename, "exec"), namespace)  # noqa: S102 - the student's own code
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # a syntax error, an exception, an exit: note it, go on
            errors.append(CellError(where, tuple(_DEF.findall(src)), _describe(exc, where)))
    return namespace


def missing_function_message(path: Path, function: str, errors: list[CellError]) -> str:
    """Why ``function`` is not defined after the notebook's cells ran."""
    for error in errors:
        if function in error.defines:
            return f"{error.message}\n  Because of it, your function `{function}` is not defined."
    if errors:
        return (
            f"{path.name} defines no function named `{function}`; also, {errors[0].message}. "
            "Keep the name of the stub."
        )
    return f"{path.name} defines no function named `{function}`: keep the name of the stub."
