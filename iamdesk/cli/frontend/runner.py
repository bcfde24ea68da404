"""Running one ``iamdesk <service> <command> [options]``: the AWS CLI's steps, in its order.

1. global options are taken from anywhere on the line (``globals``);
2. the command name is looked up in the service's botocore model and in our command table
   (an AWS operation the model lacks says so; an unknown name lists the valid ones);
3. the operation's options are parsed and decoded, ``--cli-input-json/yaml`` merged under them,
   required members checked, ``--generate-cli-skeleton`` answered without running anything;
4. botocore's client-side validation (``Parameter validation failed:``, exit 252);
5. the command runs: once, or page after page for a paginated operation (``paging``);
6. ``--query`` and ``--output`` print the result (``output``).

A command's handler gets an argparse-style namespace: each parameter under the snake-case of
its CLI name (``UserName`` -> ``user_name``), plus the options iamdesk adds.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import sys
from collections.abc import Callable, Mapping
from typing import Any

from iamdesk.cli.awsargs import (
    EXIT_CONFIG,
    CredentialsError,
    ServiceError,
    UsageError,
    print_service_error,
    print_usage_error,
)
from iamdesk.cli.frontend import arguments, model
from iamdesk.cli.frontend.globals import AwsGlobals, split_globals
from iamdesk.cli.frontend.output import compile_query, write_output
from iamdesk.cli.frontend.paging import paginate
from iamdesk.cli.options import GlobalOptions

log = logging.getLogger(__name__)

EXIT_OTHER = 255  # the AWS CLI's code for any other failure
_ACCOUNT = "iamdesk:account_id"


class HandlerArgs(argparse.Namespace):
    """A parameter the user did not give reads as None, as argparse defaults would."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return None


def _namespace(params: Mapping[str, Any], line: arguments.CommandLine) -> HandlerArgs:
    ns = HandlerArgs()
    for member, value in params.items():
        setattr(ns, model.cli_name(member).replace("-", "_"), value)
    for dest, member in line.aliases.items():
        if member in params:
            setattr(ns, dest, params[member])
    for dest, value in line.extras.items():
        if value is not None or not hasattr(ns, dest):
            setattr(ns, dest, value)
    return ns


def _usage(service: str, commands: Mapping[str, Any]) -> int:
    sys.stdout.write(f"usage: iamdesk {service} <command> [options]\n\ncommands:\n")
    for name in sorted(commands):
        sys.stdout.write(f"  {name}\n")
    return 0


def run(
    service: str,
    argv: list[str],
    options: GlobalOptions,
    commands: Mapping[str, Any],
    load: Callable[[str | None], None] | None = None,
) -> int:
    """``commands``: name -> ``iamdesk.cli.iam.Command``; ``load(name)`` fills the table lazily."""
    try:
        aws, argv = split_globals(argv, options.aws)
    except UsageError as exc:
        return print_usage_error(exc)
    if aws.debug:
        logging.basicConfig(level=logging.DEBUG, stream=sys.stderr, force=True)
    if aws.endpoint_url:
        print(
            f"iamdesk: --endpoint-url {aws.endpoint_url} ignored: commands act on the model file",
            file=sys.stderr,
        )
    if not argv or argv[0] in ("help", "-h", "--help"):
        if load is not None:
            load(None)
        return _usage(service, commands)
    name, rest = argv[0], argv[1:]
    if load is not None:
        load(name)
    entry = commands.get(name)
    operation = model.operation(service, name)
    if entry is None:
        if operation is not None:
            return print_usage_error(
                UsageError(
                    f"iamdesk {service}: {name} ({operation.name}) is an AWS operation the model "
                    "does not implement; see README, 'AWS operations not modelled'"
                )
            )
        if load is not None:
            load(None)
        return print_usage_error(
            UsageError(
                f"iamdesk {service}: error: argument operation: Invalid choice '{name}', valid "
                f"choices are: {', '.join(sorted(commands))}"
            )
        )
    if operation is None:
        raise RuntimeError(f"{service} {name} is not an operation of botocore's {service} model")
    return _run_operation(service, name, rest, options, aws, entry, operation)


