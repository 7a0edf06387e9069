"""Read the DfE XML return (root EXPSSDA903) into the same raw tables as the CSVs.

Each CHILD holds one HEADER and its EPISODEs. Inside HEADER sit the reviews (AREVIEW),
missing episodes (AMISSING), PERMANENCE, OC2, AD_PLACED and, directly, the UASC, OC3
and AD1 items. Problems point at the line of the element the value came from.
"""

from __future__ import annotations

from collections import defaultdict

import polars as pl
from lxml import etree

from carejourney.schema import ssda903 as s
from carejourney.schema.types import Table
from carejourney.sources.files import SourceFile
from carejourney.sources.problems import Problem, error
from carejourney.sources.raw import RawTable

# Tables that sit in a wrapper element inside HEADER, one row per wrapper.
_WRAPPED: dict[str, Table] = {
    "AREVIEW": s.REVIEWS,
    "AMISSING": s.MISSING,
    "PERMANENCE": s.PREV_PERM,
    "OC2": s.OC2,
    "AD_PLACED": s.PLACED_ADOPTION,
    "SW_EPISODE": s.SW_EPISODES,
}
# Tables whose items sit directly in HEADER: a row exists when any of `trigger` has a value.
_DIRECT: dict[str, tuple[Table, tuple[str, ...]]] = {
    "UASC": (s.UASC, ("DUC",)),
    "OC3": (s.OC3, ("IN_TOUCH", "ACTIV", "ACCOM")),
    "AD1": (s.AD1, ("DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR")),
}


def is_xml(file: SourceFile) -> bool:
    head = file.data[:200].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<")


def read_xml(file: SourceFile) -> tuple[list[RawTable], list[Problem]]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(file.data, parser)
    except etree.XMLSyntaxError as exc:
        return [], [
            error(
                file.name,
                "file-unreadable",
                f"The XML is not well formed ({exc.msg}).",
                row=exc.lineno,
            )
        ]
    if root.tag != "EXPSSDA903":
        return [], [
            error(
                file.name,
                "file-unrecognised",
                f"This XML file's root element is <{root.tag}>; an SSDA903 return "
                "starts with <EXPSSDA903>.",
            )
        ]
    rows: dict[str, list[dict[str, object]]] = defaultdict(list)
    for child in root.iterfind("CHILD"):
        header = child.find("HEADER")
        if header is None:
            continue
        base = _values(header, s.HEADER)
        rows["Header"].append({**base, "_row": header.sourceline})
        person = {"CHILD": base["CHILD"], "DOB": base["DOB"], "SEX": base["SEX"]}
        for tag, table in _WRAPPED.items():
            for element in header.iterfind(tag):
                rows[table.name].append(
                    {**_values(element, table, person), "_row": element.sourceline}
                )
        for table, trigger in _DIRECT.values():
            values = _values(header, table, person)
            if any(values.get(t) for t in trigger):
                rows[table.name].append({**values, "_row": header.sourceline})
        for episode in child.iterfind("EPISODE"):
            rows["Episodes"].append(
                {**_values(episode, s.EPISODES, person), "_row": episode.sourceline}
            )
    tables = []
    for table in s.TABLES:
        if rows.get(table.name):
            frame = pl.DataFrame(
                rows[table.name],
                schema={"_row": pl.Int64, **{c: pl.String for c in table.column_names}},
            )
            tables.append(RawTable(file, table, frame))
    return tables, []


def _values(
    element: etree._Element, table: Table, inherited: dict[str, str | None] | None = None
) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for column in table.columns:
        found = element.find(column.tag)
        if found is None and column.tag != column.name:
            found = element.find(column.name)
        if found is not None:
            out[column.name] = found.text
        elif inherited and column.name in inherited:
            out[column.name] = inherited[column.name]
        else:
            out[column.name] = None
    return out
