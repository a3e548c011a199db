"""Alert deliveries: the outbox, the delivery log, the in-app notices and their read marks.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer, "sqlite")
Utc = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "notify_outbox",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("alert_id", Id),
        sa.Column("channel", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", Utc, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("created_at", Utc, nullable=False),
        sa.Column("sent_at", Utc),
        sa.UniqueConstraint("key", name="uq_notify_outbox_key"),
    )
    op.create_index("ix_notify_outbox_state_next", "notify_outbox", ["state", "next_attempt_at"])
    op.create_index("ix_notify_outbox_alert_id", "notify_outbox", ["alert_id"])
    op.create_table(
        "notify_attempts",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("outbox_id", Id, sa.ForeignKey("notify_outbox.id", ondelete="CASCADE",
                                                 name="fk_notify_attempts_outbox_id"), nullable=False),
        sa.Column("channel", sa.String(100), nullable=False),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("at", Utc, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("status_code", sa.Integer),
        sa.Column("error", sa.Text),
        sa.Column("duration_ms", sa.Integer, nullable=False),
    )
    op.create_index("ix_notify_attempts_at", "notify_attempts", ["at"])
    op.create_index("ix_notify_attempts_outbox_id", "notify_attempts", ["outbox_id"])
    op.create_table(
        "notify_notices",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("alert_id", Id, nullable=False),
        sa.Column("bank", sa.String(200)),
        sa.Column("entity", sa.String(100)),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("why", sa.Text, nullable=False),
        sa.Column("created_at", Utc, nullable=False),
        sa.Column("updated_at", Utc, nullable=False),
        sa.UniqueConstraint("alert_id", name="uq_notify_notices_alert_id"),
    )
    op.create_index("ix_notify_notices_updated_at", "notify_notices", ["updated_at"])
    op.create_table(
        "notify_reads",
        sa.Column("login", sa.String(200), primary_key=True),
        sa.Column("notice_id", Id, sa.ForeignKey("notify_notices.id", ondelete="CASCADE",
                                                 name="fk_notify_reads_notice_id"), primary_key=True),
        sa.Column("read_at", Utc, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("notify_reads")
    op.drop_index("ix_notify_notices_updated_at", table_name="notify_notices")
    op.drop_table("notify_notices")
    op.drop_index("ix_notify_attempts_outbox_id", table_name="notify_attempts")
    op.drop_index("ix_notify_attempts_at", table_name="notify_attempts")
    op.drop_table("notify_attempts")
    op.drop_index("ix_notify_outbox_alert_id", table_name="notify_outbox")
    op.drop_index("ix_notify_outbox_state_next", table_name="notify_outbox")
    op.drop_table("notify_outbox")
