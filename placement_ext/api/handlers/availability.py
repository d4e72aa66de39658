"""``POST /v1/availability``: how much of a request is free, and when it
first fits (beyond Blazar)."""

from placement_ext.api.handlers import compute_only
from placement_ext.api import policy
from placement_ext.api.policies import availability as rules
from placement_ext.api.schemas import availability as schemas
from placement_ext.api import util
from placement_ext import timeconv


def query(req):
    """For ``reservation`` (a lease's reservation body), the free amount
    at each change over ``[start_date, end_date)``: hosts for a host
    reservation, slots for an instance reservation; with ``duration`` (in
    seconds, or ``"2h"``-style), the earliest start where it fits that
    long."""
    ctx = util.context(req)
    policy.authorize(util.services(req).conf, ctx, rules.GET)
    body = util.json_body(req, schemas.QUERY,
                          precheck=compute_only.check_types)
    found = util.services(req).store.availability(
        ctx, body['reservation'], body['start_date'], body['end_date'],
        body.get('duration'), util.services(req).clients)
    shown = timeconv.epoch_blazar_text
    result = {'timeline': [{'date': shown(p['time']), 'free': p['free']}
                           for p in found['timeline']]}
    if 'earliest_start' in found:
        earliest = found['earliest_start']
        result['earliest_start'] = (None if earliest is None
                                    else shown(earliest))
    return util.respond({'availability': result})
