"""Several processes running ``iamdesk iam`` write commands on the same entities at once, on both
backends: no update is lost and no command acts on data another changed meanwhile.

A CLI command reads and writes in one transaction that holds the model's write lock from its
first statement (SQLite's BEGIN IMMEDIATE, the server's counter row), so "stale" can only mean a
concurrent writer, and concurrent writers take turns. The change log proves it: for one entity,
every entry's ``before`` is exactly the previous entry's ``after``.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

from sqlalchemy import select

from iamdesk.cli.main import main
from iamdesk.store.db import new_database, open_database
from iamdesk.store.tables import ChangeLogEntry

PROCESSES = 4
ROUNDS = 5
DOCUMENT = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
    }
)

# Each writer runs the CLI's own entry point once per command (each call parses its command line,
# opens the model and closes it, as a separate `iamdesk` run does): per round it tags the shared
# user and the shared policy with a key of its own and adds an inline policy to the shared role;
# at the end it removes its first tag from the user again.
WRITER = """
import sys
from iamdesk.cli.main import main

target, worker, rounds, arn, document = sys.argv[1:6]
worker, rounds = int(worker), int(rounds)
for n in range(rounds):
    for words in (
        ["tag-user", "--user-name", "shared", "--tags", f"Key=w{worker}-{n},Value={n}"],
        ["tag-policy", "--policy-arn", arn, "--tags", f"Key=w{worker}-{n},Value={n}"],
        ["put-role-policy", "--role-name", "shared", "--policy-name", f"w{worker}-{n}",
         "--policy-document", document],
    ):
        code = main(["--db", target, "iam", *words])
        if code:
            sys.exit(f"{words[0]} exited {code}")
code = main(["--db", target, "iam", "untag-user", "--user-name", "shared",
             "--tag-keys", f"w{worker}-0"])
sys.exit(code)
"""


def _cli(target: str, capsys, *words: str) -> dict:
    capsys.readouterr()
    assert main(["--db", target, "iam", *words]) == 0
    out = capsys.readouterr().out
    return json.loads(out) if out.strip() else {}


def test_cli_writers_in_several_processes_lose_no_update(model_place: Path | str, capsys) -> None:
    if isinstance(model_place, Path):
        target = str(model_place / "model.sqlite")
        new_database(target).close()
    else:
        target = model_place
    trust = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "ec2.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )
    _cli(target, capsys, "create-user", "--user-name", "shared")
    _cli(
        target,
        capsys,
        "create-role",
        "--role-name",
        "shared",
        "--assume-role-policy-document",
        trust,
    )
    made = _cli(
        target, capsys, "create-policy", "--policy-name", "shared", "--policy-document", DOCUMENT
    )
    arn = made["Policy"]["Arn"]

    root = Path(__file__).resolve().parents[2]
    running = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, target, str(i), str(ROUNDS), arn, DOCUMENT],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            cwd=root,
        )
        for i in range(PROCESSES)
    ]
    for process in running:
        _, err = process.communicate(timeout=300)  # a deadlock would end the test here
        assert process.returncode == 0, err

    every = {f"w{i}-{n}" for i in range(PROCESSES) for n in range(ROUNDS)}
    first = {f"w{i}-0" for i in range(PROCESSES)}
    assert _tag_keys(target, capsys, "list-user-tags", "--user-name", "shared") == every - first
    assert _tag_keys(target, capsys, "list-policy-tags", "--policy-arn", arn) == every
    names = _cli(target, capsys, "list-role-policies", "--role-name", "shared")["PolicyNames"]
    assert set(names) == every

    with open_database(target, create=False) as db, db.read() as session:
        entries = session.execute(
            select(ChangeLogEntry.operation, ChangeLogEntry.before, ChangeLogEntry.after)
            .where(ChangeLogEntry.entity_name.in_(["shared", arn]))
            .order_by(ChangeLogEntry.pk)
        ).all()
    counts = Counter(operation for operation, _, _ in entries)
    writes = PROCESSES * ROUNDS
    assert counts["TagUser"] == counts["TagPolicy"] == counts["PutRolePolicy"] == writes
    assert counts["UntagUser"] == PROCESSES
    # Each command read what the one before it wrote: the user's tag history is one chain.
    user_tags = [
        (json.loads(before), json.loads(after))
        for operation, before, after in entries
        if operation in ("TagUser", "UntagUser")
    ]
    for (_, previous_after), (before, _) in itertools.pairwise(user_tags):
        assert before == previous_after


def _tag_keys(target: str, capsys, *words: str) -> set[str]:
    return {tag["Key"] for tag in _cli(target, capsys, *words)["Tags"]}
