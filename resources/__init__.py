"""Data shipped with iamdesk: the AWS managed policy catalog, icons, desktop files, NOTICE.md.

This folder is installed as the package ``iamdesk.resources`` (see pyproject.toml), so every
kind of install finds it the same way; read it through ``iamdesk.core.packaged``.
"""
