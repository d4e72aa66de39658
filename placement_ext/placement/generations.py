"""Placement writes checked against a provider generation, retried when
another writer moved it first.

Rules:

* An attempt reads what it needs (the provider's generation with it) and
  makes one write; ``write`` raises ``Moved`` when Placement answers with a
  generation conflict (409 ``placement.concurrent_update``) or with the
  500 it gives when it loses its own race between checking the generation
  and writing (Placement 16's traits handler; a deadlock on MariaDB), the
  latter after a pause of ``RETRY_PAUSE`` seconds. Such a write changed
  nothing, so reading again and retrying is safe; a real outage fails the
  next read, which is not retried.
* ``retry`` runs the attempt again after ``Moved``, at most ``ATTEMPTS``
  times in all, then gives up with ``PlacementUnavailable`` naming what it
  was doing and the number of generation conflicts.
"""

import time

from oslo_log import log as logging

from placement_ext import exception
from placement_ext.placement import client as pclient

LOG = logging.getLogger(__name__)

ATTEMPTS = 10
RETRY_PAUSE = 0.05


class Moved(Exception):
    """The provider's generation moved under this attempt's write."""


def write(send, url, *args, expect=(200,)):
    """``send(url, *args, expect=...)`` (the client's ``put``, ``post`` or
    ``delete``); its answer, or ``Moved`` when the generation moved (409
    is added to ``expect`` for this)."""
    try:
        resp = send(url, *args, expect=tuple(expect) + (409,))
    except exception.PlacementUnavailable as exc:
        LOG.debug('Placement lost a race writing %s: %s', url, exc)
        time.sleep(RETRY_PAUSE)
        raise Moved(url) from None
    if pclient.is_generation_conflict(resp):
        raise Moved(url)
    return resp


def retry(attempt, what):
    """``attempt()``'s result, calling it again each time it raises
    ``Moved``, at most ``ATTEMPTS`` times; ``what`` (``changing traits of
    <uuid>``) names the work when giving up."""
    for _number in range(ATTEMPTS):
        try:
            return attempt()
        except Moved:
            LOG.debug('Generation conflict %s, retrying', what)
    raise exception.PlacementUnavailable(
        'gave up %s after %d generation conflicts' % (what, ATTEMPTS))
