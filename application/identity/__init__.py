"""Identity use cases and their ports."""
