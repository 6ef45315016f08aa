"""Product features: each composes the engine (and, later, models) and the database."""
