"""The figures and row count of a list page: from the summaries when they can answer, else
live in a second request, within a time budget."""

from django.conf import settings

from ..listing.counting import capped_count
from ..listing.measures import (
    compute_measures,
    measures_from_totals,
    unknown_measures,
)
from .budget import Budget
from .kinds import spec_for
from .reads import list_totals

PENDING = {"measures": [], "row_count": None, "row_count_capped": False, "figures_pending": True}


def list_figures(view, queryset) -> dict:
    """Context of the figures above a list and its "N matching": read from the summaries when
    every active filter is one they answer; otherwise pending, fetched by `live_figures`."""
    measures = view.get_measures()
    filterset = view.filterset
    if filterset.is_bound and not filterset.is_valid():
        # Invalid filters show nothing; aggregates over no rows cost no query.
        return {
            "measures": compute_measures(queryset, measures, view.request.GET),
            "row_count": 0,
            "row_count_capped": False,
            "figures_pending": False,
        }
    spec = spec_for(view.model)
    if spec is not None and all(measure.from_totals for measure in measures):
        user = view.request.user
        totals = list_totals(spec, filterset, user, view.model.objects.for_user(user))
        if totals is not None:
            return {
                "measures": measures_from_totals(totals, measures, view.request.GET),
                "row_count": int(totals["rows"]),
                "row_count_capped": False,
                "figures_pending": False,
            }
    return dict(PENDING)


def live_figures(view, queryset) -> dict:
    """The figures and capped row count computed over the filtered rows, within
    LIVE_FIGURES_BUDGET seconds in all: what does not finish in time shows as "…"."""
    budget = Budget(settings.LIVE_FIGURES_BUDGET)
    query = view.request.GET
    measures = view.get_measures()
    counted = budget.run(lambda: capped_count(queryset))
    values = budget.run(lambda: compute_measures(queryset, measures, query))
    return {
        "measures": values if values is not None else unknown_measures(measures, query),
        "row_count": counted[0] if counted else None,
        "row_count_capped": counted[1] if counted else False,
        "figures_pending": False,
        "figures_fragment": True,
    }
