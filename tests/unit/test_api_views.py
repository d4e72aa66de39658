"""Dates in API bodies: the store's text in Blazar's format."""

import datetime

import pytest

from placement_ext.api import views
from placement_ext.store import timeconv


@pytest.mark.parametrize('moment', [
    datetime.datetime(2030, 1, 1, 0, 0, 0),
    datetime.datetime(2026, 12, 6, 23, 59, 59),
    datetime.datetime(1999, 2, 28, 7, 5, 3),
    datetime.datetime(9999, 12, 30, 12, 0, 0),
])
def test_date_is_the_parsed_and_reformatted_store_text(moment):
    text = timeconv.to_text(moment)
    assert views.date(text) == datetime.datetime.strptime(
        text, views.STORE_FORMAT).strftime(views.BLAZAR_FORMAT)


def test_date_of_another_shape_is_parsed_and_bad_text_refused():
    assert views.date(None) is None
    with pytest.raises(ValueError):
        views.date('2030-01-01T00:00')
