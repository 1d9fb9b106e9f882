"""Check your exercise notebooks from a terminal.

    pytest exercises/ -m ch05        # the exercises of chapter 5
    pytest exercises/                # all of them

Each test runs the setup cell and your ``# YOUR CODE HERE`` cells of a notebook (not the
other cells), then calls the same checker as the notebook's ``check(...)`` cells and fails
with its message. Save the notebook first: the test reads the file, not the open notebook.
A cell that does not run (a syntax error, say) fails the exercises whose function it defines,
named as "code cell k (cell i of the notebook)"; the other exercises are still checked.

To check another folder of notebooks (for example the solutions), set ``GMM_EXERCISES_DIR``.
To grade a whole class, use ``python -m gmm_from_scratch.grade`` (see the course guide).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gmm_from_scratch.exercises import (
    NotebookError,
    check,
    load_notebook_namespace,
    missing_function_message,
    notebook_checks,
)

FOLDER = Path(os.environ.get("GMM_EXERCISES_DIR", Path(__file__).resolve().parent))
NOTEBOOKS = sorted(FOLDER.glob("ch[0-9][0-9]_*.ipynb"))


def _params():
    for path in NOTEBOOKS:
        marker = path.name[:4]  # "ch05"
        try:
            checks = notebook_checks(path)
        except NotebookError as exc:  # one broken notebook must not stop the others
            yield pytest.param(path, "", str(exc), id=path.stem,
                               marks=getattr(pytest.mark, marker))
            continue
        for exercise, function in checks:
            yield pytest.param(path, exercise, function, id=exercise,
                               marks=getattr(pytest.mark, marker))


_namespaces: dict[Path, tuple[dict, list]] = {}


@pytest.mark.parametrize(("path", "exercise", "function"), list(_params()))
def test_exercise(path: Path, exercise: str, function: str) -> None:
    if not exercise:
        pytest.fail(function, pytrace=False)  # the notebook could not be read
    if path not in _namespaces:
        errors: list = []
        _namespaces[path] = (load_notebook_namespace(path, errors), errors)
    namespace, errors = _namespaces[path]
    if not callable(namespace.get(function)):
        pytest.fail(missing_function_message(path, function, errors), pytrace=False)
    result = check(exercise, namespace[function])
    if not result.passed:
        message = str(result).replace("the cell above", f"its cell in {path.name}")
        pytest.fail(message, pytrace=False)
