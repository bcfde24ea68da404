"""iamdesk: an offline model of AWS IAM accounts, with a desktop app, a CLI and an evaluator."""

from importlib.metadata import PackageNotFoundError, version

try:
    # One version, pyproject.toml's, read from the installed package's metadata.
    __version__ = version("iamdesk")
except PackageNotFoundError:  # a source tree on PYTHONPATH that was never installed
    __version__ = "0+unknown"
