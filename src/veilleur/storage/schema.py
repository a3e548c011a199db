"""The whole schema: ``storage.tables`` (posts, analyses, compliance) and each room's tables module.

Importing this module fills ``metadata`` with every table; migrations and the drift test use it.
Imports ``storage`` only.
"""
from __future__ import annotations

from veilleur.storage import (  # noqa: F401  (imported for their tables)
    access_tables,
    inbox_tables,
    knowledge_tables,
    notify_tables,
    watch_tables,
)
from veilleur.storage.tables import metadata

__all__ = ["metadata"]
