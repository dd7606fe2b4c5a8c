"""Connectors: the OAuth client and one module per provider, over httpx."""
