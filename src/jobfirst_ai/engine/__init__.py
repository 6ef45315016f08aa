"""The built-in offline engine: pure functions over resume text (no I/O, no HTTP, no models)."""
