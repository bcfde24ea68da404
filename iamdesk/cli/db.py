"""``iamdesk db copy SRC DST``: copy a whole model between a file and a PostgreSQL server, either
way (or file to file, server to server). SRC must exist; DST is a new file (an existing file is
never touched) or a server database holding no model yet. Everything is copied exactly: the
export of the copy is the export of the source. The password in a server URL is never printed."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from iamdesk.cli.options import GlobalOptions
from iamdesk.store.copy import copy_model
from iamdesk.store.db import Database, StoreError, new_database, open_database
from iamdesk.store.location import is_server_url, model_location
from iamdesk.store.sqlite_files import remove


def _open_target(location: Path | str) -> Database:
    if isinstance(location, str) and is_server_url(location):
        return open_database(location)
    return new_database(location)


def _copy(args: argparse.Namespace) -> int:
    source_place = model_location(args.source)
    target_place = model_location(args.target)
    try:
        source = open_database(source_place, create=False)
    except StoreError as exc:
        print(f"iamdesk db copy: {exc}", file=sys.stderr)
        return 1
    created: Path | None = None
    try:
        try:
            target = _open_target(target_place)
        except (FileExistsError, StoreError) as exc:
            print(f"iamdesk db copy: {exc}", file=sys.stderr)
            return 1
        created = target.path
        try:
            counts = copy_model(source, target)
            created = None  # done: keep it
        finally:
            target.close()
    except StoreError as exc:
        print(f"iamdesk db copy: {exc}", file=sys.stderr)
        return 1
    finally:
        source.close()
        if created is not None:
            remove(created)  # a half-made new file is not left behind
    total = sum(counts.values())
    print(f"copied {total} rows ({len(counts)} tables) from {source.location} to {target.location}")
    return 0


def run(argv: list[str], options: GlobalOptions) -> int:
    del options  # both ends are named explicitly
    parser = argparse.ArgumentParser(prog="iamdesk db", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    copy = commands.add_parser("copy", help="copy a whole model (file <-> postgresql://...)")
    copy.add_argument("source", help="a model file or postgresql://user@host/dbname")
    copy.add_argument("target", help="a new model file or an empty server database")
    args = parser.parse_args(argv)
    return _copy(args)
