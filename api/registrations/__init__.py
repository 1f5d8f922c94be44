"""双报到 registrations: a unit or member registers with a community, its secretary decides."""
