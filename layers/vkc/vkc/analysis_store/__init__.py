"""Applying the analysis engine to stored comments: the analyze task, re-analysis, preview.

``vkc.analysis`` is pure (text in, results out); this package owns everything around it that touches
the database or the queues: which rules a workspace has (and their version), writing scores and
matches idempotently, the detached ``analyze.comments`` task, the ``reanalyze`` job and the
``ON_NEW_MATCHES`` hook for alerting.
"""
