"""Proactive service (issue 16): what the institution says first: confirmations, alerts."""
