"""Files attached to the steps of a draft procedure: pictures, short videos, PDF instructions."""
