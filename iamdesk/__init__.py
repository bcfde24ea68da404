"""iamdesk: an offline model of AWS IAM accounts, with a desktop app, a CLI and an evaluator."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    # ``__version__`` is read from the installed package's metadata only when asked for:
    # importlib.metadata costs every command ~30 ms of start-up, and few print the version.
    if name != "__version__":
        raise AttributeError(f"module 'iamdesk' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        # One version, pyproject.toml's.
        found = version("iamdesk")
    except PackageNotFoundError:  # a source tree on PYTHONPATH that was never installed
        found = "0+unknown"
    globals()["__version__"] = found
    return found
