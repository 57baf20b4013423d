"""Exports: the comments a search filter selects, as CSV, XLSX or JSONL in S3, behind a presigned URL.

Modules: `schemas` (the request, which is also the job payload), `view` (what the API shows),
`columns` (what each column holds), `rows` (the keyset walk over matching comments, enriched a batch
at a time), `writers` (one streaming writer per format), `xlsx` and `zipstream` (the XLSX as a zip
written front to back, resumable in another process), `checkpoint` (how far an export got, the source
of truth across runs), `task` (the low-priority `export` job and its `exports.continue` runs),
`service` (create and read exports for the API).
"""
