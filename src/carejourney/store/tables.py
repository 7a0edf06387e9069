"""Database tables. The SSDA903 tables are derived from the declared schema."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.types import TypeEngine

from carejourney.schema import ssda903
from carejourney.schema.types import Column as DeclaredColumn
from carejourney.schema.types import Kind
from carejourney.schema.types import Table as DeclaredTable

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

import_batch = Table(
    "import_batch",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("la", String(20), nullable=False),
    Column("years", String(200), nullable=False),  # e.g. "2023,2024"
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("imported_by", String(200), nullable=False),
    Column("tool_version", String(50), nullable=False),
    Column("rows", Integer, nullable=False),
)

import_file = Table(
    "import_file",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("batch_id", ForeignKey("import_batch.id"), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("year", Integer),  # the collection year; blank for a tracker file
    Column("table_name", String(50), nullable=False),
    Column("rows", Integer, nullable=False),
)

import_problem = Table(
    "import_problem",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("batch_id", ForeignKey("import_batch.id"), nullable=False, index=True),
    Column("file", Text, nullable=False),
    Column("row", Integer),
    Column("column", String(100)),
    Column("value", Text),
    Column("code", String(100), nullable=False),
    Column("message", Text, nullable=False),
    Column("severity", String(20), nullable=False),
)

# Which batch currently holds each LA's collection year; re-importing a year replaces it.
la_year = Table(
    "la_year",
    metadata,
    Column("la", String(20), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("batch_id", ForeignKey("import_batch.id"), nullable=False),
    Column("fingerprint", String(64), nullable=False),
)


def _sql_type(column: DeclaredColumn) -> TypeEngine[Any]:
    if column.kind is Kind.DATE:
        return Date()
    if column.kind is Kind.INTEGER:
        return Integer()
    if column.kind is Kind.TEXT:
        return Text()
    return String(100)


def _return_table(declared: DeclaredTable) -> Table:
    table = Table(
        declared.db_name,
        metadata,
        Column("id", Integer, primary_key=True),
        Column("batch_id", ForeignKey("import_batch.id"), nullable=False),
        Column("la", String(20), nullable=False),
        Column("year", Integer, nullable=False),
        Column("source_row", Integer, nullable=False),
        *[
            Column(c.name.lower(), _sql_type(c), nullable=not c.required, comment=c.description)
            for c in declared.columns
        ],
        comment=declared.description,
    )
    Index(f"ix_{declared.db_name}_la_year", table.c.la, table.c.year)
    Index(f"ix_{declared.db_name}_la_child", table.c.la, table.c.child)
    return table


RETURN_TABLES: dict[str, Table] = {t.name: _return_table(t) for t in ssda903.TABLES}

# Episodes stitched across years into one history per child (rebuilt after each import).
_episode_columns = [c for c in ssda903.EPISODES.columns]
episode_history = Table(
    "episode_history",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("la", String(20), nullable=False),
    *[Column(c.name.lower(), _sql_type(c), nullable=not c.required) for c in _episode_columns],
    Column("year", Integer, nullable=False, comment="Collection year the row was taken from."),
    Column("stitch_rules", Text, comment="The stitching rules that changed this row, if any."),
)
Index("ix_episode_history_la_child", episode_history.c.la, episode_history.c.child)

stitch_change = Table(
    "stitch_change",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("la", String(20), nullable=False, index=True),
    Column("child", String(100), nullable=False),
    Column("decom", Date, nullable=False),
    Column("year", Integer, nullable=False),
    Column("rule", String(100), nullable=False),
    Column("column", String(100)),
    Column("before", Text),
    Column("after", Text),
)


# Milestones from LAs' tracker files. A tracker is the LA's whole current list, so each
# import that holds tracker files replaces all of that LA's tracker milestones.
tracker_milestone = Table(
    "tracker_milestone",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("batch_id", ForeignKey("import_batch.id"), nullable=False),
    Column("la", String(20), nullable=False),
    Column("child", String(100), nullable=False),
    Column("milestone", String(100), nullable=False),
    Column("date", Date, nullable=False),
    Column("note", Text),
    Column("source_file", Text, nullable=False),
    Column("source_row", Integer, nullable=False),
    comment="Milestones recorded in LAs' tracker files.",
)
Index("ix_tracker_milestone_la_child", tracker_milestone.c.la, tracker_milestone.c.child)

# Which batch holds each LA's tracker milestones, and the fingerprint of its files.
la_tracker = Table(
    "la_tracker",
    metadata,
    Column("la", String(20), primary_key=True),
    Column("batch_id", ForeignKey("import_batch.id"), nullable=False),
    Column("fingerprint", String(64), nullable=False),
)

# Every view of a child's record, download and change: who, when, what, which child.
# Rows are only ever added (see store/access.py).
access_log = Table(
    "access_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("who", String(200), nullable=False),
    Column("action", String(100), nullable=False),
    Column("la", String(20)),
    Column("child", String(100)),
    Column("detail", Text),
    comment="Append-only record of every view of a child's record, download and change.",
)
Index("ix_access_log_child", access_log.c.la, access_log.c.child)

# Milestones from Ofsted Annex A: list 10 (children with an adoption decision) and list 11
# (adopters). Like a tracker, each list given replaces that list for the LA.
annex_a_milestone = Table(
    "annex_a_milestone",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("batch_id", ForeignKey("import_batch.id"), nullable=False),
    Column("la", String(20), nullable=False),
    Column("list", Integer, nullable=False),  # 10: a child's journey; 11: adopters'
    Column("subject", String(100), nullable=False),  # the child's or the adopter's ID
    Column("milestone", String(100), nullable=False),
    Column("date", Date, nullable=False),
    Column("note", Text),
    Column("source_file", Text, nullable=False),
    Column("source_row", Integer, nullable=False),
    comment="Milestones from Ofsted Annex A lists 10 and 11.",
)
Index("ix_annex_a_milestone_la_subject", annex_a_milestone.c.la, annex_a_milestone.c.subject)

# Which batch holds each LA's Annex A list, and the fingerprint of its files.
la_annex_a = Table(
    "la_annex_a",
    metadata,
    Column("la", String(20), primary_key=True),
    Column("list", Integer, primary_key=True),
    Column("batch_id", ForeignKey("import_batch.id"), nullable=False),
    Column("fingerprint", String(64), nullable=False),
)

# Which team and worker each child is allocated to, from the LA's allocation list.
allocation = Table(
    "allocation",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("batch_id", ForeignKey("import_batch.id"), nullable=False),
    Column("la", String(20), nullable=False),
    Column("child", String(100), nullable=False),
    Column("team", Text, nullable=False),
    Column("worker", Text),
    Column("source_file", Text, nullable=False),
    Column("source_row", Integer, nullable=False),
    comment="Each child's team and worker, from the LA's allocation list.",
)
Index("ix_allocation_la_child", allocation.c.la, allocation.c.child)

# Which batch holds each LA's allocation list, and the fingerprint of its files.
la_allocation = Table(
    "la_allocation",
    metadata,
    Column("la", String(20), primary_key=True),
    Column("batch_id", ForeignKey("import_batch.id"), nullable=False),
    Column("fingerprint", String(64), nullable=False),
)
