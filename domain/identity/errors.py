"""Errors of the identity context."""

from __future__ import annotations

from domain.shared.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    Unauthenticated,
)


class IdentityError(DomainError):
    code = "identity.error"


class InvalidEmail(IdentityError, Invalid):
    code = "identity.invalid_email"
    default_message = "The email address is not valid."


class InvalidName(IdentityError, Invalid):
    code = "identity.invalid_name"
    default_message = "The name must be between 1 and 200 characters."


class InvalidRegion(IdentityError, Invalid):
    code = "identity.invalid_region"
    default_message = "The region is not one Atlas serves."


class TenantNotFound(IdentityError, NotFound):
    code = "identity.tenant_not_found"
    default_message = "No such tenant."


class MembershipNotFound(IdentityError, NotFound):
    code = "identity.membership_not_found"
    default_message = "No such member."


class MembershipExists(IdentityError, Conflict):
    code = "identity.membership_exists"
    default_message = "That person is already a member of this tenant."


class EmailTaken(IdentityError, Conflict):
    code = "identity.email_taken"
    default_message = "An account with this email address already exists."


class TenantExists(IdentityError, Conflict):
    code = "identity.tenant_exists"
    default_message = "This tenant already exists."


class InvalidAccessToken(IdentityError, Unauthenticated):
    code = "auth.invalid_token"
    default_message = "The access token is missing, invalid or expired."


class RoleRequired(IdentityError, Forbidden):
    code = "auth.role_required"
    default_message = "Your role in this tenant does not allow this."
