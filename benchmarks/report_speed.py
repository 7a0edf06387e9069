"""How fast the diagnostic report is made, for one large LA.

One LA of 5,000 children over 10 collection years (synthetic, imported into SQLite, as in
drift_speed.py): loading its journeys, building every section, then writing the HTML, the
XLSX and the PDF. Goal (issue 5): the full report in under 5 seconds.

    uv run python benchmarks/report_speed.py [--children 5000] [--years 10]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from drift_speed import synthetic_journeys  # beside this script

from carejourney.config.costs import load_unit_costs
from carejourney.config.rules import load_rule_set
from carejourney.journeys.stored import load
from carejourney.measures import summaries
from carejourney.reports import diagnostic
from carejourney.reports.disclosure import DisclosureRules, new_salt
from carejourney.reports.document import ReportContext
from carejourney.reports.html import write_html
from carejourney.reports.pdf import write_pdf
from carejourney.reports.xlsx import write_xlsx
from carejourney.store import database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=5000)
    parser.add_argument("--years", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        synthetic_journeys(args.children, args.years, Path(folder))
        engine = database.connect(str(Path(folder) / "bench.db"))
        with engine.connect() as conn:
            start = time.perf_counter()
            journeys = load(conn, "999")
            loaded = time.perf_counter()
            context = ReportContext(
                la="999",
                journeys=journeys,
                conn=conn,
                as_at=summaries.default_as_at(journeys),
                rule_sets=(load_rule_set("england"),),
                unit_costs=load_unit_costs(),
                disclosure=DisclosureRules(),
                salt=new_salt(),
            )
            done = [loaded]
            timings: dict[str, float] = {}

            def finished(name: str) -> None:
                done.append(time.perf_counter())
                timings[name] = done[-1] - done[-2]

            report = diagnostic.build_report(context, diagnostic.SECTIONS, progress=finished)
            built = time.perf_counter()
            out = Path(folder)
            write_html(report, out / "report.html")
            html = time.perf_counter()
            write_xlsx(report, out / "report.xlsx")
            xlsx = time.perf_counter()
            write_pdf(report, out / "report.pdf")
            pdf = time.perf_counter()
        engine.dispose()
    print(f"One LA of {args.children:,} children over {args.years} years:")
    print(f"  loading journeys from SQLite   {loaded - start:6.2f} s")
    print(f"  building every section         {built - loaded:6.2f} s")
    for name, seconds in sorted(timings.items(), key=lambda t: -t[1]):
        print(f"      {name:<34} {seconds:6.2f} s")
    print(f"  writing HTML                   {html - built:6.2f} s")
    print(f"  writing XLSX                   {xlsx - html:6.2f} s")
    print(f"  writing PDF                    {pdf - xlsx:6.2f} s")
    print(f"  the HTML and XLSX report       {xlsx - start:6.2f} s (goal: under 5 s)")
    print(f"  with the PDF as well           {pdf - start:6.2f} s")


if __name__ == "__main__":
    main()
