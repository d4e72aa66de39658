"""``blazar-nova-manage``: operator commands of the reservation store.

Usage::

    blazar-nova-manage [--config-file FILE] db sync [REVISION]
    blazar-nova-manage [--config-file FILE] db version
    blazar-nova-manage [--config-file FILE] host add HOSTNAME --vcpus N
        --memory-mb N --local-gb N [--property NAME=VALUE ...]
    blazar-nova-manage [--config-file FILE] host list
    blazar-nova-manage [--config-file FILE] calendar [--days N]
    blazar-nova-manage [--config-file FILE] placement sync
    blazar-nova-manage [--config-file FILE] events show LEASE_ID
    blazar-nova-manage [--config-file FILE] events retry EVENT_ID
    blazar-nova-manage [--config-file FILE] reconcile

Commands are grouped in categories (``db``, ...). A category is a subclass of
:class:`Category` listed in :data:`CATEGORIES`; each of its methods decorated
with :func:`action` becomes a sub-command, whose arguments are declared with
:func:`arg` and passed to the method as keyword arguments. A command returns
its exit code (``None`` counts as 0).
"""

import sys

from alembic import util as alembic_util
from oslo_config import cfg
from oslo_db import exception as db_exception
from oslo_log import log as logging
import sqlalchemy.exc

from placement_ext.nova import compute as bn_compute
from placement_ext.cmd import calendar
from placement_ext import conf as bn_conf
from placement_ext import context
from placement_ext import enrolment
from placement_ext.db import api as db_api
from placement_ext.db import migration
from placement_ext import exception
from placement_ext.placement import client as placement_client
from placement_ext.placement import reconcile
from placement_ext.reservations import physical_host
from placement_ext import rest_client
from placement_ext.store import api as store_api
from placement_ext import timeconv

LOG = logging.getLogger(__name__)

PROJECT = 'blazar-nova'
PROG = 'blazar-nova-manage'

# alembic says at INFO level which backend it talks to on every command;
# keep its notices out of the commands' output unless configured otherwise.
LOG_LEVELS = ['alembic=WARNING']

# Every argument of an action is stored under this prefix, so that its name
# cannot clash with a registered option when read from ``conf.category``.
_ARG_PREFIX = 'action_kwarg_'


def arg(*flags, **kwargs):
    """Describe one argparse argument of an action.

    Takes what ``ArgumentParser.add_argument`` takes; the value reaches the
    action method as the keyword argument named by ``dest`` (or derived from
    the flags the way argparse does it).
    """
    return flags, kwargs


def action(help, *arguments, name=None):
    """Make a :class:`Category` method a sub-command.

    :param help: one line shown in ``--help``
    :param arguments: :func:`arg` descriptions of its arguments
    :param name: command name; the method's name with '_' replaced by '-'
        when omitted
    """
    def decorator(method):
        method.action_help = help
        method.action_arguments = arguments
        method.action_name = name or method.__name__.replace('_', '-')
        return method
    return decorator


def _dest(flags, kwargs):
    if 'dest' in kwargs:
        return kwargs['dest']
    longs = [f for f in flags if f.startswith('--')]
    chosen = (longs or flags)[0]
    return chosen.lstrip('-').replace('-', '_')


def add_arguments(parser, arguments):
    """Add :func:`arg` descriptions to ``parser``; return their names."""
    names = []
    for flags, kwargs in arguments:
        kwargs = dict(kwargs)
        name = _dest(flags, kwargs)
        kwargs['dest'] = _ARG_PREFIX + name
        if not flags[0].startswith('-'):
            # A positional argument takes its dest from its only "flag".
            flags = (kwargs.pop('dest'),)
            kwargs.setdefault('metavar', name.upper())
        elif kwargs.get('action') not in ('store_true', 'store_false'):
            kwargs.setdefault('metavar', name.upper())
        parser.add_argument(*flags, **kwargs)
        names.append(name)
    return names


