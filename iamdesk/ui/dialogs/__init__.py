"""Dialogs: create, attach, credentials, confirmation."""
