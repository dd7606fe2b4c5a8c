"""Integrations: connecting providers over OAuth, and keeping their tokens valid."""
