"""Exports: the comments a search filter selects, as CSV, XLSX or JSONL in S3, behind a presigned URL.

Modules: `schemas` (the request, which is also the job payload), `view` (what the API shows),
`columns` (what each column holds), `rows` (the keyset walk over matching comments, enriched a batch
at a time), `writers` (one streaming writer per format), `ports` (what the export needs from object
storage), `task` (the low-priority `export` job), `service` (create and read exports for the API).
"""
