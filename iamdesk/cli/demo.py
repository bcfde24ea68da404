"""``iamdesk [--db PATH] demo``: write the demo organization into a new model file (the default
database path when no ``--db`` is given; an existing file is never overwritten)."""

from __future__ import annotations

import argparse
import sys

from iamdesk.cli.options import GlobalOptions
from iamdesk.core.text import printable
from iamdesk.services.demo import write_demo


def run(argv: list[str], options: GlobalOptions) -> int:
    parser = argparse.ArgumentParser(prog="iamdesk demo", description=__doc__.splitlines()[0])
    parser.parse_args(argv)
    path = options.db_path()
    if isinstance(path, str):  # a postgresql:// URL
        print(
            "iamdesk demo: the demo is written to a new file; put it on a server with"
            " 'iamdesk demo' then 'iamdesk db copy FILE URL'",
            file=sys.stderr,
        )
        return 1
    try:
        write_demo(path)
    except FileExistsError as exc:
        print(f"iamdesk demo: {exc}", file=sys.stderr)
        return 1
    print(f"wrote the demo organization to {printable(str(path))}")
    return 0
