"""Blueprints of the Ventanilla API: thin adapters from HTTP to one service call each."""
