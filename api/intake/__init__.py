"""Requests 诉求 from residents and grid workers: public intake, tracking, the secretary's queue."""
