"""Where a fork server lives, and the fingerprint that names it.

A server that kept running old code after an upgrade or an edit would answer with stale
behaviour, the classic failure of preloading servers. So the socket's name is a fingerprint of
everything that decides which code a fresh ``iamdesk`` would run: the interpreter (path,
version, flags, ``sys.path``, encodings), the user and ``HOME`` (botocore reads
``~/.aws/models`` when imported), the newest change under the installed ``iamdesk`` package, the
installed iamdesk version, and the site-packages folders (a dependency installed, removed or
upgraded changes their entries). A changed fingerprint names a new socket, so the next command
starts a new server; the old one notices it is stale and leaves (see ``server``).

Standard library only: every command computes this before deciding anything (about 2 ms).
"""

from __future__ import annotations

import os
import stat
import sys

try:  # the built-in SHA-256 (hashlib loads OpenSSL first: ~2 ms of every command)
    from _sha256 import sha256  # type: ignore[import-not-found]
except ImportError:  # Python 3.12+ calls it _sha2
    try:
        from _sha2 import sha256  # type: ignore[import-not-found]
    except ImportError:
        from hashlib import sha256

NO_SERVER_VARIABLE = "IAMDESK_NO_SERVER"
RUNTIME_VARIABLE = "IAMDESK_RUNTIME_DIR"
# AF_UNIX socket paths are at most 108 bytes on Linux, 104 on macOS (with the final NUL).
MAX_SOCKET_PATH = 103
PREFIX = "fs-"


def supported() -> bool:
    """Whether this interpreter can run a fork server at all (POSIX fork and AF_UNIX fds; not
    a frozen bundle, whose executable is not a Python that could start one)."""
    import _socket

    return (
        hasattr(os, "fork")
        and hasattr(_socket, "AF_UNIX")
        and hasattr(_socket, "SCM_RIGHTS")
        and not getattr(sys, "frozen", False)
    )


def disabled_by_user() -> bool:
    return os.environ.get(NO_SERVER_VARIABLE, "") not in ("", "0")


def _owned_private_dir(path: str, *, create: bool) -> bool:
    """``path`` is a real folder of this user that nobody else can enter (made if missing)."""
    if create:
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            pass
        except OSError:
            return False
    try:
        info = os.lstat(path)
    except OSError:
        return False
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        return False
    if info.st_mode & 0o077:
        try:
            os.chmod(path, 0o700)
        except OSError:
            return False
    return True


def runtime_dir() -> str | None:
    """This user's private folder for the server's socket, or None when there is no safe one.

    ``IAMDESK_RUNTIME_DIR`` if set (tests use it), else ``$XDG_RUNTIME_DIR/iamdesk`` (what
    platformdirs' ``user_runtime_dir`` gives on Linux), else a ``0700`` folder
    ``iamdesk-UID`` in the temporary folder."""
    explicit = os.environ.get(RUNTIME_VARIABLE)
    if explicit:
        path = os.path.abspath(explicit)
    elif os.environ.get("XDG_RUNTIME_DIR"):
        xdg = os.environ["XDG_RUNTIME_DIR"]
        if not _owned_private_dir(xdg, create=False):
            return None
        path = os.path.join(xdg, "iamdesk")
    elif sys.platform == "darwin":
        path = os.path.expanduser("~/Library/Caches/TemporaryItems/iamdesk")
    else:
        path = os.path.join(os.environ.get("TMPDIR") or "/tmp", f"iamdesk-{os.getuid()}")
    return path if _owned_private_dir(path, create=True) else None


def _newest_change(folder: str) -> tuple[int, int]:
    """(newest mtime in ns, number of entries) over ``folder``'s ``.py`` files and folders.

    A folder's own mtime changes when a module in it is added, removed or renamed."""
    newest = 0
    count = 0
    todo = [folder]
    while todo:
        current = todo.pop()
        try:
            entries = os.scandir(current)
        except OSError:
            continue
        with entries:
            for entry in entries:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        if entry.name != "__pycache__":
                            todo.append(entry.path)
                            newest = max(newest, entry.stat(follow_symlinks=False).st_mtime_ns)
                    elif entry.name.endswith(".py"):
                        newest = max(newest, entry.stat().st_mtime_ns)
                    else:
                        continue
                except OSError:
                    continue
                count += 1
    return newest, count