class Category:
    """A group of sub-commands: ``blazar-nova-manage <category> <action>``.

    Subclasses set ``help`` and decorate methods with :func:`action`. An
    instance is built for the command that runs, with the parsed
    configuration and the store database.
    """

    help = None

    def __init__(self, conf, database):
        self.conf = conf
        self.database = database

    @classmethod
    def actions(cls):
        return [getattr(cls, attr) for attr in sorted(dir(cls))
                if hasattr(getattr(cls, attr), 'action_name')]

    @classmethod
    def add_parsers(cls, parser):
        """Add this category's sub-commands to its ``parser``.

        A category that is a single command can override this to add its
        arguments to ``parser`` directly and set the same defaults.
        """
        subparsers = parser.add_subparsers(dest='action', metavar='ACTION')
        subparsers.required = True
        for method in cls.actions():
            sub = subparsers.add_parser(method.action_name,
                                        help=method.action_help,
                                        description=method.action_help)
            names = add_arguments(sub, method.action_arguments)
            sub.set_defaults(action_fn=method.__name__, action_kwargs=names)


class DbCommands(Category):
    """Create or upgrade the store's database schema."""

    help = 'Database schema: sync, version.'

    @action('Create or upgrade the schema, then print its revision.',
            arg('revision', nargs='?', default='head',
                help='Revision to upgrade to (default: the newest).'))
    def sync(self, revision):
        print(migration.upgrade(self.database, revision))
        return 0

    @action("Print the schema's revision, or None if it was never synced.")
    def version(self):
        print(migration.current_revision(self.database))
        return 0


def _properties(pairs):
    properties = {}
    for pair in pairs or ():
        name, sep, value = pair.partition('=')
        if not sep or not name:
            raise exception.InvalidInput('--property',
                                         'expected NAME=VALUE, got %r' % pair)
        properties[name] = value
    return properties


class HostCommands(Category):
    """Enrol and list the hosts that leases can reserve."""

    help = 'Hosts: add, list.'

    @action('Enrol a host. Its capacity is read from its compute node in '
            'Placement, which gets the reservable mark, as POST '
            '/v1/os-hosts does; with --vcpus, --memory-mb and --local-gb '
            'the store alone takes the host (Placement is marked at the '
            'next "placement sync").',
            arg('hostname', help='Hypervisor hostname of the host.'),
            arg('--vcpus', type=int, help='vCPUs it gives (without '
                                          'Placement).'),
            arg('--memory-mb', type=int,
                help='Memory (MB) it gives (without Placement).'),
            arg('--local-gb', type=int,
                help='Local disk (GB) it gives (without Placement).'),
            arg('--property', action='append', metavar='NAME=VALUE',
                help='A property filters can match (repeatable).'),
            arg('--uuid', help='Its compute node resource provider uuid '
                               '(without Placement; default: a new uuid).'),
            arg('--not-reservable', action='store_true',
                help='Enrol it without letting leases take it yet.'))
    def add(self, hostname, vcpus, memory_mb, local_gb, property, uuid,
            not_reservable):
        capacity = {'vcpus': vcpus, 'memory_mb': memory_mb,
                    'local_gb': local_gb}
        given = [name for name, value in capacity.items()
                 if value is not None]
        properties = _properties(property)
        if not given and uuid is None:
            host = enrolment.enrol(
                self._store(),
                placement_client.PlacementClient.from_conf(self.conf),
                context.admin_context(), hostname,
                reservable=not not_reservable, properties=properties)
        elif len(given) < len(capacity):
            shown = ', '.join('--' + name.replace('_', '-')
                              for name in given) or 'only --uuid'
            raise exception.InvalidInput(
                '--vcpus', 'without Placement the host needs --vcpus, '
                '--memory-mb and --local-gb together (got %s); with none '
                'of them its capacity comes from Placement' % shown)
        else:
            values = dict(capacity, hypervisor_hostname=hostname,
                          properties=properties,
                          reservable=not not_reservable)
            if uuid:
                values['uuid'] = uuid
            host = self._store().create_host(context.admin_context(), values)
        print('%s %s' % (host['id'], host['uuid']))
        return 0

    @action('List enrolled hosts.')
    def list(self):
        print('%-4s %-24s %-10s %6s %9s %8s  %s' % (
            'id', 'hypervisor_hostname', 'reservable', 'vcpus', 'memory_mb',
            'local_gb', 'properties'))
        for host in self._store().list_hosts(context.admin_context()):
            print('%-4s %-24s %-10s %6d %9d %8d  %s' % (
                host['id'], host['hypervisor_hostname'], host['reservable'],
                host['vcpus'], host['memory_mb'], host['local_gb'],
                ' '.join('%s=%s' % kv for kv in
                         sorted(host['properties'].items()))))
        return 0

    def _store(self):
        return store_api.Store(self.conf, self.database)


