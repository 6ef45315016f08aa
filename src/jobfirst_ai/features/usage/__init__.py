"""Usage: the batch writer of metered model calls, and the usage report (API and CLI)."""
