"""The class grader finishes on hostile submissions and fails exactly what each one breaks.

A submissions folder is built from the solution notebooks: a correct student (every notebook),
and students whose ch05 ``e_step`` (or ch07 ``logsumexp``) loops forever, calls ``sys.exit`` or
``os._exit``, crashes the interpreter, asks for more memory than allowed, borrows the package's
or scikit-learn's answer (through ``gmm_from_scratch.mixture``, a default argument,
``functools.partial``), tampers with the checker, returns complex numbers or text; one notebook
is not valid JSON and one has a syntax error. Each hostile student must fail the affected
exercise with a message that says why, and pass its other (correct) exercises.
"""

from __future__ import annotations

import csv
import json
import shutil
import textwrap
from pathlib import Path

import numpy as np
import pytest

from gmm_from_scratch.exercises import EXERCISES, check, load_notebook_namespace
from gmm_from_scratch.grade import find_notebooks, grade, main

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "exercises" / "solutions"
CH05 = "ch05_em_algorithm.ipynb"
CH07 = "ch07_log_space.ipynb"
HOSTILE_EXERCISES = ["ch05.e_step", "ch05.m_step", "ch07.logsumexp"]
TIME_LIMIT = 4.0  # seconds per exercise for the hostile students (ch05 and ch07 only)

pytestmark = pytest.mark.slow

# The body of e_step that the borrowers wrap: the package's own E-step, from covariances.
_TO_PREC = "precisions_cholesky_from_covariances(covariances, 'full'), 'full'"

E_STEPS = {
    "loops_forever": """
        def e_step(X, weights, means, covariances):
            while True:
                pass
        """,
    "calls_sys_exit": """
        import sys

        def e_step(X, weights, means, covariances):
            sys.exit(3)
        """,
    "calls_os_exit": """
        import os

        def e_step(X, weights, means, covariances):
            os._exit(3)
        """,
    "crashes": """
        import os
        import signal

        def e_step(X, weights, means, covariances):
            os.kill(os.getpid(), signal.SIGSEGV)
        """,
    "eats_memory": """
        def e_step(X, weights, means, covariances):
            big = np.ones(2**29)  # 4 GiB, more than the 1 GiB a student's process may add
            return big, big
        """,
    "borrows_mixture": f"""
        import gmm_from_scratch.mixture
        from gmm_from_scratch.covariance import precisions_cholesky_from_covariances

        def e_step(X, weights, means, covariances):
            return gmm_from_scratch.mixture.e_step(X, weights, means, {_TO_PREC})
        """,
    "borrows_default_arg": f"""
        from gmm_from_scratch import em
        from gmm_from_scratch.covariance import precisions_cholesky_from_covariances

        def e_step(X, weights, means, covariances, _ref=em.e_step):
            return _ref(X, weights, means, {_TO_PREC})
        """,
    "borrows_partial": """
        import functools

        from gmm_from_scratch import em
        from gmm_from_scratch.covariance import precisions_cholesky_from_covariances

        def _e_step(X, weights, means, covariances, step):
            prec = precisions_cholesky_from_covariances(covariances, "full")
            return step(X, weights, means, prec, "full")

        e_step = functools.partial(_e_step, step=em.e_step)
        """,
    "borrows_sklearn": """
        from scipy.special import logsumexp as _lse
        from sklearn.mixture import _gaussian_mixture as _skgm

        def e_step(X, weights, means, covariances):
            prec = _skgm._compute_precision_cholesky(covariances, "full")
            log_joint = _skgm._estimate_log_gaussian_prob(X, means, prec, "full")
            log_joint = log_joint + np.log(weights)
            norm = _lse(log_joint, axis=1)
            return norm, log_joint - norm[:, None]
        """,
    "tampers": """
        import gmm_from_scratch.exercises as _ex
        from gmm_from_scratch.exercises import _core

        _ex._Runner.close = lambda self, got, *args, **kwargs: got
        _core.Runner.close = lambda self, got, *args, **kwargs: got
        _core.judge = lambda name, exercise, runner: _core.CheckResult(name, "passed", "ok")

        def e_step(X, weights, means, covariances):
            n, k = X.shape[0], len(weights)
            return np.zeros(n), np.full((n, k), -np.log(k))
        """,
    "syntax_error": """
        def e_step(X, weights, means, covariances)
            return 1
        """,
    "complex_output": """
        def e_step(X, weights, means, covariances):
            log_joint = np.stack(
                [log_pdf(X, m, c) for m, c in zip(means, covariances)], axis=1
            ) + np.log(weights)
            norm = logsumexp(log_joint, axis=1)
            return norm + 5j, log_joint - norm[:, None] + 3j
        """,
}

LOGSUMEXP_TEXT = """
    def logsumexp(a, axis=None):
        a = np.asarray(a, dtype=float)
        m = np.max(a, axis=axis, keepdims=True)
        m = np.where(np.isfinite(m), m, 0.0)
        out = np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True)) + m
        out = np.squeeze(out, axis=axis) if axis is not None else out.reshape(())
        return out.astype(str)
    """


