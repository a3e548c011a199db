"""Initial schema: authors, posts, analyses, checkpoints, dead letters, full-text search.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer, "sqlite")
Utc = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "authors",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("handle", sa.String(200), nullable=False),
        sa.Column("display_name", sa.Text),
        sa.Column("followers", sa.BigInteger),
        sa.Column("verified", sa.Boolean, nullable=False),
        sa.Column("bio", sa.Text),
        sa.Column("url", sa.Text),
        sa.Column("updated_at", Utc, nullable=False),
        sa.UniqueConstraint("platform", "handle", name="uq_authors_platform_handle"),
    )
    op.create_table(
        "posts",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("external_id", sa.String(200), nullable=False),
        sa.Column("url", sa.Text),
        sa.Column("author_id", Id, sa.ForeignKey("authors.id", name="fk_posts_author_id")),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_at", Utc, nullable=False),
        sa.Column("language", sa.String(16)),
        sa.Column("conversation_id", sa.String(200)),
        sa.Column("reply_to_id", sa.String(200)),
        sa.Column("metrics", sa.JSON, nullable=False),
        sa.Column("raw", sa.JSON, nullable=False),
        sa.Column("source", sa.String(500)),
        sa.Column("ingested_at", Utc, nullable=False),
        sa.Column("updated_at", Utc, nullable=False),
        sa.UniqueConstraint("platform", "external_id", name="uq_posts_platform_external_id"),
    )
    op.create_index("ix_posts_created_at", "posts", ["created_at"])
    op.create_index("ix_posts_conversation", "posts", ["platform", "conversation_id"])
    op.create_table(
        "analyses",
        sa.Column("post_id", Id, sa.ForeignKey("posts.id", ondelete="CASCADE", name="fk_analyses_post_id"),
                  primary_key=True),
        sa.Column("language", sa.String(16)),
        sa.Column("bank", sa.String(200)),
        sa.Column("entity", sa.String(100)),
        sa.Column("sentiment", sa.String(16)),
        sa.Column("intent", sa.String(16)),
        sa.Column("topics", sa.JSON),
        sa.Column("abusive", sa.Boolean),
        sa.Column("urgency", sa.String(16)),
        sa.Column("pii", sa.JSON),
        sa.Column("clean_text", sa.Text),
        sa.Column("details", sa.JSON, nullable=False),
        sa.Column("analysed_at", Utc, nullable=False),
    )
    op.create_index("ix_analyses_bank", "analyses", ["bank"])
    op.create_table(
        "checkpoints",
        sa.Column("source", sa.String(500), primary_key=True),
        sa.Column("position", sa.Text, nullable=False),
        sa.Column("updated_at", Utc, nullable=False),
    )
    op.create_table(
        "dead_letters",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("location", sa.String(500)),
        sa.Column("stage", sa.String(64)),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("raw", sa.LargeBinary, nullable=False),
        sa.Column("created_at", Utc, nullable=False),
        sa.UniqueConstraint("fingerprint", name="uq_dead_letters_fingerprint"),
    )
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_fts()
    else:
        _postgresql_fts()


def _sqlite_fts() -> None:
    # External-content FTS5 over posts.text, folded (remove_diacritics 2) so "societe" finds "Société".
    op.execute("CREATE VIRTUAL TABLE posts_fts USING fts5(text, content='posts', content_rowid='id', "
               "tokenize=\"unicode61 remove_diacritics 2\")")
    op.execute("CREATE TRIGGER posts_fts_insert AFTER INSERT ON posts BEGIN "
               "INSERT INTO posts_fts(rowid, text) VALUES (new.id, new.text); END")
    op.execute("CREATE TRIGGER posts_fts_delete AFTER DELETE ON posts BEGIN "
               "INSERT INTO posts_fts(posts_fts, rowid, text) VALUES ('delete', old.id, old.text); END")
    op.execute("CREATE TRIGGER posts_fts_update AFTER UPDATE OF text ON posts BEGIN "
               "INSERT INTO posts_fts(posts_fts, rowid, text) VALUES ('delete', old.id, old.text); "
               "INSERT INTO posts_fts(rowid, text) VALUES (new.id, new.text); END")


def _postgresql_fts() -> None:
    # unaccent is a trusted extension (PostgreSQL 13+): the database owner may create it.
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public")
    op.execute("CREATE TEXT SEARCH CONFIGURATION veilleur_fr (COPY = french)")
    op.execute("ALTER TEXT SEARCH CONFIGURATION veilleur_fr ALTER MAPPING FOR hword, hword_part, word "
               "WITH public.unaccent, french_stem")
    op.execute("CREATE INDEX ix_posts_fts ON posts USING gin (to_tsvector('veilleur_fr', text))")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS posts_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_posts_fts")
        op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS veilleur_fr")
    for table in ("dead_letters", "checkpoints", "analyses", "posts", "authors"):
        op.drop_table(table)
