"""Use cases: each function is one thing a person does, called by exactly one handler."""
