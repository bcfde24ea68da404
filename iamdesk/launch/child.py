"""A forked child of the fork server turning into the client's command.

After ``fork()`` the child is a copy of the server: the server's session, fds, environment,
working folder, limits and signal handlers. Before it runs ``cli.main`` it takes on all of the
client's instead, so the command cannot tell it was not started by the shell: its own session;
the client's stdin, stdout and stderr as fds 0, 1, 2 and Python streams with the client's
encodings; the client's working folder, environment (and with it ``TZ``, the locale and the
temporary folder), umask, resource limits, priority and CPU affinity; Python's own signal
handlers; a fresh random seed. It then exits as the interpreter would (non-daemon threads
joined, ``atexit`` handlers run, standard streams flushed) but without unwinding into the
server's code.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import os
import random
import resource
import signal
import sys
import traceback
from typing import Any

RESET_SIGNALS = ("SIGTERM", "SIGHUP", "SIGCHLD", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGALRM",
                 "SIGTSTP")  # fmt: skip
# Python's own exit status when flushing standard output at exit fails (a closed pipe).
EXIT_FLUSH_FAILED = 120


def _stream(fd: int, name: str, setup: tuple[str, str, bool, bool, bool]) -> io.TextIOWrapper:
    """A standard stream built as the interpreter builds it at start-up (closefd=False)."""
    encoding, errors, line_buffering, write_through, buffered = setup
    reading = fd == 0
    raw = io.FileIO(fd, "rb" if reading else "wb", closefd=False)
    raw.name = name  # type: ignore[misc]  # what repr(sys.stdout) shows, as at start-up
    binary: io.RawIOBase | io.BufferedIOBase = raw
    if buffered:
        binary = io.BufferedReader(raw) if reading else io.BufferedWriter(raw)
    text = io.TextIOWrapper(
        binary,  # type: ignore[arg-type]
        encoding=encoding,
        errors=errors,
        newline="\n",
        line_buffering=line_buffering,
        write_through=write_through,
    )
    text.mode = "r" if reading else "w"  # type: ignore[misc]
    return text


def _apply_limits(limits: dict[str, tuple[int, int]]) -> None:
    for name, wanted in limits.items():
        number = getattr(resource, name, None)
        if number is None:
            continue
        try:
            if resource.getrlimit(number) != tuple(wanted):
                resource.setrlimit(number, tuple(wanted))
        except (OSError, ValueError):
            continue  # the server refused requests whose limits it cannot take


def become(request: dict[str, Any], fds: list[int]) -> None:
    """Turn this freshly forked process into the client's command (fds: 0, 1, 2, cwd)."""
    os.setsid()
    signal.set_wakeup_fd(-1)
    for name in RESET_SIGNALS:
        number = getattr(signal, name, None)
        if number is not None:
            signal.signal(number, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    stdin, stdout, stderr, cwd = fds
    for fd, target in ((stdin, 0), (stdout, 1), (stderr, 2)):
        os.dup2(fd, target)
    os.fchdir(cwd)
    for fd in set(fds) - {0, 1, 2}:
        os.close(fd)
    os.umask(int(request["umask"]))
    _apply_limits(request["limits"])
    nice = int(request["nice"])
    if os.getpriority(os.PRIO_PROCESS, 0) != nice:
        os.setpriority(os.PRIO_PROCESS, 0, nice)
    if "affinity" in request and hasattr(os, "sched_setaffinity"):
        with contextlib.suppress(OSError):
            os.sched_setaffinity(0, request["affinity"])
    os.environ.clear()
    os.environ.update(request["env"])
    _follow_environment()
    random.seed()
    streams = request["streams"]
    sys.stdin = sys.__stdin__ = _stream(0, "<stdin>", streams[0])
    sys.stdout = sys.__stdout__ = _stream(1, "<stdout>", streams[1])
    sys.stderr = sys.__stderr__ = _stream(2, "<stderr>", streams[2])
    sys.argv = [str(request["argv0"]), *request["argv"]]


def _follow_environment() -> None:
    """What the interpreter and the standard library read from the environment once."""
    import time

    time.tzset()
    try:
        import locale

        locale.setlocale(locale.LC_CTYPE, "")
    except Exception:  # an unknown locale: start-up would have kept "C" too
        pass
    tempfile = sys.modules.get("tempfile")
    if tempfile is not None:
        tempfile.tempdir = None  # type: ignore[attr-defined]


def _code(exc: SystemExit) -> int:
    """The exit status ``raise SystemExit(value)`` gives a Python process."""
    value = exc.code
    if value is None:
        return 0
    if isinstance(value, int):
        return value & 0xFF
    with contextlib.suppress(Exception):
        print(value, file=sys.stderr)
    return 1


def run() -> int:
    """Run ``cli.main`` as ``python -m iamdesk`` would; return the process's exit status."""
    try:
        from iamdesk.cli.main import main

        code = main() & 0xFF
    except SystemExit as exc:
        code = _code(exc)
    except KeyboardInterrupt:
        # The interpreter ends an uncaught Ctrl-C by dying of SIGINT.
        _finish()
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
        return 130
    except BaseException:
        traceback.print_exc()
        code = 1
    return _finish() or code


def _finish() -> int:
    """The interpreter's own ending: threads joined, atexit handlers, streams flushed.
    Returns a status overriding the command's (120 when stdout could not be flushed)."""
    threading = sys.modules.get("threading")
    if threading is not None:
        try:
            threading._shutdown()  # type: ignore[attr-defined]
        except Exception:
            traceback.print_exc()
    atexit._run_exitfuncs()
    status = 0
    try:
        sys.stdout.flush()
    except Exception as exc:
        status = EXIT_FLUSH_FAILED
        try:
            print(f"Exception ignored in: {sys.stdout!r}", file=sys.stderr)
            traceback.print_exception(exc, file=sys.stderr)
        except Exception:
            pass
    with contextlib.suppress(Exception):
        sys.stderr.flush()
    return status
