"""``iamdesk activity import FILE...``: add CloudTrail log files' activity to the model.

Each FILE is a CloudTrail log file as CloudTrail delivers it (``{"Records": [...]}``, plain or
``.json.gz``). Prints a summary as JSON; a file that cannot be read imports nothing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from iamdesk.cli.awsargs import print_json
from iamdesk.cli.options import GlobalOptions
from iamdesk.services.activity import import_activity
from iamdesk.services.errors import IamError
from iamdesk.store.db import StoreError, open_database


def run(argv: list[str], options: GlobalOptions) -> int:
    parser = argparse.ArgumentParser(prog="iamdesk activity", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    imp = sub.add_parser("import", help="read CloudTrail log files (plain or .gz)")
    imp.add_argument("files", nargs="+", type=Path, metavar="FILE")
    ns = parser.parse_args(argv)
    if ns.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        with open_database(options.db_path()) as db:
            summary = import_activity(db, ns.files)
    except IamError as exc:
        print(f"iamdesk activity import: {exc.message}; nothing was imported", file=sys.stderr)
        return 1
    except StoreError as exc:
        print(f"iamdesk activity import: {exc}", file=sys.stderr)
        return 1
    print_json(summary.to_dict())
    return 0
