"""Running a student's code in a separate process, for the grader.

The grader starts one helper process (the *zygote*, ``python -m
gmm_from_scratch.exercises._sandbox``) that imports NumPy, SciPy, the package and, when it is
installed, scikit-learn, and never runs a student's code. For each exercise of each student it
forks a fresh *worker* from that clean state. The worker

1. limits its own memory (``RLIMIT_AS``) and puts itself in its own process group;
2. replaces the exercise's forbidden functions by stubs that raise (:class:`._core.Guard`), and
   ``os._exit`` by a function that raises, **before** any of the student's code runs;
3. runs the notebook's setup and exercise cells, and reports which cells failed;
4. then serves calls: the grader sends a case's arguments, the worker calls the student's
   function and sends back what happened as plain data (:func:`._core.invoke`, :mod:`._data`).

The checker, the comparisons and the verdict stay in the grader's process, which reads only
plain data from the worker (JSON with ``.npy`` arrays, never a pickle). The grader kills the
worker's process group when the exercise's time is up, and reads a crash or an exit from the
zygote, which reaps the worker. Nothing the student's code does in its process can change
the checker that judges it.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from ._core import (
    CheckResult,
    Exercise,
    Guard,
    Runner,
    failure,
    forbidden_hint,
    invoke,
    judge,
    one_blas_thread,
    static_forbidden,
)
from ._data import DataError, from_json, to_json
from ._notebooks import (
    CellError,
    NotebookError,
    load_notebook_namespace,
    missing_function_message,
    read_notebook,
)

__all__ = ["DEFAULT_MEMORY_MB", "Sandbox"]

#: Memory a worker may add to the zygote's address space, in MiB.
DEFAULT_MEMORY_MB = 1024
_MAX_MESSAGE = 512 * 2**20
_STARTUP_SECONDS = 300.0


class _TimeUp(Exception):
    pass


class _Ended(Exception):
    pass


# ----------------------------------------------------------------------------- framing
def _send(sock: socket.socket, payload: bytes) -> None:
    sock.sendall(struct.pack(">Q", len(payload)) + payload)


def _recv_exact(sock: socket.socket, n: int, deadline: float | None) -> bytes:
    chunks = []
    while n:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise _TimeUp
            sock.settimeout(left)
        else:
            sock.settimeout(None)
        try:
            chunk = sock.recv(min(n, 1 << 20))
        except TimeoutError:
            raise _TimeUp from None
        except OSError as exc:
            raise _Ended(str(exc)) from None
        if not chunk:
            raise _Ended("connection closed")
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def _recv(sock: socket.socket, deadline: float | None) -> bytes:
    (n,) = struct.unpack(">Q", _recv_exact(sock, 8, deadline))
    if n > _MAX_MESSAGE:
        raise _Ended(f"sent {n} bytes, more than the grader reads")
    return _recv_exact(sock, n, deadline)


# ----------------------------------------------------------------------------- the worker
def _address_space() -> int:
    with open("/proc/self/statm", encoding="ascii") as f:
        return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _limit_memory(memory_mb: int) -> None:
    import resource

    with contextlib.suppress(OSError, ValueError):
        limit = _address_space() + memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    with contextlib.suppress(OSError, ValueError):
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _die_with_parent() -> None:
    """Ask Linux to kill this worker if the helper process that forked it dies."""
    with contextlib.suppress(Exception):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() == 1:
            os._exit(70)


def _worker(request: dict[str, Any]) -> None:
    """The forked worker: runs one exercise of one notebook. Never returns."""
    real_exit = os._exit
    code = 0
    try:
        os.setpgid(0, 0)
        _die_with_parent()
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(request["socket"])
        _limit_memory(int(request["memory_mb"]))
        _serve(sock, request)
    except BaseException:  # nothing to report to: the grader sees the connection close
        code = 70
    finally:
        real_exit(code)


def _serve(sock: socket.socket, request: dict[str, Any]) -> None:
    from . import EXERCISES
    from ._core import _refuse_os_exit

    name = request["exercise"]
    exercise = EXERCISES[name]
    path = Path(request["notebook"])
    guard = Guard(exercise.forbidden, raising=True)
    one_blas_thread().__enter__()  # for the life of this worker process
    guard.install()
    os._exit = _refuse_os_exit  # type: ignore[assignment]
    os.chdir(path.parent)
    _send(sock, to_json({"hello": os.getpid()}))
    errors: list[CellError] = []
    namespace = load_notebook_namespace(path, errors)
    function = name.split(".", 1)[1]
    func = namespace.get(function)
    report: dict[str, Any] = {"found": callable(func), "static": "", "missing": ""}
    if callable(func):
        with contextlib.suppress(Exception):
            report["static"] = static_forbidden(func, guard) or ""
    else:
        report["missing"] = missing_function_message(path, function, errors)
    _send(sock, to_json(report))
    if not callable(func):
        return
    while True:
        message = pickle.loads(_recv(sock, None))  # from the grader, which this process trusts
        if message[0] not in ("call", "repeat"):
            return
        outcomes = []
        for _ in range(message[2] if message[0] == "repeat" else 1):
            outcomes.append(invoke(func, message[1], exercise.params, guard, None))
            if outcomes[-1]["status"] != "ok" or outcomes[-1]["mutated"]:
                break
        try:
            payload = to_json(outcomes if message[0] == "repeat" else outcomes[0])
        except (TypeError, ValueError) as exc:
            payload = to_json({"status": "bad output", "message": str(exc)[:300]})
        _send(sock, payload)


# ----------------------------------------------------------------------------- the zygote
def _zygote() -> None:
    """Import everything once, then fork one worker per request read from stdin."""
    import numpy  # noqa: F401
    import scipy.linalg  # noqa: F401
    import scipy.optimize  # noqa: F401
    import scipy.special  # noqa: F401

    from . import EXERCISES  # noqa: F401

    with contextlib.suppress(ImportError):
        import sklearn.cluster  # noqa: F401
        import sklearn.mixture  # noqa: F401
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the grader's to handle
    out = sys.stdout.buffer
    out.write(b'{"ready": true}\n')
    out.flush()
    pending = b""
    while True:
        while b"\n" not in pending:
            chunk = os.read(0, 1 << 16)
            if not chunk:
                return  # the grader closed the pipe (or ended): so do we
            pending += chunk
        line, pending = pending.split(b"\n", 1)
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _worker(request)
        out.write(json.dumps({"pid": pid}).encode() + b"\n")
        out.flush()
        status = _wait_for(pid)
        if status is None:  # the grader is gone: take the worker down and leave
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return
        out.write(json.dumps({"status": status}).encode() + b"\n")
        out.flush()


def _wait_for(pid: int) -> int | None:
    """The worker's exit status; ``None`` if the grader's end of the pipe closes meanwhile."""
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        readable, _, _ = select.select([0], [], [], 0.2)
        if readable:  # the grader never writes while a worker runs: this is its end of file
            return None


# ----------------------------------------------------------------------------- the grader's side
def _ending(status: int | None) -> str:
    if status is None:
        return "ended without a word"
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = f"signal {sig}"
        what = {"SIGSEGV": "a crash (segmentation fault)", "SIGABRT": "an abort"}.get(name, name)
        return f"was killed by {what}"
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else status
    return f"ended with exit code {code} before returning a result"


class _Worker:
    """The grader's handle on one worker process."""

    def __init__(self, sandbox: Sandbox, pid: int, sock: socket.socket) -> None:
        self.sandbox = sandbox
        self.pid = pid
        self.sock = sock
        self.status: int | None = None
        self.killed = False
        self.finished = False

    def receive(self, seconds: float | None) -> tuple[Any, float]:
        start = time.monotonic()
        deadline = None if seconds is None else start + max(seconds, 0.0)
        try:
            payload = _recv(self.sock, deadline)
        except _TimeUp:
            self.kill()
            raise
        except _Ended:
            self.finish()
            raise _Ended(_ending(self.status)) from None
        return from_json(payload), time.monotonic() - start

    def request(self, message: Any, seconds: float | None) -> tuple[Any, float]:
        try:
            _send(self.sock, pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:
            self.finish()
            raise _Ended(_ending(self.status)) from None
        return self.receive(seconds)

    def kill(self) -> None:
        if not self.killed:
            self.killed = True
            for kill in (os.killpg, os.kill):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    kill(self.pid, signal.SIGKILL)

    def finish(self) -> None:
        """End the worker (if it still runs) and read how it ended (once)."""
        if self.finished:
            return
        self.finished = True
        with contextlib.suppress(OSError):
            self.sock.close()
        self.status = self.sandbox._wait_status(self.pid, self)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)  # anything the student's code left behind


