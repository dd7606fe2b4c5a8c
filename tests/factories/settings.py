"""A complete production environment, for tests that change one thing in it."""

from __future__ import annotations

import base64
import os
from datetime import UTC, datetime, timedelta

GOOD_KEY = base64.b64encode(os.urandom(32)).decode()
VERIFIED_DB = "postgresql://atlas_app:pw@db.internal:5432/atlas?sslmode=verify-full"


def production_environ() -> dict[str, str]:
    return {
        "ATLAS_ENV": "production",
        "ATLAS_DATABASE_URL": VERIFIED_DB,
        "ATLAS_MASTER_KEY": GOOD_KEY,
        "ATLAS_APP_ORIGIN": "https://app.example.com",
        "ATLAS_JWT_KEYRING_FILE": "/run/secrets/atlas-jwt-keyring.json",
        "ATLAS_RESEND_API_KEY": "re_test_key",
        "ATLAS_REGION_URLS": REGION_URLS,
        "ATLAS_SECURITY_CONTACT": "mailto:security@example.com",
        "ATLAS_SECURITY_POLICY_URL": "https://example.com/security-policy",
        "ATLAS_SECURITY_TXT_EXPIRES": in_days(90),
    }


REGION_URLS = "europe-west4=https://eu.atlas.example,us-central1=https://us.atlas.example"


def in_days(days: int) -> str:
    """An ISO 8601 time ``days`` from now, as ATLAS_SECURITY_TXT_EXPIRES takes it."""
    return (datetime.now(UTC) + timedelta(days=days)).isoformat(timespec="seconds")
