"""The knowledge room's tables (SQLAlchemy Core), on the shared ``storage.tables.metadata``.

``kb_answers`` holds the approved answers (one row per answer id, its current version; every change
is journaled with the old version's fields), ``kb_facts`` the dated facts answers quote
(``{fait:taux_livret_a}``): a fact past ``valid_until`` blocks the answers that use it. Migration
0005 creates them. Imported by ``storage.schema`` so that the schema is complete for migrations and
drift checks. Imports SQLAlchemy and ``storage.tables`` only.
"""
from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Date, Integer, String, Table, Text

from veilleur.storage.tables import UtcTime, metadata

kb_answers = Table(
    "kb_answers", metadata,
    Column("id", String(100), primary_key=True),  # a slug: "carte-opposition"
    Column("language", String(8), nullable=False),
    Column("title", Text, nullable=False),
    Column("questions", JSON, nullable=False),  # the phrasings of the questions it answers
    Column("body", Text, nullable=False),  # with {variables} and {fait:key} references
    Column("topics", JSON, nullable=False),
    Column("approved_by", String(200), nullable=False),
    Column("approved_at", UtcTime, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", UtcTime, nullable=False),
)

kb_facts = Table(
    "kb_facts", metadata,
    Column("key", String(100), primary_key=True),  # "taux_livret_a"
    Column("value", Text, nullable=False),
    Column("unit", String(32)),
    Column("effective_from", Date, nullable=False),
    Column("valid_until", Date),  # None: valid until someone changes it
    Column("source", Text, nullable=False),
    Column("example", Boolean, nullable=False),  # an example value (the demo's), not the bank's own
    Column("version", Integer, nullable=False),
    Column("updated_at", UtcTime, nullable=False),
    Column("updated_by", String(200), nullable=False),
)
