"""Grade a class: every student's exercise notebooks, each in its own process, into a gradebook.

::

    python -m gmm_from_scratch.grade SUBMISSIONS --out grades.csv

``SUBMISSIONS`` holds one folder per student (the folder's name is the student's name) with
that student's exercise notebooks, any subset of them, named as in ``exercises/``
(``ch05_em_algorithm.ipynb``; a notebook may sit in a subfolder such as ``exercises/``). The
grader writes

- the gradebook ``grades.csv``: one row per student and exercise, with the columns ``student``,
  ``exercise`` (e.g. ``ch05.e_step``), ``passed`` (1 or 0), ``status`` (``passed``, ``failed``,
  ``not implemented``, ``not submitted``), ``message`` (the checker's verdict in plain words)
  and ``notebook``;
- one feedback file per student, ``feedback/<student>.md`` next to the gradebook, with every
  message;
- a summary table on the terminal.

Each exercise of each student runs in a fresh worker process with a time limit (``--time-limit``,
seconds for the notebook's cells and all of the exercise's cases) and a memory limit
(``--memory``, MiB). The worker sends the student's outputs back as plain data and the checker
judges them in the grader's process (:mod:`gmm_from_scratch.exercises._sandbox`): a hang, an
exit, a crash, a broken notebook or a syntax error fails the affected exercises with a message
that says so, and grading goes on.
"""

from __future__ import annotations

import argparse
import csv
import re
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .exercises import DEFAULT_TIME_LIMIT, EXERCISES, CheckResult
from .exercises._sandbox import DEFAULT_MEMORY_MB, Sandbox

__all__ = ["GradeRow", "find_notebooks", "grade", "main"]

_NOTEBOOK = re.compile(r"^(ch\d\d)_\w+\.ipynb$")
_SKIPPED_FOLDERS = {".ipynb_checkpoints", "solutions", "__pycache__", ".git"}
COLUMNS = ("student", "exercise", "passed", "status", "message", "notebook")


@dataclass(frozen=True)
class GradeRow:
    """One line of the gradebook: one student, one exercise."""

    student: str
    exercise: str
    passed: int
    status: str
    message: str
    notebook: str

    def as_dict(self) -> dict[str, Any]:
        """The row as a mapping of :data:`COLUMNS`."""
        return {column: getattr(self, column) for column in COLUMNS}


def _chapters(selected: Iterable[str] | None) -> list[str]:
    known = sorted({name.split(".")[0] for name in EXERCISES})
    if selected is None:
        return known
    chapters = []
    for item in selected:
        item = item.strip().lower()
        chapter = f"ch{int(item[2:] if item.startswith('ch') else item):02d}" if item else ""
        if chapter not in known:
            raise ValueError(f"unknown chapter {item!r}: the exercises cover {', '.join(known)}")
        chapters.append(chapter)
    return sorted(set(chapters))


def find_notebooks(folder: str | Path) -> dict[str, Path]:
    """A student's exercise notebooks by chapter (``"ch05"``), found anywhere in ``folder``.

    Checkpoints (``.ipynb_checkpoints``) and a ``solutions`` folder are ignored; if a chapter
    has several notebooks, the one nearest the top of the folder wins.
    """
    found: dict[str, Path] = {}
    folder = Path(folder)
    candidates = sorted(folder.rglob("ch[0-9][0-9]_*.ipynb"), key=lambda p: (len(p.parts), p))
    for path in candidates:
        relative = path.relative_to(folder)
        match = _NOTEBOOK.match(path.name)
        if match is None or _SKIPPED_FOLDERS & set(relative.parts[:-1]):
            continue
        found.setdefault(match.group(1), path)
    return found


def _progress(total: int, enabled: bool) -> Any:
    if not enabled:
        return None
    try:
        from tqdm import tqdm
    except ImportError:  # tqdm comes with the book's extra; the core does without it
        return _PlainProgress(total)
    return tqdm(total=total, unit="exercise", file=sys.stderr)


