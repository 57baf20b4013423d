"""Comment analysis engine: keyword matching in every Russian word form, plus scores.

Pure domain code (no AWS, no DB). The analyze worker builds one ``Analyzer`` per rule set and calls
``analyze(text)`` per comment.
"""
