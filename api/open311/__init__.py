"""The read-only Open311 GeoReport v2 view: categories as services, needs as requests."""
