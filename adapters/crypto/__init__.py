"""Cryptography adapters: TLS material, the vault, password hashing, tokens."""
