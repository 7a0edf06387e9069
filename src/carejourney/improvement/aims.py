"""Aims: what an improvement group sets out to achieve, by when, measured how.

An aim is stored per LA under a short name (a slug, like `aim-2-recommendation`). Its
measure is either a timescale rule (`rule`: the share of children on time, worked out from
the journeys whenever it is charted) or an analyst's series (`csv`: the points of a CSV
file, stored with the aim so the chart can be drawn again). `aims_from_rule_set` turns
every rule with a target into an aim, so Moray's aims are set up in one go.

Every problem comes back as an `AimError` whose message says what to change.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path

from sqlalchemy import Connection, insert, select
from sqlalchemy.engine import RowMapping

from carejourney.config.rules import (
    SLUG,
    Cohort,
    RuleSet,
    RuleSetError,
    TimescaleRule,
    Unit,
    load_rule_set,
)
from carejourney.measures.spc.types import ChartType, Improvement
from carejourney.schema.milestones import MILESTONES_BY_NAME
from carejourney.store.access import current_user
from carejourney.store.tables import aim as aim_table
from carejourney.store.tables import aim_measure_point


class AimError(ValueError):
    """An aim that cannot be added or found, with a message saying what to do."""


class Measure(StrEnum):
    """Where an aim's measure comes from."""

    RULE = "rule"  # a timescale rule, worked out from the journeys
    CSV = "csv"  # an analyst's series, stored with the aim


@dataclass(frozen=True)
class MeasurePoint:
    """One point of an analyst's series: its date, how it is labelled on the chart, its
    value (the numerator, for a p or u chart) and its denominator, if any."""

    date: dt.date
    label: str
    value: float
    denominator: float | None = None


@dataclass(frozen=True)
class Aim:
    """A quality-improvement aim. `id`, `la`, `created_at` and `created_by` are set once it
    is stored (`add_aim` gives it back with them)."""

    name: str
    statement: str
    measure: Measure
    cohort: str | None = None  # who the aim is for, in words
    rule_set: str | None = None  # rule measures: a shipped rule set's name or a file path
    rule: str | None = None
    chart: ChartType | None = None  # csv measures: the chart to draw the series as
    value_title: str | None = None  # csv measures: what the value is
    # The share to be on time, for a rule measure; for a csv measure the target on the
    # chart's scale (a percentage for p charts).
    target_percent: float | None = None
    deadline: dt.date | None = None
    owner: str | None = None
    improvement: Improvement = Improvement.UP  # which way is better for the aim's measure
    id: int | None = None
    la: str | None = None
    created_at: dt.datetime | None = None
    created_by: str | None = None


def add_aim(
    conn: Connection,
    la: str,
    aim: Aim,
    *,
    points: Sequence[MeasurePoint] = (),
    who: str | None = None,
) -> Aim:
    """Store `aim` for LA `la` (and, for a csv measure, its `points`, in time order), inside
    the caller's transaction, and give it back as stored."""
    check_aim(aim, points)
    if _row(conn, la, aim.name) is not None:
        raise AimError(
            f'LA {la} already has an aim called "{aim.name}": choose another name, or see '
            f"it with `carejourney aims show {aim.name}`."
        )
    stored = replace(
        aim, la=la, created_at=dt.datetime.now(dt.UTC), created_by=who or current_user()
    )
    values = {
        "la": la,
        "name": stored.name,
        "statement": stored.statement,
        "cohort": stored.cohort,
        "measure": stored.measure.value,
        "rule_set": stored.rule_set,
        "rule": stored.rule,
        "chart": None if stored.chart is None else stored.chart.value,
        "value_title": stored.value_title,
        "target_percent": stored.target_percent,
        "deadline": stored.deadline,
        "owner": stored.owner,
        "improvement": stored.improvement.value,
        "created_at": stored.created_at,
        "created_by": stored.created_by,
    }
    new_id = conn.execute(insert(aim_table).values(values).returning(aim_table.c.id)).scalar_one()
    if points:
        conn.execute(
            insert(aim_measure_point),
            [
                {
                    "aim_id": new_id,
                    "position": n,
                    "date": p.date,
                    "label": p.label,
                    "value": p.value,
                    "denominator": p.denominator,
                }
                for n, p in enumerate(points, start=1)
            ],
        )
    return replace(stored, id=new_id)


