"""The scheduler filter's one question to Placement per request.

Each method makes at most one ``GET /resource_providers`` call through
Nova's own Placement client (so it uses nova.conf's ``[placement]``
credentials) and returns a set of compute node uuids, or raises
``Unavailable``. The list of reservable hosts is kept between requests and
re-read in the background every ``reservable_hosts_refresh`` seconds, and
remembered after failures, so that an outage still tells reservable hosts
from ordinary ones.
"""

import threading
import time

from oslo_log import log as logging

from blazar_nova import names

LOG = logging.getLogger(__name__)


class Unavailable(Exception):
    """Placement did not answer the filter's question."""


class PlacementView:
    """Reads the reservation encoding from Placement."""

    def __init__(self, report_client_factory, refresh_seconds,
                 clock=time.monotonic):
        self._report_client_factory = report_client_factory
        self._refresh_seconds = refresh_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._reservable = None
        self._reservable_at = None
        self._last_read_ok = True

    def _providers(self, trait):
        url = '/resource_providers?required=%s' % trait
        try:
            resp = self._report_client_factory().get(
                url, version=names.PLACEMENT_MICROVERSION)
        except Exception as exc:
            raise Unavailable('%s: %s' % (type(exc).__name__, exc))
        if resp.status_code == 200:
            return resp.json()['resource_providers']
        if resp.status_code == 400 and b'No such trait' in resp.content:
            # The trait was never created, so no provider carries it.
            return []
        raise Unavailable('GET %s answered HTTP %s'
                          % (url, resp.status_code))

    def holders(self, claim_trait, on_child):
        """Compute nodes carrying ``claim_trait`` on themselves (host
        reservations) or on their reservation child provider (instance
        reservations)."""
        found = set()
        for rp in self._providers(claim_trait):
            is_child = rp.get('parent_provider_uuid') is not None
            if is_child == on_child:
                found.add(rp['root_provider_uuid'] if on_child
                          else rp['uuid'])
        return found

    def reserved(self):
        """Compute nodes with an active reservation."""
        return {rp['uuid'] for rp in
                self._providers(names.RESERVED_TRAIT)}

    def reservable(self):
        """``(hosts, fresh)``: enrolled compute nodes, and False for
        ``fresh`` when the last read failed and an older set is served.

        With a refresh period of 0 every call reads Placement. Otherwise
        the first call reads it and later calls return the set at once;
        once it is older than the period, one background thread re-reads
        it while requests keep using the old set, so no request waits for
        the (large) listing. Raises ``Unavailable`` only when Placement
        fails and no set was ever read.
        """
        if self._refresh_seconds == 0 or self._reservable is None:
            return self._read_reservable()
        if (self._clock() - self._reservable_at >= self._refresh_seconds
                and self._lock.acquire(blocking=False)):
            threading.Thread(target=self._refresh_in_background,
                             name='blazar-filter-refresh',
                             daemon=True).start()
        return self._reservable, self._last_read_ok

    def _read_reservable(self):
        try:
            hosts = frozenset(rp['uuid'] for rp in
                              self._providers(names.RESERVABLE_TRAIT))
        except Unavailable:
            self._last_read_ok = False
            if self._reservable is None:
                raise
            return self._reservable, False
        self._reservable, self._reservable_at = hosts, self._clock()
        self._last_read_ok = True
        return hosts, True

    def _refresh_in_background(self):
        try:
            self._read_reservable()
        except Unavailable as exc:
            LOG.error('BlazarFilter: could not re-read reservable hosts: %s',
                      exc)
        finally:
            self._lock.release()

    def known_reservable(self):
        """The last set of reservable hosts read, or None."""
        return self._reservable
