"""Webhook alerts: a workspace subscribes an URL to new keyword matches; deliveries are signed, retried, logged.

Modules: `urls` (what a subscriber may point at), `signing` (the HMAC contract receivers verify),
`schemas` (API shapes and the event body), `service` (subscriptions and their secrets), `alerts` (turning
stored matches into events on the queue), `sender` (one signed HTTP attempt), `delivery` (rounds of
attempts, the log, the task handler).
"""
