"""The Analysis view: account-wide questions (who can, what can, external access, unused
access, policy generation, escalation paths, best practices, policy validation) and the access
graph, each in a tab, answered by ``iamdesk.analysis`` off the GUI thread."""

from iamdesk.ui.views.analysis.view import AnalysisView

__all__ = ["AnalysisView"]
