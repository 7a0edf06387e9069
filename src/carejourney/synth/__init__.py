"""Synthetic local authorities: invented children whose returns pass every check."""
