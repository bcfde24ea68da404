"""The ``iamdesk`` console script: send a command to the fork server, or run it here.

A command (``iamdesk iam ...``, ``analyze``, ``simulate``...) goes to this user's fork server
when one runs for this code (``place``): the server forks a child that has everything imported
and hands it this process's stdin, stdout, stderr and working folder, its argv, environment,
umask, resource limits, priority and CPU affinity; the child runs the same ``cli.main`` this
process would and its exit status becomes this process's. Signals sent here (Ctrl-C, ``kill``,
``timeout``, a closed terminal, Ctrl-Z) are passed on to the child.

The app (no command, ``--screenshot``, a model file) goes the same way to the app's server,
which has Qt loaded too, when there is a display to show it on (see ``app_server_usable``).

When no server runs, the command runs here exactly as it always did, and a server is started in
the background for the next command. ``serve``, ``fork-server`` itself, anything not recognised
for certain, and everything when ``IAMDESK_NO_SERVER=1`` (or without fork and AF_UNIX: Windows;
or in the frozen bundle) run here without a server.

Standard library only, and little of it: this module's whole cost is a command's start-up.
"""

from __future__ import annotations

import _socket
import contextlib
import os
import signal
import sys

from iamdesk.cli.frontend.option_names import AWS_FLAGS, AWS_WITH_VALUE, IAMDESK_WITH_VALUE
from iamdesk.cli.frontend.option_names import MODEL_SUFFIXES as SUFFIXES
from iamdesk.launch import place as places
from iamdesk.launch.wire import Channel, WireError

# The commands a fork server runs: ``cli.main.COMMANDS`` but ``serve`` (a long-running server,
# threads and a port) and ``fork-server`` (which manages the server). tests/launch checks the
# two lists agree.
SERVER_COMMANDS = frozenset(
    {
        "simulate",
        "iam",
        "accessanalyzer",
        "import",
        "demo",
        "db",
        "new",
        "sts",
        "s3api",
        "kms",
        "lambda",
        "sqs",
        "sns",
        "secretsmanager",
        "organizations",
        "analyze",
        "activity",
    }
)
# Options that may come before the command (cli.main's and the AWS CLI's global options).
# Anything else before the command (an abbreviation argparse would accept, --help, --version,
# the desktop-entry options, --screenshot) makes the command run here: only a line read for
# certain goes to the server.
OPTIONS_WITH_VALUE = (IAMDESK_WITH_VALUE - {"--screenshot"}) | AWS_WITH_VALUE
FLAGS = AWS_FLAGS | {"--demo"}
MODEL_SUFFIXES = tuple(SUFFIXES)
# Signals passed on to the child. SIGTSTP (Ctrl-Z) stops the child, then this process.
FORWARDED = ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGALRM", "SIGTSTP")
LOST_SERVER = 255


def _leading_words(argv: list[str], with_value: frozenset[str]) -> list[str] | None:
    """The words before a command's own arguments that are neither options nor their values,
    up to the first command word; None when an option there is not one known for certain."""
    words: list[str] = []
    i = 0
    while i < len(argv):
        word = argv[i]
        if not word.startswith("-"):
            words.append(word)
            if word in SERVER_COMMANDS:
                return words
            i += 1
            continue
        name, equals, _ = word.partition("=")
        if name in with_value:
            i += 1 if equals else 2
        elif word in FLAGS:
            i += 1
        else:
            return None
    return words


def _model_file(word: str) -> bool:
    """``iamdesk FILE ...`` reads FILE as ``--db`` (``cli.main._file_as_db``)."""
    return word.lower().endswith(MODEL_SUFFIXES) or _is_file(word)


def server_command(argv: list[str]) -> str | None:
    """The command word when ``argv`` is certainly a command a fork server may run."""
    words = _leading_words(argv, OPTIONS_WITH_VALUE)
    if not words or words[-1] not in SERVER_COMMANDS:
        return None
    before = words[:-1]
    return words[-1] if len(before) <= 1 and all(map(_model_file, before)) else None