class CalendarCommand(Category):
    """Show how many whole hosts are free over the coming days, and what is
    booked on each host."""

    help = 'Free calendar of the enrolled hosts.'

    @classmethod
    def add_parsers(cls, parser):
        names = add_arguments(parser, [
            arg('--days', type=int, default=7,
                help='How many days ahead to show (default 7).'),
            arg('--hosts', type=int, default=50,
                help='Show the bookings of at most this many hosts.')])
        parser.set_defaults(action_fn='show', action_kwargs=names)

    def show(self, days, hosts):
        if not 0 < days <= 366:
            raise exception.InvalidInput('--days', 'must be 1 to 366')
        store = store_api.Store(self.conf, self.database)
        admin = context.admin_context()
        lo = store.now()
        hi = lo + days * 86400
        availability = store.availability(
            admin, {'resource_type': physical_host.NAME, 'min': 1, 'max': 1},
            timeconv.epoch_text(lo), timeconv.epoch_text(hi))
        lines = calendar.render(store.list_hosts(admin),
                                availability['timeline'],
                                store.allocations_between(admin, lo, hi),
                                lo, hi, hosts)
        print('\n'.join(lines))
        return 0


class PlacementCommands(Category):
    """Compare Placement with the store and repair what differs."""

    help = 'Placement encoding: sync.'

    @action('Make Placement show exactly what the store holds now (traits, '
            'resource classes, inventories, child providers) and print '
            'every change.')
    def sync(self):
        store = store_api.Store(self.conf, self.database)
        client = placement_client.PlacementClient.from_conf(self.conf)
        report = reconcile.reconcile(client, store, context.admin_context())
        _print_report(report, 'Placement already matches the store.')
        return 3 if report.problems else 0


def _print_report(report, clean):
    for line in report.changes:
        print('changed: %s' % line)
    for line in report.kept:
        print('kept: %s' % line)
    for line in report.problems:
        print('problem: %s' % line)
    if not (report.changes or report.kept or report.problems):
        print(clean)
    else:
        print('%d change(s), %d kept, %d problem(s)' % (
            len(report.changes), len(report.kept), len(report.problems)))


class EventCommands(Category):
    """Look at a lease's events and nudge a failed one."""

    help = 'Lease events: show, retry.'

    @action("Show a lease's events: when each is due, its state, the agent "
            "holding or having run it, its tries and its last error.",
            arg('lease_id', help='The lease.'))
    def show(self, lease_id):
        store = store_api.Store(self.conf, self.database)
        admin = context.admin_context()
        lease = store.get_lease(admin, lease_id)
        print('lease %s (%s): %s%s' % (
            lease['id'], lease['name'], lease['status'],
            ', degraded: %s' % lease['degraded_reason']
            if lease['degraded_reason'] else ''))
        print('%-6s %-17s %-19s %-11s %-16s %8s  %s' % (
            'id', 'event', 'due', 'status', 'agent', 'attempts',
            'last error'))
        for event in store.lease_events(admin, lease_id):
            print('%-6s %-17s %-19s %-11s %-16s %8d  %s' % (
                event['id'], event['event_type'], event['time'],
                event['status'], event['owner'] or '-', event['attempts'],
                event['last_error'] or ''))
        return 0

    @action('Make an event in ERROR due again now; the agent runs it (and '
            'moves its lease out of ERROR) on its next pass.',
            arg('event_id', type=int, help='The event (see "events show").'))
    def retry(self, event_id):
        store = store_api.Store(self.conf, self.database)
        event = store.retry_event(context.admin_context(), event_id)
        print('event %s (%s of lease %s) is %s again' % (
            event['id'], event['event_type'], event['lease_id'],
            event['status']))
        return 0


