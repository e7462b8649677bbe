"""Test settings: the default settings with fast hashing and an in-process queue."""
from fangfan.settings import *  # noqa: F403
from fangfan.settings import DATA_DIR, HUEY

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
HUEY = {**HUEY, "immediate": True}
EVIDENCE_ROOT = DATA_DIR / "test-evidence"
AXES_ENABLED = True
