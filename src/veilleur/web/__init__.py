"""The REST API (FastAPI): the edge that turns HTTP into calls to the rooms."""
