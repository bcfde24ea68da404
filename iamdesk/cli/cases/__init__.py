"""Batch cases (``iamdesk simulate --cases``): reading a line, and building what it asks."""
