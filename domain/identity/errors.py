"""Errors of the identity context."""

from __future__ import annotations

from domain.shared.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    RateLimited,
    Unauthenticated,
    Unavailable,
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


class WrongRegion(IdentityError, Conflict):
    """The tenant lives in another region: only that region's deployment may serve it."""

    code = "tenancy.wrong_region"
    default_message = "This tenant's data is kept in another region; use that region's Atlas."


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


# Sign-in, sessions and passwords. Every way a sign-in can fail answers with the same error, so
# the response says nothing about which part was wrong.


class InvalidCredentials(IdentityError, Unauthenticated):
    code = "auth.invalid_credentials"
    default_message = "The email address or password is not correct."


class InvalidRefreshToken(IdentityError, Unauthenticated):
    code = "auth.invalid_refresh_token"
    default_message = "The refresh token is invalid, expired or revoked; sign in again."


class SessionEnded(IdentityError, Unauthenticated):
    code = "auth.session_ended"
    default_message = "This session has ended; sign in again."


class SessionNotFound(IdentityError, NotFound):
    code = "auth.session_not_found"
    default_message = "No such session of yours in this tenant, or it has already ended."


class ReauthenticationFailed(IdentityError, Forbidden):
    code = "auth.reauthentication_failed"
    default_message = "The current password is not correct."


class PasswordTooShort(IdentityError, Invalid):
    code = "identity.password_too_short"
    default_message = "The password must have at least 12 characters."


class PasswordTooLong(IdentityError, Invalid):
    code = "identity.password_too_long"
    default_message = (
        "The password must be at most 72 bytes in UTF-8 "
        "(accented letters count 2 bytes, many symbols 3 or 4)."
    )


class PasswordNotText(IdentityError, Invalid):
    code = "identity.password_not_text"
    default_message = "The password contains characters that are not valid text."


class NoMembership(IdentityError, Forbidden):
    code = "auth.no_membership"
    default_message = "This account belongs to no tenant any more."


class TooManyAttempts(IdentityError, RateLimited):
    code = "auth.too_many_attempts"
    default_message = "Too many attempts; wait before trying again."


class PasswordCheckBusy(IdentityError, Unavailable):
    code = "auth.busy"
    default_message = "Sign-in is busy right now; try again in a moment."


# Members and invitations.


class InvitationInvalid(IdentityError, NotFound):
    code = "identity.invitation_invalid"
    default_message = "No such invitation, or it has expired or been used."


class OwnerRequired(IdentityError, Forbidden):
    code = "auth.owner_required"
    default_message = "Only an owner may grant, change or remove the owner role."


class LastOwner(IdentityError, Conflict):
    code = "identity.last_owner"
    default_message = "A tenant keeps at least one owner."


class EmailUnverified(IdentityError, Forbidden):
    code = "identity.email_unverified"
    default_message = (
        "Verify your email address first: follow the link Atlas emailed you (or ask for a new "
        "one) before inviting people or connecting tools."
    )


class EmailVerificationInvalid(IdentityError, NotFound):
    code = "identity.email_verification_invalid"
    default_message = "No such verification link, or it has expired or been used."


class EmailAlreadyVerified(IdentityError, Conflict):
    code = "identity.email_already_verified"
    default_message = "Your email address is already verified."


class EmailUnavailable(IdentityError, Unavailable):
    code = "email.unavailable"
    default_message = "The email could not be sent; try again later."
