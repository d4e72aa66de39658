"""The ``[leases]`` group: limits and defaults applied to new leases."""

from oslo_config import cfg

from placement_ext.conf import utils

GROUP = 'leases'
END_ACTIONS = ('delete', 'shelve', 'keep')

leases_group = cfg.OptGroup(
    GROUP, title='Lease options',
    help='Limits and defaults applied to leases when they are created or '
         'updated.')


opts = [
    cfg.IntOpt(
        'max_lease_duration',
        default=0,
        min=0,
        help="""
Longest lease a user may request, in seconds.

A lease whose end minus start exceeds this is refused with an error naming
``end_date``. Blazar's ``MaxLeaseDurationFilter`` enforces the same rule.

Possible values:

* 0: no limit
* a positive number of seconds, for example 86400 for one day
"""),
    cfg.IntOpt(
        'start_grace',
        default=60,
        min=0,
        help="""
How far in the past, in seconds, a lease's start date may lie.

Clients compute ``now`` on their own clocks and requests take time to
arrive; a start date older than this grace is refused as being in the past.
A start date within the grace is moved to the current time.

Possible values:

* a number of seconds, 0 or more
"""),
    cfg.IntOpt(
        'before_end_default',
        default=3600,
        min=0,
        help="""
Seconds before a lease's end at which its before-end event fires, when the
lease does not give ``before_end_date`` itself.

Possible values:

* 0: the before-end event fires at the end of the lease
* a positive number of seconds (Blazar's default is one hour)

Related options:

* ``[leases] default_end_action``
"""),
    cfg.StrOpt(
        'default_end_action',
        default='delete',
        choices=[
            ('delete', 'Delete the lease\'s instances at its end, as '
                       'Blazar does.'),
            ('shelve', 'Shelve the lease\'s instances at its end.'),
            ('keep', 'Leave the instances for a grace period, then '
                     'delete them.'),
        ],
        help="""
What happens to a lease's instances when it ends, for leases that do not
choose for themselves.

Possible values:

* delete
* shelve
* keep
"""),
]


def register_opts(conf):
    utils.register_group(conf, leases_group, opts)


def list_opts():
    return {leases_group: opts}
