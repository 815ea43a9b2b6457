"""Spreadsheet cells that would run as formulas are neutralised the same way in CSV and XLSX."""

import io

import openpyxl
import pytest

from apps.core.listing.exports import FORMULA_TRIGGERS, neutralised
from tests.background_jobs import exported
from tests.factories_calls import CallFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("trigger", FORMULA_TRIGGERS)
def test_every_trigger_gets_the_apostrophe(trigger):
    assert neutralised(f"{trigger}1+1") == f"'{trigger}1+1"


@pytest.mark.parametrize("text", ["O'Brien & Co", "1-2", "a=b", ""])
def test_other_text_is_left_alone(text):
    assert neutralised(text) == text


def test_call_exports_in_xlsx_neutralise_customer_names(world, client):
    CallFactory(client=world.client_a, title="\tSUM(A1)", customer_name="=HYPERLINK(0)")
    CallFactory(client=world.client_a, title="-2+3", customer_name="@x")
    client.force_login(world.lead)

    response = exported(client, "/calls/?_export=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = {cell.value for row in sheet.iter_rows(min_row=2) for cell in row}

    assert {"'\tSUM(A1)", "'-2+3", "'=HYPERLINK(0)", "'@x"} <= values
    assert not {"\tSUM(A1)", "=HYPERLINK(0)", "@x"} & values
