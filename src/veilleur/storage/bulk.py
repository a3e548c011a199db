"""Many rows of one statement, straight through the database driver (see ``executemany``), and
the rows matching many pairs of column values (``rows_by_pair``).

Imports SQLAlchemy only.
"""
from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Iterator
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import Column, Table, select, tuple_
from sqlalchemy.engine import Connection, Dialect

CHUNK = 400
# compiled statements by dialect, then by the caller's name for the statement and the row keys
_COMPILED: weakref.WeakKeyDictionary[Dialect, dict[tuple, tuple[str, list[str], list]]] = weakref.WeakKeyDictionary()


def executemany(conn: Connection, stmt, rows: list[dict[str, Any]], key: str | None = None) -> None:
    """Execute ``stmt`` for many rows of the same keys, straight through the driver.

    On SQLite, SQLAlchemy's per-row parameter building costs more than the insert itself (half of
    an ingest's storage time); the statement is compiled once here (once per process when the
    caller names it with ``key``: the same name must always mean the same statement), each value
    goes through the column type's own bind processor (dates, JSON), and the driver's executemany
    does the rest. PostgreSQL goes through SQLAlchemy as usual.
    """
    if not rows:
        return
    if conn.dialect.name != "sqlite":
        conn.execute(stmt, rows)
        return
    sql, keys, convert = _compiled(conn.dialect, stmt, list(rows[0]), key)
    columns = [list(map(itemgetter(k), rows)) for k in keys]
    for i, process in convert:
        columns[i] = _processed(columns[i], process)
    conn.exec_driver_sql(sql, list(zip(*columns, strict=True)))


def _compiled(dialect: Dialect, stmt, row_keys: list[str], key: str | None) -> tuple[str, list[str], list]:
    cache = _COMPILED.setdefault(dialect, {}) if key is not None else {}
    found = cache.get((key, *row_keys))
    if found is None:
        compiled = stmt.compile(dialect=dialect, column_keys=row_keys)
        processors = compiled._bind_processors
        keys = list(compiled.positiontup)
        found = (compiled.string, keys, [(i, processors[k]) for i, k in enumerate(keys) if processors.get(k)])
        if key is not None:
            cache[(key, *row_keys)] = found
    return found


def _processed(values: list, process: Callable[[Any], Any]) -> list:
    """``process`` over ``values``, once per distinct object: most rows of a batch share the same
    time objects (ingested, updated, analysed ``now``), whose formatting dominates."""
    done: dict[int, Any] = {}
    out = []
    for value in values:
        ident = id(value)
        if ident not in done:
            done[ident] = process(value)
        out.append(done[ident])
    return out


def rows_by_pair(conn: Connection, table: Table, first: Column, second: Column, wanted: list[Column],
                 keys: Iterable[tuple]) -> Iterator[tuple]:
    """(first, second, *wanted) of the rows of ``table`` whose pair of columns is among ``keys``.

    On SQLite, one ``first = ? AND second IN (...)`` query per value of ``first`` and chunk, through the
    driver: the row-value ``IN`` that SQLAlchemy expands for ``tuple_`` costs more to build than to run.
    """
    keys = list(dict.fromkeys(keys))
    if conn.dialect.name != "sqlite":
        for chunk in _chunks(keys, CHUNK):
            yield from conn.execute(select(first, second, *wanted).where(tuple_(first, second).in_(chunk)))
        return
    names = ", ".join(f'"{c.name}"' for c in (second, *wanted))
    for value, group in groupby(sorted(keys, key=itemgetter(0)), key=itemgetter(0)):
        for chunk in _chunks([k[1] for k in group], CHUNK):
            sql = (f'SELECT {names} FROM "{table.name}" '
                   f'WHERE "{first.name}" = ? AND "{second.name}" IN ({", ".join("?" * len(chunk))})')
            for row in conn.exec_driver_sql(sql, (value, *chunk)):
                yield (value, *row)


def _chunks(items: list, size: int) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]
