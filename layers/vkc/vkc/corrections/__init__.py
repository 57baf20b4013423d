"""Analyst corrections of a comment's sentiment, spam and profanity labels, and how the model fares.

A correction overrides the model's label for good (re-analysis never writes over it), is audited
(who and when, history kept) and feeds the quality report: the model's label against the analysts'
on their own comments.
"""
