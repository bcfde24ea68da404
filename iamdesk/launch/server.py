"""The fork server: everything a command needs imported once, a forked child per command.

One per user and fingerprint (``place``), started by ``spawn``. It holds no thread, no open
model, no Qt: after ``fork()`` only the calling thread exists in the child, so a lock held by
another thread, or a database connection shared by two processes, would break the child; the
server checks it has exactly one thread before it serves. It serves only its own user (the
socket's folder is ``0700`` and the peer's uid is checked with ``SO_PEERCRED``).

Per request: refuse what a child could not faithfully be (other groups, limits above the
server's own, a higher priority: the client then runs the command itself), else fork; the child
becomes the command (``child``); the server sends the client the child's pid, passes on the
signals the client forwards, and when the child ends (``SIGCHLD``, ``waitpid``) its exit status.
A client that goes away leaves its child a ``SIGHUP``, as a closed terminal would.

It leaves when asked (``iamdesk fork-server stop``, ``SIGTERM``), after ``IDLE_SECONDS``
without a command, when its code is stale (its fingerprint changed: an edit, an upgrade) or its
socket was removed; a leaving server stops listening at once and waits for its running children.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import importlib
import os
import pkgutil
import selectors
import signal
import socket
import struct
import sys
import threading
import time
from typing import Any

from iamdesk.launch import child
from iamdesk.launch.place import APP, COMMANDS, Place, fingerprint
from iamdesk.launch.wire import Channel, WireError

IDLE_SECONDS = 15 * 60
IDLE_VARIABLE = "IAMDESK_SERVER_IDLE_SECONDS"
CHECK_SECONDS = 30.0  # how often it looks whether its code is stale or its socket gone (at most)
REQUEST_TIMEOUT = 5.0  # a client sends its request right after connecting
# Loaded before serving: the command line, every command a server runs, and botocore's models
# of their services (what ``iamdesk iam get-user`` otherwise spends most of its time on).
PRELOADED_SERVICES = ("iam", "sts", "s3api", "kms", "lambda", "sqs", "sns", "secretsmanager",
                      "organizations", "accessanalyzer")  # fmt: skip


def log(text: str) -> None:
    line = f"{time.strftime('%Y-%m-%dT%H:%M:%S')} [{os.getpid()}] {text}\n"
    with contextlib.suppress(OSError):
        os.write(2, line.encode("utf-8", "backslashreplace"))


# Not loaded: the app (Qt), the AWS endpoint (``serve``: threads, runs in its own process),
# schema migrations (only when an old model is opened), this package, ``python -m iamdesk``.
NOT_PRELOADED = ("iamdesk.ui", "iamdesk.cli.endpoint", "iamdesk.cli.serve",
                 "iamdesk.store.migrations", "iamdesk.launch", "iamdesk.__main__")  # fmt: skip
# Modules of others that commands import only when they run.
PRELOADED_MODULES = ("botocore.validate", "pwd")


def _import_tree(package: Any, skipped: tuple[str, ...] = NOT_PRELOADED) -> int:
    count = 0
    for found in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
        if found.name.startswith(skipped):
            continue
        module = importlib.import_module(found.name)
        count += 1
        if found.ispkg:
            count += _import_tree(module, skipped)
    return count


def preload(kind: str = COMMANDS) -> int:
    """Import every module a command may need and warm what each would otherwise build first
    (SQLAlchemy's mappers, botocore's service models); for the app's server also PySide6 and
    every module of the app, but no QApplication (which starts threads and connects to the
    display: each child makes its own, with its own environment). The number of iamdesk modules
    loaded."""
    import iamdesk

    count = _import_tree(iamdesk)
    for name in PRELOADED_MODULES:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    from sqlalchemy.orm import configure_mappers

    configure_mappers()
    from iamdesk.cli.frontend import model

    for service in PRELOADED_SERVICES:
        with contextlib.suppress(Exception):
            model.operations_by_command(service)
            model.paginators(service)
    if kind == APP:
        # After the database layer: once PySide6 is loaded, every later import is slower.
        import iamdesk.ui

        count += 1 + _import_tree(iamdesk.ui, ())
        # Qt as the app's modules loaded it (only ui imports PySide6 itself).
        qt_core = sys.modules["PySide6.QtCore"]
        if qt_core.QCoreApplication.instance() is not None:
            raise RuntimeError("a QApplication exists after loading: cannot fork the app")
    return count


def threads() -> int:
    """The process's threads as the system counts them (Qt's would not show in ``threading``)."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return threading.active_count()


