"""How fast the diagnostic report is made, for one large LA.

One LA of 5,000 children over 10 collection years (synthetic, imported into SQLite, as in
drift_speed.py), its report made by the function `carejourney report` calls
(`reports.making.make_reports`): loading its journeys, building every section, recording
it in the access log, then writing the HTML, the XLSX and the PDF. The figures are the
times between the steps it reports (`Progress`); "writing PDF" is the wait for the PDF
workers (`reports.pdf_workers`), which lay its parts out side by side while the HTML and
XLSX are written. Goal (issue 5): the full report, PDF included, in under 5 seconds.

With `--families N`, the LA has a front door too: synthetic demand (`synth.demand`) for N
families over the two years to the report's date (40,000 families is about 46,000 contacts
a year, a large LA's), so the report has its "demand as families experience it" section.

    uv run python benchmarks/report_speed.py [--children 5000] [--years 10] [--families 0]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from carejourney.reports.making import Progress

LA = "999"  # the code drift_speed.synthetic_journeys imports the LA under
AS_AT = dt.date(2026, 3, 31)  # the date its report is as at (its data's last 31 March)


def main() -> None:
    # Imported here, not above: the PDF workers are spawned, and import this script again
    # as they start, as they import the `carejourney` command's own (light) script.
    from drift_speed import synthetic_journeys  # beside this script

    from carejourney import imports
    from carejourney.config.costs import load_unit_costs
    from carejourney.config.rules import load_rule_set
    from carejourney.reports.comparison import load_national
    from carejourney.reports.making import ReportOptions, make_reports
    from carejourney.store import database
    from carejourney.synth.demand import write_demand

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=5000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--families", type=int, default=0, help="with a front door: see above")
    args = parser.parse_args()
    # A salt for the pseudonyms that is not the installation's (nor made beside its database).
    os.environ.setdefault("CAREJOURNEY_PSEUDONYM_SALT", "00" * 32)
    options = ReportOptions(
        rule_sets=(load_rule_set("england"),),
        unit_costs=load_unit_costs(),
        national=load_national(),
        formats=("html", "xlsx", "pdf"),
    )
    steps: list[tuple[Progress, float]] = []
    with tempfile.TemporaryDirectory() as folder:
        synthetic_journeys(args.children, args.years, Path(folder))
        engine = database.connect(str(Path(folder) / "bench.db"))
        contacts = 0
        if args.families:
            files = write_demand(
                Path(folder) / "demand",
                seed=1,
                families=args.families,
                first_day=dt.date(2024, 4, 1),
                last_day=AS_AT,
            )
            assert imports.import_returns(engine, [Path(folder) / "demand"], la=LA).stored
            with files[0].open(encoding="utf-8") as lines:
                contacts = sum(1 for _ in lines) - 1
        start = time.perf_counter()
        make_reports(
            engine,
            [LA],
            options,
            Path(folder) / "reports",
            progress=lambda step: steps.append((step, time.perf_counter())),
        )
        end = time.perf_counter()
        engine.dispose()
    # Each step's time: from the moment it was announced to the next announcement.
    took = {
        step.what.removeprefix(f"LA {LA}: "): following - at
        for (step, at), (_, following) in zip(steps, [*steps[1:], (steps[-1][0], end)], strict=True)
    }
    stage = {step.what.removeprefix(f"LA {LA}: "): step.stage for step, _ in steps}
    sections = {name: s for name, s in took.items() if stage[name] == "building"}
    loading = sections.pop("loading")
    sections.pop("built")  # the children an internal report names: nothing when published
    pdf_started = next(at for step, at in steps if step.what.endswith(": PDF"))
    front_door = f", and {contacts:,} contacts over two years" if contacts else ""
    print(f"One LA of {args.children:,} children over {args.years} years{front_door}:")
    print(f"  loading journeys from SQLite   {loading:6.2f} s")
    print(f"  building every section         {sum(sections.values()):6.2f} s")
    for name, seconds in sorted(sections.items(), key=lambda t: -t[1]):
        print(f"      {name:<34} {seconds:6.2f} s")
    print(
        f"  recording (access log)         {took['recording the reports in the access log']:6.2f} s"
    )
    for name in ("HTML", "XLSX", "PDF"):
        print(f"  writing {name:<22} {took[name]:6.2f} s")
    print(f"  the HTML and XLSX report       {pdf_started - start:6.2f} s")
    print(f"  with the PDF as well           {end - start:6.2f} s (goal: under 5 s)")


if __name__ == "__main__":
    main()
