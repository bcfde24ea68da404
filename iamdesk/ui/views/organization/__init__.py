"""The Organization view (``view``) and what it changes: OUs, accounts, SCPs and RCPs
(``actions``)."""

from iamdesk.ui.views.organization.view import OrganizationView

__all__ = ["OrganizationView"]
