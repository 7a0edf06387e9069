"""The synthetic LA every section's tests may ask for (built once per test run)."""

from tests.reports.sections.context import synthetic_la

__all__ = ["synthetic_la"]
