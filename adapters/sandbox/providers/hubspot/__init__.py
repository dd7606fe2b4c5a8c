"""HubSpot: OAuth v3 (2026-03) token endpoints and the CRM v3 search, batch and v4 associations."""
