"""Zendesk: OAuth with PKCE and single-use refresh pairs, incremental cursor exports."""
