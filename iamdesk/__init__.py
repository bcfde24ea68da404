"""iamdesk: an offline model of AWS IAM accounts, with a desktop app, a CLI and an evaluator."""

__version__ = "0.1.0"
