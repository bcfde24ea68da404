"""``iamdesk simulate --cases FILE.jsonl|-``: evaluate self-contained cases (DESIGN.md §5).

One JSON result per input case, in order; a case denied only because its context lacks keys
the policies test also gets ``allowed_if``: the alternatives (each a list of key, operator and
values) under which it would be allowed; a request resource with wildcards (other than a lone
``*``) also gets ``pattern``: allowed for "all", "some" or "none" of the resources it names,
with the statements that allow and deny within it. Blank lines and ``//`` lines are skipped; a
case that cannot be read yields a result with ``error`` set and the batch goes on. Policies are
compiled once per distinct text (a batch usually reuses a few policies across many requests),
and the evaluator runs without building its trace.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import sys
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from iamdesk.cli.cases.builder import build_case, build_plain
from iamdesk.cli.cases.reader import CaseError, PolicyCache, read_plain
from iamdesk.cli.options import GlobalOptions
from iamdesk.core import jsontext
from iamdesk.core.evaluator import (
    ALLOWED,
    PolicySet,
    Request,
    allowed_if,
    decide,
    evaluate_pattern,
)
from iamdesk.core.evaluator.compiled import CompiledStatement
from iamdesk.core.text import quoted

logger = logging.getLogger(__name__)

# A statement placed in a case: the statement, its policy's label and name.
_Placed = tuple[CompiledStatement, str, "str | None"]


def evaluate_line(line: str, cache: PolicyCache) -> dict[str, Any]:
    """One case line -> its result object (DESIGN.md §5)."""
    result: dict[str, Any] = json.loads(result_line(line, cache))
    return result


def result_line(line: str, cache: PolicyCache) -> str:
    """One case line -> its result, already as a JSON line (formatted by hand: this is the
    batch's inner loop)."""
    built = _read_plain(line, cache) if cache.fast else None
    case_id: Any = None
    try:
        if built is None:
            case = jsontext.loads(line)
            if isinstance(case, dict):
                case_id = case.get("id")
            request, policy_set = build_case(case, cache)
        else:
            case_id, request, policy_set = built
        word, hits, env = decide(request, policy_set)
    except jsontext.NotJsonValueError as exc:
        return _error(_id_despite(line), f"invalid JSON: {exc}")
    except json.JSONDecodeError as exc:
        return _error(case_id, f"invalid JSON: {exc}")
    except CaseError as exc:
        return _error(case_id, str(exc))
    except (TypeError, ValueError, AttributeError) as exc:  # malformed field shapes
        logger.debug("case %r failed", case_id, exc_info=True)
        return _error(case_id, f"invalid case: {exc}")
    except Exception as exc:  # whatever one case does, the batch goes on to the next
        logger.debug("case %r failed unexpectedly", case_id, exc_info=True)
        return _error(case_id, f"cannot evaluate the case: {quoted(exc)}")
    fragments = cache.fragments
    parts = []
    for hit in hits:
        ref = hit[1]
        key = (hit[2], ref.label, ref.name)
        text = fragments.get(key)
        parts.append(_fragment(key, fragments) if text is None else text)
    extra = ""
    resource = request.resource
    if resource != "*" and ("*" in resource or "?" in resource):
        # A resource pattern: the answer for every resource it names, beside the literal one.
        extra = f', "pattern": {_dumps(evaluate_pattern(request, policy_set).to_json())}'
    if env.missing and word != ALLOWED:
        # Keys the request lacks stand in the way: say under which values it would be allowed.
        answers = allowed_if(request, policy_set)
        if answers:
            extra += f', "allowed_if": {_dumps([a.to_json() for a in answers])}'
    return (
        f'{{"id": {_dumps(case_id)}, "decision": "{word}", '
        f'"matched_statements": [{", ".join(parts)}], "error": null{extra}}}'
    )


def _fragment(key: _Placed, fragments: dict[_Placed, str]) -> str:
    """A deciding statement's part of a result line (as ``MatchedStatement`` has it), kept for
    the next result it is in: statements stay compiled while their policy does."""
    st, label, _ = key
    # Columns as AWS's MatchedStatements counts them: the start just after the statement's
    # opening brace (MatchedStatement.start_position), the end just after its closing brace.
    span = st.span
    text = (
        f'{{"policy": "{label}", "statement": {st.index}, '
        f'"sid": {_dumps(st.sid)}, '
        f'"start": {{"line": {span.start.line}, "column": {span.start.column + 1}}}, '
        f'"end": {{"line": {span.end.line}, "column": {span.end.column}}}}}'
    )
    if len(fragments) >= 8192:
        fragments.clear()
    fragments[key] = text  # (the key holds the statement, so no other takes its place)
    return text


def _read_plain(line: str, cache: PolicyCache) -> tuple[Any, Request, PolicySet] | None:
    """The case's id, request and policies read the fast way (``cli.cases``); None when the
    line must be read the careful way, which then gives its result or names its error."""
    case = read_plain(line, cache)
    if case is None:
        return None
    try:
        request, policy_set = build_plain(case, cache)
    except Exception:  # NotPlain, or a case in error: the careful way says which
        return None
    return case.id, request, policy_set


def _dumps(value: Any) -> str:
    """``json.dumps(value)``, quicker for the plain strings ids and Sids usually are."""
    if (
        type(value) is str
        and value.isascii()
        and value.isprintable()
        and '"' not in value
        and "\\" not in value
    ):
        return f'"{value}"'
    return json.dumps(value)


def _id_despite(line: str) -> Any:
    """The case's id from a line refused only for holding NaN or Infinity (so the result still
    names its case); None if the id itself is such a value."""
    case = json.loads(line, parse_constant=lambda _name: None, parse_float=lambda _d: None)
    found = case.get("id") if isinstance(case, dict) else None
    return found if isinstance(found, (str, int)) else None


def _error(case_id: Any, message: str) -> str:
    # case_id came from json.loads, so it always serialises.
    return json.dumps({"id": case_id, "decision": None, "matched_statements": [], "error": message})


def _cases(lines: Iterable[str | bytes]) -> Iterator[str | UnicodeDecodeError]:
    """The case lines to evaluate; a line of bytes that is not UTF-8 comes out as its error."""
    for line in lines:
        if isinstance(line, bytes):
            try:
                line = line.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield exc
                continue
        # A file saved with a byte-order mark starts its first line with U+FEFF.
        stripped = line.strip().lstrip("\ufeff")
        if stripped and not stripped.startswith("//"):
            yield stripped


def run_stream(lines: Iterable[str | bytes], out: TextIO) -> int:
    """Evaluate every case line of ``lines`` (text, or bytes read from a file) and write one
    result line each to ``out``; returns the number of results."""
    return run_batches(_batches(lines), out)


def _batches(lines: Iterable[str | bytes], size: int = 1000) -> Iterator[list[str | bytes]]:
    batch: list[str | bytes] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def read_available(fd: int, size: int = 1 << 20) -> Iterator[list[bytes]]:
    """The lines of ``fd`` in the groups they arrive in: each group is what one read returned
    (a pipe hands over what has been written so far, a file up to ``size`` bytes), so a reader
    that writes one case and waits gets its answer at once, while a file or a fast pipe is read
    in large groups."""
    pending: list[bytes] = []  # the pieces of a line not yet ended (joined once it ends)
    while True:
        chunk = os.read(fd, size)
        if not chunk:
            break
        if b"\n" not in chunk:
            pending.append(chunk)  # a long line: never copied piece by piece
            continue
        parts = chunk.split(b"\n")
        if pending:
            parts[0] = b"".join([*pending, parts[0]])
            pending = []
        tail = parts.pop()
        if tail:
            pending.append(tail)
        yield parts
    if pending:
        yield [b"".join(pending)]


def run_batches(batches: Iterable[Iterable[str | bytes]], out: TextIO) -> int:
    """Evaluate groups of case lines, writing and flushing each group's results before reading
    the next group (``read_available`` groups lines as they arrive)."""
    # A batch allocates millions of short-lived, acyclic JSON objects; frequent young-generation
    # collections cost more than they free, so collect rarely while the batch runs.
    saved = gc.get_threshold()
    gc.set_threshold(200_000, 50, 100)
    try:
        return _run_batches(batches, out)
    finally:
        gc.set_threshold(*saved)


def _run_batches(batches: Iterable[Iterable[str | bytes]], out: TextIO) -> int:
    cache = PolicyCache()
    count = 0
    for batch in batches:
        buffer: list[str] = []
        for line in _cases(batch):
            if isinstance(line, str):
                buffer.append(result_line(line, cache))
            else:
                buffer.append(_error(None, f"invalid UTF-8 at byte {line.start} of the line"))
            count += 1
            if len(buffer) >= 1000:
                out.write("\n".join(buffer) + "\n")
                buffer.clear()
        if buffer:
            out.write("\n".join(buffer) + "\n")
        out.flush()
    out.flush()
    return count


def run(argv: list[str], options: GlobalOptions) -> int:
    parser = argparse.ArgumentParser(
        prog="iamdesk simulate", description="Evaluate a batch of JSON Lines cases."
    )
    parser.add_argument("--cases", required=True, help="JSON Lines file of cases, or - for stdin")
    args = parser.parse_args(argv)
    # Read bytes and decode line by line, so one line that is not UTF-8 is reported as that
    # line's error instead of stopping the batch.
    if args.cases == "-":
        return _run_to_stdout(sys.stdin.buffer.fileno())
    try:
        handle = open(args.cases, "rb")  # noqa: SIM115 (closed below)
    except OSError as exc:
        print(f"iamdesk simulate: cannot read {args.cases}: {exc.strerror}", file=sys.stderr)
        return 2
    with handle:
        return _run_to_stdout(handle.fileno())


def _run_to_stdout(fd: int) -> int:
    try:
        run_batches(read_available(fd), sys.stdout)
    except BrokenPipeError:
        # The reader went away (``| head``): stop quietly, as a Unix filter does, and keep the
        # interpreter from complaining when it flushes stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except OSError as exc:
        print(f"iamdesk simulate: cannot read or write: {exc.strerror}", file=sys.stderr)
        return 2
    return 0
