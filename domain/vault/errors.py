"""Errors of the vault context."""

from __future__ import annotations

from domain.shared.errors import Conflict, DomainError, Invalid, NotFound, TooLarge, Unavailable


class VaultError(DomainError):
    code = "vault.error"


class CredentialUnreadable(VaultError, Conflict):
    """A sealed value failed to open: tampered, moved to another row, or its key is gone.

    Never a 500: the only way forward for the user is to store the credential again.
    """

    code = "vault.unreadable"
    default_message = "Credential unavailable, reconnect."


class ValueTooLarge(VaultError, TooLarge):
    code = "vault.value_too_large"
    default_message = "The value is larger than the vault seals (64 KiB)."


class KeyringUnavailable(VaultError, Unavailable):
    code = "vault.busy"
    default_message = "The vault is busy deriving a key; try again shortly."


class KeyVersionNotFound(VaultError, NotFound):
    code = "vault.key_version_not_found"
    default_message = "No such key version."


class KeyVersionInUse(VaultError, Conflict):
    code = "vault.key_version_in_use"
    default_message = "Values are still sealed under this key version; re-encrypt them first."


class KeyVersionActive(VaultError, Conflict):
    code = "vault.key_version_active"
    default_message = "The sealing key version cannot be retired; rotate first."


class KeyringMismatch(VaultError):
    """The master secret does not derive a stored key version: start-up must stop."""

    code = "vault.master_secret_mismatch"
    default_message = (
        "The master secret does not match the stored key versions (wrong master secret, "
        "or a version's KDF parameters were altered)."
    )


class InvalidApiKeyName(VaultError, Invalid):
    code = "vault.invalid_api_key_name"
    default_message = (
        "An API key name is 1-63 characters: lowercase letters, digits, '-' and '_', "
        "starting with a letter or digit."
    )


class InvalidApiKeyValue(VaultError, Invalid):
    code = "vault.invalid_api_key_value"
    default_message = "An API key is 8-4096 printable characters without spaces at either end."


class InvalidApiKeyPurpose(VaultError, Invalid):
    code = "vault.invalid_api_key_purpose"
    default_message = "The purpose must be between 1 and 200 characters."


class ApiKeyNotFound(VaultError, NotFound):
    code = "vault.api_key_not_found"
    default_message = "No such API key."


class SealingKeyChanged(VaultError, Unavailable):
    """A write raced a key retirement and was refused by the database; retrying succeeds."""

    code = "vault.key_changed"
    default_message = "The vault's sealing key changed during the request; try again."


class InvalidKdfIterations(VaultError, Invalid):
    code = "vault.invalid_kdf_iterations"
    default_message = "A key version needs at least 65,536 PBKDF2 iterations (600,000 is usual)."