class Server:
    def __init__(self, place: Place, search_path: tuple[str, ...]) -> None:
        self.place = place
        self.search_path = search_path
        self.idle_seconds = float(os.environ.get(IDLE_VARIABLE) or IDLE_SECONDS)
        self.check_seconds = min(CHECK_SECONDS, self.idle_seconds / 4)
        self.started = time.time()
        self.last_activity = time.monotonic()
        self.last_check = time.monotonic()
        self.served = 0
        self.children_cpu = 0.0  # CPU seconds of the children so far (the benchmark reads it)
        self.refused = 0
        self.children: dict[int, Channel] = {}
        self.stopping = False
        self.stale = False
        self.listener: socket.socket | None = None
        self.socket_id: tuple[int, int] | None = None
        self.selector = selectors.DefaultSelector()
        self.wake_r, self.wake_w = os.pipe()

    # -- setting up and leaving ---------------------------------------------------------------

    def listen(self) -> None:
        path = self.place.socket
        temporary = f"{path}.{os.getpid()}"
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(temporary)
        listener.listen(128)
        # The socket appears under its name only once it accepts: a client never finds a
        # socket nobody listens on (except one left by a server that died: it runs alone).
        os.rename(temporary, path)
        info = os.stat(path)
        self.socket_id = (info.st_dev, info.st_ino)
        listener.setblocking(False)
        self.listener = listener
        self.selector.register(listener, selectors.EVENT_READ, "listener")

    def stop_listening(self, why: str) -> None:
        if self.listener is None:
            return
        log(f"stops listening: {why}")
        self.selector.unregister(self.listener)
        self.listener.close()
        self.listener = None
        if self._socket_is_ours():
            with contextlib.suppress(OSError):
                os.unlink(self.place.socket)

    def _socket_is_ours(self) -> bool:
        try:
            info = os.stat(self.place.socket)
        except OSError:
            return False
        return (info.st_dev, info.st_ino) == self.socket_id

    def install_signals(self) -> None:
        for fd in (self.wake_r, self.wake_w):
            os.set_blocking(fd, False)
        signal.set_wakeup_fd(self.wake_w)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        signal.signal(signal.SIGTERM, self._on_term)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        self.selector.register(self.wake_r, selectors.EVENT_READ, "wake")

    def _on_term(self, *_: object) -> None:
        self.stopping = True

    # -- the loop -----------------------------------------------------------------------------

    def run(self) -> None:
        self.install_signals()
        self.listen()
        log(f"serving on {self.place.socket}")
        while self.listener is not None or self.children:
            for key, _ in self.selector.select(self._timeout()):
                if key.data == "listener":
                    self.accept()
                elif key.data == "wake":
                    with contextlib.suppress(OSError):
                        while os.read(self.wake_r, 512):
                            pass
                else:
                    self.from_client(key.data, key.fileobj)  # type: ignore[arg-type]
            self.reap()
            self.housekeeping()
        log(f"leaves after {self.served} commands")

    def _timeout(self) -> float:
        now = time.monotonic()
        until_check = self.last_check + self.check_seconds - now
        until_idle = self.last_activity + self.idle_seconds - now
        return max(0.05, min(until_check, until_idle))

    def housekeeping(self) -> None:
        now = time.monotonic()
        if self.stopping:
            self.stop_listening("asked to stop")
        if not self.children and now - self.last_activity >= self.idle_seconds:
            self.stop_listening(f"idle for {self.idle_seconds:.0f} s")
        if self.listener is not None and now - self.last_check >= self.check_seconds:
            self.last_check = now
            if not self._socket_is_ours():
                self.stop_listening("its socket was removed or replaced")
            elif fingerprint(self.search_path) != self.place.name:
                self.stop_listening("its code changed (a new server will start)")
                self.stale = True

    # -- requests -----------------------------------------------------------------------------

    def accept(self) -> None:
        assert self.listener is not None
        while True:
            try:
                conn, _ = self.listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                log(f"accept failed: {exc}")
                return
            try:
                self.handle(conn)
            except Exception as exc:  # one bad request must not end the server
                log(f"request failed: {type(exc).__name__}: {exc}")
                conn.close()

    def _peer(self, conn: socket.socket) -> tuple[int, int, int] | None:
        """(pid, uid, gid) of the connecting process, where the system tells."""
        option = getattr(socket, "SO_PEERCRED", None)
        if option is None:
            return None
        raw = conn.getsockopt(socket.SOL_SOCKET, option, struct.calcsize("3i"))
        pid, uid, gid = struct.unpack("3i", raw)
        return pid, uid, gid

    def handle(self, conn: socket.socket) -> None:
        conn.setblocking(True)
        peer = self._peer(conn)
        if peer is not None and peer[1] != os.getuid():
            log(f"refused a connection from uid {peer[1]}")
            conn.close()
            return
        conn.settimeout(REQUEST_TIMEOUT)
        channel = Channel(conn)
        try:
            message, fds = channel.receive_with_fds()
        except (OSError, WireError) as exc:
            log(f"unreadable request: {exc}")
            conn.close()
            return
        op = None if message is None else message.get("op")
        if op == "run" and message is not None:
            self.last_activity = time.monotonic()
            self.start_child(channel, message, fds, peer)
            return
        for fd in fds:
            os.close(fd)
        with contextlib.suppress(OSError, WireError):
            if op == "status":
                channel.send(self.status())
            elif op == "stop":
                self.stopping = True
                channel.send({"stopping": os.getpid()})
        conn.close()

    def status(self) -> dict[str, Any]:
        return {
            "pid": os.getpid(),
            "fingerprint": self.place.name,
            "kind": self.place.kind,
            "socket": self.place.socket,
            "log": self.place.log,
            "executable": sys.executable,
            "started": self.started,
            "served": self.served,
            "refused": self.refused,
            "running": len(self.children),
            "children_cpu": self.children_cpu,
            "idle_seconds": self.idle_seconds,
            "idle_for": time.monotonic() - self.last_activity,
            "stopping": self.stopping or self.listener is None,
        }

    def refusal(self, message: dict[str, Any], fds: list[int], peer: Any) -> str | None:
        """Why a child could not be the client's command faithfully, if it could not."""
        if self.stopping or self.listener is None:
            return "stopping"
        if len(fds) != 4:
            return "expected 4 fds"
        if peer is not None and peer[2] != os.getgid():
            return "another group"
        if sorted(message.get("groups", ())) != sorted(os.getgroups()):
            return "other supplementary groups"
        import resource

        for name, (_soft, hard) in message.get("limits", {}).items():
            number = getattr(resource, name, None)
            if number is None:
                continue
            own = resource.getrlimit(number)[1]
            if own != resource.RLIM_INFINITY and (hard == resource.RLIM_INFINITY or hard > own):
                return f"{name} above the server's"
        if int(message.get("nice", 0)) < os.getpriority(os.PRIO_PROCESS, 0):
            return "a higher priority than the server's"
        return None

    def start_child(
        self, channel: Channel, message: dict[str, Any], fds: list[int], peer: Any
    ) -> None:
        reason = self.refusal(message, fds, peer)
        pid = -1
        if reason is None:
            try:
                pid = os.fork()
            except OSError as exc:
                reason = f"fork failed: {exc}"
        if pid == 0:  # pragma: no cover - the child; never returns
            code = 255
            try:
                self._close_in_child()
                child.become(message, fds)
                code = child.run()
            except BaseException:
                with contextlib.suppress(Exception):
                    import traceback

                    traceback.print_exc()
            finally:
                os._exit(code)
        for fd in fds:
            os.close(fd)
        if reason is not None:
            self.refused += 1
            log(f"refused a command: {reason}")
            with contextlib.suppress(OSError, WireError):
                channel.send({"refused": reason})
            channel.sock.close()
            return
        self.served += 1
        self.children[pid] = channel
        try:
            channel.sock.settimeout(None)
            channel.send({"pid": pid})
        except (OSError, WireError):
            channel.closed = True
        channel.sock.setblocking(False)
        self.selector.register(channel.sock, selectors.EVENT_READ, pid)

    def _close_in_child(self) -> None:
        """The server's own fds, which the command must not hold (the lock above all: a
        child outliving the server would keep the next server from starting)."""
        self.selector.close()
        if self.listener is not None:
            self.listener.close()
        for other in self.children.values():
            other.sock.close()
        os.close(self.wake_r)
        os.close(self.wake_w)
        os.close(LOCK["fd"])

    def from_client(self, pid: int, conn: socket.socket) -> None:
        channel = self.children.get(pid)
        if channel is None:
            self.selector.unregister(conn)
            return
        for message in channel.available():
            number = message.get("signal")
            if isinstance(number, int):
                with contextlib.suppress(OSError):
                    os.kill(pid, number)
        if channel.closed:
            # The client is gone (killed, or its terminal closed): hang up on the child.
            self.selector.unregister(conn)
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGHUP)

    def reap(self) -> None:
        while self.children:
            try:
                pid, status, usage = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            channel = self.children.pop(pid, None)
            if channel is None:
                continue
            self.children_cpu += usage.ru_utime + usage.ru_stime
            self.last_activity = time.monotonic()
            if not channel.closed:
                with contextlib.suppress(OSError, ValueError, KeyError):
                    self.selector.unregister(channel.sock)
                with contextlib.suppress(OSError, WireError):
                    channel.sock.setblocking(True)
                    channel.send({"status": status})
            channel.sock.close()


