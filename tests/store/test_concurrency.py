"""Several processes writing one model at once, on both backends: every write lands (no lost
update: a policy's version counter is read, incremented and written by each), none fails half-way,
and none hangs (each process must finish within the timeout)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from iamdesk.services import policies, users
from iamdesk.store.db import open_database
from iamdesk.store.tables import ChangeLogEntry, ManagedPolicy

PROCESSES = 4
ROUNDS = 6
POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
}

# Each writer: create a version of the shared policy (reads and bumps its next version number),
# delete it again (the five-version limit holds with every writer between the two), and create a
# user of its own; prints the version ids it was given.
WRITER = """
import json, sys
from iamdesk.services import policies, policy_versions, users
from iamdesk.store.db import open_database

target, worker, rounds, arn = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
document = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::b{worker}/*"}]}
given = []
with open_database(target, create=False, actor=f"writer{worker}") as db:
    for n in range(rounds):
        made = policy_versions.create_policy_version(db, None, arn, document)
        version = made["PolicyVersion"]["VersionId"]
        given.append(version)
        policy_versions.delete_policy_version(db, None, arn, version)
        users.create_user(db, None, f"w{worker}-{n}")
print(json.dumps(given))
"""


def test_writers_in_several_processes_lose_nothing(model_place: Path | str) -> None:
    target = model_place if isinstance(model_place, str) else str(model_place / "model.sqlite")
    with open_database(target) as db:
        arn = policies.create_policy(db, None, "shared", POLICY)["Policy"]["Arn"]
    root = Path(__file__).resolve().parents[2]
    running = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, target, str(i), str(ROUNDS), arn],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=root,
        )
        for i in range(PROCESSES)
    ]
    given: list[str] = []
    for process in running:
        out, err = process.communicate(timeout=180)  # a deadlock would end the test here
        assert process.returncode == 0, err
        given.extend(json.loads(out))
    total = PROCESSES * ROUNDS
    assert len(set(given)) == total  # no two writers were given the same version number
    with open_database(target) as db:
        with db.read() as session:
            next_version = session.execute(
                select(ManagedPolicy.next_version).where(ManagedPolicy.arn == arn)
            ).scalar_one()
            logged = session.execute(
                select(ChangeLogEntry.actor, func.count()).group_by(ChangeLogEntry.actor)
            ).all()
        assert next_version == 2 + total
        assert sorted(int(v[1:]) for v in given) == list(range(2, 2 + total))
        assert len(users.list_users(db, None, max_items=1000)["Users"]) == total
    per_writer = {actor: count for actor, count in logged if actor.startswith("writer")}
    assert per_writer == {f"writer{i}": 3 * ROUNDS for i in range(PROCESSES)}
