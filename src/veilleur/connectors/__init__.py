"""Connectors: one module per source behind the ``Connector`` protocol. Import ``core`` and ``errors`` only."""
