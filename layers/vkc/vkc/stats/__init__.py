"""Statistics over stored comments: totals, breakdowns, timelines, authors, lemmas, sentiment.

Counted by SQL from the stored rows when asked (nothing cached, nothing invented: predecessor
defect 1), workspace-scoped, each with a bounded window or limit.
"""
