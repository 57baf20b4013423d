"""The 202 answer of every route that queues a job (jobs, collections …), in a module of its own:
a route module that answers 202 must not import the jobs routes (and the job catalogue with them)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from vkc.jobs.schemas import JobView


def accepted(view: JobView) -> Response[JobView]:
    """202 with the job and where to watch it."""
    return Response(
        status_code=202, content_type="application/json", body=view, headers={"Location": f"/v1/jobs/{view.id}"}
    )
