"""三缘 feature branches: members join and leave them without changing their affiliation."""
