"""Use cases: the only place that combines the domain core with the database."""
