"""Database tables. The SSDA903 tables are derived from the declared schema."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeEngine

from carejourney.schema import ssda903
from carejourney.schema.demand import DEMAND_FILES, YES_NO, DemandFile
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


def _la_list(name: str, comment: str, subject: str, *columns: Column[Any]) -> Table:
    """A list an LA keeps whole (a tracker, an Annex A list, an allocation list): each
    import that holds one replaces the LA's stored rows, which keep their file and row."""
    table = Table(
        name,
        metadata,
        Column("id", Integer, primary_key=True),
        Column("batch_id", ForeignKey("import_batch.id"), nullable=False),
        Column("la", String(20), nullable=False),
        *columns,
        Column("source_file", Text, nullable=False),
        Column("source_row", Integer, nullable=False),
        comment=comment,
    )
    Index(f"ix_{name}_la_{subject}", table.c.la, table.c[subject])
    return table


def _holder(name: str, *keys: Column[Any]) -> Table:
    """Which batch holds an LA's list, and the fingerprint of its files."""
    return Table(
        name,
        metadata,
        Column("la", String(20), primary_key=True),
        *keys,
        Column("batch_id", ForeignKey("import_batch.id"), nullable=False),
        Column("fingerprint", String(64), nullable=False),
    )


tracker_milestone = _la_list(
    "tracker_milestone",
    "Milestones recorded in LAs' tracker files.",
    "child",
    Column("child", String(100), nullable=False),
    Column("milestone", String(100), nullable=False),
    Column("date", Date, nullable=False),
    Column("note", Text),
)
la_tracker = _holder("la_tracker")

# Ofsted Annex A: list 10 (children with an adoption decision) and list 11 (adopters).
annex_a_milestone = _la_list(
    "annex_a_milestone",
    "Milestones from Ofsted Annex A lists 10 and 11.",
    "subject",
    Column("list", Integer, nullable=False),  # 10: a child's journey; 11: adopters'
    Column("subject", String(100), nullable=False),  # the child's or the adopter's ID
    Column("milestone", String(100), nullable=False),
    Column("date", Date, nullable=False),
    Column("note", Text),
)
la_annex_a = _holder("la_annex_a", Column("list", Integer, primary_key=True))

allocation = _la_list(
    "allocation",
    "Each child's team and worker, from the LA's allocation list.",
    "child",
    Column("child", String(100), nullable=False),
    Column("team", Text, nullable=False),
    Column("worker", Text),
)
la_allocation = _holder("la_allocation")

# Demand (schema/demand.py): contacts, assessments, help and the CIN census modules, each
# kind an LA list whose columns are derived from its declaration, under carejourney's names
# (LAchildID is stored as child, CINreferralDate as referral_date, ...).
_DEMAND_STORED = {  # the frame a kind fills -> (table, comment)
    "contacts": ("demand_contact", "Contacts into the service, from LAs' demand logs."),
    "assessments": ("demand_assessment", "Assessments by children's social care."),
    "help": ("demand_help", "Help given to children and families."),
    "cin_referrals": ("cin_referral", "The CIN census CINdetails module: referrals."),
    "cin_assessments": ("cin_assessment", "The CIN census Assessments module."),
}


def _demand_table(demand: DemandFile) -> Table:
    name, comment = _DEMAND_STORED[demand.frame]
    columns = [
        Column(
            stored.lower(),
            Boolean() if declared.codes is YES_NO else _sql_type(declared),
            nullable=not declared.required,
        )
        for stored, declared in demand.stored_columns
    ]
    return _la_list(name, comment, "child", *columns)


# Each kind of demand file (its `DemandFile.kind`) -> the table that holds it.
DEMAND_TABLES: dict[str, Table] = {d.kind: _demand_table(d) for d in DEMAND_FILES}
la_demand = _holder("la_demand", Column("kind", String(50), primary_key=True))

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
# The auditor's page searches by time and by person: the log grows by a row for every child
# a drift list shows, so these must not be read whole.
Index("ix_access_log_at", access_log.c.at)
Index("ix_access_log_who", access_log.c.who)

