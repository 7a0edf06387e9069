"""Rule sets as data: timescales, aims and their sources, validated from TOML."""
