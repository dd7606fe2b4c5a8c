"""The emulated providers, one package each: OAuth profile, API routes, record shapes."""
