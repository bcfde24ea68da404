"""Prints the policy editor's and the test-access panel's interactive figures.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python tests/benchmarks/bench_editor.py
Targets (issue 5): a keystroke on a 6,000-character policy is highlighted and validated in
≤ 50 ms; 10 actions × 10 resources show their results in ≤ 200 ms; completion pops up in
≤ 50 ms. Issue 10: a paste of 30 KB, 107 KB, 307 KB or 2 MB gives the window back (the paste
handled, the next keystroke typed) in ≤ 200 ms, and its findings arrive from the background.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:List*", "ec2:Describe*", "iam:GetRole"]


def policy(target_chars: int) -> str:
    """A realistic identity policy of at least ``target_chars`` characters, pretty-printed."""
    statements: list[dict[str, object]] = []
    i = 0
    while True:
        statements.append(
            {
                "Sid": f"Stmt{i}",
                "Effect": "Allow" if i % 3 else "Deny",
                "Action": ACTIONS[: 2 + i % 4],
                "Resource": [f"arn:aws:s3:::bucket-{i}/*", f"arn:aws:s3:::bucket-{i}"],
                "Condition": {
                    "StringEquals": {"aws:PrincipalTag/team": f"team-{i}"},
                    "IpAddress": {"aws:SourceIp": "203.0.113.0/24"},
                },
            }
        )
        text = json.dumps({"Version": "2012-10-17", "Statement": statements}, indent=4)
        if len(text) >= target_chars:
            return text
        i += 1


def _figures(samples: list[float]) -> str:
    samples = sorted(samples)
    p95 = samples[int(len(samples) * 0.95) - 1]
    median = statistics.median(samples)
    return f"median {median:6.1f} ms   p95 {p95:6.1f} ms   max {samples[-1]:6.1f} ms"


def keystrokes(app: QApplication) -> None:
    from iamdesk.ui.editor import PolicyEditor

    text = policy(6000)
    editor = PolicyEditor(text=text)
    editor.resize(1000, 700)
    editor.show()
    app.processEvents()
    samples = []
    block = editor.code.document().findBlockByNumber(20)
    for i in range(60):
        cursor = QTextCursor(block)
        cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock)
        editor.code.setTextCursor(cursor)
        started = time.perf_counter()
        # A real keystroke (highlighting of the edited block happens inside), then the check
        # the debounce timer would run, then the repaint.
        QTest.keyClick(editor.code, Qt.Key.Key_Space if i % 2 == 0 else Qt.Key.Key_Backspace)
        editor.validate_now()
        app.processEvents()
        samples.append((time.perf_counter() - started) * 1000)
    print(f"keystroke on a {len(text):,}-character policy (type + highlight + validate + paint):")
    print(f"    {_figures(samples)}   target ≤ 50 ms")


def completion(app: QApplication) -> None:
    from iamdesk.ui.editor import PolicyEditor

    head = '{\n    "Version": "2012-10-17",\n    "Statement": [{\n        "Action": ['
    editor = PolicyEditor(text=head)
    editor.resize(800, 500)
    editor.show()
    app.processEvents()
    samples = []
    for prefix in ('"s3:Get', '"ec2:Describe', '"iam:Pass', '"kms:De', '"lambda:Inv') * 6:
        editor.code.setPlainText(head)
        editor.code.moveCursor(QTextCursor.MoveOperation.End)
        QTest.keyClicks(editor.code, prefix[:-1])
        started = time.perf_counter()
        QTest.keyClicks(editor.code, prefix[-1])
        app.processEvents()
        assert editor.assist.completer.popup().isVisible(), prefix
        samples.append((time.perf_counter() - started) * 1000)
    print("completion popup after a keystroke in Action:")
    print(f"    {_figures(samples)}   target ≤ 50 ms")


def results(app: QApplication) -> None:
    from iamdesk.services.demo import write_demo
    from iamdesk.services.resources import list_resources
    from iamdesk.store.db import open_database
    from iamdesk.ui.context import AppContext
    from iamdesk.ui.test_access import TestAccessPanel

    with tempfile.TemporaryDirectory() as folder:
        path = write_demo(Path(folder) / "demo.sqlite")
        db = open_database(path)
        context = AppContext(db, db.default_account_id(), path)
        panel = TestAccessPanel(context)
        panel.resize(1500, 950)
        panel.show()
        app.processEvents()
        resources = [*[r["Arn"] for r in list_resources(db)][:9], "*"]
        resources += [f"arn:aws:s3:::extra-{i}/data" for i in range(10 - len(resources))]
        actions = [
            "s3:GetObject",
            "s3:PutObject",
            "s3:ListBucket",
            "ec2:RunInstances",
            "iam:CreateUser",
            "kms:Decrypt",
            "lambda:InvokeFunction",
            "sqs:SendMessage",
            "sns:Publish",
            "dynamodb:GetItem",
        ]
        panel.set_request(f"arn:aws:iam::{db.default_account_id()}:user/bob", actions, resources)
        panel.context_table.apply_preset("Requested region")
        samples = []
        for _ in range(10):
            started = time.perf_counter()
            rows = panel.run()
            app.processEvents()
            samples.append((time.perf_counter() - started) * 1000)
            assert len(rows) == 100, len(rows)
        print("10 actions × 10 resources, run to results shown (first row's details included):")
        print(f"    {_figures(samples)}   target ≤ 200 ms")
        db.close()


def pastes(app: QApplication) -> None:
    """Ctrl+V of a large policy into an empty editor: how long until the window takes input
    again (paste handled, then a keystroke typed and painted), and until the findings show.
    A paste over ``PASTE_ASK_CHARS`` asks first: the figure is then the time to the question,
    and "anyway" the insertion the user chose to wait for."""
    from iamdesk.ui.editor import PolicyEditor
    from iamdesk.ui.editor.code_view import PASTE_ASK_CHARS

    print(f"paste into an empty editor (Ctrl+V), then type a key (asks over {PASTE_ASK_CHARS:,}):")
    for size in (30_000, 107_000, 307_000, 2_170_000):
        text = policy(size)
        editor = PolicyEditor()
        editor.resize(1000, 700)
        editor.show()
        app.processEvents()
        app.clipboard().setText(text)
        editor.code.setFocus()
        started = time.perf_counter()
        QTest.keyClick(editor.code, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
        app.processEvents()
        pasted = time.perf_counter()
        box = next(
            (
                w
                for w in app.topLevelWidgets()
                if w.objectName() == "largePasteBox" and w.isVisible()
            ),
            None,
        )
        anyway = ""
        if box is not None:
            asked = 1000 * (pasted - started)
            yes = next(b for b in box.buttons() if b.objectName() == "confirmYesButton")
            chosen = time.perf_counter()
            yes.click()
            app.processEvents()
            waited = 1000 * (time.perf_counter() - chosen)
            anyway = f", asked in {asked:4.0f} ms; pasted anyway in {waited:5.0f} ms"
            started = time.perf_counter()
            pasted = started
        QTest.keyClick(editor.code, Qt.Key.Key_Space)
        app.processEvents()
        responsive = time.perf_counter()
        # The debounced check starts after 200 ms and runs in a worker; the GUI thread only
        # shows its answer.
        while editor.is_checking() and time.perf_counter() - started < 120:
            app.processEvents()
            time.sleep(0.002)
        checked = time.perf_counter()
        findings = editor.findings()
        print(
            f"    {len(text) / 1000:7,.0f} KB: paste {1000 * (pasted - started):6.0f} ms, "
            f"responsive {1000 * (responsive - started):6.0f} ms{anyway}, findings after "
            f"{1000 * (checked - started):6.0f} ms (check {editor.last_check_ms:5.0f} ms off "
            f"the GUI thread, {len(findings)} findings: {findings[0].code if findings else '-'})"
        )
        editor.close()
        editor.deleteLater()
        app.processEvents()
    print("    target: responsive ≤ 200 ms at every size")


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    pastes(app)
    keystrokes(app)
    completion(app)
    results(app)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
