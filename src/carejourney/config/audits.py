"""Audit templates and grading scales as data: TOML files validated into typed models.

A scale (`audits/scales.toml`) is an ordered list of grades, each with a value (stored),
a label (shown), a rank (higher is better) and whether it counts as good: "good or better"
against "not yet good enough", the line the grade trend is drawn on. A template (one TOML
file per template in `audits/`) names its scale (or holds its own), the domains an auditor
grades with the questions each asks, and the themes auditors tag as strengths or areas for
development.

Templates are found by name among the shipped ones and the LA's own, in the folder named by
CAREJOURNEY_AUDIT_TEMPLATES; any template file also loads by its path. Every problem in a
file comes back in one `AuditTemplateError` naming the file, domain or grade, field and what
was expected, in words a non-programmer can act on.
"""

from __future__ import annotations

import os
import re
from importlib import resources
from os import PathLike
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, Field, PrivateAttr, StringConstraints, field_validator
from pydantic_core import ErrorDetails

from carejourney.config.rules import Slug, Text, _expected, _Model
from carejourney.config.toml_files import parse_model, read_user_file
from carejourney.schema.audits import SHEET_COLUMN_NAMES, THEME_SEPARATOR, heading_key

ENVIRONMENT_VARIABLE = "CAREJOURNEY_AUDIT_TEMPLATES"
DEFAULT_TEMPLATE = "case-audit"
DomainKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
THEME_LENGTH = 200  # the longest theme the database holds

_SHIPPED = resources.files("carejourney.config").joinpath("audits")
_SCALES_FILE = "scales.toml"


class AuditTemplateError(ValueError):
    """An audit template or scale that cannot be used, with a message saying what to change."""


def spelling(text: str) -> str:
    """How grades and themes are compared: lower case, each run of other characters one
    space ("Requires-Improvement" and "requires  improvement" are the same)."""
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


class Grade(_Model):
    """One grade of a scale."""

    value: Slug = Field(description="The short name stored and accepted, like good or 4.")
    label: Text = Field(description="How the grade is written on screens and in reports.")
    also: tuple[Text, ...] = Field(
        default=(), description="Other spellings accepted in the spreadsheet, like RI."
    )
    rank: int = Field(description="The order of the grades: a higher rank is a better grade.")
    good: bool = Field(description='true when the grade counts as "good or better".')

    @property
    def spellings(self) -> frozenset[str]:
        """Every way of writing the grade that is accepted, as `spelling` writes them."""
        return frozenset(spelling(s) for s in (self.value, self.label, *self.also))


