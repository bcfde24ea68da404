"""The names of the options that may come before a command, in one place for the two readers of
a command line: ``globals`` and ``cli.main``, which parse it, and the console script
(``iamdesk.launch.client``), which only looks at it to decide where the command runs and so
must not import anything heavier than this module (no imports at all).
"""

# The AWS CLI's global options that take a value ...
AWS_WITH_VALUE = frozenset(
    {
        "--output",
        "--query",
        "--region",
        "--profile",
        "--endpoint-url",
        "--color",
        "--ca-bundle",
        "--cli-read-timeout",
        "--cli-connect-timeout",
        "--cli-binary-format",
    }
)
# ... and those that are flags.
AWS_FLAGS = frozenset(
    {
        "--debug",
        "--no-paginate",
        "--no-cli-pager",
        "--no-verify-ssl",
        "--no-sign-request",
        "--cli-auto-prompt",
        "--no-cli-auto-prompt",
    }
)
# iamdesk's own options before the command that take a value.
IAMDESK_WITH_VALUE = frozenset({"--db", "--account-id", "--screenshot", "--view", "--appearance"})
# ``iamdesk FILE`` opens the app on a model file: what the desktop entry's ``Exec=iamdesk %f``
# runs when a model is double-clicked.
MODEL_SUFFIXES = frozenset({".iamdesk", ".sqlite", ".sqlite3", ".db"})
