"""Pydantic models of the domain: what is stored and what crosses the API."""
