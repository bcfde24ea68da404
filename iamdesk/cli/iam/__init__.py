"""``iamdesk iam <command>``: the AWS CLI's ``aws iam`` commands against the model file.

Commands live in one table, ``COMMANDS``: name -> ``Command(operation, build, handler)``.
``build`` adds the command's options to an argparse parser; ``handler(context, args)`` returns the
output as the AWS API shapes it. Another module adds commands with one call to ``register`` (or,
for the common case, ``command(name, operation, function, *option_specs)``) inside a function
``register_iam_commands(register)``, and lists its module in ``EXTENSION_MODULES``.

Output and errors follow the AWS CLI: JSON with 4-space indentation (nothing for an empty
result), list commands without ``IsTruncated``/``Marker`` (a ``NextToken`` when ``--max-items``
cut the list), blobs base64-encoded; a service error prints ``An error occurred (Code) when
calling the Operation operation: message`` on standard error and exits 254; a bad command line
exits 252.
"""

from __future__ import annotations

import argparse
import importlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from iamdesk.cli.awsargs import (
    EXIT_USAGE,
    UsageError,
    load_value,
    string_list,
    structure_list,
)
from iamdesk.cli.options import GlobalOptions
from iamdesk.store.db import Database, open_database

log = logging.getLogger(__name__)

EXIT_OTHER = 255  # the AWS CLI's code for any other failure

# Modules that add commands: each defines ``register_iam_commands(register)``.
EXTENSION_MODULES: tuple[str, ...] = (
    "iamdesk.cli.iam.commands",
    "iamdesk.cli.iam.simulate_custom",
    "iamdesk.cli.iam.authorization_details",
    "iamdesk.cli.iam.simulate_principal",
    "iamdesk.cli.iam.credentials_extra",
    "iamdesk.cli.iam.account_extra",
)


class CommandContext:
    """What a handler gets: the model file (opened on first use) and the account to act in."""

    def __init__(self, options: GlobalOptions, db: Database | None = None) -> None:
        """``db``: a model already open (the endpoint's, shared by its requests), not closed
        here."""
        self.options = options
        self._db: Database | None = db
        self._owned = db is None

    @property
    def db(self) -> Database:
        if self._db is None:
            self._db = open_database(self.options.db_path(), create=False)
        return self._db

    @property
    def account_id(self) -> str | None:
        return self.options.account()

    def close(self) -> None:
        if self._db is not None and self._owned:
            self._db.close()


Handler = Callable[[CommandContext, argparse.Namespace], Any]
Builder = Callable[[argparse.ArgumentParser], None]


@dataclass(frozen=True)
class Command:
    operation: str  # AWS's operation name, used in error messages: "GetUser"
    build: Builder
    handler: Handler
    help: str = ""


COMMANDS: dict[str, Command] = {}


def register(name: str, operation: str, build: Builder, handler: Handler, help: str = "") -> None:
    COMMANDS[name] = Command(operation, build, handler, help)


# --- option specs ----------------------------------------------------------------------------
# A spec is "name[:kind][!]": ``name`` is the service keyword (``user_name`` -> ``--user-name``),
# ``!`` marks it required. Kinds: str (default; file:// allowed), int, flag (--x / --no-x),
# doc (a policy document: file:// or inline JSON text), list (strings), tags (Key/Value list),
# structs (list of structures).


@dataclass(frozen=True)
class Option:
    name: str
    kind: str = "str"
    required: bool = False
    flag_name: str = field(default="")

    @property
    def option(self) -> str:
        return "--" + (self.flag_name or self.name.replace("_", "-"))


def parse_spec(spec: str) -> Option:
    required = spec.endswith("!")
    spec = spec.rstrip("!")
    name, _, kind = spec.partition(":")
    flag_name = ""
    if "=" in name:
        name, flag_name = name.split("=", 1)
    return Option(name, kind or "str", required, flag_name)


def add_options(parser: argparse.ArgumentParser, options: Sequence[Option]) -> None:
    for opt in options:
        if opt.kind == "flag":
            group = parser.add_mutually_exclusive_group()
            group.add_argument(opt.option, dest=opt.name, action="store_true", default=None)
            group.add_argument(
                "--no-" + opt.option[2:], dest=opt.name, action="store_false", default=None
            )
        elif opt.kind in ("list", "tags", "structs"):
            parser.add_argument(opt.option, dest=opt.name, nargs="+", required=opt.required)
        elif opt.kind == "int":
            parser.add_argument(opt.option, dest=opt.name, type=int, required=opt.required)
        else:
            parser.add_argument(opt.option, dest=opt.name, required=opt.required)


def option_values(args: argparse.Namespace, options: Sequence[Option]) -> dict[str, Any]:
    """The given options as service keywords, with file:// and JSON/shorthand values decoded."""
    values: dict[str, Any] = {}
    for opt in options:
        raw = getattr(args, opt.name, None)
        if raw is None:
            continue
        if not isinstance(raw, (str, list)):
            values[opt.name] = raw  # decoded from the operation's shape already (a map)
        elif opt.kind == "str" or opt.kind == "doc":
            values[opt.name] = load_value(opt.option, raw)
        elif opt.kind == "list":
            values[opt.name] = string_list(opt.option, raw)
        elif opt.kind in ("tags", "structs"):
            values[opt.name] = structure_list(opt.option, raw)
        else:
            values[opt.name] = raw
    return values


def command(
    name: str, operation: str, function: Callable[..., Any], *specs: str, help: str = ""
) -> None:
    """Register a command that calls ``function(db, account_id, **options)``."""
    options = [parse_spec(s) for s in specs]

    def build(parser: argparse.ArgumentParser) -> None:
        add_options(parser, options)

    def handler(context: CommandContext, args: argparse.Namespace) -> Any:
        return function(context.db, context.account_id, **option_values(args, options))

    register(name, operation, build, handler, help)


# --- entry point -----------------------------------------------------------------------------


def _load_extensions(wanted: str | None = None) -> None:
    """Import the command modules, stopping once ``wanted`` is registered (None: all of them).

    A module that fails to import costs only its own commands: the others keep working."""
    for module_name in EXTENSION_MODULES:
        if wanted is not None and wanted in COMMANDS:
            return
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue  # an optional module not written yet
            log.warning("iam commands from %s are unavailable: %s", module_name, exc)
            continue
        except ImportError as exc:
            log.warning("iam commands from %s are unavailable: %s", module_name, exc)
            continue
        hook = getattr(module, "register_iam_commands", None)
        if hook is not None:
            hook(register)


def all_commands() -> dict[str, Command]:
    """Every ``iamdesk iam`` command, its modules loaded (the endpoint serves them all)."""
    _load_extensions(None)
    return COMMANDS


def run(argv: list[str], options: GlobalOptions) -> int:
    from iamdesk.cli.frontend import runner

    if argv and argv[0] == "wait":  # the AWS CLI's waiters, not an API operation
        from iamdesk.cli.iam import waiters

        return waiters.run(argv[1:], options)
    return runner.run("iam", argv, options, COMMANDS, _load_extensions)


def write_outfile(path: str, data: bytes) -> None:
    target = Path(path).expanduser()
    try:
        target.write_bytes(data)
    except OSError as exc:
        raise UsageError(f"Unable to write --outfile {path}: {exc}") from None


__all__ = [
    "COMMANDS",
    "EXIT_USAGE",
    "Command",
    "CommandContext",
    "add_options",
    "all_commands",
    "command",
    "option_values",
    "parse_spec",
    "register",
    "run",
    "write_outfile",
]
