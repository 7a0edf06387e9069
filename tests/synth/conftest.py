"""One mid-sized synthetic LA shared by the calibration and tracker tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from carejourney.synth.ssda903 import write_returns

LA_CHILDREN, LA_YEARS, LA_SEED = 2000, 6, 11


@pytest.fixture(scope="session")
def la_2000(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2,000 invented children over the 6 collection years 2020/21 to 2025/26."""
    outdir = tmp_path_factory.mktemp("la_2000")
    write_returns(outdir, children=LA_CHILDREN, years=LA_YEARS, seed=LA_SEED)
    return outdir
