"""Deviations: recorded departures from the procedure."""
