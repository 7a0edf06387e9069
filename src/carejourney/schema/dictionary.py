"""The data dictionary, generated from the declared tables and code lists.

`render_markdown()` builds `docs/data-dictionary.md` from `carejourney.schema` alone: nothing
in it is written by hand per table, so it cannot drift from what the readers check.
Regenerate the file with:

    uv run python -m carejourney.schema.dictionary
"""

from __future__ import annotations

import re
from pathlib import Path

from carejourney.config.audits import load_template, scales
from carejourney.schema.audits import audit_table
from carejourney.schema.demand import CODE_LISTS as DEMAND_CODE_LISTS
from carejourney.schema.demand import DEMAND_FILES, DemandFile
from carejourney.schema.milestones import DECLARED
from carejourney.schema.ssda903 import TABLES
from carejourney.schema.tracker import TRACKER
from carejourney.schema.types import CodeList, Column, Kind, Table, year_label

OUTPUT = Path("docs") / "data-dictionary.md"
REGENERATE = "uv run python -m carejourney.schema.dictionary"

# How each kind of column is read (kept in step with carejourney.sources.values).
KIND_READING: dict[Kind, str] = {
    Kind.ID: "an identifier; spaces trimmed and Excel's trailing `.0` removed (`1234.0` is `1234`)",
    Kind.TEXT: "free text; spaces trimmed",
    Kind.CODE: (
        "one of the codes in the column's code list; read in any case and with stray spaces "
        '(" m " is read as `M`), and Excel\'s `1.0` read as `1`. Where the code list gives '
        'other spellings ("Also accepted"), those are read as the code too, in any case '
        "and with any spaces or punctuation between the words (`No further action` and "
        "`no-further-action` are both read as `NFA`)"
    ),
    Kind.DATE: (
        "a date: `dd/mm/yyyy` (also with `-` or `.`), `yyyy-mm-dd` (any time of day is "
        "ignored) or an Excel day number (`45383` is 1 April 2024)"
    ),
    Kind.INTEGER: "a whole number; Excel's trailing `.0` removed",
    Kind.POSTCODE: "a postcode; upper-cased, spaces trimmed and runs of spaces made one",
}


def render_markdown() -> str:
    """The whole data dictionary as Markdown, ending with a newline."""
    lines = _intro(TABLES)
    lines += ["## Tables", ""]
    for table in TABLES:
        lines += _table_section(table)
    lines += ["## Code lists", ""]
    for code_list, users in _code_lists(TABLES).items():
        lines += _code_list_section(code_list, users)
    lines += _tracker_section()
    lines += _demand_section()
    lines += _audit_section()
    return "\n".join(lines).rstrip("\n") + "\n"


def _audit_section() -> list[str]:
    """The audit spreadsheet (`carejourney audits import`) for the default template, and
    the grades of the shipped scales."""
    template = load_template()
    table = audit_table(template)
    lines = [
        "## Audit spreadsheet",
        "",
        "The case-audit spreadsheet an LA keeps, imported with `carejourney audits import` "
        "(CSV, or the first sheet of an Excel workbook with these columns): one row per audit. "
        "Headings are read in any case and with spaces for underscores (`Audit date` is "
        "`AUDIT_DATE`). There is one grade column per domain of the audit template, headed "
        "by the domain's key or its title (`VOICE_OF_THE_CHILD` or `Voice of the child`); "
        "grades are written as the scale's value or label, in any case. An audit is the "
        "audit of that child, on that date, by that auditor: importing the file again "
        "updates those audits rather than adding them twice. Any error stores nothing. "
        "How to use your own template and scale: `docs/audits.md`.",
        "",
        f"- Key: {_names(table.key)} (identifies an audit).",
        f"- Columns for the default template, {template.name} ({template.title}); another "
        "template has its own domains' columns in their place.",
        '- `STRENGTHS` and `DEVELOPMENT` hold themes separated by ";"; a theme the template '
        "does not list is kept, with a warning that it is new.",
        "",
    ]
    headings = ["Column", "Type", "Required", "Personal data", "Description"]
    rows = [
        [
            f"`{c.name}`",
            _kind_text(c),
            "yes" if c.required else "",
            "yes" if c.personal else "",
            c.description,
        ]
        for c in table.columns
    ]
    lines += [f"### {table.name}: the {template.name} template", "", table.description, ""]
    lines += [*_grid(headings, rows), "", "### Grading scales", ""]
    lines += [
        "Each template grades on a scale; which grades count as good or better is set in "
        "the scale. Accepted: the value, the label or another spelling listed, in any case.",
        "",
    ]
    scale_rows = [
        [
            scale.label,
            f"`{grade.value}`",
            grade.label,
            ", ".join(grade.also),
            "yes" if grade.good else "no",
        ]
        for scale in scales()
        for grade in scale.grades
    ]
    lines += _grid(["Scale", "Value", "Label", "Also accepted", "Good or better"], scale_rows)
    return [*lines, ""]


