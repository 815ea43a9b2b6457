"""The landing page: each role's panels, and what is open for the clients the user works for.

The panels are one partial: the page draws it, and htmx fetches it again every minute (or
when asked) from `home_panels`, swapping it in place without a reload.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from apps.reports.dashboard import panels_for

from ..navigation import log_sections


def _context(request) -> dict:
    now = timezone.now()
    return {
        "panels": panels_for(request.user, now=now),
        "sections": log_sections(request.user, counts=True),
        "updated_at": now,
    }


@login_required
@require_safe
def home(request):
    # An htmx request (a swap aimed at this address) gets the panels alone.
    partial = bool(request.headers.get("HX-Request"))
    template = "reports/dashboard/panels.html" if partial else "core/home.html"
    return render(request, template, _context(request))


@login_required
@require_safe
def home_panels(request):
    return render(request, "reports/dashboard/panels.html", _context(request))
