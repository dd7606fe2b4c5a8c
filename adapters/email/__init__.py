"""Transactional email: Resend in production, files under the data dir in development."""
