"""Compliance: masked posts (encrypted original, text state), the hash-chained journal, legal holds.

The journal refuses UPDATE through a trigger (deleting stays possible: the purge of expired
entries). A trigger only stops mistakes and casual edits, not an owner of the database: the hash
chain is what makes any change visible (``veilleur journal verify``).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer, "sqlite")
Utc = sa.DateTime(timezone=True)

PG_APPEND_ONLY = """
CREATE FUNCTION veilleur_journal_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the journal is append-only: entry % cannot be changed', OLD.id;
END $$
"""


def upgrade() -> None:
    # Plain ALTER TABLE (no batch copy), so that SQLite keeps the full-text triggers on posts.
    op.add_column("posts", sa.Column("text_original", sa.LargeBinary))
    op.add_column("posts", sa.Column("text_state", sa.String(16), nullable=False, server_default="original"))
    op.create_table(
        "journal",
        sa.Column("id", Id, primary_key=True, autoincrement=False),
        sa.Column("at", Utc, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("record_type", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(500)),
        sa.Column("details", sa.JSON, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_journal_at", "journal", ["at"])
    op.create_index("ix_journal_record_type_at", "journal", ["record_type", "at"])
    op.create_table(
        "journal_head",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("last_id", sa.BigInteger, nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
        sa.Column("updated_at", Utc, nullable=False),
    )
    op.create_table(
        "journal_anchors",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("first_id", sa.BigInteger, nullable=False),
        sa.Column("last_id", sa.BigInteger, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
        sa.Column("count", sa.BigInteger, nullable=False),
        sa.Column("purged_at", Utc, nullable=False),
        sa.UniqueConstraint("first_id", name="uq_journal_anchors_first_id"),
    )
    op.create_table(
        "legal_holds",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("subject", sa.String(500), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("until", Utc),
        sa.Column("set_by", sa.String(200), nullable=False),
        sa.Column("set_at", Utc, nullable=False),
    )
    op.create_index("ix_legal_holds_subject", "legal_holds", ["subject"])
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE TRIGGER journal_append_only BEFORE UPDATE ON journal BEGIN "
                   "SELECT RAISE(ABORT, 'the journal is append-only'); END")
    else:
        op.execute(PG_APPEND_ONLY)
        op.execute("CREATE TRIGGER journal_append_only BEFORE UPDATE ON journal "
                   "FOR EACH ROW EXECUTE FUNCTION veilleur_journal_append_only()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS journal_append_only")
    else:
        op.execute("DROP TRIGGER IF EXISTS journal_append_only ON journal")
        op.execute("DROP FUNCTION IF EXISTS veilleur_journal_append_only()")
    for table in ("legal_holds", "journal_anchors", "journal_head", "journal"):
        op.drop_table(table)
    op.drop_column("posts", "text_state")
    op.drop_column("posts", "text_original")
