"""Check your exercise notebooks from a terminal.

    pytest exercises/ -m ch05        # the exercises of chapter 5
    pytest exercises/                # all of them

Each test runs the setup cell and your ``# YOUR CODE HERE`` cells of a notebook (not the
other cells), then calls the same checker as the notebook's ``check(...)`` cells and fails
with its message. Save the notebook first: the test reads the file, not the open notebook.

To check another folder of notebooks (for example the solutions), set ``GMM_EXERCISES_DIR``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gmm_from_scratch.exercises import check, load_notebook_namespace, notebook_checks

FOLDER = Path(os.environ.get("GMM_EXERCISES_DIR", Path(__file__).resolve().parent))
NOTEBOOKS = sorted(FOLDER.glob("ch[0-9][0-9]_*.ipynb"))


def _params():
    for path in NOTEBOOKS:
        marker = path.name[:4]  # "ch05"
        for exercise, function in notebook_checks(path):
            yield pytest.param(path, exercise, function, id=exercise,
                               marks=getattr(pytest.mark, marker))


_namespaces: dict[Path, dict] = {}


@pytest.mark.parametrize(("path", "exercise", "function"), list(_params()))
def test_exercise(path: Path, exercise: str, function: str) -> None:
    if path not in _namespaces:
        try:
            _namespaces[path] = load_notebook_namespace(path)
        except Exception as exc:  # a syntax error or a failing import in the notebook
            _namespaces[path] = {"__error__": f"{type(exc).__name__}: {exc}"}
    namespace = _namespaces[path]
    if "__error__" in namespace:
        pytest.fail(f"{path.name}: running your cells failed: {namespace['__error__']}",
                    pytrace=False)
    if function not in namespace:
        pytest.fail(f"{path.name} defines no function named `{function}`: keep the name of the "
                    "stub.", pytrace=False)
    result = check(exercise, namespace[function])
    if not result.passed:
        message = str(result).replace("the cell above", f"its cell in {path.name}")
        pytest.fail(message, pytrace=False)
