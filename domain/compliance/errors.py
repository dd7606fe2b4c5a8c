"""Errors of the compliance context, each with a stable code."""

from __future__ import annotations

from domain.shared.errors import DomainError, Invalid


class ComplianceError(DomainError):
    code = "compliance.error"


class InvalidAuditCursor(ComplianceError, Invalid):
    code = "audit.invalid_cursor"
    default_message = "The audit pagination cursor is not valid."


class InvalidAuditFilter(ComplianceError, Invalid):
    code = "audit.invalid_filter"
    default_message = "An audit filter is not valid."
