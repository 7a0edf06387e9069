"""demand

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 02:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Demand: contacts, assessments, help and the CIN census modules, each an LA list.
    op.create_table(
        "cin_assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("la", sa.String(length=20), nullable=False),
        sa.Column("child", sa.String(length=100), nullable=False),
        sa.Column("cin_details_id", sa.String(length=100), nullable=True),
        sa.Column("referral_date", sa.Date(), nullable=True),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("internal_review_date", sa.Date(), nullable=True),
        sa.Column("authorised", sa.Date(), nullable=True),
        sa.Column("factors", sa.Text(), nullable=True),
        sa.Column("source_file", sa.Text(), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["import_batch.id"], name=op.f("fk_cin_assessment_batch_id_import_batch")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cin_assessment")),
        comment="The CIN census Assessments module.",
    )
    with op.batch_alter_table("cin_assessment", schema=None) as batch_op:
        batch_op.create_index("ix_cin_assessment_la_child", ["la", "child"], unique=False)

    op.create_table(
        "cin_referral",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("la", sa.String(length=20), nullable=False),
        sa.Column("child", sa.String(length=100), nullable=False),
        sa.Column("cin_details_id", sa.String(length=100), nullable=True),
        sa.Column("referral_date", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=True),
        sa.Column("need", sa.String(length=100), nullable=True),
        sa.Column("closed_date", sa.Date(), nullable=True),
        sa.Column("closure_reason", sa.String(length=100), nullable=True),
        sa.Column("nfa", sa.Boolean(), nullable=True),
        sa.Column("source_file", sa.Text(), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["import_batch.id"], name=op.f("fk_cin_referral_batch_id_import_batch")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cin_referral")),
        comment="The CIN census CINdetails module: referrals.",
    )
    with op.batch_alter_table("cin_referral", schema=None) as batch_op:
        batch_op.create_index("ix_cin_referral_la_child", ["la", "child"], unique=False)

    op.create_table(
        "demand_assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("la", sa.String(length=20), nullable=False),
        sa.Column("child", sa.String(length=100), nullable=False),
        sa.Column("referral_date", sa.Date(), nullable=True),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("authorised", sa.Date(), nullable=True),
        sa.Column("kind", sa.Text(), nullable=True),
        sa.Column("team", sa.Text(), nullable=True),
        sa.Column("source_file", sa.Text(), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["import_batch.id"],
            name=op.f("fk_demand_assessment_batch_id_import_batch"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_demand_assessment")),
        comment="Assessments by children's social care.",
    )
    with op.batch_alter_table("demand_assessment", schema=None) as batch_op:
        batch_op.create_index("ix_demand_assessment_la_child", ["la", "child"], unique=False)

    op.create_table(
        "demand_contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("la", sa.String(length=20), nullable=False),
        sa.Column("child", sa.String(length=100), nullable=False),
        sa.Column("family", sa.String(length=100), nullable=True),
        sa.Column("contact_date", sa.Date(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("need", sa.Text(), nullable=True),
        sa.Column("decision", sa.Text(), nullable=True),
        sa.Column("decision_date", sa.Date(), nullable=True),
        sa.Column("outcome", sa.String(length=100), nullable=True),
        sa.Column("team", sa.Text(), nullable=True),
        sa.Column("demand", sa.String(length=100), nullable=True),
        sa.Column("failure_type", sa.String(length=100), nullable=True),
        sa.Column("what_matters", sa.Text(), nullable=True),
        sa.Column("closed_date", sa.Date(), nullable=True),
        sa.Column("source_file", sa.Text(), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["import_batch.id"], name=op.f("fk_demand_contact_batch_id_import_batch")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_demand_contact")),
        comment="Contacts into the service, from LAs' demand logs.",
    )
    with op.batch_alter_table("demand_contact", schema=None) as batch_op:
        batch_op.create_index("ix_demand_contact_la_child", ["la", "child"], unique=False)

    op.create_table(
        "demand_help",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("la", sa.String(length=20), nullable=False),
        sa.Column("child", sa.String(length=100), nullable=False),
        sa.Column("help", sa.Text(), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=True),
        sa.Column("right_help", sa.Boolean(), nullable=True),
        sa.Column("source_file", sa.Text(), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["import_batch.id"], name=op.f("fk_demand_help_batch_id_import_batch")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_demand_help")),
        comment="Help given to children and families.",
    )
    with op.batch_alter_table("demand_help", schema=None) as batch_op:
        batch_op.create_index("ix_demand_help_la_child", ["la", "child"], unique=False)

    op.create_table(
        "la_demand",
        sa.Column("la", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["import_batch.id"], name=op.f("fk_la_demand_batch_id_import_batch")
        ),
        sa.PrimaryKeyConstraint("la", "kind", name=op.f("pk_la_demand")),
    )


def downgrade() -> None:
    op.drop_table("la_demand")

    with op.batch_alter_table("demand_help", schema=None) as batch_op:
        batch_op.drop_index("ix_demand_help_la_child")

    op.drop_table("demand_help")

    with op.batch_alter_table("demand_contact", schema=None) as batch_op:
        batch_op.drop_index("ix_demand_contact_la_child")

    op.drop_table("demand_contact")

    with op.batch_alter_table("demand_assessment", schema=None) as batch_op:
        batch_op.drop_index("ix_demand_assessment_la_child")

    op.drop_table("demand_assessment")

    with op.batch_alter_table("cin_referral", schema=None) as batch_op:
        batch_op.drop_index("ix_cin_referral_la_child")

    op.drop_table("cin_referral")

    with op.batch_alter_table("cin_assessment", schema=None) as batch_op:
        batch_op.drop_index("ix_cin_assessment_la_child")

    op.drop_table("cin_assessment")