class Scale(_Model):
    """An ordered list of grades, best first, and which of them count as good."""

    name: Slug = Field(description="Short name, like ofsted or care-inspectorate.")
    label: Text = Field(description="What the scale is, in plain words.")
    source: Text | None = Field(default=None, description="Where the scale comes from.")
    grades: tuple[Grade, ...] = Field(description="The grades, each with value, label, rank, good.")

    @field_validator("grades")
    @classmethod
    def _sound(cls, grades: tuple[Grade, ...]) -> tuple[Grade, ...]:
        if len(grades) < 2:
            raise ValueError("needs at least two grades")
        for what, values in (
            ("value", [g.value for g in grades]),
            ("rank", [str(g.rank) for g in grades]),
        ):
            twice = sorted({v for v in values if values.count(v) > 1})
            if twice:
                raise ValueError(
                    f"more than one grade has the {what} {', '.join(twice)}: give each its own"
                )
        owner: dict[str, str] = {}
        for grade in grades:
            for written in grade.spellings:
                if owner.setdefault(written, grade.value) != grade.value:
                    raise ValueError(
                        f'"{written}" would mean both {owner[written]} and {grade.value}: '
                        "give each grade its own label and spellings"
                    )
        good = [g for g in grades if g.good]
        if not good or len(good) == len(grades):
            raise ValueError(
                "at least one grade must be good (good = true) and at least one not (good = "
                'false), so that "good or better" can be told from "not yet good enough"'
            )
        lowest_good = min(g.rank for g in good)
        above = [g.value for g in grades if not g.good and g.rank > lowest_good]
        if above:
            raise ValueError(
                f"{', '.join(above)} is not good but ranks above a good grade: every good "
                "grade must rank above every grade that is not good"
            )
        return tuple(sorted(grades, key=lambda g: -g.rank))

    # Every accepted spelling of every grade, worked out once.
    _by_spelling: dict[str, Grade] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: Any, /) -> None:
        self._by_spelling.update(
            {written: grade for grade in self.grades for written in grade.spellings}
        )

    def grade(self, text: str) -> Grade | None:
        """The grade written as `text` (its value, label or another spelling, any case)."""
        return self._by_spelling.get(spelling(text))

    def value(self, value: str) -> Grade:
        """The grade whose stored value is `value`."""
        for grade in self.grades:
            if grade.value == value:
                return grade
        raise KeyError(f'the scale "{self.name}" has no grade "{value}"')

    @property
    def good_values(self) -> frozenset[str]:
        """The stored values of the grades that count as good."""
        return frozenset(g.value for g in self.grades if g.good)

    def is_good(self, value: str) -> bool:
        """Whether the grade stored as `value` counts as good or better."""
        return value in self.good_values

    @property
    def accepted(self) -> str:
        """The grades in words, best first, for messages: 'Outstanding (outstanding), ...'."""
        return ", ".join(
            g.label if spelling(g.label) == spelling(g.value) else f"{g.label} ({g.value})"
            for g in self.grades
        )


class Domain(_Model):
    """One part of a case the auditor grades, and the questions it asks."""

    key: DomainKey = Field(
        description="Short name: lower-case letters, digits and underscores, like "
        "voice_of_the_child; the spreadsheet column is the key in capitals."
    )
    title: Text = Field(description="The domain as shown to people, like Voice of the child.")
    questions: tuple[Text, ...] = Field(default=(), description="What the auditor answers.")

    @property
    def column(self) -> str:
        """The domain's column in the audit spreadsheet: its key in capitals."""
        return self.key.upper()

    @property
    def headings(self) -> frozenset[str]:
        """The headings accepted for the domain's column, as `heading_key` writes them."""
        return frozenset({self.column, heading_key(self.title)})


