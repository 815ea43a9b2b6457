from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ..catalogue import REPORTS


@login_required
@require_safe
@permission_required("reports.view_reports", raise_exception=True)
def report_index(request):
    return render(request, "reports/index.html", {"reports": REPORTS})
