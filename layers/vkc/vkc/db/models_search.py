"""Indexes that make comment search a bounded index walk (declared here, created by migration 0006).

Each one leads with the scope every search has (workspace, or community) and continues with a
keyset order of `vkc.comments.keyset` exactly as the queries write it, so "the newest 20 that
match" reads about 20 index entries instead of sorting the workspace:

- date order over a workspace and over one community (the default sort, and date-range filters);
- date order over matched comments only (partial: the moderation queue and has_match searches
  touch ~a third of the rows);
- likes and match-count orders.

Full-text search uses the GIN index on `search_vector` (0003); keyword filters probe
`keyword_matches` by (comment_id, keyword_id, …) or walk (workspace_id, keyword_id, comment_id).
"""

from __future__ import annotations

from sqlalchemy import DateTime, Index, Integer, func, literal_column

from vkc.db.models_collection import Comment

# The same constants as vkc.comments.keyset (the planner matches index expressions structurally).
_NO_DATE = literal_column("'-infinity'::timestamptz", DateTime(timezone=True))
_DATE_KEY = func.coalesce(Comment.date, _NO_DATE)
_LIKES_KEY = func.coalesce(Comment.likes_count, literal_column("0", Integer))

SEARCH_INDEXES = (
    Index("ix_comments_search_ws_date", Comment.workspace_id, _DATE_KEY, Comment.id),
    Index("ix_comments_search_community_date", Comment.community_id, _DATE_KEY, Comment.id),
    Index(
        "ix_comments_search_ws_matched_date",
        Comment.workspace_id,
        _DATE_KEY,
        Comment.id,
        postgresql_where=Comment.match_count > 0,
    ),
    Index("ix_comments_search_ws_likes", Comment.workspace_id, _LIKES_KEY, Comment.id),
    Index("ix_comments_search_ws_match_count", Comment.workspace_id, Comment.match_count, Comment.id),
)
