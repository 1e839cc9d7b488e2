"""In-run changes ("redlines") of one batch's procedure."""
