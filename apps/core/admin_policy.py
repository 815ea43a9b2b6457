"""The Content-Security-Policy of the Django admin's pages.

The admin's own templates and scripts set inline styles (widths of inline rows, the
calendar and clock pop-ups, collapsed fieldsets). Its pages, and only they, allow inline
styles; scripts stay `'self'` everywhere, the admin's included.
"""

from csp.constants import UNSAFE_INLINE
from django.urls import reverse


class AdminInlineStylesMiddleware:
    """Listed after django-csp's middleware, so the policy it builds includes this update."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._admin_prefix = None

    def __call__(self, request):
        response = self.get_response(request)
        if self._admin_prefix is None:
            self._admin_prefix = reverse("admin:index")
        if request.path.startswith(self._admin_prefix):
            response._csp_update = {"style-src": [UNSAFE_INLINE]}
        return response