def app_start(argv: list[str]) -> bool:
    """Whether ``argv`` certainly starts the app: known options only (``--screenshot`` and
    ``--view`` too) and at most one word, a model file; no command."""
    words = _leading_words(argv, IAMDESK_WITH_VALUE | AWS_WITH_VALUE)
    if words is None or len(words) > 1:
        return False
    return not words or (words[0] not in SERVER_COMMANDS and _model_file(words[0]))


def app_server_usable(argv: list[str]) -> bool:
    """The app goes to a server only on Linux (after fork, macOS's system frameworks that Qt
    loads must not be used: the reason multiprocessing spawns there) and only with somewhere to
    show it: a picture (``--screenshot`` renders offscreen), an X or Wayland display, or a Qt
    platform named in ``QT_QPA_PLATFORM``."""
    if not sys.platform.startswith("linux"):
        return False
    if any(word == "--screenshot" or word.startswith("--screenshot=") for word in argv):
        return True
    return any(os.environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def _is_file(word: str) -> bool:
    try:
        return os.path.isfile(word)
    except (OSError, ValueError):
        return False


def _streams() -> list[tuple[str, str, bool, bool, bool]] | None:
    """How the interpreter made this process's stdin, stdout and stderr (encoding, errors,
    line buffering, write-through, buffered: ``python -u`` and PYTHONUNBUFFERED write straight
    to the fd), or None if one is missing."""
    found = []
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        if stream is None or not hasattr(stream, "line_buffering"):
            return None
        found.append(
            (stream.encoding, stream.errors or "strict", stream.line_buffering,
             getattr(stream, "write_through", False),
             type(getattr(stream, "buffer", None)).__name__ != "FileIO")
        )  # fmt: skip
    return found


def _limits() -> dict[str, tuple[int, int]]:
    import resource

    found = {}
    for name in dir(resource):
        if name.startswith("RLIMIT_"):
            try:
                found[name] = resource.getrlimit(getattr(resource, name))
            except (OSError, ValueError):
                continue
    return found


def request(argv: list[str]) -> tuple[dict[str, object], list[int]] | None:
    """The run request for ``argv`` and the fds to send with it, or None when this process
    cannot hand itself over (a closed standard stream, an unreadable working folder)."""
    streams = _streams()
    if streams is None:
        return None
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            return None
    try:
        # The folder itself, not its name: it may have been renamed or removed, or the server
        # may see other mounts.
        cwd = os.open(".", getattr(os, "O_PATH", os.O_RDONLY) | os.O_DIRECTORY)
    except OSError:
        return None
    mask = os.umask(0o077)
    os.umask(mask)
    message: dict[str, object] = {
        "op": "run",
        "argv": list(argv),
        "argv0": sys.argv[0] if sys.argv else "iamdesk",
        "env": dict(os.environ),
        "umask": mask,
        "limits": _limits(),
        "nice": os.getpriority(os.PRIO_PROCESS, 0),
        "groups": sorted(os.getgroups()),
        "streams": streams,
        "client": os.getpid(),
    }
    if hasattr(os, "sched_getaffinity"):
        message["affinity"] = sorted(os.sched_getaffinity(0))
    return message, [0, 1, 2, cwd]


def connect(path: str, timeout: float | None = None) -> _socket.socket | None:
    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(path)
    except OSError:
        sock.close()
        return None
    return sock


class _Relay:
    """Waits for the child's exit status, passing on the signals this process receives."""

    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self.pid: int | None = None
        self.pending: list[int] = []
        self.direct = False  # signals go straight to the child once its server is gone
        self._before: dict[int, object] = {}

    def install(self) -> None:
        for name in FORWARDED:
            number = getattr(signal, name, None)
            if number is not None:
                self._before[number] = signal.signal(number, self._on_signal)

    def restore(self) -> None:
        """Back to the handlers from before, when the command runs here after all; a signal
        that came meanwhile is delivered again, now to this process."""
        for number, handler in self._before.items():
            signal.signal(number, handler)  # type: ignore[arg-type]
        for number in self.pending:
            os.kill(os.getpid(), number)

    def _send(self, number: int) -> None:
        with contextlib.suppress(OSError):
            if self.direct and self.pid is not None:
                os.kill(self.pid, number)
            else:
                self.channel.send({"signal": int(number)})  # not signal.Signals: marshal it

    def _outlive(self) -> None:
        """Wait until the orphaned child ends (an open window stays open), passing signals on
        directly now; its exit status went with the server."""
        import time

        self.direct = True
        while self.pid is not None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                return
            except OSError:
                return
            time.sleep(0.2)

    def _on_signal(self, number: int, _frame: object) -> None:
        if self.pid is None:
            self.pending.append(number)
            return
        if number == getattr(signal, "SIGTSTP", None):
            # Ctrl-Z: stop the child, then stop here as the shell expects; on `fg` or `bg`
            # this process continues and so does the child.
            self._send(signal.SIGSTOP)
            signal.signal(number, signal.SIG_DFL)
            os.kill(os.getpid(), number)
            signal.signal(number, self._on_signal)
            self._send(signal.SIGCONT)
            return
        self._send(number)

    def wait(self) -> int | None:
        """The exit code; None if the server refused or went away before forking."""
        while True:
            try:
                message = self.channel.receive()
            except (OSError, WireError):
                message = None
            if message is None:
                if self.pid is None:
                    return None
                print(
                    f"iamdesk: the fork server went away while running this command"
                    f" (process {self.pid}); waiting for it to end",
                    file=sys.stderr,
                )
                self._outlive()
                return LOST_SERVER
            if "refused" in message:
                return None
            if "pid" in message:
                self.pid = int(message["pid"])
                for number in self.pending:
                    self._on_signal(number, None)
                self.pending.clear()
            elif "status" in message:
                return _exit_code(int(message["status"]))


def _exit_code(status: int) -> int:
    code = os.waitstatus_to_exitcode(status)
    if code >= 0:
        return code
    # Killed by a signal: die of the same one, as the shell would see the command do.
    number = -code
    try:
        signal.signal(number, signal.SIG_DFL)
        os.kill(os.getpid(), number)
    except (OSError, ValueError):
        pass
    return 128 + number


def run_on_server(place: places.Place, argv: list[str]) -> tuple[int | None, bool]:
    """(exit code or None, whether a server was reached). None: run the command here."""
    sock = connect(place.socket)
    if sock is None:
        return None, False
    try:
        built = request(argv)
        if built is None:
            return None, True
        message, fds = built
        channel = Channel(sock)
        relay = _Relay(channel)
        try:
            channel.send(message, fds)
        except (OSError, WireError):
            return None, True
        finally:
            os.close(fds[3])
        relay.install()
        code = relay.wait()
        if code is None:
            relay.restore()
        return code, True
    finally:
        sock.close()


def main() -> int:
    argv = sys.argv[1:]
    if argv[:1] == ["fork-server"]:
        # Managing the server needs none of the command line's modules.
        from iamdesk.cli.failures import guard
        from iamdesk.launch.command import run

        return guard(lambda: run(argv[1:], None))
    kind = None
    if server_command(argv) is not None:
        kind = places.COMMANDS
    elif app_start(argv) and app_server_usable(argv):
        kind = places.APP
    if kind is not None:
        place = places.current(kind)
        if place is not None:
            code, reached = run_on_server(place, argv)
            if code is not None:
                return code
            if not reached:
                from iamdesk.launch import spawn

                spawn.start_for_next_time(place)
    from iamdesk.cli.main import main as run_here

    return run_here()
