"""Claims 认领: claim a need with an offering (or dispatch one), read, list and withdraw."""
