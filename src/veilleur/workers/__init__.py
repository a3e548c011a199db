"""Long-running loops that tie rooms together: ingest (collect → analyse → store), follow (inbox, watch, delivery)."""
