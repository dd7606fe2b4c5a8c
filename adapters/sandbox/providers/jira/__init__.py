"""Jira (Atlassian Cloud): 3LO with rotating refresh tokens, accessible resources, JQL search."""
