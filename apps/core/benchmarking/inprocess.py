"""What a list page asks of the database, measured in this process: the SQL queries of one
page view per kind and role, and the time of the aggregates behind the figures above it."""

import logging
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

# The aggregate functions the figures are made of; the row count under the table is
# computed on at most a page cap of rows (its LIMIT), so it is not one of them.
AGGREGATES = ("COUNT(", "SUM(", "AVG(")


@dataclass(frozen=True)
class PageQueries:
    path: str
    username: str
    status: int
    queries: int
    figures_seconds: float  # SQL time of the figures' aggregates on this page view


def _figures_seconds(captured: list[dict]) -> float:
    return sum(
        float(query["time"])
        for query in captured
        if any(function in query["sql"].upper() for function in AGGREGATES)
        and "LIMIT" not in query["sql"].upper()
    )


@contextmanager
def _quiet(logger_name: str):
    logger = logging.getLogger(logger_name)
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def page_queries(path: str, username: str, *, warm_up: bool = True) -> PageQueries:
    """One view of `path` by `username`, in process, with its queries counted."""
    client = Client(SERVER_NAME="localhost")
    client.force_login(get_user_model().objects.get(username=username))
    # A role that may not see this list answers 403; that is not worth a logged warning.
    with _quiet("django.request"):
        if warm_up:
            client.get(path)
        with CaptureQueriesContext(connection) as context:
            response = client.get(path)
    return PageQueries(
        path=path,
        username=username,
        status=response.status_code,
        queries=len(context.captured_queries),
        figures_seconds=_figures_seconds(context.captured_queries),
    )
