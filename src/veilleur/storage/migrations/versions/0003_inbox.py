"""Cases, their posts, history, private notes, replies with approvals, complaints (the inbox room).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer, "sqlite")
Utc = sa.DateTime(timezone=True)


def _case_fk(table: str) -> sa.Column:
    return sa.Column("case_id", Id, sa.ForeignKey("inbox_cases.id", ondelete="CASCADE", name=f"fk_{table}_case_id"),
                     nullable=False)


def upgrade() -> None:
    _cases()
    op.create_table(
        "inbox_case_posts",
        sa.Column("post_id", Id, sa.ForeignKey("posts.id", ondelete="CASCADE", name="fk_inbox_case_posts_post_id"),
                  primary_key=True),
        _case_fk("inbox_case_posts"),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("external_id", sa.String(200), nullable=False),
        sa.Column("author_handle", sa.String(200)),
        sa.Column("fingerprint", sa.String(64)),
        sa.Column("posted_at", Utc, nullable=False),
        sa.Column("from_bank", sa.Boolean, nullable=False),
    )
    op.create_index("ix_inbox_case_posts_case_id", "inbox_case_posts", ["case_id"])
    op.create_index("ix_inbox_case_posts_external", "inbox_case_posts", ["platform", "external_id"])
    op.create_index("ix_inbox_case_posts_fingerprint", "inbox_case_posts", ["fingerprint"])
    op.create_table(
        "inbox_case_events",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        _case_fk("inbox_case_events"),
        sa.Column("at", Utc, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
    )
    op.create_index("ix_inbox_case_events_case_id", "inbox_case_events", ["case_id"])
    op.create_table(
        "inbox_notes",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        _case_fk("inbox_notes"),
        sa.Column("at", Utc, nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
    )
    op.create_index("ix_inbox_notes_case_id", "inbox_notes", ["case_id"])
    _replies()
    _complaints_and_cursors()


def _cases() -> None:
    op.create_table(
        "inbox_cases",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("state_reason", sa.String(200)),
        sa.Column("priority", sa.String(4), nullable=False),
        sa.Column("queue", sa.String(100), nullable=False),
        sa.Column("team", sa.String(100)),
        sa.Column("assignee", sa.String(200)),
        sa.Column("entity", sa.String(100)),
        sa.Column("bank", sa.String(200)),
        sa.Column("platform", sa.String(32)),
        sa.Column("author_handle", sa.String(200)),
        sa.Column("conversation_key", sa.String(700), nullable=False),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("crm_customer_id", sa.String(200)),
        sa.Column("intent", sa.String(16)),
        sa.Column("topics", sa.JSON, nullable=False),
        sa.Column("opened_at", Utc, nullable=False),
        sa.Column("updated_at", Utc, nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
        sa.Column("first_response_at", Utc),
        sa.Column("answered_at", Utc),
        sa.Column("closed_at", Utc),
        sa.Column("last_customer_at", Utc),
        sa.Column("reopened_count", sa.Integer, nullable=False),
        sa.Column("escalated", sa.Boolean, nullable=False),
        sa.Column("answered_in_public", sa.Boolean, nullable=False),
        sa.Column("moved_private", sa.Boolean, nullable=False),
        sa.Column("first_response_due", Utc),
        sa.Column("resolution_due", Utc),
        sa.Column("rule", sa.String(200)),
    )
    op.create_index("ix_inbox_cases_conversation_key", "inbox_cases", ["conversation_key"])
    op.create_index("ix_inbox_cases_queue_state", "inbox_cases", ["queue", "state"])
    op.create_index("ix_inbox_cases_author", "inbox_cases", ["author_handle"])
    op.create_index("ix_inbox_cases_assignee_state", "inbox_cases", ["assignee", "state"])


def _replies() -> None:
    op.create_table(
        "inbox_replies",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        _case_fk("inbox_replies"),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("in_reply_to", Id),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("created_at", Utc, nullable=False),
        sa.Column("findings", sa.JSON, nullable=False),
        sa.Column("approval_reasons", sa.JSON, nullable=False),
        sa.Column("approver", sa.String(200)),
        sa.Column("approval_comment", sa.Text),
        sa.Column("decided_at", Utc),
        sa.Column("sent_at", Utc),
        sa.Column("platform_id", sa.String(200)),
    )
    op.create_index("ix_inbox_replies_case_id", "inbox_replies", ["case_id"])


def _complaints_and_cursors() -> None:
    op.create_table(
        "inbox_complaints",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        _case_fk("inbox_complaints"),
        sa.Column("entity", sa.String(100)),
        sa.Column("received_at", Utc, nullable=False),
        sa.Column("acknowledge_due", Utc, nullable=False),
        sa.Column("answer_due", Utc, nullable=False),
        sa.Column("acknowledged_at", Utc),
        sa.Column("answered_at", Utc),
        sa.Column("summary", sa.Text, nullable=False),
        sa.UniqueConstraint("case_id", name="uq_inbox_complaints_case_id"),
    )
    op.create_table(
        "inbox_cursor",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("last_post_id", Id, nullable=False),
        sa.Column("updated_at", Utc, nullable=False),
    )
    op.create_table(
        "inbox_round_robin",
        sa.Column("team", sa.String(100), primary_key=True),
        sa.Column("last_agent", sa.String(200), nullable=False),
        sa.Column("updated_at", Utc, nullable=False),
    )


def downgrade() -> None:
    for table in ("inbox_round_robin", "inbox_cursor", "inbox_complaints", "inbox_replies", "inbox_notes",
                  "inbox_case_events", "inbox_case_posts", "inbox_cases"):
        op.drop_table(table)
