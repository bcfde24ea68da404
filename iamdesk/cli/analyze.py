"""``iamdesk analyze QUESTION``: account-wide access analysis of the model, JSON on stdout.

    iamdesk analyze who-can --action s3:GetObject --resource arn:aws:s3:::bucket/key
    iamdesk analyze what-can --principal ARN (--resource ARN | --service s3)
    iamdesk analyze external-access [--zone account|organization]
    iamdesk analyze unused-access [--days 90]
    iamdesk analyze generate-policy --principal ARN [--days 90]
    iamdesk analyze privesc [--principal ARN]
    iamdesk analyze best-practices
    iamdesk analyze validate

``--account-id`` (before ``analyze``) limits the answer to one account's principals; by default
every modelled account is analysed. Errors print one line on stderr and exit 254 (bad input or
an unknown principal) or 255 (the model file cannot be read).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any, NoReturn

from iamdesk.cli.awsargs import print_json
from iamdesk.cli.options import GlobalOptions
from iamdesk.services.errors import IamError
from iamdesk.store.db import Database, StoreError, open_database

EXIT_INPUT = 254
EXIT_OTHER = 255

Handler = Callable[[Database, str | None, argparse.Namespace], Any]


class _Usage(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _Usage(f"{self.prog}: error: {message}")


def _rows(rows: list[Any]) -> list[dict[str, Any]]:
    return [row.to_json() for row in rows]


def _who_can(db: Database, account: str | None, ns: argparse.Namespace) -> Any:
    from iamdesk.analysis.who_can import who_can

    return {"grants": _rows(who_can(db, account, ns.action, ns.resource))}


def _what_can(db: Database, account: str | None, ns: argparse.Namespace) -> Any:
    from iamdesk.analysis.what_can import what_can

    grants = what_can(db, account, ns.principal, resource=ns.resource, service=ns.service)
    return {"grants": _rows(grants)}


def _external_access(db: Database, account: str | None, ns: argparse.Namespace) -> Any:
    from iamdesk.analysis import external_access as ea

    if ns.archive or ns.unarchive:
        wanted = ns.archive or ns.unarchive
        found = [
            f for f in ea.find_external_access(db, account, "account") if f.finding_id == wanted
        ]
        if not found:
            raise IamError("NoSuchEntity", f"No external-access finding has the id {wanted}.")
        if ns.archive:
            if not ns.reason:
                raise IamError("InvalidInput", "--archive needs --reason.")
            ea.archive_finding(db, found[0], ns.reason)
        else:
            ea.unarchive_finding(db, found[0])
    findings = ea.find_external_access(db, account, ns.zone)
    if not ns.include_archived:
        findings = [f for f in findings if f.status == "active"]
    return {"zone": ns.zone, "findings": _rows(findings)}


def _privesc(db: Database, account: str | None, ns: argparse.Namespace) -> Any:
    from iamdesk.analysis.privesc import find_escalation_paths

    return {"paths": _rows(find_escalation_paths(db, account, ns.principal))}


def _unused_access(db: Database, account: str | None, ns: argparse.Namespace) -> Any:
    from iamdesk.analysis.unused_access import find_unused_access

    return {"days": ns.days, "findings": _rows(find_unused_access(db, account, ns.days))}


def _generate_policy(db: Database, account: str | None, ns: argparse.Namespace) -> Any:
    from iamdesk.analysis.policy.generation import generate_policy

    return generate_policy(db, account, ns.principal, ns.days).to_json()


def _best_practices(db: Database, account: str | None, ns: argparse.Namespace) -> Any:
    from iamdesk.analysis.best_practices import find_best_practice_issues

    return {"findings": _rows(find_best_practice_issues(db, account))}


def _validate(db: Database, account: str | None, ns: argparse.Namespace) -> Any:
    from iamdesk.analysis.policy.findings import validate_all

    return {"findings": _rows(validate_all(db, account))}


def _build(sub: Any) -> dict[str, Handler]:
    handlers: dict[str, Handler] = {}

    def add(name: str, help_: str, handler: Handler) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = sub.add_parser(name, help=help_, description=help_)
        handlers[name] = handler
        return parser

    p = add(
        "who-can", "who can perform an action on a resource (and through which roles)", _who_can
    )
    p.add_argument("--action", required=True, help="an action, e.g. s3:GetObject")
    p.add_argument("--resource", default="*", help="a resource ARN (default: *)")
    p = add("what-can", "what a principal can do, grouped by access level", _what_can)
    p.add_argument("--principal", required=True, help="a user, role or role-session ARN")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--resource", help="every action of the resource's service on it")
    which.add_argument("--service", help="every catalog action of a service (e.g. s3) on *")
    p = add(
        "external-access",
        "trust and resource policies granting access outside the zone of trust, or to everyone",
        _external_access,
    )
    p.add_argument("--zone", choices=("account", "organization"), default="account")
    p.add_argument("--include-archived", action="store_true", help="list archived findings too")
    p.add_argument("--archive", metavar="ID", help="archive this finding (needs --reason)")
    p.add_argument("--reason", help="why the access is intended")
    p.add_argument("--unarchive", metavar="ID", help="make an archived finding active again")
    p = add(
        "unused-access",
        "roles, access keys, passwords, services and actions not used in N days",
        _unused_access,
    )
    p.add_argument("--days", type=int, default=90, help="the unused period (default 90)")
    p = add(
        "generate-policy",
        "a least-privilege policy from a principal's imported CloudTrail activity",
        _generate_policy,
    )
    p.add_argument("--principal", required=True, help="a user or role ARN")
    p.add_argument("--days", type=int, default=90, help="activity of the last N days (default 90)")
    p = add(
        "privesc",
        "shortest privilege-escalation paths to administrator-equivalent access",
        _privesc,
    )
    p.add_argument("--principal", help="only this user or role (ARN)")
    add(
        "best-practices",
        "credentials, administrators, wildcards, inline policies, risky trust, policy findings",
        _best_practices,
    )
    add("validate", "the validator's findings on every policy of the model", _validate)
    return handlers


def run(argv: list[str], options: GlobalOptions) -> int:
    parser = _Parser(prog="iamdesk analyze", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="question", metavar="QUESTION", parser_class=_Parser)
    handlers = _build(sub)
    try:
        ns = parser.parse_args(argv)
    except _Usage as exc:
        print(exc, file=sys.stderr)
        return 2
    if ns.question is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        with open_database(options.db_path()) as db:
            result = handlers[ns.question](db, options.account(), ns)
    except IamError as exc:
        print(f"iamdesk analyze {ns.question}: {exc.code}: {exc.message}", file=sys.stderr)
        return EXIT_INPUT
    except StoreError as exc:
        print(f"iamdesk analyze {ns.question}: {exc}", file=sys.stderr)
        return EXIT_OTHER
    print_json(result)
    return 0
