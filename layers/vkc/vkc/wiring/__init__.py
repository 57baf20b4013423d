"""The composition layer: where each process builds its dependencies and wires features together.

One place per process: `api` (the API function), `worker` (the parse and analyze workers), `scheduler`
(the scheduled tick). `catalogue` lists the job types, which handler serves each task, and `events`
who hears each domain event. Features never import this package; it imports them.
"""
