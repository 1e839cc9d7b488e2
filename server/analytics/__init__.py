"""Process analytics: parameters and outcomes across batches, control charts, capability and
which recorded parameter moved an outcome."""
