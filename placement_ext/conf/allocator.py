"""The ``[allocator]`` group: how hosts are chosen for a reservation."""

from oslo_config import cfg

from placement_ext.conf import utils

GROUP = 'allocator'
POLICIES = ('pack', 'spread', 'random')

allocator_group = cfg.OptGroup(
    GROUP, title='Allocator options',
    help='How the reservation store chooses hosts for new reservations.')


opts = [
    cfg.StrOpt(
        'placement_policy',
        default='pack',
        choices=[
            ('pack', 'Fill hosts and time gaps already in use first, so '
                     'whole hosts stay free for long stretches and can be '
                     'powered down.'),
            ('spread', 'Prefer the hosts with the most free capacity and '
                       'the longest free stretch around the window.'),
            ('random', 'Choose uniformly at random among the hosts that '
                       'fit.'),
        ],
        help="""
Which of the hosts that fit a reservation are chosen.

``pack`` (the default) prefers hosts whose free gap around the requested
window is the tightest and, for instance slots, hosts that are already the
most used, so that reservations cluster on few hosts and the others stay free
for long stretches (they can then be powered down or sold as whole hosts).
``spread`` does the opposite: it prefers the emptiest hosts with the longest
free stretch, which lowers the impact of a single host failure. ``random``
picks uniformly among the hosts that fit.

Possible values:

* pack
* spread
* random
"""),
    cfg.IntOpt(
        'cleaning_margin',
        default=0,
        min=0,
        help="""
Seconds a host stays unavailable after a reservation on it ends.

Operators use this to wipe or re-image hosts between tenants. A new
reservation may start on a host only once every earlier reservation on it has
ended plus this margin, and its own end plus this margin must not reach into
a later reservation. Blazar calls this ``cleaning_time`` (in minutes).

Possible values:

* 0 (no margin) or a positive number of seconds
"""),
]


def register_opts(conf):
    utils.register_group(conf, allocator_group, opts)


def list_opts():
    return {allocator_group: opts}
