"""An operation's command line, built from its botocore input shape.

Every member of the input shape is an option named as the AWS CLI names it (``UserName`` ->
``--user-name``); booleans are ``--x``/``--no-x``; paginated operations get the CLI's
``--starting-token``, ``--page-size`` and ``--max-items`` (the API's own token and limit stay
accepted and turn paging off, as in the CLI). ``--cli-input-json``/``--cli-input-yaml`` give the
parameters as a document and ``--generate-cli-skeleton`` prints one. Options iamdesk adds to an
operation (``--caller-arn``...) come from the command's own builder.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from typing import Any, NoReturn

from iamdesk.cli.awsargs import UsageError
from iamdesk.cli.frontend import values
from iamdesk.cli.frontend.model import cli_name
from iamdesk.core import jsontext

PAGING_OPTIONS = ("--starting-token", "--page-size", "--max-items")
SKELETONS = ("input", "output", "yaml-input")
_MEMBER = "member:"  # namespace prefix of the model's options (never clashes with extras)

# Options the AWS CLI adds to an operation, and the parameter each fills (a path of members).
CLI_ADDITIONS: dict[tuple[str, str], dict[str, tuple[str, ...]]] = {
    ("lambda", "CreateFunction"): {"--zip-file": ("Code", "ZipFile")},
    ("lambda", "UpdateFunctionCode"): {"--zip-file": ("ZipFile",)},
}


class Parser(argparse.ArgumentParser):
    additions: dict[str, tuple[str, ...]]

    def error(self, message: str) -> NoReturn:  # argparse's exit(2) -> the CLI's usage error
        raise UsageError(f"{self.prog}: error: {message}")


@dataclass
class CommandLine:
    """What the user typed, decoded."""

    params: dict[str, Any]  # the operation's parameters, as the API names them
    extras: dict[str, Any]  # iamdesk's own options, by dest
    aliases: dict[str, str]  # a command builder's dest -> the member it reads
    paging: dict[str, Any] = field(default_factory=dict)  # StartingToken, PageSize, MaxItems
    paginate: bool = True
    skeleton: str | None = None


class _ExtraOptions:
    """Passed to a command's own ``build(parser)``: its options that the model already has
    become aliases of the model's; the others are added as iamdesk's extras."""

    def __init__(self, parser: argparse.ArgumentParser, taken: dict[str, str]) -> None:
        self._parser = parser
        self._taken = taken
        self.aliases: dict[str, str] = {}
        self.extra_dests: list[str] = []
        self.required: list[str] = []  # optional in AWS, needed by the model (GetUser's name)

    def add_argument(self, *names: str, **kwargs: Any) -> Any:
        option = names[0]
        dest = kwargs.get("dest") or option.lstrip("-").replace("-", "_")
        if option in self._taken:
            self.aliases.setdefault(dest, self._taken[option])
            if kwargs.get("required"):
                self.required.append(self._taken[option])
            return None
        if option.startswith("--no-") and "--" + option[5:] in self._taken:
            return None
        if option in self._parser._option_string_actions:
            return None  # one of the front end's own (--max-items on a paginated command)
        kwargs.pop("required", None)  # checked after --cli-input-json is read, not by argparse
        self.extra_dests.append(dest)
        return self._parser.add_argument(*names, **kwargs)

    def add_mutually_exclusive_group(self, **_kwargs: Any) -> _ExtraOptions:
        return self

    def add_argument_group(self, *_args: Any, **_kwargs: Any) -> _ExtraOptions:
        return self


def build_parser(
    prog: str,
    operation: Any,
    paging: dict[str, Any] | None,
    build_extras: Any,
    paginate: bool,
    description: str = "",
) -> tuple[Parser, _ExtraOptions, dict[str, str]]:
    """The parser, the extras' record and option -> member for the model's options."""
    parser = Parser(prog=prog, description=description, allow_abbrev=False, add_help=True)
    service = operation.service_model.service_name
    parser.additions = CLI_ADDITIONS.get((service, operation.name), {})
    for option in parser.additions:
        parser.add_argument(option, dest="cli:" + option[2:])
    shape = operation.input_shape
    members = shape.members if shape is not None else {}
    options: dict[str, str] = {}
    shadowed = set(PAGING_OPTIONS) if paging is not None and paginate else set()
    for member, member_shape in members.items():
        option = "--" + cli_name(member)
        options[option] = member
        if option in shadowed:
            continue  # the CLI's paging option of the same name stands in for it
        dest = _MEMBER + member
        if member_shape.type_name == "boolean":
            parser.add_argument(option, dest=dest, action="store_const", const=True)
            parser.add_argument("--no-" + option[2:], dest=dest, action="store_const", const=False)
            options["--no-" + option[2:]] = member
        elif member_shape.type_name == "list":
            parser.add_argument(option, dest=dest, nargs="+")
        else:
            parser.add_argument(option, dest=dest)
    if paging is not None:
        for option in PAGING_OPTIONS:
            if option == "--page-size" and "limit_key" not in paging:
                continue
            if option not in parser._option_string_actions:
                parser.add_argument(option, dest="paging:" + option[2:])
    parser.add_argument("--cli-input-json", dest="cli:input-json")
    parser.add_argument("--cli-input-yaml", dest="cli:input-yaml")
    parser.add_argument(
        "--generate-cli-skeleton", dest="cli:skeleton", nargs="?", const="input", choices=SKELETONS
    )
    extras = _ExtraOptions(parser, options)
    if build_extras is not None:
        build_extras(extras)
    return parser, extras, options


def read_command_line(
    parser: Parser,
    extras: _ExtraOptions,
    operation: Any,
    paging: dict[str, Any] | None,
    argv: list[str],
    paginate: bool,
) -> CommandLine:
    ns = vars(parser.parse_args(argv))
    shape = operation.input_shape
    members = shape.members if shape is not None else {}
    params: dict[str, Any] = _cli_input(ns)
    for member, member_shape in members.items():
        raw = ns.get(_MEMBER + member)
        if raw is not None:
            params[member] = values.decode("--" + cli_name(member), member_shape, raw)
    for option, path in parser.additions.items():
        raw = ns.get("cli:" + option[2:])
        if raw is not None:
            target = params
            for part in path[:-1]:
                target = target.setdefault(part, {})
            target[path[-1]] = values.load_file(option, raw)
    line = CommandLine(
        params=params,
        extras={dest: ns.get(dest) for dest in extras.extra_dests},
        aliases=extras.aliases,
        paginate=paginate and paging is not None,
        skeleton=ns.get("cli:skeleton"),
    )
    if paging is not None:
        for option in PAGING_OPTIONS:
            raw = ns.get("paging:" + option[2:])
            if raw is None:
                continue
            if not line.paginate:
                raise UsageError(
                    f"Cannot specify --no-paginate along with pagination arguments: {option}"
                )
            line.paging[option] = raw if option == "--starting-token" else _positive(option, raw)
        tokens = paging["input_token"]
        manual = [tokens] if isinstance(tokens, str) else list(tokens)
        if "limit_key" in paging:
            manual.append(paging["limit_key"])
        if any(name in params for name in manual if ns.get(_MEMBER + name) is not None):
            line.paginate = False  # the user paged by hand, as the CLI allows
    if line.skeleton is None:
        # With --cli-input-json/yaml the CLI leaves required members to the validator, which
        # then reports them with everything else wrong in the document.
        given_document = any(ns.get(k) is not None for k in ("cli:input-json", "cli:input-yaml"))
        required = [] if given_document or shape is None else list(shape.required_members)
        model_required = set(shape.required_members) if shape is not None else set()
        required += [m for m in extras.required if m not in model_required]
        missing = ["--" + cli_name(m) for m in dict.fromkeys(required) if m not in params]
        if missing:
            raise UsageError(
                f"{parser.prog}: error: the following arguments are required: " + ", ".join(missing)
            )
    return line


def _positive(option: str, raw: str) -> int:
    try:
        number = int(raw)
    except ValueError:
        raise UsageError(f"argument {option}: invalid int value: '{raw}'") from None
    return number


def _cli_input(ns: dict[str, Any]) -> dict[str, Any]:
    text_json, text_yaml = ns.get("cli:input-json"), ns.get("cli:input-yaml")
    if text_json is not None and text_yaml is not None:
        raise UsageError("Only one --cli-input-* parameter may be specified.")
    if text_json is None and text_yaml is None:
        return {}
    if text_json is not None:
        loaded = values.load_file("--cli-input-json", text_json)
        text = loaded.decode("utf-8", "replace") if isinstance(loaded, bytes) else loaded
        data = values.bounded_json("--cli-input-json", text)
        option = "--cli-input-json"
    else:
        loaded = values.load_file("--cli-input-yaml", text_yaml)
        text = loaded.decode("utf-8", "replace") if isinstance(loaded, bytes) else loaded
        data = _yaml("--cli-input-yaml", text)
        option = "--cli-input-yaml"
    if not isinstance(data, dict):
        raise UsageError(f"Invalid type for {option}: the document must be an object")
    return dict(data)


def _yaml(option: str, text: str) -> Any:
    import yaml

    if len(text) > jsontext.MAX_CHARS:
        raise UsageError(f"Error parsing parameter '{option}': larger than {jsontext.MAX_CHARS}")
    try:
        data = yaml.safe_load(text)
    except (yaml.YAMLError, RecursionError) as exc:
        raise UsageError(f"Error parsing parameter '{option}': Invalid YAML: {exc}") from None
    if values.depth(data) > jsontext.MAX_DEPTH:
        raise UsageError(
            f"Error parsing parameter '{option}': nested deeper than {jsontext.MAX_DEPTH}"
        )
    return data


def validate(operation: Any, params: dict[str, Any]) -> None:
    """botocore's client-side checks (types, required members, minimum lengths and values), as
    the CLI runs them before sending: ``Parameter validation failed:`` and exit 252."""
    from botocore.validate import ParamValidator

    if operation.input_shape is None:
        return
    report = ParamValidator().validate(params, operation.input_shape)
    if report.has_errors():
        raise UsageError(f"Parameter validation failed:\n{report.generate_report()}")
