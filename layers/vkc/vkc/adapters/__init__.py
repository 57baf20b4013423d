"""Edges to the outside world (SQS, Redis, S3, HTTP), each behind a small interface."""
