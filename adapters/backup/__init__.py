"""Backups that restore: the encrypted dump, its manifest, restore and verification."""
