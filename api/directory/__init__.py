"""Directory reads for the loop's pages: orgs and their tree, units, members (personal data masked)."""