class RemoteRunner(Runner):
    """A :class:`Runner` whose calls happen in a worker process."""

    def __init__(self, worker: _Worker, params: tuple[str, ...], time_limit: float) -> None:
        super().__init__(params, time_limit)
        self.worker = worker

    def _invoke(self, args: tuple) -> dict[str, Any]:
        return self._request(("call", args), args)

    def _invoke_repeated(self, n: int, args: tuple) -> list[dict[str, Any]]:
        replies = self._request(("repeat", args, n), args)
        if isinstance(replies, list) and replies and all(isinstance(x, dict) for x in replies):
            return replies[:n]
        return [replies if isinstance(replies, dict) else {"status": "bad output"}]

    def _request(self, message: tuple, args: tuple) -> Any:
        left = self.time_left()
        if left is not None and left <= 0:
            return {"status": "timeout"}
        try:
            reply, elapsed = self.worker.request(message, left)
        except _TimeUp:
            self.elapsed = float(self.time_limit or 0.0)
            return {"status": "timeout"}
        except _Ended as ended:
            return {"status": "crashed", "message": _crash_message(str(ended))}
        except DataError as exc:
            return {"status": "bad output", "message": f"unreadable reply ({exc})"}
        self.elapsed += elapsed
        last = reply[-1] if isinstance(reply, list) and reply else reply
        states = last.get("rng_states") if isinstance(last, dict) else None
        if isinstance(states, dict):
            import numpy as np

            for key, state in states.items():
                arg = args[int(key)] if str(key).isdigit() and int(key) < len(args) else None
                if isinstance(arg, np.random.Generator) and isinstance(state, dict):
                    with contextlib.suppress(TypeError, ValueError, KeyError, OverflowError):
                        arg.bit_generator.state = state
        return reply


