"""Test runs: fast hashing, e-mail kept in memory, no login lock-outs between tests."""

from .base import *  # noqa: F403

SECRET_KEY = "test-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
AXES_ENABLED = False
STORAGES["staticfiles"]["BACKEND"] = (  # noqa: F405
    "django.contrib.staticfiles.storage.StaticFilesStorage"
)
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