class ReconcileCommand(Category):
    """Compare the store with Placement and Nova; repair and report."""

    help = 'Repair Placement and Nova from the store, with a report.'

    @classmethod
    def add_parsers(cls, parser):
        parser.set_defaults(action_fn='run', action_kwargs=[])

    def run(self):
        from placement_ext.nova import reconcile as nova_reconcile
        store = store_api.Store(self.conf, self.database)
        admin = context.admin_context()
        client = placement_client.PlacementClient.from_conf(self.conf)
        report = reconcile.reconcile(client, store, admin)
        if rest_client.configured(self.conf, bn_compute.GROUP):
            nova_reconcile.reconcile_flavors(
                bn_compute.ComputeClient.from_conf(self.conf), store, admin,
                report)
        else:
            print('Nova: no [nova] endpoint configured; flavors not checked')
        for lease_id in store.leases_in(admin, ('ERROR',)):
            report.problems.append(
                'lease %s is in ERROR: see "blazar-nova-manage events show '
                '%s"' % (lease_id, lease_id))
        _print_report(report, 'Placement and Nova already match the store.')
        return 3 if report.problems else 0


# The categories of blazar-nova-manage, by command-line name.
CATEGORIES = {
    'db': DbCommands,
    'host': HostCommands,
    'calendar': CalendarCommand,
    'placement': PlacementCommands,
    'events': EventCommands,
    'reconcile': ReconcileCommand,
}


def add_command_parsers(subparsers):
    """Handler of the ``category`` sub-command option."""
    for name, category in CATEGORIES.items():
        parser = subparsers.add_parser(name, help=category.help,
                                       description=category.__doc__)
        parser.set_defaults(category_name=name)
        category.add_parsers(parser)


category_opt = cfg.SubCommandOpt(
    'category',
    title='Command categories',
    help='Available categories',
    handler=add_command_parsers)


def _one_line(error):
    """The first line of an error's message (driver errors add more)."""
    lines = [line for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else error.__class__.__name__


def _run(conf):
    category = CATEGORIES[conf.category.category_name]
    method_name = conf.category.action_fn
    kwargs = {name: getattr(conf.category, _ARG_PREFIX + name)
              for name in conf.category.action_kwargs}
    database = db_api.Database(conf)
    try:
        result = getattr(category(conf, database), method_name)(**kwargs)
    finally:
        database.dispose()
    return 0 if result is None else result


def main(argv=None):
    """Run one command; return its exit code."""
    conf = cfg.ConfigOpts()
    bn_conf.register_opts(conf)
    logging.register_options(conf)
    # Logs go to stderr: standard output carries the commands' results.
    conf.set_default('use_stderr', True)
    conf.set_default('default_log_levels',
                     logging.get_default_log_levels() + LOG_LEVELS)
    conf.register_cli_opt(category_opt)
    try:
        conf(sys.argv[1:] if argv is None else argv, project=PROJECT,
             prog=PROG)
    except cfg.Error as exc:
        print('ERROR: %s' % _one_line(exc), file=sys.stderr)
        return 1
    logging.setup(conf, PROJECT)
    try:
        return _run(conf)
    except (exception.ReservationError, db_exception.DBError,
            sqlalchemy.exc.SQLAlchemyError, alembic_util.CommandError,
            OSError) as exc:
        LOG.debug('%s failed', conf.category.name, exc_info=True)
        print('ERROR: %s' % _one_line(exc), file=sys.stderr)
        return 1


if __name__ == '__main__':
    sys.exit(main())
