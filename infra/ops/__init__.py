"""Operator commands (run against AWS with the stack's environment, or against the local stack)."""