def check_aim(aim: Aim, points: Sequence[MeasurePoint] = ()) -> None:
    """Raise an `AimError` if `aim` (with its `points`) cannot be stored as it is."""
    if not re.fullmatch(SLUG, aim.name):
        raise AimError(
            f'"{aim.name}" cannot be an aim\'s name: use lower-case letters, digits and '
            "hyphens, like aim-2-recommendation."
        )
    if not aim.statement.strip():
        raise AimError("The aim needs a statement: what is to improve, by how much, by when.")
    target = aim.target_percent
    if aim.measure is Measure.RULE:
        if aim.rule_set is None or aim.rule is None:
            raise AimError("An aim measured by a timescale rule needs a rule set and a rule.")
        rule_of(aim)  # the rule set loads and holds the rule
        if target is not None and not 0 < target <= 100:
            raise AimError(
                f"The target is a percentage: more than 0 and at most 100, not {target:g}."
            )
        return
    if aim.chart is None:
        raise AimError("An aim measured from a CSV file needs a chart type (i, p, run...).")
    if not points:
        raise AimError("The CSV file has no points to chart: an aim needs at least one.")
    if list(points) != sorted(points, key=lambda p: p.date):
        raise AimError("The points must be in date order, earliest first.")


def get_aim(conn: Connection, la: str, name: str) -> Aim:
    """The aim called `name` in LA `la`."""
    row = _row(conn, la, name)
    if row is None:
        names = [a.name for a in list_aims(conn, la)]
        close = difflib.get_close_matches(name, names, n=1)
        hint = f' Did you mean "{close[0]}"?' if close else ""
        held = ", ".join(names) if names else "none yet (add one with `carejourney aims add`)"
        raise AimError(f'LA {la} has no aim called "{name}".{hint} Its aims: {held}.')
    return _aim(row)


def list_aims(conn: Connection, la: str) -> list[Aim]:
    """LA `la`'s aims, in the order they were added."""
    query = select(aim_table).where(aim_table.c.la == la).order_by(aim_table.c.id)
    return [_aim(row) for row in conn.execute(query).mappings()]


def aim_las(conn: Connection) -> list[str]:
    """The LAs that have aims."""
    return list(conn.execute(select(aim_table.c.la).distinct().order_by(aim_table.c.la)).scalars())


def measure_points(conn: Connection, aim: Aim) -> list[MeasurePoint]:
    """A csv aim's stored points, in time order."""
    table = aim_measure_point
    query = select(table).where(table.c.aim_id == aim.id).order_by(table.c.position)
    return [
        MeasurePoint(
            date=r["date"], label=r["label"], value=r["value"], denominator=r["denominator"]
        )
        for r in conn.execute(query).mappings()
    ]


def rule_of(aim: Aim) -> tuple[RuleSet, TimescaleRule]:
    """A rule aim's rule set and rule."""
    if aim.rule_set is None or aim.rule is None:
        raise AimError(f'The aim "{aim.name}" is measured from a CSV file, not a timescale rule.')
    try:
        rules = load_rule_set(aim.rule_set)
    except RuleSetError as exc:
        raise AimError(str(exc)) from None
    if aim.rule not in rules.names:
        names = sorted(rules.names)
        close = difflib.get_close_matches(aim.rule, names, n=1)
        hint = f' Did you mean "{close[0]}"?' if close else ""
        raise AimError(
            f'The rule set "{rules.name}" has no rule called "{aim.rule}".{hint} Its rules: '
            f"{', '.join(names)} (see them with `carejourney rules --rules {aim.rule_set}`)."
        )
    return rules, rules.rule(aim.rule)


