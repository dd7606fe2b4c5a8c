"""Tenants, users and memberships: who may act in which tenant."""
