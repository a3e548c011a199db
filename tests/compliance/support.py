"""Helpers of the storage-side compliance tests: a store with empty compliance tables, tampering,
analysed docs with personal data, and a grep over every column of every table."""
from __future__ import annotations

import base64
import os
import unicodedata
from contextlib import contextmanager

import orjson
from sqlalchemy import inspect, text

from veilleur.compliance.storage_settings import ComplianceStorageSettings
from veilleur.pipeline.bank import DetectBank
from veilleur.pipeline.normalize import Normalize
from veilleur.pipeline.pii import DetectPii
from veilleur.storage.sql import SqlStore

IBAN = "FR76 3000 6000 0112 3456 7890 189"
MASKED_IBAN = "FR76 •••• •••• •••• •••• •••• 189"


def new_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def open_store(database_url: str, **compliance) -> SqlStore:
    """A store with these compliance settings (tests/conftest.py empties every table between tests)."""
    return SqlStore(database_url, compliance=ComplianceStorageSettings(**compliance))


def analysed(*docs):
    Normalize().process(docs)
    DetectBank().process(docs)
    DetectPii().process(docs)
    return list(docs)


@contextmanager
def tampering(store: SqlStore):
    """A transaction in which the journal's append-only trigger is off, as for someone with DDL rights."""
    with store.engine.begin() as conn:
        if store.dialect == "sqlite":
            sql = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'journal_append_only'")).scalar_one()
            conn.execute(text("DROP TRIGGER journal_append_only"))
            yield conn
            conn.execute(text(sql))
        else:
            conn.execute(text("ALTER TABLE journal DISABLE TRIGGER journal_append_only"))
            yield conn
            conn.execute(text("ALTER TABLE journal ENABLE TRIGGER journal_append_only"))


def fold(value: str) -> str:
    decomposed = unicodedata.normalize("NFD", value.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def grep(store: SqlStore, needles: list[str]) -> list[tuple[str, str, str]]:
    """(table, column, needle) for every text, JSON or binary value holding a needle, in every table
    (SQLite's full-text shadow tables included), case- and accent-insensitively."""
    wanted = {fold(n) for n in needles if n} | {n.lower() for n in needles if n}
    found = []
    inspector = inspect(store.engine)
    with store.engine.connect() as conn:
        for table in inspector.get_table_names():
            columns = [c["name"] for c in inspector.get_columns(table)]
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                for column, value in zip(columns, row, strict=True):
                    haystack = _as_text(value)
                    if haystack is None:
                        continue
                    found += [(table, column, n) for n in wanted if n in haystack or n in fold(haystack)]
    return sorted(set(found))


def _as_text(value) -> str | None:
    if isinstance(value, str):
        return value.lower()
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", "replace").lower()
    if isinstance(value, dict | list):
        return orjson.dumps(value).decode().lower()
    return None