def _crash_message(ending: str) -> str:
    return (
        f"the process running your function {ending}: your code ended or crashed the Python "
        "interpreter (os._exit, os.kill, a crash in a library, or more memory than allowed)."
    )


class Sandbox:
    """Runs exercises of students' notebooks in worker processes; judges them here.

    Parameters
    ----------
    memory_mb : int, default 1024
        Memory (address space) a worker may use beyond the libraries already loaded, in MiB.
    python : str, optional
        The interpreter of the helper process (default: this one).

    Examples
    --------
    ::

        with Sandbox() as sandbox:
            result = sandbox.run("submissions/alice/ch05_em_algorithm.ipynb", "ch05.e_step", 10)
    """

    def __init__(self, memory_mb: int = DEFAULT_MEMORY_MB, python: str | None = None) -> None:
        if memory_mb <= 0:
            raise ValueError(f"memory_mb must be positive, got {memory_mb}")
        self.memory_mb = int(memory_mb)
        self.python = python or sys.executable
        self._dir = tempfile.TemporaryDirectory(prefix="gmm-grade-")
        self._proc: subprocess.Popen | None = None
        self._count = 0

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the helper process and remove the temporary folder."""
        if self._proc is not None:
            with contextlib.suppress(OSError):
                if self._proc.stdin:
                    self._proc.stdin.close()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            self._proc = None
        self._dir.cleanup()

    # -- the zygote -------------------------------------------------------------------
    def _zygote(self) -> subprocess.Popen:
        if self._proc is not None and self._proc.poll() is None:
            return self._proc
        env = dict(os.environ)
        env.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        # The helper imports this very package, installed or not (it runs in a temporary folder).
        home = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (home, env.get("PYTHONPATH")) if p)
        log = Path(self._dir.name) / "helper.log"
        with log.open("wb") as stderr:
            self._proc = subprocess.Popen(
                [self.python, "-m", "gmm_from_scratch.exercises._sandbox"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
                cwd=self._dir.name,
                env=env,
            )
        try:
            if self._read_line(_STARTUP_SECONDS).get("ready"):
                return self._proc
        except RuntimeError:
            pass
        tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-5:]
        self._restart()
        raise RuntimeError("the grader's helper process did not start: " + " | ".join(tail))

    def _read_line(self, seconds: float) -> dict[str, Any]:
        proc = self._proc
        assert proc is not None and proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], seconds)
        line = proc.stdout.readline() if ready else b""
        if not line:
            raise RuntimeError("the grader's helper process stopped answering")
        reply = json.loads(line)
        if not isinstance(reply, dict):
            raise RuntimeError("the grader's helper process sent something unexpected")
        return reply

    def _wait_status(self, pid: int, worker: _Worker) -> int | None:
        try:
            reply = self._read_line(5.0)
        except RuntimeError:
            worker.kill()
            try:
                reply = self._read_line(30.0)
            except RuntimeError:
                self._restart()
                return None
        status = reply.get("status")
        return status if isinstance(status, int) else None

    def _restart(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()
            self._proc = None

    def _spawn(self, notebook: Path, name: str) -> _Worker:
        proc = self._zygote()
        self._count += 1
        path = os.path.join(self._dir.name, f"w{self._count}.sock")
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(path)
        server.listen(1)
        request = {
            "notebook": str(notebook.resolve()),
            "exercise": name,
            "socket": path,
            "memory_mb": self.memory_mb,
        }
        assert proc.stdin is not None
        proc.stdin.write(json.dumps(request).encode() + b"\n")
        proc.stdin.flush()
        pid = self._read_line(_STARTUP_SECONDS).get("pid")
        if not isinstance(pid, int):
            raise RuntimeError("the grader's helper process did not start a worker")
        server.settimeout(_STARTUP_SECONDS)
        try:
            sock, _ = server.accept()
        finally:
            server.close()
            os.unlink(path)
        return _Worker(self, pid, sock)

    # -- one exercise ------------------------------------------------------------------
    def run(self, notebook: str | Path, name: str, time_limit: float) -> CheckResult:
        """Grade exercise ``name`` of one student's ``notebook``.

        Parameters
        ----------
        notebook : str or Path
            The student's notebook.
        name : str
            The exercise, e.g. ``"ch05.e_step"``.
        time_limit : float
            Seconds for the notebook's cells and all of the exercise's cases together.

        Returns
        -------
        CheckResult
            The checker's verdict, or a failure that says why the student's code could not be
            run (an invalid notebook, a syntax error, a hang, an exit, a crash).
        """
        from . import EXERCISES

        if time_limit <= 0:
            raise ValueError(f"time_limit must be positive, got {time_limit}")
        exercise = EXERCISES[name]
        notebook = Path(notebook)
        try:
            read_notebook(notebook)
        except NotebookError as exc:
            return failure(name, str(exc))
        worker = self._spawn(notebook, name)
        try:
            result = self._judge(worker, notebook, name, exercise, time_limit)
        except BaseException:  # Ctrl-C or a bug here: the worker must not outlive the grader
            worker.kill()
            worker.finish()
            raise
        if not worker.killed and not worker.finished:
            with contextlib.suppress(OSError):
                _send(worker.sock, pickle.dumps(("end",)))
        worker.finish()
        return result

    def _judge(
        self, worker: _Worker, notebook: Path, name: str, exercise: Exercise, time_limit: float
    ) -> CheckResult:
        try:
            hello, _ = worker.receive(_STARTUP_SECONDS)
            report, elapsed = worker.receive(time_limit)
        except _TimeUp:
            return failure(
                name,
                f"running the cells of {notebook.name} took longer than the time limit "
                f"({time_limit:g} s): some code at the top level of a cell never finishes.",
                "Look for a loop that never ends outside any function.",
            )
        except _Ended as ended:
            return failure(name, f"the process running the cells of {notebook.name} {ended}.")
        except DataError as exc:
            return failure(name, f"the cells of {notebook.name} sent an unreadable reply ({exc}).")
        if not isinstance(report, dict) or not isinstance(hello, dict):
            return failure(name, f"the cells of {notebook.name} sent an unexpected reply.")
        if not report.get("found"):
            return failure(name, str(report.get("missing", ""))[:1000])
        label = report.get("static")
        if isinstance(label, str) and label:
            return failure(name, f"your function uses {label[:200]}.", forbidden_hint(label))
        runner = RemoteRunner(worker, exercise.params, time_limit)
        runner.elapsed = elapsed
        return judge(name, exercise, runner)


if __name__ == "__main__":
    _zygote()
