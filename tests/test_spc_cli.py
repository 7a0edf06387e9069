"""`carejourney spc`, as an analyst runs it on their own CSV."""

from __future__ import annotations

import json
from pathlib import Path

from lxml import etree
from typer.testing import CliRunner

from carejourney.cli import app
from tests.measures.spc.test_analysis import VECTORS

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def montgomery_p_csv(tmp_path: Path) -> Path:
    """Montgomery's table 7.4 (proportion nonconforming, varying sample sizes), by month."""
    vector = VECTORS["qicharts2_montgomery_tbl7.4_p_varn"]
    lines = ["month,defective,inspected"]
    for i, (y, n) in enumerate(zip(vector["y"], vector["n"], strict=True)):
        lines.append(f"01/{i % 12 + 1:02d}/{2020 + i // 12},{y:g},{n:g}")
    path = tmp_path / "defects.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_p_chart_gets_the_reference_limits_and_signal(tmp_path: Path) -> None:
    csv = montgomery_p_csv(tmp_path)
    code, out = run(
        "spc", str(csv), "--chart", "p", "--value", "defective", "--n", "inspected", "--json"
    )
    assert code == 0, out
    data = json.loads(out)
    expected = VECTORS["qicharts2_montgomery_tbl7.4_p_varn"]["expected"]
    assert round(data["parts"][0]["cl"], 5) == expected["cl"]
    assert [round(p["ucl"], 6) for p in data["points"]] == expected["ucl"]
    outside = [p["index"] for p in data["points"] if p["outside_limits"]]
    assert outside == expected["sigma_signal_at"]
    assert data["points"][0]["label"] == "2020-01-01"


def test_the_terminal_explains_the_signals_and_writes_the_svg(tmp_path: Path) -> None:
    csv = montgomery_p_csv(tmp_path)
    svg = tmp_path / "chart.svg"
    code, out = run(
        "spc",
        str(csv),
        "--chart",
        "p",
        "--value",
        "defective",
        "--n",
        "inspected",
        "--svg",
        str(svg),
        "--title",
        "Defects",
    )
    assert code == 0, out
    assert "November 2020" in out  # the point above the upper limit, named by its month
    assert f"Wrote the chart to {svg}" in out.replace("\n", "")
    root = etree.fromstring(svg.read_bytes())
    assert root.tag.endswith("svg")


def test_a_run_chart_with_a_frozen_baseline(tmp_path: Path) -> None:
    vector = VECTORS["qicharts2_cdi_run_freeze24"]
    path = tmp_path / "cdi.csv"
    path.write_text("value\n" + "\n".join(str(y) for y in vector["y"]) + "\n", encoding="utf-8")
    code, out = run("spc", str(path), "--freeze", "24", "--json")
    assert code == 0, out
    part = json.loads(out)["parts"][0]
    assert (part["cl"], part["longest_run"], part["n_crossings"]) == (19, 15, 8)
    assert part["runs_signal"] is True


def test_bad_input_gets_a_message_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("date,value\n01/01/2024,3\n01/02/2024,three\n", encoding="utf-8")
    code, out = run("spc", str(path), "--chart", "i")
    assert code == 2
    assert "row 3, column 'value': 'three' is not a number" in out
    assert "Traceback" not in out
    code, out = run("spc", str(path.with_name("none.csv")))
    assert code == 2 and "there is no file" in out


def test_options_that_do_not_fit_are_explained(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text("value\n1\n2\n3\n", encoding="utf-8")
    code, out = run("spc", str(path), "--part", "5")
    assert code == 2 and "between 1 and 2" in out
    code, out = run("spc", str(path), "--chart", "p")
    assert code == 2 and "denominator" in out


def test_ihi_rules_with_a_point_judged_astronomical(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text("value\n" + "\n".join(["5", "6"] * 6) + "\n", encoding="utf-8")
    code, out = run("spc", str(path), "--rules", "ihi", "--astronomical", "4", "--json")
    assert code == 0, out
    points = json.loads(out)["points"]
    assert [p["index"] for p in points if p["astronomical_point"]] == [4]