# The lock fd, held for the server's lifetime (closed in children).
LOCK: dict[str, int] = {}


def main(folder: str, name: str, kind: str = COMMANDS) -> None:
    place = Place(folder, name, kind)
    search_path = tuple(sys.path)
    fd = os.open(place.lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return  # another server for this code runs or is starting
    LOCK["fd"] = fd
    own = fingerprint(search_path)
    if own != name:
        log(f"not serving: started for {name} but this interpreter's fingerprint is {own}")
        return
    started = time.monotonic()
    try:
        count = preload(kind)
    except Exception as exc:
        log(f"not serving: loading failed: {type(exc).__name__}: {exc}")
        return
    if threads() > 1:
        log(f"not serving: {threads()} threads after loading; fork needs one")
        return
    gc.collect()
    # Keep the loaded objects out of the children's garbage collections: a collection writes
    # to every object it examines, which would copy the server's pages into each child.
    gc.freeze()
    log(f"{kind}: loaded {count} modules in {time.monotonic() - started:.2f} s")
    server = Server(place, search_path)
    try:
        server.run()
    finally:
        server.stop_listening("leaving")
        if server.stale:
            # No client computes this fingerprint any more: leave nothing behind. (An idle or
            # stopped server leaves its lock and log for the next server of the same code.)
            for path in (place.log, place.lock):
                with contextlib.suppress(OSError):
                    os.unlink(path)
