"""The ten shortest and ten longest adoption journeys, stage by stage.

A journey here is a period of care from entering care to the adoption order, both dated
(`measures.stages.shortest_and_longest`). The tables have one row per child: the child is
shown by a pseudonym (`reports.disclosure.pseudonymise`), by ID only in an internal report.
"""

from __future__ import annotations

import polars as pl

from carejourney.measures.stage_routes import ROUTES, Stage
from carejourney.measures.stages import PHRASES, shortest_and_longest, stage_times
from carejourney.reports.disclosure import DisclosureRules, protect_count, pseudonymise
from carejourney.reports.document import ReportContext, ReportTable, Section
from carejourney.reports.sections.timeliness import days_text, median_of

KEY = "journeys"
TITLE = "The ten shortest and ten longest adoption journeys"
ROUTE = "adoption"
HOW_MANY = 10
NUMBER_WORDS = {
    1: "one",
    2: "two",
    3: "three",
    4: "four",
    5: "five",
    6: "six",
    7: "seven",
    8: "eight",
    9: "nine",
    10: "ten",
}


def _steps() -> list[Stage]:
    return [s for s in ROUTES[ROUTE] if not s.overall]


def build(context: ReportContext) -> Section:
    """The section: two child-level tables and a sentence comparing them."""
    times = stage_times(context.journeys, ROUTE, context.as_at)
    # Every completed journey, ranked both ways: the count is said, the first ten shown.
    every_short, every_long = shortest_and_longest(times, ROUTE, n=max(times.height, 1))
    shortest, longest = every_short.head(HOW_MANY), every_long.head(HOW_MANY)
    if shortest.height == 0:
        return Section(
            key=KEY,
            title=TITLE,
            not_available=(
                f"No adoption journey is complete as at {context.as_at:%d/%m/%Y}: no child has "
                "both an entering care date and an adoption order in the loaded data. Load "
                "the SSDA903 returns that cover the adoptions with `carejourney import`."
            ),
        )
    rules = context.disclosure
    paragraphs = [
        _introduction(every_short.height, rules),
        _comparison(shortest, longest),
    ]
    tables = (
        _table("Shortest adoption journeys", "the shortest", shortest, context),
        _table("Longest adoption journeys", "the longest", longest, context),
    )
    return Section(key=KEY, title=TITLE, paragraphs=tuple(paragraphs), tables=tables)


def _introduction(completed: int, rules: DisclosureRules) -> str:
    count = protect_count(completed, rules)
    how_many = (
        f"{count} children's adoption journeys are complete"
        if count is not None
        else f"Fewer than {rules.threshold} children's adoption journeys are complete"
    )
    words = (
        f"{how_many}: they entered care and their adoption order was made. Each journey is "
        "shown stage by stage, in days; a blank stage was skipped (for example, no placement "
        "order when the parents consented)."
    )
    if completed < 2 * HOW_MANY:
        words += " There are fewer than 20 of them, so the two lists share some children."
    return words


def _group(frame: pl.DataFrame, which: str) -> str:
    n = frame.height
    return f"the {NUMBER_WORDS.get(n, str(n))} {which}" if n > 1 else f"the {which}"


def _comparison(shortest: pl.DataFrame, longest: pl.DataFrame) -> str:
    """The median of the longest against the shortest, and the stage that differs most."""
    if set(shortest["CHILD"]) == set(longest["CHILD"]):
        return (
            "The two lists hold the same children, in opposite order: there are too few "
            "complete journeys to compare the shortest with the longest."
        )
    long_median = median_of(longest["total_days"]) or 0.0
    short_median = median_of(shortest["total_days"]) or 0.0
    sentence = (
        f"{_group(longest, 'longest journeys').capitalize()} took a median of "
        f"{days_text(long_median)} days from entering care to the adoption order, against "
        f"{days_text(short_median)} days for {_group(shortest, 'shortest')}"
    )
    if short_median > 0:
        sentence += f": {long_median / short_median:.1f} times as long"
    sentence += "."
    differences: dict[str, tuple[float, float]] = {}
    for stage in _steps():
        long_stage, short_stage = median_of(longest[stage.name]), median_of(shortest[stage.name])
        if long_stage is not None and short_stage is not None:
            differences[stage.name] = (long_stage, short_stage)
    if differences:
        name = max(differences, key=lambda s: differences[s][0] - differences[s][1])
        stage = next(s for s in _steps() if s.name == name)
        long_stage, short_stage = differences[name]
        sentence += (
            f" The stage that differs most is between {PHRASES[stage.from_milestone]} and "
            f"{PHRASES[stage.to_milestone]}: a median of {days_text(long_stage)} days in the "
            f"longest journeys against {days_text(short_stage)} in the shortest."
        )
    return sentence


def _table(key: str, which: str, frame: pl.DataFrame, context: ReportContext) -> ReportTable:
    rules = context.disclosure
    named = pseudonymise(frame, "CHILD", context.salt, rules)
    columns = {s.name: f"{s.label} (days)" for s in _steps()}
    published = named.select(
        pl.col("CHILD").alias("Child"),
        pl.col("total_days").alias("Entered care to adoption order (days)"),
        *[pl.col(name).alias(heading) for name, heading in columns.items()],
    )
    who = (
        "Children are shown by their ID: this is an internal report."
        if rules.internal
        else "Children are shown by a pseudonym (a code that stands for the child and stays "
        "the same from report to report), not their ID."
    )
    return ReportTable(
        key=key,
        title=f"{_group(published, which.removeprefix('the ')).capitalize()} adoption "
        f"journeys, as at {context.as_at:%d/%m/%Y}",
        frame=published,
        note=f"{who} A blank stage was skipped. Days in all are from entering care to the "
        "adoption order.",
    )
