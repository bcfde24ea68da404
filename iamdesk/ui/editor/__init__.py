"""The policy editor: JSON editing with live validation, completion, Visual and Summary tabs."""

from iamdesk.ui.editor.policy_editor import PolicyEditor

__all__ = ["PolicyEditor"]
