"""Stored comments as users see them: filters, keyset search, detail and moderation.

`filters.CommentFilters` + `query.select_comments` / `query.iter_comment_batches` are the one way to
select comments; search, bulk moderation, statistics and exports all go through them.
"""