class Template(_Model):
    """An audit template: its scale, the domains graded and the themes auditors tag."""

    name: Slug = Field(description="Short name: lower-case letters, digits and hyphens.")
    title: Text = Field(description="What the template is, in plain words.")
    source: Text = Field(description="Where the domains, questions and themes come from.")
    scale: Scale = Field(
        description='A scale\'s name from scales.toml ("ofsted", "care-inspectorate") or a '
        "[scale] table of your own."
    )
    domains: tuple[Domain, ...] = Field(description="The domains, each a [[domains]] table.")
    themes: tuple[Text, ...] = Field(
        description="The themes auditors tag as strengths or areas for development."
    )

    @field_validator("scale", mode="before")
    @classmethod
    def _named_scale(cls, value: object) -> object:
        """scale = "ofsted" names a shipped scale."""
        if not isinstance(value, str):
            return value
        found = {s.name: s for s in scales()}
        if value not in found:
            raise ValueError(
                f'"{value}" is not a scale carejourney knows. Scales: {", ".join(found)}; '
                "or give your own as a [scale] table"
            )
        return found[value]

    @field_validator("domains")
    @classmethod
    def _domains(cls, domains: tuple[Domain, ...]) -> tuple[Domain, ...]:
        if not domains:
            raise ValueError("needs at least one [[domains]] table")
        keys = [d.key for d in domains]
        twice = sorted({k for k in keys if keys.count(k) > 1})
        if twice:
            raise ValueError(
                f"more than one domain has the key {', '.join(twice)}: give each its own key"
            )
        owner: dict[str, str] = {}
        for domain in domains:
            for heading in domain.headings:
                if heading in SHEET_COLUMN_NAMES:
                    raise ValueError(
                        f'the domain "{domain.title}" would be the spreadsheet column '
                        f"{heading}, which holds something else: choose another key and title"
                    )
                if owner.setdefault(heading, domain.key) != domain.key:
                    raise ValueError(
                        f'the domains "{owner[heading]}" and "{domain.key}" would both be the '
                        f"spreadsheet column {heading}: give each its own key and title"
                    )
        return domains

    @field_validator("themes")
    @classmethod
    def _themes(cls, themes: tuple[str, ...]) -> tuple[str, ...]:
        seen: dict[str, str] = {}
        for theme in themes:
            if THEME_SEPARATOR in theme:
                raise ValueError(
                    f'the theme "{theme}" holds "{THEME_SEPARATOR}", which separates themes in '
                    "the spreadsheet: write it without"
                )
            if len(theme) > THEME_LENGTH:
                raise ValueError(f'the theme "{theme[:40]}..." is over {THEME_LENGTH} characters')
            if spelling(theme) in seen:
                raise ValueError(f'the theme "{theme}" is listed twice: keep one')
            seen[spelling(theme)] = theme
        return themes

    # Domains by every heading they may have, and themes by spelling, worked out once.
    _domain_by_heading: dict[str, Domain] = PrivateAttr(default_factory=dict)
    _theme_by_spelling: dict[str, str] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: Any, /) -> None:
        self._domain_by_heading.update({heading: d for d in self.domains for heading in d.headings})
        self._theme_by_spelling.update({spelling(t): t for t in self.themes})

    def domain(self, key_or_title: str) -> Domain | None:
        """The domain with this key or title (any case, spaces or underscores)."""
        return self._domain_by_heading.get(heading_key(key_or_title))

    def theme(self, text: str) -> str | None:
        """The template's own spelling of a theme written as `text`, or None for a theme the
        template does not list (a new theme)."""
        return self._theme_by_spelling.get(spelling(text))

    def grade(self, text: str) -> Grade | None:
        """The grade of the template's scale written as `text`."""
        return self.scale.grade(text)


class _ScalesFile(_Model):
    scales: tuple[Scale, ...] = Field(description="The scales, each a [[scales]] table.")


def scales() -> list[Scale]:
    """The shipped grading scales."""
    data = _SHIPPED.joinpath(_SCALES_FILE).read_bytes()
    return list(_parse(data, "shipped scales.toml", _ScalesFile).scales)


def load_scale(name: str) -> Scale:
    """The shipped scale called `name` ("ofsted", "care-inspectorate")."""
    found = {s.name: s for s in scales()}
    if name not in found:
        raise AuditTemplateError(
            f'There is no grading scale called "{name}". Scales: {", ".join(found)}.'
        )
    return found[name]


def load_template(name_or_path: str | PathLike[str] = DEFAULT_TEMPLATE) -> Template:
    """A template by its name (shipped, or the LA's own in CAREJOURNEY_AUDIT_TEMPLATES) or
    any template file by its path."""
    if isinstance(name_or_path, str) and "." not in name_or_path and "/" not in name_or_path:
        files = _template_files()
        if name_or_path not in files:
            raise AuditTemplateError(
                f'There is no audit template called "{name_or_path}". Templates: '
                f"{', '.join(sorted(files))}. To load your own, give its file path, or put it "
                f"in the folder named by {ENVIRONMENT_VARIABLE}."
            )
        label, data = files[name_or_path]
        return _named(parse_template(data, label), name_or_path, label)
    data = read_user_file(name_or_path, what="audit template", error=AuditTemplateError)
    return parse_template(data, str(name_or_path))


def templates() -> list[Template]:
    """Every template that can be chosen by name: the shipped ones and the LA's own; the
    default first, then by name."""
    found = [
        _named(parse_template(data, label), name, label)
        for name, (label, data) in _template_files().items()
    ]
    return sorted(found, key=lambda t: (t.name != DEFAULT_TEMPLATE, t.name))


