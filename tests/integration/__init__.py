"""Several real service processes against the real PostgreSQL and Redis."""
