"""lianjian's product logic: services, matching, analytics and the graph store."""
