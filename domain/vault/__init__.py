"""The vault: sealed OAuth tokens and API keys, key versions, and the rules binding them."""
