"""Collection: walk walls, fetch every comment (threads included), store exactly once, keep cursors."""
