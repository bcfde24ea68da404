"""File > Open Server Model…: a model shared on a PostgreSQL server.

The URL names the server and database (``postgresql://user@host/dbname``); the password, when the
server asks for one and neither ``~/.pgpass`` nor ``PGPASSWORD`` has it, is typed into its own
field: it goes to libpq only, never into the URL shown anywhere, the settings or the log. A failure
is shown in the dialog (without the password) and the current model stays open.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from iamdesk.store.location import is_server_url
from iamdesk.ui.theme import color_name


class ServerModelDialog(QDialog):
    """``exec()``; on acceptance ``database`` is the opened model."""

    def __init__(self, parent: QWidget | None = None, url: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("serverModelDialog")
        self.setWindowTitle("Open Server Model")
        self.database: Any = None
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Open a model that your team shares on a PostgreSQL server. An empty database becomes"
            " a new model. Leave the password empty to use <code>~/.pgpass</code> or"
            " <code>PGPASSWORD</code>."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.url = QLineEdit(url)
        self.url.setObjectName("serverUrl")
        self.url.setPlaceholderText("postgresql://user@host:5432/dbname")
        self.url.setMinimumWidth(380)
        form.addRow("Server &URL", self.url)
        self.password = QLineEdit()
        self.password.setObjectName("serverPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("&Password", self.password)
        layout.addLayout(form)
        self.error = QLabel()
        self.error.setObjectName("serverError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {color_name('error_fg')};")
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.setObjectName("serverButtons")
        buttons.accepted.connect(self.try_open)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def try_open(self) -> None:
        from iamdesk.store.db import StoreError, local_user
        from iamdesk.store.server import open_server

        url = self.url.text().strip()
        if not is_server_url(url):
            self.show_error("Give a URL that starts with postgresql://, e.g. "
                            "postgresql://alice@db.example.com/iam")  # fmt: skip
            return
        try:
            self.database = open_server(
                url, clock=_clock(), actor=local_user(), password=self.password.text() or None
            )
        except StoreError as exc:
            self.show_error(str(exc))
            self.password.clear()
            return
        except Exception as exc:  # a malformed URL: SQLAlchemy's parser says why
            self.show_error(f"Cannot use that URL: {type(exc).__name__}")
            return
        self.accept()


def _clock() -> Any:
    from iamdesk.store.db import utc_now

    return utc_now