def _run_operation(
    service: str,
    name: str,
    rest: list[str],
    options: GlobalOptions,
    aws: AwsGlobals,
    entry: Any,
    operation: Any,
) -> int:
    from iamdesk.cli.iam import CommandContext
    from iamdesk.services.errors import IamError
    from iamdesk.store.db import StoreError

    config = model.paginator(service, operation.name)
    members = operation.input_shape.members if operation.input_shape is not None else {}
    own_account = "AccountId" not in members

    def build(extras: Any) -> None:
        if own_account:  # iamdesk's --account-id, where the operation has none of its own
            extras.add_argument("--account-id", dest=_ACCOUNT)
        entry.build(extras)

    context: CommandContext | None = None
    try:
        parser, extras, _ = arguments.build_parser(
            f"iamdesk {service} {name}", operation, config, build, aws.paginate, entry.help
        )
        query = compile_query(aws.query)
        line = arguments.read_command_line(parser, extras, operation, config, rest, aws.paginate)
        if line.skeleton is not None:
            return _skeleton(line.skeleton, operation, aws, query)
        arguments.validate(operation, line.params)
        account = line.extras.pop(_ACCOUNT, None)
        if account:
            options = dataclasses.replace(options, account_id=account)
        context = CommandContext(options)
        active = context

        def call(params: dict[str, Any]) -> Any:
            return entry.handler(active, _namespace(params, line))

        paged = line.paginate and config is not None
        result = paginate(call, line.params, config, line.paging) if paged else call(line.params)
    except CredentialsError as exc:
        print(f"\n{exc}", file=sys.stderr)
        return EXIT_CONFIG
    except UsageError as exc:
        return print_usage_error(exc)
    except IamError as exc:
        return print_service_error(operation.name, ServiceError(exc.code, exc.message))
    except ServiceError as exc:
        return print_service_error(operation.name, exc)
    except StoreError as exc:
        print(f"\n{exc}", file=sys.stderr)
        return EXIT_OTHER
    finally:
        if context is not None:
            context.close()
    write_output(
        result,
        sys.stdout,
        output=aws.output,
        query=query,
        title=operation.name,
        color=aws.color,
        paginated=paged,
    )
    return 0


def _skeleton(kind: str, operation: Any, aws: AwsGlobals, query: Any) -> int:
    from botocore.utils import ArgumentGenerator

    if kind == "output":
        shape = operation.output_shape
        generator = ArgumentGenerator(use_member_names=True)
        skeleton = generator.generate_skeleton(shape) if shape is not None else {}
        write_output(skeleton, sys.stdout, output=aws.output, query=query, title=operation.name)
        return 0
    shape = operation.input_shape
    skeleton = ArgumentGenerator().generate_skeleton(shape) if shape is not None else {}
    skeleton = json.loads(json.dumps(skeleton))  # OrderedDicts -> dicts, order kept
    if kind == "yaml-input":
        import yaml

        sys.stdout.write(yaml.safe_dump(skeleton, default_flow_style=False, sort_keys=False))
    else:
        sys.stdout.write(json.dumps(skeleton, indent=4, ensure_ascii=False) + "\n")
    return 0


def call(
    service: str,
    operation: Any,
    entry: Any,
    params: dict[str, Any],
    options: GlobalOptions,
    extras: Mapping[str, Any] | None = None,
    db: Any = None,
) -> Any:
    """Run one operation on API-shaped ``params`` without a command line (the endpoint's way
    in): the same command table entry, botocore validation and handler; errors are raised."""
    from iamdesk.cli.iam import CommandContext

    config = model.paginator(service, operation.name)
    _parser, recorded, _ = arguments.build_parser(
        f"iamdesk {service}", operation, config, entry.build, False, entry.help
    )
    given = dict(extras or {})
    line = arguments.CommandLine(
        params=params,
        extras={dest: given.get(dest) for dest in recorded.extra_dests},
        aliases=recorded.aliases,
        paginate=False,
    )
    arguments.validate(operation, params)
    context = CommandContext(options, db)
    try:
        return entry.handler(context, _namespace(params, line))
    finally:
        context.close()
