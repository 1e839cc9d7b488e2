"""Serving on a port: one process, or several (`serve --workers N`) sharing it."""
