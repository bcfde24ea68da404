"""A command table for one AWS service's CLI (``iamdesk s3api``, ``kms``, ``lambda``, ``sqs``,
``sns``, ``secretsmanager``, ``organizations``, ``sts``), built from the same option specs, value
decoding, output and error printing as ``iamdesk iam`` (see ``iamdesk.cli.iam``).

Each service module makes one ``ServiceCli``, adds its commands with ``command(...)`` and exposes
``run = cli.run``. Handlers call ``function(db, account_id=..., **options)``; ``convert`` turns a
decoded option into what the service function takes (e.g. AWS's tag lists into a mapping).
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Mapping
from typing import Any

from iamdesk.cli.awsargs import (
    ServiceError,
    UsageError,
    parse_shorthand,
    print_service_error,
    print_usage_error,
)
from iamdesk.cli.iam import (
    EXIT_OTHER,
    Command,
    CommandContext,
    _Parser,
    add_options,
    option_values,
    parse_spec,
    print_result,
)
from iamdesk.cli.options import GlobalOptions
from iamdesk.core import jsontext
from iamdesk.services.errors import IamError
from iamdesk.store.db import StoreError

log = logging.getLogger(__name__)

Converter = Callable[[Any], Any]


def as_map(option: str) -> Converter:
    """A map option (``--attributes``, ``--tags`` of SQS/Lambda): JSON object or shorthand."""

    def convert(text: Any) -> dict[str, str]:
        if isinstance(text, list):  # structs: [{"Key":..,"Value":..}] or one shorthand map
            return tag_map(option)(text)
        if text.lstrip().startswith("{"):
            try:
                value = jsontext.loads(text)
            except json.JSONDecodeError as exc:
                raise UsageError(
                    f"Error parsing parameter '{option}': Invalid JSON: {exc}"
                ) from None
            if not isinstance(value, dict):
                raise UsageError(f"Error parsing parameter '{option}': expected a JSON object")
            return {str(k): str(v) for k, v in value.items()}
        return {
            k: v if isinstance(v, str) else ",".join(v)
            for k, v in parse_shorthand(option, text).items()
        }

    return convert


def tag_map(option: str, key: str = "Key", value: str = "Value") -> Converter:
    """AWS's tag lists (``[{"Key": k, "Value": v}]``; KMS says TagKey/TagValue) -> a mapping."""

    def convert(items: Any) -> dict[str, str]:
        out: dict[str, str] = {}
        for item in items:
            if key in item:
                out[str(item[key])] = str(item.get(value, ""))
            elif len(item) == 1 or all(k not in ("Key", "Value") for k in item):
                out.update({str(k): str(v) for k, v in item.items()})  # shorthand k=v,k2=v2
            else:
                raise UsageError(f"Error parsing parameter '{option}': each tag needs {key}")
        return out

    return convert


class ServiceCli:
    def __init__(self, service: str) -> None:
        self.service = service
        self.commands: dict[str, Command] = {}

    def command(
        self,
        name: str,
        operation: str,
        function: Callable[..., Any],
        *specs: str,
        convert: Mapping[str, Converter] | None = None,
        output: Callable[[Any], Any] | None = None,
        ignore: tuple[str, ...] = (),
        help: str = "",
    ) -> None:
        """``ignore``: options AWS takes that the model has no use for (accepted, not read)."""
        options = [parse_spec(s) for s in specs]
        converters = dict(convert or {})

        def build(parser: Any) -> None:
            add_options(parser, options)
            for flag in ignore:
                parser.add_argument(f"--{flag}", dest=f"_ignored_{flag}")

        def handler(context: CommandContext, args: Any) -> Any:
            values = option_values(args, options)
            for key, conv in converters.items():
                if key in values:
                    values[key] = conv(values[key])
            result = function(context.db, account_id=context.account_id, **values)
            return output(result) if output is not None else result

        self.commands[name] = Command(operation, build, handler, help)

    def _usage(self) -> None:
        sys.stdout.write(f"usage: iamdesk {self.service} <command> [options]\n\ncommands:\n")
        for name in sorted(self.commands):
            sys.stdout.write(f"  {name}\n")

    def run(self, argv: list[str], options: GlobalOptions) -> int:
        if not argv or argv[0] in ("help", "-h", "--help"):
            self._usage()
            return 0
        name, rest = argv[0], argv[1:]
        entry = self.commands.get(name)
        if entry is None:
            return print_usage_error(
                UsageError(
                    f"iamdesk {self.service}: error: argument operation: Invalid choice "
                    f"'{name}', valid choices are: {', '.join(sorted(self.commands))}"
                )
            )
        parser = _Parser(prog=f"iamdesk {self.service} {name}", description=entry.help)
        entry.build(parser)
        context = CommandContext(options)
        try:
            result = entry.handler(context, parser.parse_args(rest))
        except UsageError as exc:
            return print_usage_error(exc)
        except IamError as exc:
            return print_service_error(entry.operation, ServiceError(exc.code, exc.message))
        except ServiceError as exc:
            return print_service_error(entry.operation, exc)
        except StoreError as exc:
            print(f"\n{exc}", file=sys.stderr)
            return EXIT_OTHER
        finally:
            context.close()
        print_result(result)
        return 0
