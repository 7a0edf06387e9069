"""How often things happen and how long they take in a synthetic LA: the knobs that make its
figures look like England's (`/work/shared/DOMAIN-FACTS.md`). `tests/synth/test_calibration.py`
checks the figures they give, and prints them.

National figures the rates aim at (DfE "Children looked after in England including
adoptions" and the adoption scorecards, as DOMAIN-FACTS.md gives them):
- about 2,980 adopted a year against 83,630 looked after (3.6 per 100);
- adoption: entering care to placed for adoption about 1 year 7 months (A1), placement order
  to match about 190 days (A2), placed to adoption order 9 to 10 months;
- stability: 10% of children looked after at 31 March had 3 or more placements in the year.
The other shares of leaving care (about 12% special guardianship, 3% child arrangements
order, a quarter to a third returned home, a quarter to a third at 18) are rough readings
of the DfE's tables, not in DOMAIN-FACTS.md: unverified.
"""

from __future__ import annotations

from random import Random

from carejourney.synth.records import Weights

# Placements a child starts in or moves to, by age. "~SEMI" and "~OTHER" are settled once
# the placement's dates are known, because their codes changed in 2024/25 and 2025/26.
BABY = Weights({"U6": 55, "U3": 20, "U5": 12, "R3": 13})
YOUNG = Weights({"U6": 75, "U3": 25})
CHILD = Weights({"U6": 62, "U3": 22, "K2": 6, "U4": 5, "P1": 3, "S1": 2})
TEEN = Weights({"U6": 45, "K2": 30, "U3": 10, "~OTHER": 5, "K1": 3, "S1": 3, "R2": 2, "U4": 2})
OLDER = Weights({"~SEMI": 45, "K2": 22, "U6": 20, "~OTHER": 6, "U3": 5, "R2": 2})
UASC_YOUNG = Weights({"U6": 60, "K2": 30, "~OTHER": 10})
PLACEMENTS = ((5.0, YOUNG), (12.0, CHILD), (16.0, TEEN), (99.0, OLDER))  # by age at the move

PATHS = (  # (entry age below, how the period of care ends)
    (1.0, Weights({"adopt": 38, "sgo": 18, "home": 26, "longterm": 13, "other": 5})),
    (5.0, Weights({"adopt": 22, "sgo": 24, "home": 31, "longterm": 18, "other": 5})),
    (10.0, Weights({"sgo": 14, "home": 42, "longterm": 37, "other": 7})),
    (16.0, Weights({"sgo": 4, "home": 32, "longterm": 57, "other": 7})),
    (99.0, Weights({"home": 25, "longterm": 67, "other": 8})),
)
MOVES_PER_YEAR = ((5.0, 0.35), (12.0, 0.5), (99.0, 0.9))  # unplanned moves, by age at entry
RETURN_CHANCE = 0.4  # of coming back into care after going home (60 to 900 days later)

MOVE_REASONS = Weights(
    {"CARPL": 40, "CREQB": 12, "CREQO": 10, "CHILD": 8, "LAREQ": 8, "ALLEG": 3}
    | {"STAND": 3, "CLOSE": 4, "APPRR": 2, "OTHER": 10}
)
HOME_EXITS = Weights({"E4A": 55, "E4B": 15, "E13": 15, "E41": 10, "E8": 5})
EARLY_LEAVING = Weights({"E5": 40, "E6": 20, "E13": 25, "E4B": 15})
CIN = Weights({"N1": 62, "N2": 3, "N3": 3, "N4": 9, "N5": 15, "N6": 3, "N7": 1, "N8": 2})
FIRST_LS = {  # legal status at entry, by path; L1/L2 (police, EPO) last days, not months
    "adopt": Weights({"C1": 65, "L2": 10, "V2": 25}),
    "home": Weights({"V2": 60, "C1": 30, "L1": 10}),
    "other": Weights({"C1": 50, "V2": 35, "L1": 5, "L2": 10}),
}
OTHER_EXITS = Weights({"E3": 40, "E8": 35, "E16": 10})
OTHER_EXITS_TEEN = Weights({"E3": 40, "E8": 35, "E16": 10, "E9": 10})
ADULT_EXITS = Weights({"E5": 55, "E6": 25, "E7": 5, "E8": 15})


def _tail(rng: Random, low: int, mean_extra: float, high: int, shape: float = 1) -> int:
    """At least `low` days, plus a gamma-distributed wait averaging `mean_extra` (shape 1:
    exponential, a long tail); at most `high`."""
    return min(high, low + int(rng.gammavariate(shape, mean_extra / shape)))


def proceedings_days(rng: Random, adoption: bool) -> int:
    """Days from issuing care proceedings to the final hearing: most within 26 weeks (181
    days after the day of issue), the rest later; those ending in adoption take longer."""
    days = rng.randint(110, 181) if rng.random() < 0.62 else _tail(rng, 182, 75, 600)
    return days + (rng.randint(60, 180) if adoption else 0)


def placement_order_to_match(rng: Random) -> int:
    """Scorecard A2: about 190 days on average, some children waiting much longer."""
    return _tail(rng, 21, 175, 900, shape=3)


def match_to_placed(rng: Random) -> int:
    return rng.randint(3, 50)


def placed_to_order(rng: Random) -> int:
    """Placed for adoption to the adoption order: 9 to 10 months on average."""
    return _tail(rng, 80, 210, 800, shape=2)
