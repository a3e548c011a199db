"""Time series, alerts and incidents (the watch).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer, "sqlite")
Utc = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "watch_counters",
        sa.Column("grain", sa.String(8), primary_key=True),
        sa.Column("bucket", Utc, primary_key=True),
        sa.Column("bank", sa.String(200), primary_key=True),
        sa.Column("dimension", sa.String(32), primary_key=True),
        sa.Column("value", sa.String(200), primary_key=True),
        sa.Column("posts", sa.BigInteger, nullable=False),
        sa.Column("reach", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "watch_cursors",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("last_post_id", sa.BigInteger, nullable=False),
        sa.Column("updated_at", Utc, nullable=False),
    )
    op.create_table(
        "watch_alerts",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("subject", sa.String(500), nullable=False),
        sa.Column("bank", sa.String(200)),
        sa.Column("entity", sa.String(100)),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("explanation", sa.JSON, nullable=False),
        sa.Column("post_ids", sa.JSON, nullable=False),
        sa.Column("fired", sa.Integer, nullable=False),
        sa.Column("opened_at", Utc, nullable=False),
        sa.Column("updated_at", Utc, nullable=False),
        sa.Column("closed_at", Utc),
        sa.Column("handled_by", sa.String(200)),
        sa.Column("incident_id", sa.BigInteger),
    )
    op.create_index("ix_watch_alerts_subject_state", "watch_alerts", ["subject", "state"])
    op.create_index("ix_watch_alerts_opened_at", "watch_alerts", ["opened_at"])
    op.create_table(
        "watch_incidents",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("bank", sa.String(200)),
        sa.Column("entity", sa.String(100)),
        sa.Column("topic", sa.String(64)),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("opened_at", Utc, nullable=False),
        sa.Column("updated_at", Utc, nullable=False),
        sa.Column("closed_at", Utc),
        sa.Column("alert_ids", sa.JSON, nullable=False),
        sa.Column("post_ids", sa.JSON, nullable=False),
        sa.Column("timeline", sa.JSON, nullable=False),
        sa.Column("holding_statement", sa.Text, nullable=False),
        sa.Column("statement_status", sa.String(16), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("watch_incidents")
    op.drop_index("ix_watch_alerts_opened_at", table_name="watch_alerts")
    op.drop_index("ix_watch_alerts_subject_state", table_name="watch_alerts")
    op.drop_table("watch_alerts")
    op.drop_table("watch_cursors")
    op.drop_table("watch_counters")
