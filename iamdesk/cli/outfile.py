"""``--outfile``: a file the command writes besides its JSON answer (a virtual MFA device's seed
or QR code, which are secrets).

The file is prepared *before* the command changes the model, so an unwritable place (a missing
folder, no permission, a folder named like the file) exits 252 with nothing created: a temporary
file, owner-only (0600), is opened beside the target first. The data then goes into it and is
moved over the target in one rename, so the target is either the whole new file or what it was.
If writing fails after the model changed, the caller rolls its change back (``discard``).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from iamdesk.cli.awsargs import UsageError


def _refused(shown: str, reason: object) -> UsageError:
    return UsageError(f"Unable to write --outfile {shown}: {reason}")


class Outfile:
    def __init__(self, path: str) -> None:
        self.shown = path
        try:
            # Through a symbolic link to the file it names, as opening it would.
            self.target = Path(os.path.realpath(Path(path).expanduser()))
            if self.target.is_dir():
                raise _refused(path, "Is a directory")
            if self.target.exists() and not os.access(self.target, os.W_OK):
                raise _refused(path, "Permission denied")
            fd, name = tempfile.mkstemp(  # 0600
                dir=self.target.parent, prefix=f".{self.target.name[:200]}.", suffix=".part"
            )
        except OSError as exc:  # a missing folder, a name too long, no permission...
            raise _refused(path, exc.strerror or exc) from None
        self._fd: int | None = fd
        self._temporary = Path(name)

    def write(self, data: bytes) -> None:
        """Write ``data`` and put it in place; on failure nothing is left behind."""
        assert self._fd is not None
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(self._fd, view) :]
            os.fsync(self._fd)
            os.close(self._fd)
            self._fd = None
            os.replace(self._temporary, self.target)
        except OSError as exc:
            self.discard()
            raise _refused(self.shown, exc.strerror or exc) from None

    def discard(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        self._temporary.unlink(missing_ok=True)
