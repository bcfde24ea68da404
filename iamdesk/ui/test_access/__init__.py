"""The test-access panel: run requests as a principal and see which statement decided."""

from iamdesk.ui.test_access.panel import TestAccessPanel

__all__ = ["TestAccessPanel"]
