"""The documentation says what the code does."""

import ast
import re
from pathlib import Path

from carejourney.sources.checks import rules
from carejourney.sources.values import SEVERITY

ROOT = Path(__file__).resolve().parents[1]


def problem_codes() -> set[str]:
    """Every problem code the readers can give: the checks' codes, and the second
    argument of every call to error(...) or warning(...) in the readers."""
    codes = set(SEVERITY) | {rule.code for rule in rules(2024)}
    for path in [
        *(ROOT / "src/carejourney/sources").glob("*.py"),
        ROOT / "src/carejourney/imports.py",
    ]:
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in {"error", "warning", "make"}
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
            ):
                codes.add(str(node.args[1].value))
    return codes


def test_every_problem_code_is_explained_in_the_loading_guide() -> None:
    guide = (ROOT / "docs/loading-data.md").read_text()
    codes = problem_codes()
    assert len(codes) > 25
    assert sorted(c for c in codes if f"`{c}`" not in guide) == []


def audit_problem_codes() -> set[str]:
    """Every problem code the audit spreadsheet's import can give (`quality/importing.py`):
    the second argument of error(...) or warning(...), every `code=` given, and every
    audit-... code it names."""
    codes: set[str] = set()
    path = ROOT / "src/carejourney/quality/importing.py"
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else None
            given = node.args[1] if len(node.args) >= 2 else None
            if name in {"error", "warning"} and isinstance(given, ast.Constant):
                codes.add(str(given.value))
            codes |= {
                str(k.value.value)
                for k in node.keywords
                if k.arg == "code" and isinstance(k.value, ast.Constant)
            }
        if isinstance(node, ast.Constant) and re.fullmatch(r"audit(-[a-z]+)+", str(node.value)):
            codes.add(str(node.value))
    return codes


def test_every_audit_import_problem_code_is_explained_in_the_audits_guide() -> None:
    guide = (ROOT / "docs/audits.md").read_text()
    codes = audit_problem_codes()
    assert {"audit-grade-unknown", "audit-theme-new", "column-missing"} <= codes
    assert sorted(c for c in codes if f"`{c}`" not in guide) == []


def test_the_readme_gives_the_two_commands_and_they_exist() -> None:
    readme = (ROOT / "README.md").read_text()
    for command in ("bash scripts/demo", "bash scripts/test"):
        assert command in readme
        assert (ROOT / command.split()[-1]).is_file()
    assert "scripts/test" in (ROOT / ".ci/run").read_text()


def test_the_readme_links_only_to_documents_that_exist() -> None:
    readme = (ROOT / "README.md").read_text()
    for link in re.findall(r"\]\(((?!https?:)[^)]+)\)", readme):
        assert (ROOT / link).exists(), link
