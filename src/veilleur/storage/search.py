"""French full-text search behind one ``search()``: FTS5 on SQLite, ``veilleur_fr`` on PostgreSQL.

The user's query is never passed as query syntax: words become quoted FTS5 terms (all
required), or go through PostgreSQL's ``websearch_to_tsquery`` which cannot raise a syntax
error. Both fold accents ("societe generale" finds "Société Générale"). Imports SQLAlchemy.
"""
from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.engine import Connection

from veilleur.storage.base import SearchHit

WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*|\d+")

SQLITE = """
SELECT p.id, p.platform, p.external_id, p.created_at, p.text, a.bank,
       snippet(posts_fts, 0, '[', ']', '…', 12) AS snippet, bm25(posts_fts) AS score
FROM posts_fts JOIN posts p ON p.id = posts_fts.rowid
LEFT JOIN analyses a ON a.post_id = p.id
WHERE posts_fts MATCH :query {bank}
ORDER BY score LIMIT :limit
"""

POSTGRESQL = """
SELECT p.id, p.platform, p.external_id, p.created_at, p.text, a.bank,
       ts_headline('veilleur_fr', p.text, q, 'StartSel=[, StopSel=], MaxWords=18, MinWords=6') AS snippet,
       ts_rank(to_tsvector('veilleur_fr', p.text), q) AS score
FROM posts p LEFT JOIN analyses a ON a.post_id = p.id,
     websearch_to_tsquery('veilleur_fr', :query) AS q
WHERE to_tsvector('veilleur_fr', p.text) @@ q {bank}
ORDER BY score DESC LIMIT :limit
"""


PREFIX_FROM = 4  # "compte" also finds "comptes", "comptes-rendus": a cheap stand-in for stemming


def fts5_query(query: str) -> str:
    """Quoted FTS5 terms for the words of ``query`` (every word required, long ones as prefixes)."""
    terms = []
    for word in WORD.findall(query):
        quoted = '"' + word.replace('"', '""') + '"'
        terms.append(quoted + "*" if len(word) >= PREFIX_FROM else quoted)
    return " ".join(terms)


def search(conn: Connection, dialect: str, query: str, limit: int, bank: str | None) -> list[SearchHit]:
    query = query.replace("\x00", " ")  # PostgreSQL text cannot hold NUL; it means nothing in a query
    bank_clause = "AND a.bank = :bank" if bank else ""
    if dialect == "sqlite":
        query = fts5_query(query)
        sql = SQLITE
    else:
        sql = POSTGRESQL
    if not query.strip():
        return []
    params = {"query": query, "limit": limit, "bank": bank}
    rows = conn.execute(text(sql.format(bank=bank_clause)), params)
    hits = []
    for r in rows:
        created = r.created_at if isinstance(r.created_at, datetime) else datetime.fromisoformat(r.created_at)
        created = created.replace(tzinfo=UTC) if created.tzinfo is None else created.astimezone(UTC)
        score = -float(r.score) if dialect == "sqlite" else float(r.score)
        hits.append(SearchHit(r.id, r.platform, r.external_id, created, r.text, r.snippet, r.bank, score))
    return hits
