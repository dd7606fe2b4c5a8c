"""Implementations of the application's ports: PostgreSQL, crypto, providers, fakes."""
