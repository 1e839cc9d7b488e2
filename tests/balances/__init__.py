"""Balance integration tests: MT-SICS parsing, and the client against a simulated balance."""

# How long a simulated load takes to settle: short, so the tests stay fast.
SETTLE = 0.05