def _demand_section() -> list[str]:
    """The demand files (contacts, assessments, help, CIN census modules) and their codes."""
    lines = [
        "## Demand data",
        "",
        "What carejourney reads to measure demand as families experience it: contacts into "
        "the service, the assessments and help that followed, and the child in need census's "
        "referrals and assessments. Each kind of file is recognised by its column headings, "
        "in any case and with spaces for underscores (`Contact date` is `CONTACT_DATE`): by "
        "its required columns, or by at least half of its columns. Each "
        "kind is the LA's whole current list: importing one replaces every row of that kind "
        "stored for the LA (several files of a kind given together are stored together), "
        "and importing the same files again changes nothing.",
        "",
        "- A contact whose `FAMILY` is blank is taken to be about its child's own family: "
        "its `CHILD` is used as the family.",
        "- A code that is not in its code list is reported and left blank.",
        "- Dates out of order are errors, and nothing is stored until they are put right: a "
        "decision or a closure before its contact, an assessment authorised before it "
        "started, help or a child in need episode ending before it started.",
        "- The CIN census files keep the DfE's item names as headings; carejourney stores "
        "and measures them under its own names, given beside each.",
        "",
    ]
    for demand in DEMAND_FILES:
        lines += _demand_table_section(demand)
    lines += ["### Demand code lists", ""]
    users = _code_lists(tuple(d.table for d in DEMAND_FILES))
    for code_list in DEMAND_CODE_LISTS:
        lines += _code_list_section(code_list, users[code_list], level="####")
    return lines


def _demand_table_section(demand: DemandFile) -> list[str]:
    table = demand.table
    required = [c.name for c in table.columns if c.required]
    facts = [f"- Recognised by: {_names(required)} (its required columns)."]
    if table.source:
        facts.append(f"- Source: {_sentence(table.source)}")
    renamed = demand.names != {c: c for c in table.column_names}
    headings = ["Column", "Type", "Required", "Personal data", "Description", "Allowed values"]
    if renamed:
        headings.insert(1, "carejourney name")
    rows = []
    for c in table.columns:
        row = [
            f"`{c.name}`",
            _kind_text(c),
            "yes" if c.required else "",
            "yes" if c.personal else "",
            c.description,
            _allowed(c),
        ]
        if renamed:
            row.insert(1, f"`{demand.names[c.name]}`")
        rows.append(row)
    return [f"### {table.name}", "", table.description, "", *facts, "", *_grid(headings, rows), ""]


def _tracker_section() -> list[str]:
    """The tracker file and the milestones it may name."""
    lines = [
        "## Tracker files",
        "",
        "Milestones no national return holds are loaded from a tracker: a CSV file with the "
        "columns below, recognised by its headings like any other table. It belongs to no "
        "collection year: importing a tracker replaces all of the LA's tracker milestones "
        "with the ones in the file(s) given.",
        "",
    ]
    lines += _table_section(TRACKER)
    lines += [
        "### Milestones",
        "",
        "`MILESTONE` is one of these names, or its label in any case "
        "(`Permanence recommendation` is read as `permanence_recommendation`). Milestones "
        "whose source is SSDA903 come from the return; a tracker may record them too.",
        "",
    ]
    lines += _grid(
        ["name", "label", "whose journey", "description", "source"],
        [[f"`{m.name}`", m.label, str(m.subject), m.description, m.source] for m in DECLARED],
    )
    return [*lines, ""]


def main() -> None:
    """Write the dictionary to `docs/data-dictionary.md` in the repository."""
    path = repo_root() / OUTPUT
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_markdown(), encoding="utf-8", newline="\n")
    print(f"Wrote {path}")


def repo_root() -> Path:
    """The repository holding this file (`src/carejourney/schema/dictionary.py`)."""
    return Path(__file__).resolve().parents[3]


def anchor(heading: str) -> str:
    """The link target GitHub (and most Markdown viewers) give a heading."""
    slug = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return slug.replace(" ", "-")


def code_list_heading(code_list: CodeList) -> str:
    return f"Code list {code_list.name}"


def escape_cell(text: str) -> str:
    """Text that cannot break a Markdown table row."""
    return " ".join(text.split()).replace("|", "\\|")


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(escape_cell(c) for c in cells) + " |"


