"""Observability shared by the engine and the API: structured logs with a request id, and the
Prometheus metrics every layer records into (the API only exposes them)."""
