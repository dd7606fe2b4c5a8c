"""Google: OAuth 2.0 with PKCE and granular consent, Gmail (metadata scope) and Calendar."""
