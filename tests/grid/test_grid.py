"""Every URL pattern × role × method, against the one table in tests/grid/expected.py.

The patterns come from the resolver, so a new view fails here until its row is reviewed and
added. Each pattern's addresses carry real ids of both clients; besides the status, no page
shown to someone may contain what only the other client's people may see."""

import io

import openpyxl
import pytest

from .expected import RULES, expected_outcome, rule_for
from .urls import url_patterns, urls_of
from .world import REACHES, ROLES

PATTERNS = url_patterns()
METHODS = ("GET", "POST")


def _text(url, body: bytes) -> str:
    if url.path.endswith("_export=xlsx"):
        sheet = openpyxl.load_workbook(io.BytesIO(body), read_only=True).active
        return "\n".join(" ".join(map(str, row)) for row in sheet.iter_rows(values_only=True))
    return body.decode("utf-8", errors="replace")


def _leaks(role: str, world, url, body: bytes) -> list[str]:
    """What the page (or export) shows of a client the role does not work for."""
    text = _text(url, body)
    return [
        leak
        for side, leaks in world.leaks.items()
        if role not in REACHES[side]
        for leak in leaks
        if leak in text
    ]


@pytest.mark.django_db
def test_every_pattern_and_variant_has_a_rule_and_every_rule_is_used(grid_world):
    keys = {url.key for pattern in PATTERNS for url in urls_of(pattern, grid_world)}
    assert not [key for key in sorted(keys) if rule_for(key) is None], (
        "add these URL patterns to tests/grid/expected.py after reviewing their outcomes"
    )
    used = {rule_for(key).origin for key in keys}
    assert sorted({rule.origin for rule in RULES} - used) == []


@pytest.mark.django_db
@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda pattern: pattern.key)
def test_cells(pattern, grid_world):
    wrong = []
    for url in urls_of(pattern, grid_world):
        rule = rule_for(url.key)
        assert rule is not None, f"{url.key} is not in tests/grid/expected.py"
        for method in METHODS:
            for role in ROLES:
                expected = expected_outcome(rule, method, role, url)
                actual, response, body = grid_world.browser.request(role, method, url.path)
                cell = f"{method} {url.path} ({url.target}) as {role}"
                if actual != expected:
                    wrong.append(f"{cell}: {actual}, expected {expected}")
                elif actual == 200 and (leaked := _leaks(role, grid_world, url, body)):
                    wrong.append(f"{cell}: shows {leaked}")
    assert not wrong, "\n".join(wrong)
