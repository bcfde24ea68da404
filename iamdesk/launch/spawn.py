"""Starting a fork server detached from the command that starts it.

The server is a new interpreter (the same executable, flags and ``sys.path`` as this process),
in a session of its own (no controlling terminal: closing the terminal does not stop it), with
``/dev/null`` as stdin and its log file as stdout and stderr, none of this process's other fds,
and the runtime folder as its working folder. Holding none of the caller's fds matters: a server
keeping a pipe's write end open would make ``$(iamdesk ...)`` wait for it to exit.
"""

from __future__ import annotations

import os
import sys

from iamdesk.launch.place import Place

# What the server's interpreter runs: the client's module search path, exactly, before any
# import of ours (``-c`` would otherwise search the runtime folder first).
BOOT = (
    "import sys; sys.path[:] = sys.argv[4:]; "
    "from iamdesk.launch.server import main; main(sys.argv[1], sys.argv[2], sys.argv[3])"
)
# The server's environment: what decides how the interpreter starts and where it keeps its
# files; the rest (credentials, IAMDESK_DB...) comes with each command, never kept here.
KEPT_VARIABLES = (
    *("HOME", "PATH", "LANG", "LANGUAGE", "TMPDIR", "USER", "LOGNAME", "TZ", "XDG_RUNTIME_DIR"),
    *("IAMDESK_RUNTIME_DIR", "IAMDESK_SERVER_IDLE_SECONDS"),
)
# Limits under which a server is not started: it would keep them for everyone's commands
# (a child can lower a limit, never raise one); `ulimit -f` for one command must not stick.
RESTRICTING_LIMITS = ("RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_AS")


def server_environment() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k in KEPT_VARIABLES or k.startswith(("PYTHON", "LC_"))
    }
    # An interpreter started in the C locale switches itself to UTF-8 mode and sets LC_CTYPE;
    # the server, started with that LC_CTYPE, would not, and would read text differently.
    env["PYTHONUTF8"] = str(sys.flags.utf8_mode)
    return env


def restricted() -> bool:
    """Whether this process runs under a lowered priority or a finite limit from the list."""
    import resource

    if os.getpriority(os.PRIO_PROCESS, 0) > 0:
        return True
    for name in RESTRICTING_LIMITS:
        number = getattr(resource, name, None)
        if number is not None and resource.getrlimit(number)[1] != resource.RLIM_INFINITY:
            return True
    return False


def running_or_starting(place: Place) -> bool:
    """Whether a server holds the place's lock (it takes it before anything else)."""
    import fcntl  # here: `iamdesk fork-server status` must also work where there is none

    try:
        fd = os.open(place.lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except OSError:
        return True  # cannot tell: do not start another
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False


def command_line(place: Place) -> list[str]:
    from subprocess import _args_from_interpreter_flags  # type: ignore[attr-defined]

    flags: list[str] = _args_from_interpreter_flags()
    return [sys.executable, *flags, "-c", BOOT, place.folder, place.name, place.kind, *sys.path]


def start(place: Place) -> None:
    """Start a server for ``place`` in the background (it may find another one won the race
    and leave at once)."""
    argv = command_line(place)
    env = server_environment()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the forked process
        try:
            os.setsid()
            if os.fork() != 0:
                os._exit(0)
            os.chdir(place.folder)
            null = os.open(os.devnull, os.O_RDWR)
            log = os.open(place.log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(null, 0)
            os.dup2(log, 1)
            os.dup2(log, 2)
            os.closerange(3, _max_fd())
            os.umask(0o077)
            os.execve(argv[0], argv, env)
        finally:
            os._exit(127)
    os.waitpid(pid, 0)


def _max_fd() -> int:
    try:
        return max(os.sysconf("SC_OPEN_MAX"), 256)
    except (OSError, ValueError):
        return 65536


def start_for_next_time(place: Place) -> None:
    """After a command found no server: start one, unless one is starting or this process
    runs restricted. Never fails the command."""
    try:
        if not restricted() and not running_or_starting(place):
            start(place)
    except OSError:
        pass
