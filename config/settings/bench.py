"""The benchmark's server (manage.py bench): production settings, served over plain HTTP on
the loopback interface, so only what HTTPS needs differs."""

from .production import *  # noqa: F403

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
# Pages name their static files, which are not fetched: no collected manifest needed.
STORAGES["staticfiles"]["BACKEND"] = (  # noqa: F405
    "django.contrib.staticfiles.storage.StaticFilesStorage"
)
