"""Many rows of one statement, straight through the database driver (see ``executemany``).

Imports SQLAlchemy only.
"""
from __future__ import annotations

from operator import itemgetter
from typing import Any

from sqlalchemy.engine import Connection


def executemany(conn: Connection, stmt, rows: list[dict[str, Any]]) -> None:
    """Execute ``stmt`` for many rows of the same keys, straight through the driver.

    On SQLite, SQLAlchemy's per-row parameter building costs more than the insert itself (half of
    an ingest's storage time); the statement is compiled once here, each value goes through the
    column type's own bind processor (dates, JSON), and the driver's executemany does the rest.
    PostgreSQL goes through SQLAlchemy as usual.
    """
    if not rows:
        return
    if conn.dialect.name != "sqlite":
        conn.execute(stmt, rows)
        return
    compiled = stmt.compile(dialect=conn.dialect, column_keys=list(rows[0]))
    processors = compiled._bind_processors
    keys = list(compiled.positiontup)
    convert = [(i, processors[k]) for i, k in enumerate(keys) if processors.get(k)]
    pick = itemgetter(*keys)
    params = []
    for row in rows:
        values = list(pick(row)) if len(keys) > 1 else [row[keys[0]]]
        for i, process in convert:
            values[i] = process(values[i])
        params.append(tuple(values))
    conn.exec_driver_sql(compiled.string, params)
