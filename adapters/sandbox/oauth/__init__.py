"""OAuth 2.0 authorization-server machinery every emulated provider shares."""
