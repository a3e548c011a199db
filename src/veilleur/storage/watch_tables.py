"""The watch room's tables (SQLAlchemy Core), on the shared ``storage.tables.metadata``.

Imported by ``storage.schema`` so that the schema is complete for migrations and drift checks.
Imports SQLAlchemy and ``storage.tables`` only.
"""
from __future__ import annotations

from veilleur.storage.tables import metadata  # noqa: F401  (tables of this room are added below)
