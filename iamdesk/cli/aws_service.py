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
from collections.abc import Callable, Mapping
from typing import Any

from iamdesk.cli.awsargs import UsageError, parse_shorthand
from iamdesk.cli.iam import Command, CommandContext, add_options, option_values, parse_spec
from iamdesk.cli.options import GlobalOptions
from iamdesk.core import jsontext

log = logging.getLogger(__name__)

Converter = Callable[[Any], Any]


def as_map(option: str) -> Converter:
    """A map option (``--attributes``, ``--tags`` of SQS/Lambda): JSON object or shorthand."""

    def convert(text: Any) -> dict[str, str]:
        if isinstance(text, dict):  # already decoded by the front end (JSON or shorthand)
            return {str(k): v if isinstance(v, str) else ",".join(v) for k, v in text.items()}
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

    def run(self, argv: list[str], options: GlobalOptions) -> int:
        from iamdesk.cli.frontend import runner

        return runner.run(self.service, argv, options, self.commands)