def parse_template(data: bytes, file: str) -> Template:
    """Validate the bytes of a template file; `file` names it in error messages."""
    template: Template = _parse(data, file, Template)
    return template


def _named(template: Template, name: str, file: str) -> Template:
    """A template found by its file name must be called that inside, or audits that record
    its name could not find it again."""
    if template.name != name:
        raise AuditTemplateError(
            f'The audit template {file} is called "{template.name}" inside but "{name}" by its '
            "file name: make them the same, so that it can be found by its name."
        )
    return template


def _template_files() -> dict[str, tuple[str, bytes]]:
    """Each template's name (its file name without .toml) and (label, bytes): the shipped
    ones, then the LA's own folder, whose file of the same name wins."""
    found = {
        f.name.removesuffix(".toml"): (f"shipped audit template {f.name}", f.read_bytes())
        for f in sorted(_SHIPPED.iterdir(), key=lambda f: f.name)
        if f.name.endswith(".toml") and f.name != _SCALES_FILE
    }
    folder = os.environ.get(ENVIRONMENT_VARIABLE)
    if folder:
        path = Path(folder)
        if not path.is_dir():
            raise AuditTemplateError(
                f"{ENVIRONMENT_VARIABLE} names {folder}, which is not a folder: name the folder "
                "that holds your audit templates."
            )
        for file in sorted(path.glob("*.toml")):
            data = read_user_file(file, what="audit template", error=AuditTemplateError)
            found[file.stem] = (str(file), data)
    return found


def _parse(data: bytes, file: str, model: type[_Model]) -> Any:
    what = "scales file" if model is _ScalesFile else "audit template"
    return parse_model(
        data, file, what=what, model=model, error=AuditTemplateError, explain=_explain
    )


_LISTS: dict[str, tuple[str, type[BaseModel]]] = {
    "domains": ("domain", Domain),
    "grades": ("grade", Grade),
    "scales": ("scale", Scale),
}


def _explain(error: ErrorDetails, raw: dict[str, Any]) -> str:
    """One validation error as: where it is (scale, grade, domain, field), then what was
    expected."""
    loc = list(error["loc"])
    where: list[str] = []
    model: type[BaseModel] = Template if "domains" in raw or "themes" in raw else _ScalesFile
    entries: Any = raw
    while loc:
        head = loc[0]
        if head == "scale" and model is Template and len(loc) > 1:
            where.append("the [scale] table")
            model, entries, loc = Scale, entries.get("scale"), loc[1:]
            continue
        if head in _LISTS and len(loc) >= 2 and isinstance(loc[1], int):
            noun, inner = _LISTS[str(head)]
            items = entries.get(head) if isinstance(entries, dict) else None
            entry = items[loc[1]] if isinstance(items, list) and loc[1] < len(items) else None
            named = None
            if isinstance(entry, dict):
                named = entry.get("key") or entry.get("name") or entry.get("value")
            label = f'{noun} "{named}"' if isinstance(named, str) else noun
            where.append(f"{label} ({noun} {loc[1] + 1} in the file)")
            model, entries, loc = inner, entry, loc[2:]
            continue
        break
    fields = [p for p in loc if isinstance(p, str)]
    if fields:
        where.append(f'field "{fields[0]}"')
    place = ", ".join(where) or "the file as a whole"
    field = fields[0] if fields else None
    if error["type"] == "tuple_type" and field in _LISTS:
        noun = _LISTS[field][0]
        return f"{place}: expected each {noun} under its own [[{field}]] heading."
    if error["type"] == "string_pattern_mismatch" and field == "key":
        return (
            f"{place}: expected lower-case letters, digits and underscores, starting with a "
            f"letter (like voice_of_the_child), not {error['input']!r}."
        )
    return f"{place}: {_expected(error, model, field)}."
