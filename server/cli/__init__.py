"""The `stepwise` command."""