def _site_packages(search_path: tuple[str, ...]) -> list[tuple[str, int, list[str]]]:
    """Each site-packages folder on the path: its mtime and the iamdesk dist-infos in it."""
    found = []
    for entry in search_path:
        if os.path.basename(entry) not in ("site-packages", "dist-packages"):
            continue
        try:
            mtime = os.stat(entry).st_mtime_ns
            names = os.listdir(entry)
        except OSError:
            continue
        versions = sorted(
            n for n in names if n.lower().startswith("iamdesk-") and n.endswith(".dist-info")
        )
        found.append((entry, mtime, versions))
    return found


def fingerprint(search_path: tuple[str, ...] | None = None) -> str:
    """16 hex digits naming the code a fresh ``iamdesk`` process would run here and now
    (``search_path``: the server's ``sys.path`` as it started, else ``sys.path``)."""
    import iamdesk

    if search_path is None:
        search_path = tuple(sys.path)
    package = os.path.dirname(os.path.abspath(iamdesk.__file__))
    try:
        import _locale

        locale_encoding = _locale.getencoding()
    except (ImportError, AttributeError):  # not CPython 3.11+
        locale_encoding = ""
    parts = (
        os.getuid(),
        os.environ.get("HOME", ""),
        sys.executable,
        sys.version,
        search_path,
        tuple(sys.flags),
        # The seed of str hashing is fixed at start-up and kept across fork: a caller that
        # fixes it (for reproducible runs) needs a server started with the same seed.
        os.environ.get("PYTHONHASHSEED") or "random",
        tuple(sorted((str(k), str(v)) for k, v in sys._xoptions.items())),
        tuple(sys.warnoptions),
        sys.getfilesystemencoding(),
        sys.getfilesystemencodeerrors(),
        locale_encoding,
        package,
        _newest_change(package),
        tuple(_site_packages(search_path)),
    )
    return sha256(repr(parts).encode("utf-8", "surrogatepass")).hexdigest()[:16]


COMMANDS = "commands"
APP = "app"  # the app's server: PySide6 and the windows' modules loaded too


class Place:
    """The files of one server: its socket, the lock held for its lifetime, its log.
    (A plain class: importing dataclasses would cost every command ~10 ms.)

    Two kinds per fingerprint: the command line's server, and the app's, which has Qt loaded
    as well and runs only when the app was started (a command's child never carries Qt)."""

    def __init__(self, folder: str, name: str, kind: str = COMMANDS) -> None:
        self.folder = folder
        self.name = name  # the fingerprint
        self.kind = kind

    @property
    def stem(self) -> str:
        suffix = "" if self.kind == COMMANDS else f"-{self.kind}"
        return os.path.join(self.folder, f"{PREFIX}{self.name}{suffix}")

    @property
    def socket(self) -> str:
        return f"{self.stem}.sock"

    @property
    def lock(self) -> str:
        return f"{self.stem}.lock"

    @property
    def log(self) -> str:
        return f"{self.stem}.log"


def current(kind: str = COMMANDS) -> Place | None:
    """The place of the server for this process's code, or None when none may run."""
    if disabled_by_user() or not supported():
        return None
    folder = runtime_dir()
    if folder is None:
        return None
    place = Place(folder, fingerprint(), kind)
    if len(os.fsencode(place.socket)) > MAX_SOCKET_PATH:
        return None
    return place


def all_places(folder: str) -> list[Place]:
    """Every server socket in ``folder`` (other fingerprints too: older code, other venvs)."""
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    found = []
    for n in sorted(names):
        if n.startswith(PREFIX) and n.endswith(".sock"):
            name, _, kind = n[len(PREFIX) : -len(".sock")].partition("-")
            found.append(Place(folder, name, kind or COMMANDS))
    return found
