"""Downtime of a client's services kept in step with its interruptions: merged spans per
day of their starts and hourly tallies, which the availability report reads instead of
merging every interruption of a period at each request."""
