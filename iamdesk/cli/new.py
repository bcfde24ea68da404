"""``iamdesk [--db PATH] new``: create an empty model file (one account, nothing in it) at
``--db`` (else ``IAMDESK_DB``, else the default file). Nothing else creates a model file from
the command line: every other command refuses a file that does not exist, so a mistyped
``--db`` is an error, not a new empty model. An existing file is never touched."""

from __future__ import annotations

import argparse
import sys

from iamdesk.cli.options import GlobalOptions
from iamdesk.core.text import printable
from iamdesk.store.db import StoreError, new_database


def run(argv: list[str], options: GlobalOptions) -> int:
    parser = argparse.ArgumentParser(prog="iamdesk new", description=__doc__.splitlines()[0])
    parser.parse_args(argv)
    path = options.db_path()
    try:
        new_database(path).close()
    except (FileExistsError, StoreError) as exc:
        print(f"iamdesk new: {exc}", file=sys.stderr)
        return 1
    print(f"created the model file {printable(str(path))}")
    return 0
