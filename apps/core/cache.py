"""The shared cache, tolerant of Redis being away: what it cannot answer is read from the
database (a miss), what it cannot keep is not kept. A page never fails because of it.

What is remembered there expires within minutes (apps/core/access.py), so a change made while
Redis was away is seen at the latest when those minutes have passed.
"""

import logging

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError, TimeoutError

logger = logging.getLogger(__name__)
_UNREACHABLE = (ConnectionError, TimeoutError)


class TolerantRedisCache(RedisCache):
    def _tolerate(self, operation: str, default, call, *args, **kwargs):
        try:
            return call(*args, **kwargs)
        except _UNREACHABLE as error:
            logger.warning("Cache %s skipped, Redis unreachable: %s", operation, error)
            return default

    def get(self, key, default=None, version=None):
        return self._tolerate("get", default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self._tolerate("get_many", {}, super().get_many, keys, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._tolerate("add", False, super().add, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._tolerate("set", None, super().set, key, value, timeout, version)

    def delete(self, key, version=None):
        return self._tolerate("delete", False, super().delete, key, version)

    def has_key(self, key, version=None):
        return self._tolerate("has_key", False, super().has_key, key, version)
