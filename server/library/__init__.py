"""The procedure library: versions of procedure definitions and their approval."""
