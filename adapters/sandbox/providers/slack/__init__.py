"""Slack: OAuth v2 with bot and user tokens, optional token rotation, Web API methods."""
