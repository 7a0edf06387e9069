"""Quality improvement: aims, their measures on run and SPC charts, and the PDSA cycles
tried to reach them.

- `aims`: an aim (statement, cohort, measure, target, deadline, owner), stored per LA;
  Moray's or CELCIS's aims set up from their rule set in one go.
- `cycles`: PDSA cycles (plan, do, study, act) per aim, added, edited or imported from CSV.
- `series`: an aim's measure as a series to chart: from a timescale rule (per child, per
  month, the CELCIS working days) or from an analyst's CSV.
- `chart`: the aim's chart, with its cycles marked and phases started at them.

Nothing here stores anything about an individual child: a rule aim's measure is worked
out from the journeys each time it is charted, and its points carry dates only.
"""
