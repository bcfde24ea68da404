"""The AWS CLI's global options, accepted wherever the AWS CLI accepts them: before the service,
between service and command, or among the command's options (``aws iam list-users --output
text`` and ``aws --output text iam list-users`` are the same command).

A model has no endpoint, no credentials file and no TLS: ``--endpoint-url`` is ignored with a
note on standard error; ``--region`` and ``--profile`` are kept (IAM is global; the region is
only echoed where AWS echoes it); the connection options are accepted and have no effect.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace

from iamdesk.cli.awsargs import UsageError
from iamdesk.cli.frontend.option_names import AWS_FLAGS, AWS_WITH_VALUE

OUTPUTS = ("json", "text", "table", "yaml", "yaml-stream")
COLORS = ("on", "off", "auto")

# option -> takes a value. Flags map to True when given.
_WITH_VALUE = AWS_WITH_VALUE
_FLAGS = AWS_FLAGS


@dataclass(frozen=True)
class AwsGlobals:
    output: str = "json"
    query: str | None = None
    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None
    paginate: bool = True
    color: str = "auto"
    debug: bool = False


def from_environment() -> AwsGlobals:
    """What the AWS CLI reads from the environment when no option says otherwise."""
    return AwsGlobals(
        output=os.environ.get("AWS_DEFAULT_OUTPUT") or "json",
        region=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or None,
        profile=os.environ.get("AWS_PROFILE") or None,
    )


def split_globals(argv: list[str], base: AwsGlobals | None = None) -> tuple[AwsGlobals, list[str]]:
    """The global options found anywhere in ``argv``, and the remaining arguments in order.

    A value that follows an option taking one is never read as an option (``--description
    --debug`` keeps ``--debug`` as the description only if the option before it takes a value;
    the AWS CLI behaves the same way for its own globals)."""
    found: dict[str, str | bool] = {}
    rest: list[str] = []
    i = 0
    while i < len(argv):
        token = argv[i]
        name, eq, inline = token.partition("=")
        if name in _WITH_VALUE:
            if eq:
                found[name] = inline
            elif i + 1 < len(argv):
                found[name] = argv[i + 1]
                i += 1
            else:
                raise UsageError(f"iamdesk: error: argument {name}: expected one argument")
        elif token in _FLAGS:
            found[token] = True
        else:
            rest.append(token)
        i += 1
    return _apply(base or from_environment(), found), rest


def _apply(base: AwsGlobals, found: dict[str, str | bool]) -> AwsGlobals:
    output = str(found.get("--output", base.output))
    if output not in OUTPUTS:
        raise UsageError(
            f"iamdesk: error: argument --output: Invalid choice, valid choices are: "
            f"{' | '.join(OUTPUTS)}"
        )
    color = str(found.get("--color", base.color))
    if color not in COLORS:
        raise UsageError(
            f"iamdesk: error: argument --color: Invalid choice, valid choices are: "
            f"{' | '.join(COLORS)}"
        )
    query = found.get("--query", base.query)
    region = found.get("--region", base.region)
    profile = found.get("--profile", base.profile)
    endpoint = found.get("--endpoint-url", base.endpoint_url)
    return replace(
        base,
        output=output,
        color=color,
        query=None if query is None else str(query),
        region=None if region is None else str(region),
        profile=None if profile is None else str(profile),
        endpoint_url=None if endpoint is None else str(endpoint),
        paginate=base.paginate and "--no-paginate" not in found,
        debug=base.debug or "--debug" in found,
    )
