"""Business rules in plain Python: no I/O, testable without AWS."""