# Quality-improvement aims, their measures and PDSA cycles (carejourney.improvement). They
# hold words, dates and figures about a service, never anything about an individual child:
# a rule aim's measure is worked out from the journeys each time it is charted.
aim = Table(
    "aim",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("la", String(20), nullable=False),
    Column("name", String(100), nullable=False),  # a short slug, unique per LA
    Column("statement", Text, nullable=False),
    Column("cohort", Text),  # who the aim is for, in words
    Column("measure", String(10), nullable=False),  # "rule" or "csv"
    Column("rule_set", Text),  # rule measures: a shipped rule set's name or a file's path
    Column("rule", String(100)),
    Column("chart", String(10)),  # csv measures: the chart the series is drawn as
    Column("value_title", Text),  # csv measures: what the value is
    Column("target_percent", Double),  # on the chart's scale for a csv measure
    Column("deadline", Date),
    Column("owner", Text),
    Column("improvement", String(10), nullable=False),  # "up" or "down": which way is better
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(200), nullable=False),
    UniqueConstraint("la", "name"),
    comment="Quality-improvement aims: statement, cohort, measure, target and deadline.",
)

# An analyst's CSV series for an aim, kept so that its chart can be drawn again.
aim_measure_point = Table(
    "aim_measure_point",
    metadata,
    Column("aim_id", ForeignKey("aim.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),  # 1, 2, 3... in time order
    Column("date", Date, nullable=False),
    Column("label", Text, nullable=False),
    Column("value", Double, nullable=False),
    Column("denominator", Double),
    comment="The points of an aim's measure brought as a CSV file.",
)

pdsa_cycle = Table(
    "pdsa_cycle",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("aim_id", ForeignKey("aim.id", ondelete="CASCADE"), nullable=False),
    Column("number", Integer, nullable=False),  # 1, 2, 3... per aim
    Column("title", Text, nullable=False),
    Column("change_idea", Text, nullable=False),
    Column("prediction", Text, nullable=False),  # plan: what we expect to happen
    Column("do_start", Date, nullable=False),
    Column("do_end", Date),
    Column("study", Text),  # what happened
    Column("act", String(10)),  # adopt, adapt or abandon; blank until decided
    Column("author", Text),
    Column("starts_phase", Boolean, nullable=False),  # a new phase of the chart starts here
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("updated_at", DateTime(timezone=True)),
    Column("updated_by", String(200)),
    UniqueConstraint("aim_id", "number"),
    comment="PDSA cycles (plan, do, study, act): dated tests of change linked to an aim.",
)

# Web app accounts (carejourney.web.accounts). Passwords are stored only as Argon2 hashes;
# an account that signs in through the LA's single sign-on may have none.
web_user = Table(
    "web_user",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(200), nullable=False, unique=True),  # stored lower case
    Column("display_name", Text, nullable=False),
    Column("email", String(320), unique=True),  # matched to the sign-on provider's claim
    Column("password_hash", Text),
    Column("role", String(30), nullable=False),
    Column("la", String(20)),  # blank: every LA in the database
    Column("team", Text),  # a team manager's team, as the allocation list names it
    Column("worker", Text),  # a practitioner's name, as the allocation list's WORKER column
    Column("active", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("updated_at", DateTime(timezone=True)),
    Column("updated_by", String(200)),
    comment="People who may sign in to the web app, with their role, LA, team and worker name.",
)

# Sign-in attempts, for throttling: too many failures for a name or from an address in a
# short time and further attempts are refused for a while (carejourney.web.signin).
login_attempt = Table(
    "login_attempt",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("username", String(200), nullable=False),
    Column("client", String(100), nullable=False),
    Column("succeeded", Boolean, nullable=False),
    comment="Recent sign-in attempts, kept to slow down password guessing.",
)

# Milestones a practitioner adds or corrects in the web app. A correction is a new row that
# names the row it replaces, so who recorded what, and when, is never lost.
recorded_milestone = Table(
    "recorded_milestone",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("la", String(20), nullable=False),
    Column("child", String(100), nullable=False),
    Column("milestone", String(100), nullable=False),
    Column("date", Date),  # blank in a row that withdraws a milestone recorded in error
    Column("note", Text),
    Column("replaces", ForeignKey("recorded_milestone.id")),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("recorded_by", String(200), nullable=False),
    comment="Milestones added or corrected in the web app, with who and when.",
)
Index("ix_recorded_milestone_la_child", recorded_milestone.c.la, recorded_milestone.c.child)

# Quality assurance (carejourney.quality): audit programmes and the samples drawn for them,
# case audits with their domain grades and themes, action plans and management alerts.
audit_programme = Table(
    "audit_programme",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("la", String(20), nullable=False),
    Column("name", String(100), nullable=False),  # a short slug, unique per LA
    Column("title", Text, nullable=False),
    Column("template", Text, nullable=False),  # an audit template's name (or file path)
    Column("per_month", Integer, nullable=False),  # audits a month
    Column("method", String(20), nullable=False),  # random, stratified, drift or indicator
    Column("stratify_by", String(20)),  # "team" when stratified
    Column("trigger", Text),  # a drift status and rule name, or an indicator's key
    Column("starts", Date, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(200), nullable=False),
    UniqueConstraint("la", "name"),
    comment="Audit programmes: which template, how many audits a month, how cases are chosen.",
)

audit_sample = Table(
    "audit_sample",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("programme_id", ForeignKey("audit_programme.id"), nullable=False),
    Column("month", Date, nullable=False),  # the first of the month
    Column("seed", Integer, nullable=False),  # the same seed draws the same cases again
    Column("drawn_at", DateTime(timezone=True), nullable=False),
    Column("drawn_by", String(200), nullable=False),
    Column("method_note", Text, nullable=False),  # how the sample was drawn, in words
    Column("size", Integer, nullable=False),
    # One sample a programme a month: two people drawing it at once cannot both store one.
    UniqueConstraint("programme_id", "month"),
    comment="The cases drawn for a programme's month, with the seed that draws them again.",
)

audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("la", String(20), nullable=False),
    Column("child", String(100), nullable=False),
    Column("team", Text),
    Column("template", Text, nullable=False),
    Column("sample_id", ForeignKey("audit_sample.id")),  # blank unless drawn in a sample
    Column("month", Date, nullable=False),  # the first of the month the audit is for
    Column("auditor", Text, nullable=False),
    Column("status", String(20), nullable=False),  # assigned, in progress or completed
    Column("audit_date", Date),
    Column("overall", String(50)),  # a grade value of the template's scale
    Column("findings", Text),
    Column("moderator", Text),  # a second person, never the auditor
    Column("moderated_grade", String(50)),
    Column("moderated_at", DateTime(timezone=True)),
    Column("moderation_note", Text),
    Column("source", String(20), nullable=False),  # web app, import or synthetic
    Column("source_file", Text),
    Column("source_row", Integer),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("updated_at", DateTime(timezone=True)),
    Column("updated_by", String(200)),
    comment="Case audits: one child's case graded against an audit template.",
)
Index("ix_audit_la_child", audit.c.la, audit.c.child)
Index("ix_audit_la_month", audit.c.la, audit.c.month)

audit_grade = Table(
    "audit_grade",
    metadata,
    Column("audit_id", ForeignKey("audit.id", ondelete="CASCADE"), primary_key=True),
    Column("domain", String(100), primary_key=True),  # the template domain's key
    Column("grade", String(50), nullable=False),
    Column("note", Text),
    comment="An audit's grade for each domain of its template.",
)

audit_theme = Table(
    "audit_theme",
    metadata,
    Column("audit_id", ForeignKey("audit.id", ondelete="CASCADE"), primary_key=True),
    Column("kind", String(20), primary_key=True),  # strength or development
    Column("theme", String(200), primary_key=True),
    comment="The themes an audit found: strengths and areas for development.",
)

qa_action = Table(
    "qa_action",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("la", String(20), nullable=False),
    Column("title", Text, nullable=False),
    Column("detail", Text),
    Column("origin", String(20), nullable=False),  # audit, theme, report or alert
    Column("audit_id", ForeignKey("audit.id")),
    Column("alert_id", ForeignKey("management_alert.id")),  # an action from an alert
    Column("theme", String(200)),
    Column("owner", Text, nullable=False),
    Column("due", Date, nullable=False),
    Column("status", String(20), nullable=False),  # open, in progress, done or dropped
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("closed_at", DateTime(timezone=True)),
    comment="Actions from audits, themes, reports and alerts, with owner, due date and status.",
)

qa_action_note = Table(
    "qa_action_note",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("action_id", ForeignKey("qa_action.id", ondelete="CASCADE"), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("by", String(200), nullable=False),
    Column("note", Text, nullable=False),
    Column("status", String(20)),  # the status the action was given with the note, if any
    comment="Progress notes on an action, each with who wrote it and when.",
)

management_alert = Table(
    "management_alert",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("la", String(20), nullable=False),
    Column("child", String(100), nullable=False),
    Column("concern", String(50), nullable=False),  # drift, no contingency plan, ...
    Column("detail", Text),
    Column("raised_by", String(200), nullable=False),
    Column("raised_role", String(100), nullable=False),  # IRO, CP chair or another role
    Column("raised_at", DateTime(timezone=True), nullable=False),
    Column("manager", Text),  # who must respond
    Column("responded_at", DateTime(timezone=True)),
    Column("response", Text),
    Column("responded_by", String(200)),
    Column("resolved_at", DateTime(timezone=True)),
    Column("resolution", Text),
    comment="Management alerts an IRO or CP chair raised about a child's plan, and the answers.",
)
Index("ix_management_alert_la_child", management_alert.c.la, management_alert.c.child)
