"""The landing page: what is open for the clients the user works for."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ..navigation import log_sections


@login_required
@require_safe
def home(request):
    return render(request, "core/home.html", {"sections": log_sections(request.user, counts=True)})