def rule_set_reference(given: str) -> str:
    """How to store a rule set given on the command line: a shipped set by its name, a file
    by its full path, so the aim still finds it from another folder."""
    if "." not in given and "/" not in given:
        return given
    return str(Path(given).expanduser().resolve())


def aims_from_rule_set(rule_set: RuleSet, reference: str | None = None) -> list[Aim]:
    """One aim per rule with a target: named as the rule, its statement the aim as the
    rule's source quotes it (else the rule's title), its cohort in words, its target and
    deadline the rule's target_percent and target_date. `reference` is how the aims find
    the rule set again (default: its name, for a shipped set)."""
    aims = [
        Aim(
            name=rule.name,
            statement=_statement(rule),
            measure=Measure.RULE,
            cohort=cohort_in_words(rule),
            rule_set=reference or rule_set.name,
            rule=rule.name,
            target_percent=rule.target_percent,
            deadline=rule.target_date,
            improvement=Improvement.UP,  # the share on time: higher is better
        )
        for rule in rule_set.rules
        if rule.target_percent is not None
    ]
    if not aims:
        raise AimError(
            f'The rule set "{rule_set.name}" has no rule with a target_percent, so it sets no '
            "aims. Add an aim for one of its rules with `carejourney aims add NAME --rule-set "
            f"{reference or rule_set.name} --rule RULE --target PCT`."
        )
    return aims


def cohort_in_words(rule: TimescaleRule) -> str:
    """Who a rule's timescale is for, as a sentence fragment: "children who entered care on
    or after 01/02/2019"."""
    c: Cohort = rule.cohort
    parts = []
    if c.entered_on_or_after is not None:
        parts.append(f"who entered care on or after {c.entered_on_or_after:%d/%m/%Y}")
    if c.entered_before is not None:
        parts.append(f"who entered care before {c.entered_before:%d/%m/%Y}")
    if c.from_milestone_on_or_after is not None:
        # Counting back, the clock is the rule's to_milestone (see measures.drift).
        back = rule.unit is Unit.FULL_WORKING_DAYS_BEFORE
        clock = MILESTONES_BY_NAME[rule.to_milestone if back else rule.from_milestone].label
        article = "an" if clock[0].lower() in "aeiou" else "a"
        since = f"{c.from_milestone_on_or_after:%d/%m/%Y}"
        parts.append(f"with {article} {clock[0].lower()}{clock[1:]} on or after {since}")
    low, high = c.age_at_entry_min, c.age_at_entry_max
    if low is not None or high is not None:
        ages = f"{low} or over" if high is None else f"{high} or under" if low is None else ""
        parts.append(f"aged {ages or f'{low} to {high}'} on entering care")
    if c.legal_routes:
        routes = " or ".join(r.value.replace("_", " ") for r in c.legal_routes)
        parts.append(f"whose plan is {routes}")
    if not parts:
        return "all children the rule applies to"
    return "children " + ", ".join(parts)


def _statement(rule: TimescaleRule) -> str:
    """The aim as the rule's source quotes it (the first quotation giving the target), else
    the rule's title."""
    assert rule.target_percent is not None
    target = f"{rule.target_percent:g}%"
    for quoted in re.findall(r'"([^"]+)"', rule.source):
        if target in quoted:
            return " ".join(quoted.split())
    return rule.title


def _row(conn: Connection, la: str, name: str) -> RowMapping | None:
    query = select(aim_table).where(aim_table.c.la == la, aim_table.c.name == name)
    return conn.execute(query).mappings().first()


def _aim(row: RowMapping) -> Aim:
    return Aim(
        id=row["id"],
        la=row["la"],
        name=row["name"],
        statement=row["statement"],
        cohort=row["cohort"],
        measure=Measure(row["measure"]),
        rule_set=row["rule_set"],
        rule=row["rule"],
        chart=None if row["chart"] is None else ChartType(row["chart"]),
        value_title=row["value_title"],
        target_percent=row["target_percent"],
        deadline=row["deadline"],
        owner=row["owner"],
        improvement=Improvement(row["improvement"]),
        created_at=row["created_at"],
        created_by=row["created_by"],
    )
