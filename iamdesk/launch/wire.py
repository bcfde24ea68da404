"""The messages between an ``iamdesk`` client and its fork server.

A message is a dict of plain values (str, int, bytes, lists, tuples, dicts) serialized with
``marshal`` and prefixed with its length. ``marshal`` is built in (nothing to import) and
carries every string Python can hold, including the lone surrogates that stand for bytes of
non-UTF-8 arguments and environment values; both ends are the same interpreter (the
fingerprint includes it) and the server only talks to its own user, so a format meant for
trusted data is the right one. The first message carries the client's fds 0, 1, 2 and its
working folder as SCM_RIGHTS ancillary data.

Client -> server: ``{"op": "run", ...request}`` (see ``client.request``), then any number of
``{"signal": N}``; or ``{"op": "status"}`` / ``{"op": "stop"}``.
Server -> client: ``{"pid": N}`` then ``{"status": WAIT_STATUS}``; or ``{"refused": REASON}``
(the client then runs the command itself); or a status dict.

Built on ``_socket`` (``socket.socket``'s base class) because importing ``socket`` costs every
command ~4 ms; the server's ``socket.socket`` objects work the same here.
"""

from __future__ import annotations

import _socket
import array
import contextlib
import marshal
import os
import struct

LENGTH = struct.Struct("!I")
MAX_MESSAGE = 16 * 1024 * 1024  # argv + environment are at most a few MB (ARG_MAX)
MARSHAL_VERSION = 4
MAX_FDS = 8


class WireError(Exception):
    """The other end sent something that is not a message, or went away in the middle."""


def encode(message: dict[str, object]) -> bytes:
    data = marshal.dumps(message, MARSHAL_VERSION)
    if len(data) > MAX_MESSAGE:
        raise WireError("message too large")
    return LENGTH.pack(len(data)) + data


class Channel:
    """One connection, with what was received and not yet read as whole messages."""

    def __init__(self, sock: _socket.socket) -> None:
        self.sock = sock
        self._buffer = bytearray()
        self.closed = False  # the other end has closed its side

    def send(self, message: dict[str, object], fds: list[int] | None = None) -> None:
        frame = encode(message)
        if fds:
            rights = [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, array.array("i", fds))]
            sent = self.sock.sendmsg([frame], rights)
            frame = frame[sent:]
        if frame:
            self.sock.sendall(frame)

    def _message(self) -> dict[str, object] | None:
        """The first whole message in the buffer, taken out of it, if there is one."""
        if len(self._buffer) < LENGTH.size:
            return None
        (size,) = LENGTH.unpack_from(self._buffer)
        if size > MAX_MESSAGE:
            raise WireError("message too large")
        if len(self._buffer) < LENGTH.size + size:
            return None
        data = bytes(self._buffer[LENGTH.size : LENGTH.size + size])
        del self._buffer[: LENGTH.size + size]
        try:
            message = marshal.loads(data)
        except (EOFError, ValueError, TypeError) as exc:
            raise WireError(f"not a message: {exc}") from None
        if not isinstance(message, dict):
            raise WireError("not a message")
        return message

    def receive(self) -> dict[str, object] | None:
        """The next message, waiting for it; None when the other end closed first."""
        while True:
            message = self._message()
            if message is not None:
                return message
            chunk = self.sock.recv(65536)
            if not chunk:
                self.closed = True
                if self._buffer:
                    raise WireError("connection closed in the middle of a message")
                return None
            self._buffer += chunk

    def receive_with_fds(self) -> tuple[dict[str, object] | None, list[int]]:
        """The first message and the fds sent with it (the caller owns and closes them)."""
        fds: list[int] = []
        try:
            while True:
                message = self._message()
                if message is not None:
                    return message, fds
                room = _socket.CMSG_SPACE(MAX_FDS * array.array("i").itemsize)
                data, ancillary, flags, _ = self.sock.recvmsg(65536, room)
                for level, kind, payload in ancillary:
                    if level == _socket.SOL_SOCKET and kind == _socket.SCM_RIGHTS:
                        received = array.array("i")
                        received.frombytes(
                            payload[: len(payload) - len(payload) % received.itemsize]
                        )
                        fds.extend(received)
                if flags & getattr(_socket, "MSG_CTRUNC", 0):
                    raise WireError("too many fds")
                if not data:
                    self.closed = True
                    return None, fds
                self._buffer += data
        except BaseException:
            for fd in fds:
                _close(fd)
            raise

    def available(self) -> list[dict[str, object]]:
        """The messages that arrived, without waiting (for a selector's readable socket)."""
        try:
            chunk = self.sock.recv(65536, _socket.MSG_DONTWAIT)
        except (BlockingIOError, InterruptedError):
            chunk = None
        except OSError:
            chunk = b""
        if chunk == b"":
            self.closed = True
        elif chunk:
            self._buffer += chunk
        found = []
        while (message := self._message()) is not None:
            found.append(message)
        return found


def _close(fd: int) -> None:
    with contextlib.suppress(OSError):
        os.close(fd)
