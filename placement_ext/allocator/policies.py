"""The placement policies: in which order hosts that fit are taken.

``pack``
    Hosts whose free gap around the window is tightest come first, and for
    instance slots hosts that are already in use during the window and have
    the fewest free slots left. Reservations cluster on few hosts; the other
    hosts stay free for long stretches (to be powered down or leased whole).
``spread``
    The emptiest hosts with the longest free stretch around the window come
    first; instance slots are dealt one at a time across them.
``random``
    Uniform random order; instance slots are dealt one at a time.

Gaps are measured up to ``PACK_HORIZON`` seconds on each side: a host with
nothing booked within that horizon counts as entirely free.
"""

import random

PACK_HORIZON = 7 * 24 * 3600


def _slack(before, after):
    return min(before, PACK_HORIZON) + min(after, PACK_HORIZON)


def order_hosts(candidates, policy, rng=None):
    """Order whole-host candidates, each ``(host, before, after)``."""
    if policy == 'random':
        ordered = list(candidates)
        (rng or random).shuffle(ordered)
        return [c[0] for c in ordered]
    sign = 1 if policy == 'pack' else -1
    ordered = sorted(
        candidates,
        key=lambda c: (sign * _slack(c[1], c[2]), c[0].hypervisor_hostname))
    return [c[0] for c in ordered]


def order_slot_hosts(candidates, policy, rng=None):
    """Order slot candidates, each ``(host, free, in_use, before, after)``.

    ``free`` is the slots the host can give, ``in_use`` whether anything is
    booked on it during the window.
    """
    if policy == 'random':
        ordered = list(candidates)
        (rng or random).shuffle(ordered)
    elif policy == 'pack':
        ordered = sorted(candidates, key=lambda c: (
            not c[2], c[1], _slack(c[3], c[4]), c[0].hypervisor_hostname))
    else:
        ordered = sorted(candidates, key=lambda c: (
            c[2], -c[1], -_slack(c[3], c[4]), c[0].hypervisor_hostname))
    return [(c[0], c[1]) for c in ordered]


def deals_one_at_a_time(policy):
    """Whether slots are dealt round-robin (spread, random) rather than
    filling each host before the next (pack)."""
    return policy != 'pack'
