"""Vault use cases: API keys in settings, OAuth token storage, key rotation and re-encryption."""
