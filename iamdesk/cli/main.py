"""The ``iamdesk`` command: the GUI with no subcommand, else one of the subcommands below.

Subcommand modules are imported only when used, so the GUI starts without loading them.
Each module named in ``COMMANDS`` defines ``run(argv: list[str], options: GlobalOptions) -> int``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from iamdesk.cli.awsargs import UsageError, print_usage_error
from iamdesk.cli.failures import EXIT_USAGE, guard, non_text_argument
from iamdesk.cli.frontend.globals import split_globals
from iamdesk.cli.frontend.option_names import IAMDESK_WITH_VALUE, MODEL_SUFFIXES
from iamdesk.cli.options import GlobalOptions
from iamdesk.core.text import quoted
from iamdesk.store.location import model_location

COMMANDS: dict[str, tuple[str, str]] = {
    "simulate": ("iamdesk.cli.simulate", "evaluate a batch of JSON Lines cases"),
    "iam": ("iamdesk.cli.iam", "AWS CLI 'aws iam' commands on the model"),
    "accessanalyzer": ("iamdesk.cli.accessanalyzer", "validate-policy: Access Analyzer's checks"),
    "import": ("iamdesk.cli.importer", "read get-account-authorization-details output"),
    "demo": ("iamdesk.cli.demo", "write the demo organization to a new model file"),
    "db": ("iamdesk.cli.db", "db copy SRC DST: a whole model between a file and a server"),
    "new": ("iamdesk.cli.new", "create an empty model file (other commands need one)"),
    "sts": ("iamdesk.cli.sts", "AWS CLI 'aws sts' assume-role, get-caller-identity"),
    "s3api": ("iamdesk.cli.s3api", "S3 buckets and bucket policies"),
    "kms": ("iamdesk.cli.kms", "KMS keys and key policies"),
    "lambda": ("iamdesk.cli.lambda_", "Lambda functions and permissions"),
    "sqs": ("iamdesk.cli.sqs", "SQS queues and queue policies"),
    "sns": ("iamdesk.cli.sns", "SNS topics and topic policies"),
    "secretsmanager": ("iamdesk.cli.secretsmanager", "secrets and their resource policies"),
    "organizations": ("iamdesk.cli.organizations", "organization, OUs, accounts, SCPs, RCPs"),
    "analyze": ("iamdesk.cli.analyze", "who can, what can, external/unused access, privesc"),
    "activity": ("iamdesk.cli.activity", "import CloudTrail log files for unused-access analysis"),
    "serve": (
        "iamdesk.cli.serve",
        "an AWS API endpoint on the model for the aws CLI, SDKs, Terraform",
    ),
    "fork-server": (
        "iamdesk.launch.command",
        "status|start|stop the background process that starts commands fast",
    ),
}


class _Version(argparse.Action):
    """``--version``: the installed package's version, looked up only when asked for."""

    def __call__(self, parser: argparse.ArgumentParser, *_args: object, **_kw: object) -> None:
        import iamdesk

        sys.stdout.write(f"iamdesk {iamdesk.__version__}\n")
        parser.exit()


def _parser() -> argparse.ArgumentParser:
    commands = "\n".join(f"  {name:<16}{help_}" for name, (_, help_) in sorted(COMMANDS.items()))
    parser = argparse.ArgumentParser(
        prog="iamdesk",
        description="An offline model of AWS IAM accounts. With no command, opens the app.",
        epilog=f"commands:\n{commands}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=_Version, nargs=0, help="show the version and exit")
    parser.add_argument(
        "--db",
        type=model_location,
        help="model file, which must exist, or postgresql://user@host/dbname (else IAMDESK_DB,"
        " else user data dir); see new",
    )
    parser.add_argument("--demo", action="store_true", help="open the demo organization")
    parser.add_argument("--account-id", help="account the command acts in (or IAMDESK_ACCOUNT)")
    parser.add_argument("--screenshot", type=Path, help="render the main window to a PNG and exit")
    parser.add_argument("--view", help="view to show (dashboard, users, roles, test-access, ...)")
    parser.add_argument(
        "--appearance",
        choices=("system", "light", "dark"),
        help="the app's colours for this run (View > Appearance remembers a choice)",
    )
    parser.add_argument(
        "--install-desktop-entry",
        action="store_true",
        help="add iamdesk to this user's application menu, with its icon and file type (no root)",
    )
    parser.add_argument(
        "--uninstall-desktop-entry", action="store_true", help="remove what the above installed"
    )
    parser.add_argument("command", nargs="?", help=argparse.SUPPRESS)
    parser.add_argument("args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    return parser


def _file_as_db(argv: list[str]) -> list[str]:
    """``iamdesk [options] FILE [options]`` means ``--db FILE``: the first word that is not an
    option, a command or an option's value, when it names a model file (by its suffix, or an
    existing file)."""
    i = 0
    while i < len(argv):
        word = argv[i]
        if word in IAMDESK_WITH_VALUE:
            i += 2
            continue
        if word.startswith("-"):
            i += 1
            continue
        path = Path(word)
        if word not in COMMANDS and (path.suffix.lower() in MODEL_SUFFIXES or path.is_file()):
            if "--db" in argv[:i]:
                return argv  # two files: let the parser report the stray word
            return [*argv[:i], "--db", word, *argv[i + 1 :]]
        return argv
    return argv


def main(argv: list[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else argv
    odd = non_text_argument(words)
    if odd is not None:
        print(
            f"\niamdesk: the argument '{quoted(odd)}' is not UTF-8 text",
            file=sys.stderr,
        )
        return EXIT_USAGE
    return guard(lambda: _dispatch(words))


def _dispatch(words: list[str]) -> int:
    parser = _parser()
    try:
        # The AWS CLI's global options go anywhere on the line: before the service too.
        aws, args = split_globals(words)
    except UsageError as exc:
        return print_usage_error(exc)
    ns = parser.parse_args(_file_as_db(args))
    if ns.install_desktop_entry or ns.uninstall_desktop_entry:
        from iamdesk.cli import desktop_entry

        return desktop_entry.install() if ns.install_desktop_entry else desktop_entry.uninstall()
    options = GlobalOptions(
        db=ns.db,
        demo=ns.demo,
        account_id=ns.account_id,
        screenshot=ns.screenshot,
        view=ns.view,
        aws=aws,
    )
    if ns.command is None:
        from iamdesk.ui.launch import run_gui

        return run_gui(
            db=options.db,
            demo=options.demo,
            account_id=options.account(),
            screenshot=options.screenshot,
            view=options.view,
            appearance=ns.appearance,
        )
    entry = COMMANDS.get(ns.command)
    if entry is None:
        parser.error(f"unknown command {ns.command!r}; choose from {', '.join(sorted(COMMANDS))}")
    module = importlib.import_module(entry[0])
    result: int = module.run(list(ns.args), options)
    return result
