"""Test runs: fast hashing, e-mail kept in memory, no login lock-outs between tests."""

from .base import *  # noqa: F403
from .base import VAR_DIR, env

SECRET_KEY = "test-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Worker processes started by the tests write mail to files the tests can read.
EMAIL_BACKEND = env.str(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend"
)
EMAIL_FILE_PATH = env.str("DJANGO_EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
AXES_ENABLED = False
STORAGES["staticfiles"]["BACKEND"] = (  # noqa: F405
    "django.contrib.staticfiles.storage.StaticFilesStorage"
)
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# A second alias mirroring the test database, so the routing to a replica can be tested; reads
# go to it only in the tests that turn READ_REPLICA on (tests/core/test_replica_routing.py).
DATABASES["replica"] = DATABASES["default"] | {"TEST": {"MIRROR": "default"}}  # noqa: F405
READ_REPLICA = None
# Tests run in transactions that a publisher thread could not see: publish in the committing
# thread (the tests of the background publisher turn it back on, on committed data).
OUTBOX_PUBLISH_IN_BACKGROUND = False
# One cache per test process: test databases of parallel processes reuse the same ids.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "access": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "access"},
}
# Files of exports and imports: out of the way of a development server's (tests that look at
# them point the storage at their own temporary directory).
STORAGES["default"]["OPTIONS"] = {  # noqa: F405
    "location": env.str("FILE_STORAGE_DIR", default=str(VAR_DIR / "test-files"))
}
