"""audit programmes, samples, case audits, actions and management alerts

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 02:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Quality assurance: audit programmes and their samples, case audits with their domain
    # grades and themes, action plans with progress notes, and management alerts.
    op.create_table(
        "audit_programme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("la", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("template", sa.Text(), nullable=False),
        sa.Column("per_month", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("stratify_by", sa.String(length=20), nullable=True),
        sa.Column("trigger", sa.Text(), nullable=True),
        sa.Column("starts", sa.Date(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_programme")),
        sa.UniqueConstraint("la", "name", name=op.f("uq_audit_programme_la")),
        comment="Audit programmes: which template, how many audits a month, how cases are chosen.",
    )
    op.create_table(
        "management_alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("la", sa.String(length=20), nullable=False),
        sa.Column("child", sa.String(length=100), nullable=False),
        sa.Column("concern", sa.String(length=50), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("raised_by", sa.String(length=200), nullable=False),
        sa.Column("raised_role", sa.String(length=100), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("manager", sa.Text(), nullable=True),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("response", sa.Text(), nullable=True),
        sa.Column("responded_by", sa.String(length=200), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_management_alert")),
        comment="Management alerts an IRO or CP chair raised about a child's plan, and the answers.",
    )
    with op.batch_alter_table("management_alert", schema=None) as batch_op:
        batch_op.create_index("ix_management_alert_la_child", ["la", "child"], unique=False)

    op.create_table(
        "audit_sample",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("drawn_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("drawn_by", sa.String(length=200), nullable=False),
        sa.Column("method_note", sa.Text(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["audit_programme.id"],
            name=op.f("fk_audit_sample_programme_id_audit_programme"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_sample")),
        sa.UniqueConstraint("programme_id", "month", name=op.f("uq_audit_sample_programme_id")),
        comment="The cases drawn for a programme's month, with the seed that draws them again.",
    )
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("la", sa.String(length=20), nullable=False),
        sa.Column("child", sa.String(length=100), nullable=False),
        sa.Column("team", sa.Text(), nullable=True),
        sa.Column("template", sa.Text(), nullable=False),
        sa.Column("sample_id", sa.Integer(), nullable=True),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("auditor", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("audit_date", sa.Date(), nullable=True),
        sa.Column("overall", sa.String(length=50), nullable=True),
        sa.Column("findings", sa.Text(), nullable=True),
        sa.Column("moderator", sa.Text(), nullable=True),
        sa.Column("moderated_grade", sa.String(length=50), nullable=True),
        sa.Column("moderated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("moderation_note", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("source_file", sa.Text(), nullable=True),
        sa.Column("source_row", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_by", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["sample_id"], ["audit_sample.id"], name=op.f("fk_audit_sample_id_audit_sample")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit")),
        comment="Case audits: one child's case graded against an audit template.",
    )
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.create_index("ix_audit_la_child", ["la", "child"], unique=False)
        batch_op.create_index("ix_audit_la_month", ["la", "month"], unique=False)

    op.create_table(
        "audit_grade",
        sa.Column("audit_id", sa.Integer(), nullable=False),
        sa.Column("domain", sa.String(length=100), nullable=False),
        sa.Column("grade", sa.String(length=50), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["audit_id"],
            ["audit.id"],
            name=op.f("fk_audit_grade_audit_id_audit"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("audit_id", "domain", name=op.f("pk_audit_grade")),
        comment="An audit's grade for each domain of its template.",
    )
    op.create_table(
        "audit_theme",
        sa.Column("audit_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("theme", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["audit_id"],
            ["audit.id"],
            name=op.f("fk_audit_theme_audit_id_audit"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("audit_id", "kind", "theme", name=op.f("pk_audit_theme")),
        comment="The themes an audit found: strengths and areas for development.",
    )
    op.create_table(
        "qa_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("la", sa.String(length=20), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("audit_id", sa.Integer(), nullable=True),
        sa.Column("alert_id", sa.Integer(), nullable=True),
        sa.Column("theme", sa.String(length=200), nullable=True),
        sa.Column("owner", sa.Text(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["audit_id"], ["audit.id"], name=op.f("fk_qa_action_audit_id_audit")
        ),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["management_alert.id"],
            name=op.f("fk_qa_action_alert_id_management_alert"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_action")),
        comment="Actions from audits, themes, reports and alerts, with owner, due date and status.",
    )
    op.create_table(
        "qa_action_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["qa_action.id"],
            name=op.f("fk_qa_action_note_action_id_qa_action"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_action_note")),
        comment="Progress notes on an action, each with who wrote it and when.",
    )
    # ### end Alembic commands ###


def downgrade() -> None:
    op.drop_table("qa_action_note")
    op.drop_table("qa_action")
    op.drop_table("audit_theme")
    op.drop_table("audit_grade")
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_la_month")
        batch_op.drop_index("ix_audit_la_child")

    op.drop_table("audit")
    op.drop_table("audit_sample")
    with op.batch_alter_table("management_alert", schema=None) as batch_op:
        batch_op.drop_index("ix_management_alert_la_child")

    op.drop_table("management_alert")
    op.drop_table("audit_programme")
    # ### end Alembic commands ###
