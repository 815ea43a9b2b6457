"""A rate limit per API token, counted in the shared cache (Redis when configured)."""

from django.conf import settings
from django.core.cache import caches
from ninja.throttling import SimpleRateThrottle


class TokenRateThrottle(SimpleRateThrottle):
    """`API_RATE_LIMIT` requests per token (e.g. "600/min"); each token counts apart. The
    setting is read on each request, so that it can change without a new process."""

    def __init__(self):
        super().__init__(settings.API_RATE_LIMIT)

    def allow_request(self, request) -> bool:
        self.rate = settings.API_RATE_LIMIT
        self.num_requests, self.duration = self.parse_rate(self.rate)
        self.cache = caches[settings.API_RATE_CACHE]
        return super().allow_request(request)

    def get_cache_key(self, request):
        token = getattr(request, "auth", None)
        if token is None:
            return None
        return f"api-rate-{token.digest[:32]}"
