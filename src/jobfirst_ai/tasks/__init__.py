"""Durable tasks: rows in the database, run by a bounded pool of in-process workers."""
