"""The vault's use cases, wired to whichever adapter set the composition root chose."""

from __future__ import annotations

from dependency_injector import containers, providers

from application.vault.delete_api_key import DeleteApiKey
from application.vault.key_status import ShowVaultKeys
from application.vault.list_api_keys import ListApiKeys
from application.vault.oauth_tokens import OAuthTokenStore
from application.vault.open_api_key import OpenApiKey
from application.vault.reencrypt import ReencryptSealedValues
from application.vault.retire_key import RetireVaultKey
from application.vault.rotate_key import RotateVaultKey
from application.vault.store_api_key import StoreApiKey


class VaultUseCases(containers.DeclarativeContainer):
    adapters = providers.DependenciesContainer()

    store_api_key = providers.Factory(
        StoreApiKey, uow_for=adapters.vault_uow, vault=adapters.vault, clock=adapters.clock
    )
    list_api_keys = providers.Factory(ListApiKeys, uow_for=adapters.vault_uow)
    delete_api_key = providers.Factory(DeleteApiKey, uow_for=adapters.vault_uow)
    open_api_key = providers.Factory(OpenApiKey, uow_for=adapters.vault_uow, vault=adapters.vault)
    oauth_tokens = providers.Factory(
        OAuthTokenStore, uow_for=adapters.vault_uow, vault=adapters.vault, clock=adapters.clock
    )
    rotate_vault_key = providers.Factory(RotateVaultKey, keyring=adapters.keyring)
    retire_vault_key = providers.Factory(
        RetireVaultKey, keyring=adapters.keyring, key_versions=adapters.key_versions
    )
    show_vault_keys = providers.Factory(
        ShowVaultKeys, keyring=adapters.keyring, key_versions=adapters.key_versions
    )
    reencrypt_sealed_values = providers.Factory(
        ReencryptSealedValues,
        keyring=adapters.keyring,
        key_versions=adapters.key_versions,
        uow_for=adapters.vault_uow,
        vault=adapters.vault,
    )
