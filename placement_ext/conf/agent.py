"""The ``[agent]`` group: how blazar-nova-agent runs lease events."""

import socket

from oslo_config import cfg

from placement_ext.conf import utils

GROUP = 'agent'
INSTANCE_ACTIONS = ('delete', 'shelve', 'keep')

agent_group = cfg.OptGroup(
    GROUP, title='Lease agent options',
    help='How blazar-nova-agent starts, ends and heals leases.')


opts = [
    cfg.StrOpt(
        'host',
        default=socket.gethostname(),
        sample_default='<hostname>',
        help="""
Name of this agent, unique among the agents sharing one store database.

An agent marks the events it is running with this name; when it restarts
after a crash it takes back at once the events it held under the same name
(other agents wait for ``claim_timeout``). Two agents must never share a name.
"""),
    cfg.IntOpt(
        'workers',
        default=8,
        min=1,
        help="""
Events run at the same time by this agent (threads).

Each event waits mostly on Placement and Nova, so a few workers end many
leases that are due together in a fraction of the time one would take.
"""),
    cfg.IntOpt(
        'claim_timeout',
        default=60,
        min=5,
        help="""
Seconds after which an event held by an agent that stopped renewing its claim
(because it died) may be taken by another agent.

A running agent renews its claims every third of this time.
"""),
    cfg.FloatOpt(
        'poll_interval',
        mutable=True,
        default=1.0,
        min=0.05,
        help="""
Seconds between the agent's checks for new, changed or deleted leases.

Between due events the agent sleeps; it wakes this often for one cheap read
that tells whether any lease or host changed, so that a lease created to
start now starts within this time.
"""),
    cfg.FloatOpt(
        'retry_initial',
        mutable=True,
        default=1.0,
        min=0.1,
        help="""
Seconds before the first retry of an event that failed because Placement or
Nova could not be reached; each further failure doubles the wait, up to
``retry_max``. No event is dropped because a service is down.
"""),
    cfg.FloatOpt(
        'retry_max',
        mutable=True,
        default=60.0,
        min=1,
        help='Longest wait, in seconds, between two retries of an event.'),
    cfg.IntOpt(
        'max_failures',
        mutable=True,
        default=5,
        min=1,
        help="""
Tries after which an event that keeps failing for a reason other than an
unreachable service (a refusal from Nova, say) is parked in ERROR with its
lease, for an operator to look at (``blazar-nova-manage events show``) and
retry (``blazar-nova-manage events retry``).
"""),
    cfg.IntOpt(
        'end_wait_timeout',
        mutable=True,
        default=300,
        min=1,
        help="""
Seconds an end of lease waits for the lease's instances to be deleted or
shelved before it gives the event back, with the instances still there named
in its error, to try again later.
"""),
    cfg.FloatOpt(
        'end_poll_interval',
        mutable=True,
        default=1.0,
        min=0.05,
        help='Seconds between two checks that ending instances are gone.'),
    cfg.IntOpt(
        'keep_grace',
        mutable=True,
        default=3600,
        min=0,
        help="""
Seconds a lease whose end action is ``keep`` leaves its instances running
after its end (the reservation itself is revoked at the end: no new instance
can use it). Then they are deleted and the capacity is freed.

This is the default for leases that do not set their own ``keep_grace`` (on
create or update); it is copied into a lease when the lease is created.
Leases created before leases had their own value follow this option.
"""),
    cfg.StrOpt(
        'preemptible_action',
        mutable=True,
        default='delete',
        choices=[(a, None) for a in INSTANCE_ACTIONS],
        help="""
What a starting host reservation does to preemptible instances (flavor extra
spec ``blazar:preemptible=true``) of other projects on its hosts.

Possible values:

* delete (default, as Blazar)
* shelve
* keep: leave them, with a warning
"""),
    cfg.StrOpt(
        'leftover_action',
        mutable=True,
        default='keep',
        choices=[(a, None) for a in INSTANCE_ACTIONS],
        help="""
What a starting host reservation does to other projects' instances on its
hosts that are not preemptible (left over from before the host was
enrolled, for example).

Possible values:

* keep (default): leave them and log a warning naming them
* delete
* shelve
"""),
    cfg.IntOpt(
        'heal_interval',
        mutable=True,
        default=20,
        min=0,
        help="""
Seconds between two checks of the hosts that active and upcoming leases
hold. A host whose compute service is down or disabled, or whose resource
provider is gone, is replaced from the free hosts; when none fits, the lease
is marked degraded with the reason.

Possible values:

* 0: never heal
* a number of seconds (default 20: a failed host is replaced within about
  twice this)
"""),
    cfg.BoolOpt(
        'heal_busy_hosts',
        mutable=True,
        default=False,
        help="""
Replace a failed host even while it still runs the lease holder's instances.

By default such a host stays with its lease, which is marked degraded: its
instances may come back with the host.
"""),
    cfg.IntOpt(
        'reconcile_interval',
        mutable=True,
        default=600,
        min=0,
        help="""
Seconds between two full comparisons of Placement with the store, which
repair any drift (as ``blazar-nova-manage placement sync`` does).

Possible values:

* 0: never
* a number of seconds (default 600)
"""),
]


def register_opts(conf):
    utils.register_group(conf, agent_group, opts)


def list_opts():
    return {agent_group: opts}
