"""HTTP edge: the FastAPI app factory, dependencies, error mapping and routes."""
