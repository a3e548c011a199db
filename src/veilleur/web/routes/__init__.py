"""One module of API routes per room."""
