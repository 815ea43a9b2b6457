"""Every figure of a list two ways: from the summaries, and live over the filtered rows."""

import math

from django.test import RequestFactory
from django.urls import resolve, reverse

from apps.core.listing.measures import compute_measures
from apps.core.summaries.figures import list_figures

REQUESTS = RequestFactory()


def list_view(model, user, query: str):
    view_class = resolve(reverse(f"{model._meta.app_label}:list")).func.view_class
    request = REQUESTS.get(f"/?{query}")
    request.user = user
    view = view_class()
    view.setup(request)
    return view


def from_summaries(model, user, query: str = "") -> dict:
    view = list_view(model, user, query)
    queryset = view.filtered_queryset()
    context = list_figures(view, queryset)
    assert not context["figures_pending"], f"{query!r} is not answered by the summaries"
    figures = {item.label: item.value for item in context["measures"]}
    figures["rows"] = context["row_count"]
    return figures


def live(model, user, query: str = "") -> dict:
    view = list_view(model, user, query)
    queryset = view.filtered_queryset()
    values = compute_measures(queryset, view.get_measures(), view.request.GET)
    figures = {item.label: item.value for item in values}
    figures["rows"] = queryset.count()
    return figures


def same(summarised: dict, computed: dict) -> bool:
    """Counts equal; means and shares equal up to the rounding of float sums."""
    if summarised.keys() != computed.keys():
        return False
    for name, value in computed.items():
        other = summarised[name]
        if value is None or other is None:
            if value is not other:
                return False
        elif not math.isclose(float(other), float(value), rel_tol=1e-9, abs_tol=1e-9):
            return False
    return True


def assert_figures_match(model, user, query: str = "") -> dict:
    summarised, computed = from_summaries(model, user, query), live(model, user, query)
    assert same(summarised, computed), (model._meta.label, query, summarised, computed)
    return summarised
