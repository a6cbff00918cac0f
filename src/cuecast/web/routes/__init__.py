"""The companion's routes, grouped by what they serve."""