class _PlainProgress:
    """A progress line on stderr when tqdm is not installed."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.n = 0

    def set_description(self, text: str) -> None:
        self.text = text

    def update(self, n: int = 1) -> None:
        self.n += n
        print(f"[{self.n}/{self.total}] {getattr(self, 'text', '')}", file=sys.stderr)

    def close(self) -> None:
        pass


def _students(submissions: Path) -> list[Path]:
    if not submissions.is_dir():
        raise ValueError(f"{submissions} is not a folder of submissions")
    students = sorted(p for p in submissions.iterdir() if p.is_dir() and p.name[0] not in "._")
    if not students:
        raise ValueError(f"{submissions} holds no student folder (one folder per student)")
    return students


def grade(
    submissions: str | Path,
    *,
    time_limit: float = DEFAULT_TIME_LIMIT,
    memory_mb: int = DEFAULT_MEMORY_MB,
    chapters: Sequence[str] | None = None,
    progress: bool = False,
    sandbox: Sandbox | None = None,
) -> list[GradeRow]:
    """Grade every student of ``submissions`` on the exercises of ``chapters``.

    Parameters
    ----------
    submissions : str or Path
        One folder per student, holding that student's exercise notebooks.
    time_limit : float, default 10
        Seconds per exercise (the notebook's cells and all of the exercise's cases).
    memory_mb : int, default 1024
        Memory a student's process may use beyond the loaded libraries, in MiB.
    chapters : sequence of str, optional
        Grade only these chapters (``"ch05"`` or ``"5"``); default all.
    progress : bool, default False
        Show a progress bar on stderr.
    sandbox : Sandbox, optional
        Reuse a running sandbox (its helper process stays up).

    Returns
    -------
    list of GradeRow
        One row per student and exercise, in the order of the students and of the book.

    Raises
    ------
    ValueError
        If ``submissions`` is not a folder of student folders, a chapter is unknown, or a limit
        is not positive.
    """
    if not time_limit > 0:
        raise ValueError(f"time_limit must be positive, got {time_limit}")
    if not memory_mb > 0:
        raise ValueError(f"memory_mb must be positive, got {memory_mb}")
    wanted = _chapters(chapters)
    names = [name for name in EXERCISES if name.split(".")[0] in wanted]
    students = _students(Path(submissions))
    rows: list[GradeRow] = []
    bar = _progress(len(students) * len(names), progress)
    own = sandbox is None
    box = Sandbox(memory_mb=memory_mb) if sandbox is None else sandbox
    try:
        for folder in students:
            notebooks = find_notebooks(folder)
            for name in names:
                if bar is not None:
                    bar.set_description(f"{folder.name} {name}")
                rows.append(_grade_one(box, folder, notebooks, name, time_limit))
                if bar is not None:
                    bar.update(1)
    finally:
        if bar is not None:
            bar.close()
        if own:
            box.close()
    return rows


def _grade_one(
    box: Sandbox, folder: Path, notebooks: dict[str, Path], name: str, time_limit: float
) -> GradeRow:
    chapter = name.split(".")[0]
    path = notebooks.get(chapter)
    if path is None:
        message = f"not submitted: no notebook {chapter}_*.ipynb in {folder.name}/."
        return GradeRow(folder.name, name, 0, "not submitted", message, "")
    try:
        result = box.run(path, name, time_limit)
    except (OSError, RuntimeError) as exc:  # the grader's own machinery failed: say so
        result = CheckResult(name, "failed", f"✗ {name}: the grader could not run it ({exc}).")
    relative = path.relative_to(folder).as_posix()
    return GradeRow(folder.name, name, int(result.passed), result.status, result.message, relative)


def write_gradebook(rows: Sequence[GradeRow], out: str | Path) -> Path:
    """Write ``rows`` as CSV (UTF-8, one row per student and exercise); return the path."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(row.as_dict() for row in rows)
    return out


def _by_student(rows: Sequence[GradeRow]) -> Iterator[tuple[str, list[GradeRow]]]:
    students: dict[str, list[GradeRow]] = {}
    for row in rows:
        students.setdefault(row.student, []).append(row)
    yield from students.items()


def write_feedback(rows: Sequence[GradeRow], folder: str | Path) -> list[Path]:
    """One markdown file per student in ``folder``, with every exercise's message."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for student, own in _by_student(rows):
        passed = sum(r.passed for r in own)
        lines = [
            f"# Exercise feedback for {student}",
            "",
            f"{passed} of {len(own)} exercises passed.",
            "",
            "| Exercise | Result |",
            "|---|---|",
            *(f"| `{r.exercise}` | {r.status} |" for r in own),
            "",
        ]
        for r in own:
            where = f" ({r.notebook})" if r.notebook else ""
            lines += [f"## `{r.exercise}`: {r.status}{where}", "", "```text", r.message, "```", ""]
        path = folder / f"{student}.md"
        path.write_text("\n".join(lines), encoding="utf-8")
        paths.append(path)
    return paths


def summary(rows: Sequence[GradeRow]) -> str:
    """A plain-text table: each student's score, then how many students passed each exercise."""
    students = list(_by_student(rows))
    width = max([len("student"), *(len(s) for s, _ in students)])
    lines = [f"{'student':<{width}}  passed  of  score"]
    for student, own in students:
        passed = sum(r.passed for r in own)
        lines.append(f"{student:<{width}}  {passed:>6}  {len(own):>2}  {passed / len(own):>5.0%}")
    exercises: dict[str, list[int]] = {}
    for row in rows:
        exercises.setdefault(row.exercise, []).append(row.passed)
    ewidth = max(len("exercise"), *(len(e) for e in exercises))
    lines += ["", f"{'exercise':<{ewidth}}  students who passed"]
    lines += [f"{e:<{ewidth}}  {sum(p)} of {len(p)}" for e, p in exercises.items()]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None, echo: Callable[[str], Any] = print) -> int:
    """The command line: ``python -m gmm_from_scratch.grade SUBMISSIONS --out grades.csv``."""
    parser = argparse.ArgumentParser(
        prog="python -m gmm_from_scratch.grade",
        description="Grade every student's exercise notebooks into a gradebook (CSV) and one "
        "feedback file per student.",
    )
    parser.add_argument("submissions", type=Path, help="one folder per student")
    parser.add_argument("--out", type=Path, default=Path("grades.csv"), help="the gradebook")
    parser.add_argument(
        "--feedback", type=Path, default=None, help="feedback folder (default: beside --out)"
    )
    parser.add_argument(
        "--time-limit", type=float, default=DEFAULT_TIME_LIMIT, help="seconds per exercise"
    )
    parser.add_argument(
        "--memory", type=int, default=DEFAULT_MEMORY_MB, help="MiB per student process"
    )
    parser.add_argument(
        "--chapters", default=None, help="only these chapters, e.g. 5,7 (default: all)"
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    if threading.current_thread() is threading.main_thread():  # end cleanly on `kill`, too
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        rows = grade(
            args.submissions,
            time_limit=args.time_limit,
            memory_mb=args.memory,
            chapters=args.chapters.split(",") if args.chapters else None,
            progress=not args.no_progress,
        )
    except ValueError as exc:
        parser.error(str(exc))
    out = write_gradebook(rows, args.out)
    feedback = args.feedback or out.parent / "feedback"
    write_feedback(rows, feedback)
    echo(summary(rows))
    echo(f"\nGradebook: {out}\nFeedback: {feedback}/<student>.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
