"""What matters to families, from the tags teams record with each contact (WHAT_MATTERS:
tags separated by ";", as Cumbria's review gathered "what matters" from demand).

Tags are trimmed and counted ignoring capitals; each is shown in its most common spelling,
of all the times it was written (ties: the one first in alphabetical order, capitals
first). A contact that gives the same tag twice counts once for it. Blank tags are ignored.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from carejourney.measures.demand.common import month_of, share


def _mentions(contacts: pl.DataFrame) -> pl.DataFrame:
    """_CONTACT | month | tag (as written) | _KEY (lower case), one row per tag written."""
    return (
        contacts.with_row_index("_CONTACT")
        .select(
            "_CONTACT",
            month_of(pl.col("CONTACT_DATE")).alias("month"),
            pl.col("WHAT_MATTERS").str.split(";").alias("tag"),
        )
        .explode("tag")
        .with_columns(pl.col("tag").str.strip_chars())
        .filter(pl.col("tag").is_not_null() & (pl.col("tag") != ""))
        .with_columns(pl.col("tag").str.to_lowercase().alias("_KEY"))
    )


def _tags(mentions: pl.DataFrame) -> pl.DataFrame:
    """The mentions with each tag once per contact."""
    return mentions.unique(["_CONTACT", "_KEY"], keep="first", maintain_order=True)


def _spellings(mentions: pl.DataFrame) -> pl.DataFrame:
    """_KEY | tag: each tag's most common spelling, of every time it was written."""
    return (
        mentions.group_by("_KEY", "tag")
        .agg(pl.len().alias("_n"))
        .sort("_KEY", "_n", "tag", descending=[False, True, False])
        .group_by("_KEY", maintain_order=True)
        .agg(pl.col("tag").first())
    )


def what_matters(contacts: pl.DataFrame) -> pl.DataFrame:
    """tag | contacts (that gave it) | pct_of_tagged (of the contacts with any tag), the most
    common first."""
    mentions = _mentions(contacts)
    tags = _tags(mentions)
    tagged = tags["_CONTACT"].n_unique()
    return (
        tags.group_by("_KEY")
        .agg(pl.len().cast(pl.Int64).alias("contacts"))
        .join(_spellings(mentions), on="_KEY")
        .with_columns(share(pl.col("contacts"), pl.lit(tagged)).alias("pct_of_tagged"))
        .sort(["contacts", "tag"], descending=[True, False])
        .select("tag", "contacts", "pct_of_tagged")
    )


def what_matters_by_month(
    contacts: pl.DataFrame, months: list[dt.date] | None = None
) -> pl.DataFrame:
    """month | tag | contacts, for the months that have tags (only the months of `months`
    when given), tags spelled as in `what_matters`."""
    mentions = _mentions(contacts)
    tags = _tags(mentions)
    spellings = _spellings(mentions)  # from every contact given, as what_matters spells them
    if months is not None:
        tags = tags.filter(pl.col("month").is_in(months))
    return (
        tags.group_by("month", "_KEY")
        .agg(pl.len().cast(pl.Int64).alias("contacts"))
        .join(spellings, on="_KEY")
        .sort(["month", "contacts", "tag"], descending=[False, True, False])
        .select("month", "tag", "contacts")
    )
