"""The data shipped with iamdesk, wherever iamdesk is installed.

The top-level ``resources/`` folder is installed as the package ``iamdesk.resources`` (an
editable install maps it there, the wheel and the desktop bundle copy it), so one
``importlib.resources`` lookup finds it in a checkout, a wheel and a bundle alike.
"""

from __future__ import annotations

import atexit
import contextlib
from functools import cache
from importlib import resources
from pathlib import Path

PACKAGE = "iamdesk.resources"
# The reverse-DNS id naming the desktop entry, icon, file type and AppStream metainfo
# (resources/desktop/); Wayland compositors and task switchers match the window to it.
APP_ID = "io.github.iamdesk"


@cache
def resources_dir() -> Path:
    try:
        root = resources.files(PACKAGE)
    except ModuleNotFoundError:
        # Run from a source tree that was never installed (PYTHONPATH=., or an editable install
        # made before resources/ became a package): the folder sits beside the package.
        return Path(__file__).resolve().parent.parent.parent / "resources"
    if isinstance(root, Path):
        return root
    # Installed inside a zip archive: Qt and the catalog reader need real files, so extract
    # once for the life of the process.
    stack = contextlib.ExitStack()
    atexit.register(stack.close)
    return stack.enter_context(resources.as_file(root))


def resource_path(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)
