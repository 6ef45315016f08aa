"""Command line: `jobfirst-ai serve | analyze | db upgrade`."""
