"""Keyword rules of a workspace: CRUD, bulk upload, and the re-analysis each change triggers.

The rules are validated by the analysis engine's ``KeywordRule`` (one definition of what a valid rule
is); applying them to stored comments lives in ``vkc.analysis_store``.
"""