def _cells(path: Path) -> tuple[dict, int]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return nb, next(
        i
        for i, c in enumerate(nb["cells"])
        if "exercise" in c.get("metadata", {}).get("tags", [])
        and "".join(c["source"]).lstrip().startswith(("def e_step", "def logsumexp"))
    )


def _replace_exercise(path: Path, source: str) -> None:
    nb, i = _cells(path)
    nb["cells"][i]["source"] = textwrap.dedent(source).strip("\n")
    path.write_text(json.dumps(nb, indent=1), encoding="utf-8")


def _student(root: Path, name: str, notebooks: list[str]) -> Path:
    folder = root / name / "exercises"
    folder.mkdir(parents=True)
    for nb in notebooks:
        shutil.copy(SOLUTIONS / nb, folder / nb)
    return folder


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> tuple[Path, dict[tuple[str, str], dict[str, str]], str]:
    """Grade the hostile students (ch05 and ch07) with the command line; read the gradebook."""
    root = tmp_path_factory.mktemp("submissions")
    for name, source in E_STEPS.items():
        folder = _student(root, name, [CH05, CH07])
        _replace_exercise(folder / CH05, source)
    folder = _student(root, "text_output", [CH05, CH07])
    _replace_exercise(folder / CH07, LOGSUMEXP_TEXT)
    folder = _student(root, "cell_loops_forever", [CH05, CH07])
    _replace_exercise(folder / CH07, "while True:\n    pass\n\n" + LOGSUMEXP_TEXT)
    folder = _student(root, "invalid_json", [CH05, CH07])
    text = (folder / CH05).read_text(encoding="utf-8")
    (folder / CH05).write_text(text[: len(text) // 2], encoding="utf-8")
    out = tmp_path_factory.mktemp("grades") / "grades.csv"
    printed: list[str] = []
    code = main(
        [
            str(root),
            "--out",
            str(out),
            "--chapters",
            "5,7",
            "--time-limit",
            str(TIME_LIMIT),
            "--no-progress",
        ],
        echo=printed.append,
    )
    assert code == 0
    with out.open(encoding="utf-8", newline="") as f:
        rows = {(r["student"], r["exercise"]): r for r in csv.DictReader(f)}
    return out, rows, "\n".join(printed)


def _verdicts(rows, student: str) -> dict[str, str]:
    return {ex: rows[(student, ex)]["passed"] for ex in HOSTILE_EXERCISES}


def _assert_only(rows, student: str, failing: list[str], *fragments: str) -> None:
    """``student`` fails exactly ``failing``, whose messages hold every fragment."""
    want = {ex: "0" if ex in failing else "1" for ex in HOSTILE_EXERCISES}
    assert _verdicts(rows, student) == want, [rows[(student, ex)] for ex in HOSTILE_EXERCISES]
    for ex in failing:
        message = rows[(student, ex)]["message"]
        for fragment in fragments:
            assert fragment in message, f"{fragment!r} not in {message!r}"


# ----------------------------------------------------------------------------- the correct student
def test_correct_student_passes_every_exercise(tmp_path):
    _student(tmp_path, "correct", [p.name for p in sorted(SOLUTIONS.glob("ch[0-9][0-9]_*.ipynb"))])
    rows = grade(tmp_path, time_limit=60.0)
    assert [r.exercise for r in rows] == list(EXERCISES)
    failed = [(r.exercise, r.message) for r in rows if r.passed != 1 or r.status != "passed"]
    assert failed == []
    assert all(r.notebook.startswith("exercises/ch") for r in rows)


# ----------------------------------------------------------------------------- hostile students
def test_gradebook_has_a_row_per_student_and_exercise_and_feedback_files(hostile):
    out, rows, printed = hostile
    students = set(E_STEPS) | {"text_output", "cell_loops_forever", "invalid_json"}
    assert set(rows) == {(s, ex) for s in students for ex in HOSTILE_EXERCISES}
    with out.open(encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    assert header[:4] == ["student", "exercise", "passed", "status"] and "message" in header
    feedback = (out.parent / "feedback" / "loops_forever.md").read_text(encoding="utf-8")
    assert "2 of 3 exercises passed" in feedback and "time limit" in feedback
    assert "students who passed" in printed and "loops_forever" in printed


def test_an_infinite_loop_fails_on_the_time_limit(hostile):
    _assert_only(hostile[1], "loops_forever", ["ch05.e_step"], "time limit", f"{TIME_LIMIT:g} s")


def test_a_cell_that_never_finishes_fails_its_notebook_on_the_time_limit(hostile):
    _assert_only(
        hostile[1], "cell_loops_forever", ["ch07.logsumexp"], "cells of ch07", "time limit"
    )


def test_sys_exit_and_os_exit_fail_with_what_they_called(hostile):
    _assert_only(hostile[1], "calls_sys_exit", ["ch05.e_step"], "sys.exit(3)")
    _assert_only(hostile[1], "calls_os_exit", ["ch05.e_step"], "os._exit(3)")


def test_the_memory_limit_holds(hostile):
    _assert_only(hostile[1], "eats_memory", ["ch05.e_step"], "MemoryError", "more memory")


def test_a_crash_of_the_interpreter_is_reported(hostile):
    _assert_only(hostile[1], "crashes", ["ch05.e_step"], "segmentation fault")


@pytest.mark.parametrize(
    ("student", "label"),
    [
        ("borrows_mixture", "gmm_from_scratch.e_step"),
        ("borrows_default_arg", "gmm_from_scratch.e_step"),
        ("borrows_partial", "gmm_from_scratch.e_step"),
        ("borrows_sklearn", "_estimate_log_gaussian_prob"),
    ],
)
def test_borrowed_answers_fail(hostile, student, label):
    _assert_only(hostile[1], student, ["ch05.e_step"], label, "write it yourself")


@pytest.mark.parametrize(
    "student", ["borrows_mixture", "borrows_default_arg", "borrows_partial", "borrows_sklearn"]
)
def test_the_borrowed_answers_are_right_so_only_the_guard_fails_them(tmp_path, student):
    """Without the guard the borrowed e_step gives the reference's answer (the test can fail)."""
    folder = _student(tmp_path, student, [CH05])
    _replace_exercise(folder / CH05, E_STEPS[student])
    e_step = load_notebook_namespace(folder / CH05)["e_step"]
    reference = load_notebook_namespace(SOLUTIONS / CH05)["e_step"]
    rng = np.random.default_rng(0)
    X, means = rng.normal(size=(7, 2)), rng.normal(size=(3, 2))
    covs = np.stack([np.eye(2) * (k + 1) + 0.3 for k in range(3)])
    weights = np.array([0.2, 0.3, 0.5])
    got, want = e_step(X, weights, means, covs), reference(X, weights, means, covs)
    assert len(got) == len(want) == 2
    for g, w in zip(got, want, strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-10)


def test_tampering_with_the_checker_changes_nothing(hostile):
    _assert_only(hostile[1], "tampers", ["ch05.e_step"], "log_resp", "but it should be")


def test_complex_and_text_outputs_fail(hostile):
    _assert_only(hostile[1], "complex_output", ["ch05.e_step"], "complex numbers")
    _assert_only(hostile[1], "text_output", ["ch07.logsumexp"], "holds text")


def test_invalid_notebook_fails_its_exercises_only(hostile):
    _assert_only(
        hostile[1], "invalid_json", ["ch05.e_step", "ch05.m_step"], "not a valid notebook", CH05
    )


def test_syntax_error_names_the_cell_and_spares_the_other_exercises(hostile):
    nb, i = _cells(SOLUTIONS / CH05)
    k = sum(c["cell_type"] == "code" for c in nb["cells"][: i + 1])
    where = f"code cell {k} (cell {i + 1} of the notebook)"
    _assert_only(hostile[1], "syntax_error", ["ch05.e_step"], where, "syntax error", "line 1")


# ----------------------------------------------------------------------------- smaller pieces
def test_find_notebooks_ignores_checkpoints_and_solutions(tmp_path):
    for rel in [
        "exercises/ch05_em_algorithm.ipynb",
        "exercises/.ipynb_checkpoints/ch07_log_space-checkpoint.ipynb",
        "exercises/solutions/ch07_log_space.ipynb",
        "ch01_gaussian_1d.ipynb",
    ]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("{}", encoding="utf-8")
    found = find_notebooks(tmp_path)
    assert sorted(found) == ["ch01", "ch05"]


def test_not_submitted_and_bad_arguments(tmp_path):
    _student(tmp_path, "only_ch07", [CH07])
    rows = grade(tmp_path, chapters=["ch05", "7"], time_limit=30.0)
    assert [(r.exercise, r.status) for r in rows] == [
        ("ch05.e_step", "not submitted"),
        ("ch05.m_step", "not submitted"),
        ("ch07.logsumexp", "passed"),
    ]
    with pytest.raises(ValueError, match="unknown chapter"):
        grade(tmp_path, chapters=["ch42"])
    with pytest.raises(ValueError, match="time_limit must be positive"):
        grade(tmp_path, time_limit=0)
    with pytest.raises(ValueError, match="not a folder"):
        grade(tmp_path / "nowhere")


def test_check_in_the_notebook_catches_the_same_hostile_functions():
    """check() (in-process) fails the same e_steps, with the same words, within its limit."""
    for student, fragment in [
        ("loops_forever", "time limit"),
        ("calls_sys_exit", "sys.exit(3)"),
        ("calls_os_exit", "os._exit(3)"),
        ("borrows_mixture", "gmm_from_scratch.e_step"),
        ("borrows_default_arg", "gmm_from_scratch.e_step"),
        ("borrows_partial", "gmm_from_scratch.e_step"),
        ("borrows_sklearn", "_estimate_log_gaussian_prob"),
        ("complex_output", "complex numbers"),
    ]:
        namespace = load_notebook_namespace(SOLUTIONS / CH05)
        exec(textwrap.dedent(E_STEPS[student]), namespace)  # noqa: S102 - test fixtures
        result = check("ch05.e_step", namespace["e_step"], time_limit=1.0)
        assert result.status == "failed" and fragment in result.message, (student, result)
