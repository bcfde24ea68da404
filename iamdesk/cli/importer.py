"""``iamdesk import FILE``: read ``aws iam get-account-authorization-details`` output into the
model, all or nothing. ``-`` reads standard input. Prints what was imported as JSON; on a bad
file prints where it failed (entry, line, column) and changes nothing. Exit codes as the AWS
CLI's: 252 a file that cannot be read, 254 a file refused by IAM's rules (its error code in the
message), 255 the model cannot be written (a full disk). ``--replace``
replaces the accounts the file describes with its content; ``--diff`` prints what that would
change (JSON) and changes nothing."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from iamdesk.cli.awsargs import EXIT_SERVICE_ERROR, EXIT_USAGE
from iamdesk.cli.failures import EXIT_OTHER
from iamdesk.cli.options import GlobalOptions
from iamdesk.services.authorization.details import ImportFormatError
from iamdesk.services.refresh import import_file
from iamdesk.services.refresh.differences import differences
from iamdesk.store.db import StoreError, open_database


def run(argv: list[str], options: GlobalOptions) -> int:
    parser = argparse.ArgumentParser(prog="iamdesk import", description=__doc__.splitlines()[0])
    parser.add_argument("file", help="a get-account-authorization-details JSON file, or -")
    how = parser.add_mutually_exclusive_group()
    how.add_argument(
        "--replace",
        action="store_true",
        help="replace the accounts the file describes (a newer dump of them)",
    )
    how.add_argument(
        "--diff",
        action="store_true",
        help="print what --replace would change, as JSON, and change nothing",
    )
    args = parser.parse_args(argv)
    try:
        # The model file first: a missing one is refused before standard input is consumed.
        with open_database(options.db_path(), create=False) as db:
            try:
                source = (
                    sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
                )
            except OSError as exc:
                print(f"iamdesk import: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
                return EXIT_USAGE
            if args.diff:
                print(json.dumps(differences(db, source), indent=4))
                return 0
            summary = import_file(db, source, replace=args.replace).summary
    except ImportFormatError as exc:
        print(f"iamdesk import: {args.file}: {exc}; nothing was imported", file=sys.stderr)
        return EXIT_SERVICE_ERROR
    except StoreError as exc:
        print(f"iamdesk import: {exc}", file=sys.stderr)
        return EXIT_OTHER
    print(json.dumps({**summary.to_dict(), "replaced": args.replace}, indent=4))
    return 0
