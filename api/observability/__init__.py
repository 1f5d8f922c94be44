"""Request ids, access lines and metrics for every request, and ``GET /metrics``."""
