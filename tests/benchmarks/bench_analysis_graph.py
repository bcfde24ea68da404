"""Access graph figures of issue 9: a generated account of about 500 nodes (users in groups,
managed and inline policies, roles trusted by users, services and other accounts).

1. reading the graph from the model (``build_graph``, on the worker thread in the app);
2. filtering and laying it out;
3. first paint: from handing the graph to the view (items built) to the view painted on screen
   (target: <= 1 s for 500 nodes).

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python tests/benchmarks/bench_analysis_graph.py``
(optionally with the number of nodes).
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject

RUNS = 5


def _policy(action: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}],
        }
    )


def _trust(principal: dict[str, str]) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}],
        }
    )


def generate(path: Path, nodes: int) -> None:
    """About ``nodes`` nodes: 60 % users, 5 % groups, 20 % roles, 15 % policies."""
    from iamdesk.services import attachments, groups, inline_policies, policies, roles
    from iamdesk.services.users import create_user
    from iamdesk.store.db import open_database

    db = open_database(path)
    account = db.default_account_id()
    n_users, n_groups = int(nodes * 0.6), max(int(nodes * 0.05), 1)
    n_roles, n_policies = int(nodes * 0.2), int(nodes * 0.15)
    arns = [
        policies.create_policy(db, account, f"Policy{i:03}", _policy(f"s3:Get{i}*"))["Policy"][
            "Arn"
        ]
        for i in range(n_policies)
    ]
    for g in range(n_groups):
        groups.create_group(db, account, f"group{g:02}")
        attachments.attach_policy(db, account, "group", f"group{g:02}", arns[g % len(arns)])
    for u in range(n_users):
        name = f"user{u:04}"
        create_user(db, account, name)
        groups.add_user_to_group(db, account, f"group{u % n_groups:02}", name)
        if u % 5 == 0:
            attachments.attach_policy(db, account, "user", name, arns[(u * 7) % len(arns)])
        if u % 40 == 0:
            inline_policies.put_inline_policy(db, account, "user", name, "Extra", _policy("sqs:*"))
    for r in range(n_roles):
        if r % 3 == 0:
            principal = {"Service": "lambda.amazonaws.com"}
        elif r % 3 == 1:
            principal = {"AWS": f"arn:aws:iam::{account}:user/user{(r * 13) % n_users:04}"}
        else:
            principal = {"AWS": f"arn:aws:iam::{100000000000 + r % 7}:root"}
        roles.create_role(db, account, f"role{r:03}", _trust(principal))
        attachments.attach_policy(db, account, "role", f"role{r:03}", arns[(r * 3) % len(arns)])
    db.close()


class Watch(QObject):
    """Notes when the view's viewport first paints."""

    def __init__(self) -> None:
        super().__init__()
        self.painted: list[float] = []

    def eventFilter(self, _obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self.painted:
            self.painted.append(time.perf_counter())
        return False


def main() -> None:
    nodes = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    from PySide6.QtWidgets import QApplication

    from iamdesk.analysis.graph import build_graph
    from iamdesk.store.db import open_database
    from iamdesk.ui.views.analysis.graph.layout import layout
    from iamdesk.ui.views.analysis.graph.view import GraphView

    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "graph.sqlite"
        started = time.perf_counter()
        generate(path, nodes)
        print(f"generated the account in {time.perf_counter() - started:.1f} s")
        db = open_database(path)
        reads, lays, paints = [], [], []
        for _ in range(RUNS):
            t0 = time.perf_counter()
            graph = build_graph(db, escalation=False)
            t1 = time.perf_counter()
            shown = graph.filtered(accounts=[db.default_account_id()], limit=1500)
            placed = layout(shown)
            t2 = time.perf_counter()

            view = GraphView()
            view.resize(1400, 860)
            watch = Watch()
            painted = watch.painted
            view.viewport().installEventFilter(watch)
            t3 = time.perf_counter()
            view.show_graph(shown, placed)
            view.show()
            while not painted:
                app.processEvents()
            # The paint event arrives before the painting is done: wait for it to finish.
            app.processEvents()
            t4 = time.perf_counter()
            reads.append(t1 - t0)
            lays.append(t2 - t1)
            paints.append(t4 - t3)
            view.close()
            view.deleteLater()
            app.processEvents()
        print(f"graph: {len(shown.nodes)} nodes, {len(shown.edges)} edges")
        print(f"read from the model (build_graph): median {statistics.median(reads) * 1000:.0f} ms")
        print(f"filter + layout: median {statistics.median(lays) * 1000:.1f} ms")
        print(
            "first paint (items built + painted): "
            f"median {statistics.median(paints) * 1000:.0f} ms, "
            f"worst {max(paints) * 1000:.0f} ms (target <= 1000 ms)"
        )
        db.close()


if __name__ == "__main__":
    main()
