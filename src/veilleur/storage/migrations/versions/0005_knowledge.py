"""The knowledge base: approved answers and dated facts.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

Utc = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "kb_answers",
        sa.Column("id", sa.String(100), primary_key=True),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("questions", sa.JSON, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("topics", sa.JSON, nullable=False),
        sa.Column("approved_by", sa.String(200), nullable=False),
        sa.Column("approved_at", Utc, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", Utc, nullable=False),
    )
    op.create_table(
        "kb_facts",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("unit", sa.String(32)),
        sa.Column("effective_from", sa.Date, nullable=False),
        sa.Column("valid_until", sa.Date),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("example", sa.Boolean, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", Utc, nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("kb_facts")
    op.drop_table("kb_answers")
