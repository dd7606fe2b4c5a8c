"""Ports and values shared by every use case."""
