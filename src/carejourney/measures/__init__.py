"""Measures over whole tables: timescales, drift, cohorts, survival, SPC and more."""
