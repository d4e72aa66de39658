"""The filter's list of reservable hosts, read from a real Placement:
read once, re-read in the background, remembered through outages."""

import threading
import uuid

import pytest

from blazar_nova.scheduler import placement_view
from placement_ext.placement import encoding
from placement_ext.testing import placement_service


class ReportClient:
    """What the filter needs of Nova's report client, over a real
    Placement: ``get(url, version)`` returning the HTTP response. Counts
    calls and can be switched off to act as an outage."""

    def __init__(self, adapter):
        self.adapter = adapter
        self.calls = 0
        self.down = False
        self.entered = threading.Event()
        self.release = threading.Event()
        self.release.set()

    def get(self, url, version=None):
        self.calls += 1
        self.entered.set()
        self.release.wait(10)
        if self.down:
            raise ConnectionError('placement is down')
        return self.adapter.get(url, microversion=version, raise_exc=False)


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def placement(tmp_path):
    with placement_service.in_process(tmp_path) as client:
        yield client


def new_host(client, reservable=True):
    host = str(uuid.uuid4())
    client.post('/resource_providers', {'uuid': host, 'name': host})
    if reservable:
        encoding.enrol_host(client, host)
    return host


def wait_for(predicate):
    for _ in range(200):
        if predicate():
            return
        threading.Event().wait(0.01)
    raise AssertionError('condition not reached')


def test_read_once_then_refreshed_in_background(placement):
    first = new_host(placement)
    report = ReportClient(placement._adapter)
    clock = Clock()
    view = placement_view.PlacementView(lambda: report, 10, clock=clock)
    assert view.reservable() == ({first}, True)
    assert report.calls == 1
    second = new_host(placement)
    clock.now += 5
    assert view.reservable() == ({first}, True)
    assert report.calls == 1

    # Stale: the request is answered from the old list at once while one
    # background read runs; a second stale request starts no other read.
    clock.now += 6
    report.release.clear()
    report.entered.clear()
    assert view.reservable() == ({first}, True)
    report.entered.wait(5)
    assert view.reservable() == ({first}, True)
    report.release.set()
    wait_for(lambda: view.reservable()[0] == {first, second})
    assert report.calls == 2


def test_zero_reads_on_every_call(placement):
    first = new_host(placement)
    report = ReportClient(placement._adapter)
    view = placement_view.PlacementView(lambda: report, 0)
    assert view.reservable() == ({first}, True)
    second = new_host(placement)
    assert view.reservable() == ({first, second}, True)
    assert report.calls == 2


def test_outage_serves_the_last_list_and_says_so(placement):
    first = new_host(placement)
    report = ReportClient(placement._adapter)
    view = placement_view.PlacementView(lambda: report, 0)
    assert view.reservable() == ({first}, True)
    report.down = True
    assert view.reservable() == ({first}, False)
    assert view.known_reservable() == {first}


def test_outage_before_any_read_is_unavailable(placement):
    report = ReportClient(placement._adapter)
    report.down = True
    view = placement_view.PlacementView(lambda: report, 10)
    with pytest.raises(placement_view.Unavailable):
        view.reservable()
    assert view.known_reservable() is None