def _grid(headings: list[str], rows: list[list[str]]) -> list[str]:
    return [_row(headings), "|" + "---|" * len(headings), *(_row(r) for r in rows)]


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if text.endswith((".", "!", "?")) else text + "."


def _and(names: list[str]) -> str:
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else "".join(names)


def _names(names: tuple[str, ...] | list[str]) -> str:
    return ", ".join(f"`{n}`" for n in names)


def _intro(tables: tuple[Table, ...]) -> list[str]:
    required = [t.name for t in tables if t.required_in_return]
    kinds = [f"- **{kind.value}**: {KIND_READING[kind]}." for kind in Kind]
    return [
        "# Data dictionary: SSDA903 (children looked after return)",
        "",
        "<!-- Generated from carejourney.schema; do not edit by hand. -->",
        f"<!-- Regenerate with: {REGENERATE} -->",
        "",
        "What carejourney reads from the DfE SSDA903 return (children looked after in "
        "England): every table, every column and every allowed code, with the years each "
        "code is valid. It is generated from the declarations in `carejourney.schema`, the "
        "same declarations the readers use to check a file, so it always matches what is "
        "checked.",
        "",
        "## How values are read",
        "",
        "- A table is recognised by its column headings, not by its file name: a CSV "
        "called anything is read as Episodes if it has the Episodes columns.",
        f"- A return must include {_and(required)}; the other tables are read when present.",
        "- Collection years run from 1 April to 31 March and are named by the year they "
        "start: 2024 is 1 April 2024 to 31 March 2025, written 2024/25.",
        "- A code is valid only in the years shown in its code list; a code used outside "
        "them is reported.",
        "- **Required** columns: a row with this column blank cannot be used at all.",
        "- **Personal data** columns identify a child: their values are never shown in "
        "messages or logs.",
        "",
        "Each column's type says how its text is read:",
        "",
        *kinds,
        "",
    ]


def _kind_text(column: Column) -> str:
    text = column.kind.value
    if column.minimum is not None and column.maximum is not None:
        return f"{text} ({column.minimum} to {column.maximum})"
    if column.minimum is not None:
        return f"{text} (at least {column.minimum})"
    if column.maximum is not None:
        return f"{text} (at most {column.maximum})"
    return text


def _allowed(column: Column) -> str:
    if column.codes is None:
        return ""
    return f"[{column.codes.name}](#{anchor(code_list_heading(column.codes))})"


def _table_section(table: Table) -> list[str]:
    facts = [f"- Key: {_names(table.key)} (identifies a row within one child's record)."]
    facts.append("- Must be in every return: " + ("yes." if table.required_in_return else "no."))
    if table.first_year is not None:
        facts.append(f"- First collected: {year_label(table.first_year)}.")
    if table.source:
        facts.append(f"- Source: {_sentence(table.source)}")
    headings = [
        "Column",
        "XML tag",
        "Type",
        "Required",
        "Personal data",
        "Description",
        "Allowed values",
    ]
    rows = [
        [
            f"`{c.name}`",
            f"`{c.xml_tag}`" if c.xml_tag and c.xml_tag != c.name else "",
            _kind_text(c),
            "yes" if c.required else "",
            "yes" if c.personal else "",
            c.description,
            _allowed(c),
        ]
        for c in table.columns
    ]
    return [f"### {table.name}", "", table.description, "", *facts, "", *_grid(headings, rows), ""]


def _code_lists(tables: tuple[Table, ...]) -> dict[CodeList, list[str]]:
    """Each code list once, in the order first used, with the columns that use it."""
    used: dict[CodeList, list[str]] = {}
    by_name: dict[str, CodeList] = {}
    for table in tables:
        for column in table.columns:
            if column.codes is None:
                continue
            known = by_name.setdefault(column.codes.name, column.codes)
            if known != column.codes:
                raise ValueError(f"Two different code lists are both named {known.name}")
            used.setdefault(known, []).append(f"{table.name}.{column.name}")
    return used


def _code_list_section(code_list: CodeList, users: list[str], level: str = "###") -> list[str]:
    headings = ["Code", "Description", "Valid years"]
    rows = [[f"`{c.value}`", c.description, c.valid_years] for c in code_list.codes]
    if code_list.has_aliases:
        headings.insert(2, "Also accepted")
        for row, code in zip(rows, code_list.codes, strict=True):
            row.insert(2, ", ".join(code.aliases))
    lines = [f"{level} {code_list_heading(code_list)}", "", code_list.description, ""]
    lines.append(f"- Used by: {_names(users)}.")
    if code_list.source:
        lines.append(f"- Source: {_sentence(code_list.source)}")
    return [*lines, "", *_grid(headings, rows), ""]


if __name__ == "__main__":
    main()
