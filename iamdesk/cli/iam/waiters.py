"""``iamdesk iam wait user-exists|role-exists|policy-exists|instance-profile-exists``: the AWS
CLI's waiters, read from botocore's waiter model for IAM (``waiters-2``).

Each waiter runs its operation (``get-user`` for ``user-exists``) with the options given, every
``delay`` seconds, at most ``maxAttempts`` times, and applies the model's acceptors: HTTP 200
(the entity exists) is success, ``NoSuchEntity`` (HTTP 404) means try again. The model is a
file other processes (or the app) may write meanwhile, so waiting is real. As the AWS CLI does:
success prints nothing and exits 0; running out of attempts prints ``Waiter UserExists failed:
Max attempts exceeded`` and exits 255; any other error stops the waiter at once (exit 255).
"""

from __future__ import annotations

import contextlib
import io
import re
import sys
import time
from typing import Any

from iamdesk.cli.awsargs import UsageError, print_usage_error
from iamdesk.cli.frontend import model
from iamdesk.cli.options import GlobalOptions
from iamdesk.services.errors import HTTP_STATUS

EXIT_FAILED = 255
_ERROR = re.compile(r"An error occurred \(([A-Za-z.]+)\)")
sleep = time.sleep  # tests replace it to wait without waiting


def waiter_models() -> dict[str, Any]:
    data: dict[str, Any] = model._loader().load_service_model("iam", "waiters-2")
    return dict(data.get("waiters", {}))


def _usage(waiters: dict[str, Any]) -> int:
    names = ", ".join(sorted(model.cli_name(n) for n in waiters))
    return print_usage_error(
        UsageError(
            f"iamdesk iam wait: error: argument waiter: Invalid choice, valid choices are: {names}"
        )
    )


def _matches(acceptor: dict[str, Any], code: int, error: str | None) -> bool:
    if acceptor.get("matcher") == "status":
        status = 200 if code == 0 else HTTP_STATUS.get(error or "", 400)
        return bool(status == acceptor.get("expected"))
    if acceptor.get("matcher") == "error":
        return error is not None and error == acceptor.get("expected")
    return False


def run(argv: list[str], options: GlobalOptions) -> int:
    from iamdesk.cli import iam

    waiters = waiter_models()
    by_cli = {model.cli_name(name): name for name in waiters}
    if not argv or argv[0] not in by_cli:
        return _usage(waiters)
    name = by_cli[argv[0]]
    config = waiters[name]
    command = model.cli_name(config["operation"])
    for attempt in range(1, int(config.get("maxAttempts", 20)) + 1):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = iam.run([command, *argv[1:]], options)
        if code == 252:  # a bad command line: say so, as the CLI does, and stop
            sys.stderr.write(err.getvalue())
            return code
        found = _ERROR.search(err.getvalue())
        error = found.group(1) if found else None
        state = next(
            (a["state"] for a in config.get("acceptors", []) if _matches(a, code, error)), None
        )
        if state == "success":
            return 0
        if state != "retry":
            message = err.getvalue().strip().splitlines()[-1] if err.getvalue().strip() else ""
            sys.stderr.write(
                f"\nWaiter {name} failed: Waiter encountered a terminal failure state: {message}\n"
            )
            return EXIT_FAILED
        if attempt < int(config.get("maxAttempts", 20)):
            sleep(float(config.get("delay", 1)))
    sys.stderr.write(f"\nWaiter {name} failed: Max attempts exceeded\n")
    return EXIT_FAILED
