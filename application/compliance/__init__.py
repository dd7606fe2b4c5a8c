"""Compliance: the audit trail, GDPR export and erasure, tenant deletion, backups, residency."""
