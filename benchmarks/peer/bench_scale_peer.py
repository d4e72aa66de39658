"""Blazar 18.0.0's host and instance plugins on the scale data set.

Runs in the peer's own virtualenv (``.venv-blazar``: blazar 18.0.0,
PyMySQL, psycopg2-binary), never in the project's: it imports nothing from
this repository except ``benchmarks/harness/scale_data.py`` (standard
library only, as are the ``benchmarks`` and ``benchmarks.harness``
packages' ``__init__``), so that both allocators decide on the same hosts,
the same calendar and the same probe windows. This project is not
installed there: run it as a module from the repository root, which
``python -m`` puts first on ``sys.path`` (run_suite's allocation part
does so)::

    .venv-blazar/bin/python -m benchmarks.peer.bench_scale_peer \\
        DATASET.json DB_URL OUT.json [--runs 31] [--budget 60] [--warmup 2]

``DB_URL`` names an empty database (``sqlite:////tmp/x.sqlite`` or
``postgresql+psycopg2://root@127.0.0.1:5432/scratch``). The script

1. configures Blazar's oslo.config options to their defaults and points
   ``[database] connection`` at ``DB_URL``;
2. creates Blazar's schema with its alembic migrations, in one
   transaction, then one revision per transaction if that fails; when
   the migrations cannot reach head on the backend, it drops what they
   made and creates the schema from Blazar's models (``db.api.setup_db``,
   as Blazar's own tests do) and says so in ``notes``;
3. bulk-loads the data set as Blazar would have left it after enrolling
   the hosts and creating one lease per booking (see ``booking_rows``);
4. times, per probe window, one call of the host plugin's and of the
   instance plugin's ``allocation_candidates`` (Blazar's code, over its
   DB layer, unpatched), with the values the manager passes them.

A refusal (``NotEnoughHostsAvailable`` or an empty candidate list) is a
decision like a grant. Progress goes to stderr; the figures to OUT.json.
"""

import argparse
import datetime
import json
import os
import random
import statistics
import sys
import time
import uuid

from benchmarks.harness import scale_data

PROJECTS = 50
BATCH = 5000
FREEPOOL_AGGREGATE = 1
# What Nova reports for a libvirt/QEMU hypervisor (Blazar copies it).
HYPERVISOR = {'hypervisor_type': 'QEMU', 'hypervisor_version': 8002002,
              'availability_zone': 'nova'}
CPU_INFO = str({'arch': 'x86_64', 'model': 'Cascadelake-Server',
                'vendor': 'Intel', 'topology': {'sockets': 2}})
# Placement inventory Blazar 18 copies at enrolment: (class, reserved,
# allocation ratio), Nova's defaults.
INVENTORIES = (('VCPU', 0, 4.0), ('MEMORY_MB', 512, 1.0),
               ('DISK_GB', 0, 1.0))
OPERATIONS = ('host decision', 'instance decision')
VERSIONED = ('blazar', 'SQLAlchemy', 'oslo.db', 'oslo.config', 'alembic',
             'psycopg2-binary')


class QueryCounter:
    """Counts the SQL statements any engine sends, apart from the
    ``BEGIN`` oslo.db emits on SQLite (an engine event; the statements
    themselves are untouched). The count lives in shared memory so that
    the parent can read how far an unfinished decision got."""

    def __init__(self, shared):
        self.shared = shared

    def __call__(self, _conn, _cursor, statement, *_args):
        if statement.strip().upper() != 'BEGIN':
            self.shared.value += 1

    def attach(self):
        from sqlalchemy import event
        from sqlalchemy.engine import Engine
        event.listen(Engine, 'before_cursor_execute', self)


def to_datetime(epoch):
    """Naive UTC datetime, as Blazar stores and compares dates."""
    return datetime.datetime.fromtimestamp(
        epoch, datetime.timezone.utc).replace(tzinfo=None)


def configure(db_url):
    """Blazar's options at their defaults, no config file, ``DB_URL`` as
    ``[database] connection``; returns ``cfg.CONF``."""
    from oslo_config import cfg
    import blazar.config  # noqa: F401  (cleaning_time, os_admin_*)
    from blazar.db import api  # noqa: F401  ([database] options)
    from blazar.manager import service  # noqa: F401  ([manager] options)
    from blazar.plugins.instances import instance_plugin  # noqa: F401
    from blazar.plugins.oshosts import host_plugin  # noqa: F401
    cfg.CONF([], project='blazar', default_config_files=[],
             default_config_dirs=[])
    cfg.CONF.set_override('connection', db_url, group='database')
    return cfg.CONF


def options_used(conf):
    """The option values the two decisions and the loaded data read."""
    return {'cleaning_time': conf.cleaning_time,
            'randomize_host_selection':
                conf['physical:host'].randomize_host_selection,
            'minutes_before_end_lease':
                conf.manager.minutes_before_end_lease,
            'aggregate_freepool_name': conf.nova.aggregate_freepool_name}


def alembic_config(conf):
    """Blazar's alembic.ini with its oslo.config attached, as
    ``blazar-db-manage`` builds it."""
    from alembic import config as alembic_cfg
    from blazar.db import migration
    config = alembic_cfg.Config(os.path.join(
        os.path.dirname(migration.__file__), 'alembic.ini'))
    config.blazar_config = conf
    return config


def first_line(error):
    return '%s: %s' % (type(error).__name__,
                       str(error).strip().split('\n')[0][:300])


def upgrade_stepwise(config):
    """``upgrade`` to each revision in turn, base to head, one
    transaction each (``blazar-db-manage upgrade --delta 1`` repeated);
    raises with the revision that failed."""
    from alembic import command
    from alembic import script
    revisions = [r.revision for r in script.ScriptDirectory.from_config(
        config).walk_revisions()]
    for revision in reversed(revisions):
        try:
            command.upgrade(config, revision)
        except Exception as error:
            raise RuntimeError('revision %s: %s' % (
                revision, first_line(error))) from error


def drop_everything(db_url):
    """Drop every table in the database (a half-migrated schema)."""
    import sqlalchemy as sa
    engine = sa.create_engine(db_url)
    meta = sa.MetaData()
    meta.reflect(engine)
    meta.drop_all(engine)
    engine.dispose()


def create_schema(conf, notes):
    """``'migrations'`` when Blazar's migrations reach head (in one go,
    else one revision per transaction), else ``'models'`` after
    ``blazar.db.api.setup_db()``; every failure is added to ``notes``."""
    from alembic import command
    config = alembic_config(conf)
    try:
        command.upgrade(config, 'head')
        return 'migrations'
    except Exception as error:
        notes.append('blazar-db-manage upgrade head (one transaction) '
                     'failed: %s' % first_line(error))
    try:
        upgrade_stepwise(config)
        notes.append('schema made by the migrations applied one revision '
                     'per transaction')
        return 'migrations'
    except Exception as error:
        notes.append('migrations one revision per transaction failed at '
                     '%s' % error)
    drop_everything(conf.database.connection)
    from blazar.db import api as db_api
    db_api.setup_db()
    notes.append('schema created from Blazar\'s models '
                 '(blazar.db.api.setup_db, metadata.create_all); the '
                 'migrations create no index beyond primary keys and '
                 'unique constraints either')
    return 'models'


class Ids:
    """Deterministic version-4 UUID strings (Blazar uses uuid4)."""

    def __init__(self, seed):
        self.rng = random.Random(seed)

    def __call__(self):
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))


def projects(ids):
    """PROJECTS Keystone-style (project_id, user_id) pairs."""
    return [(uuid.UUID(ids()).hex, uuid.UUID(ids()).hex)
            for _ in range(PROJECTS)]


def host_rows(dataset, created):
    """``computehosts`` rows as ``create_computehost`` stores Nova's
    hypervisor details: id is the hypervisor's UUID (compute API >=
    2.53), service name = hostname, reservable."""
    return [dict(HYPERVISOR, id=h['uuid'], created_at=created,
                 vcpus=h['vcpus'], memory_mb=h['memory_mb'],
                 local_gb=h['local_gb'], cpu_info=CPU_INFO,
                 hypervisor_hostname=h['hypervisor_hostname'],
                 service_name=h['hypervisor_hostname'],
                 trust_id=uuid.UUID(h['uuid']).hex, reservable=True)
            for h in dataset['hosts']]


def property_rows(dataset, ids, created):
    """``resource_properties``: one public row per host property name,
    resource type ``physical:host``; returns ``({name: id}, rows)``."""
    names = sorted({name for h in dataset['hosts']
                    for name in h['properties']})
    id_of = {name: ids() for name in names}
    return id_of, [{'id': id_of[name], 'resource_type': 'physical:host',
                    'property_name': name, 'private': False,
                    'created_at': created} for name in names]


def capability_rows(dataset, property_id, ids, created):
    """``computehost_extra_capabilities``: one row per host property."""
    return [{'id': ids(), 'computehost_id': h['uuid'],
             'property_id': property_id[name], 'capability_value': value,
             'created_at': created}
            for h in dataset['hosts']
            for name, value in sorted(h['properties'].items())]


def inventory_rows(dataset, ids, created):
    """``computehost_resource_inventory``: VCPU, MEMORY_MB and DISK_GB
    of each host, as Blazar 18 copies them from Placement."""
    rows = []
    for h in dataset['hosts']:
        totals = {'VCPU': h['vcpus'], 'MEMORY_MB': h['memory_mb'],
                  'DISK_GB': h['local_gb']}
        for resource_class, reserved, ratio in INVENTORIES:
            rows.append({'id': ids(), 'computehost_id': h['uuid'],
                         'resource_class': resource_class,
                         'total': totals[resource_class],
                         'reserved': reserved, 'min_unit': 1,
                         'max_unit': totals[resource_class],
                         'step_size': 1, 'allocation_ratio': ratio,
                         'created_at': created})
    return rows


def event_rows(lease_id, start, end, before_end_minutes, ids, created):
    """The three UNDONE events of a PENDING lease; ``before_end_lease``
    is ``minutes_before_end_lease`` before the end, not before the
    start (the manager's rule)."""
    from blazar import status
    before_end = max(start, end - datetime.timedelta(
        minutes=before_end_minutes))
    return [{'id': ids(), 'lease_id': lease_id, 'event_type': kind,
             'time': at, 'status': status.event.UNDONE,
             'created_at': created}
            for kind, at in (('start_lease', start),
                             ('before_end_lease', before_end),
                             ('end_lease', end))]


def empty_tables():
    return {name: [] for name in (
        'leases', 'reservations', 'computehost_reservations',
        'instance_reservations', 'computehost_allocations', 'events')}


def add_booking(rows, number, booking, context):
    """Rows of one booking's lease: lease (PENDING), reservation
    (pending), its plugin row (``count_range`` 1-1, empty properties,
    ``before_end`` default; or the flavor, ``amount`` = slots, affinity
    NULL), host allocations (one for a whole host, one per slot) and the
    three events."""
    from blazar import status
    host_id, start, end, vcpus, memory_mb, disk_gb, slots = booking
    ids, created = context['ids'], context['created']
    project_id, user_id = context['projects'][number % PROJECTS]
    lease_id, reservation_id, resource_id = ids(), ids(), ids()
    start, end = to_datetime(start), to_datetime(end)
    rows['leases'].append({
        'id': lease_id, 'name': 'lease-%06d' % number, 'user_id': user_id,
        'project_id': project_id, 'start_date': start, 'end_date': end,
        'trust_id': uuid.UUID(ids()).hex, 'status': status.lease.PENDING,
        'degraded': False, 'created_at': created})
    whole_host = vcpus is None
    rows['reservations'].append({
        'id': reservation_id, 'lease_id': lease_id,
        'resource_id': resource_id,
        'resource_type': 'physical:host' if whole_host
        else 'virtual:instance',
        'status': status.reservation.PENDING, 'missing_resources': False,
        'resources_changed': False, 'created_at': created})
    aggregate_id = FREEPOOL_AGGREGATE + 1 + number
    if whole_host:
        rows['computehost_reservations'].append({
            'id': resource_id, 'reservation_id': reservation_id,
            'aggregate_id': aggregate_id, 'resource_properties': '',
            'hypervisor_properties': '', 'count_range': '1-1',
            'before_end': 'default', 'created_at': created})
    else:
        rows['instance_reservations'].append({
            'id': resource_id, 'reservation_id': reservation_id,
            'vcpus': vcpus, 'memory_mb': memory_mb, 'disk_gb': disk_gb,
            'amount': slots, 'affinity': None, 'resource_properties': '',
            'flavor_id': reservation_id, 'aggregate_id': aggregate_id,
            'server_group_id': None, 'created_at': created})
    host_uuid = context['host_uuid'][host_id]
    for _ in range(slots):
        rows['computehost_allocations'].append({
            'id': ids(), 'compute_host_id': host_uuid,
            'reservation_id': reservation_id, 'created_at': created})
    rows['events'].extend(event_rows(
        lease_id, start, end, context['before_end_minutes'], ids, created))


def booking_rows(dataset, before_end_minutes, ids, created):
    """``{table: rows}`` for every booking of the data set."""
    context = {'ids': ids, 'created': created,
               'projects': projects(ids),
               'before_end_minutes': before_end_minutes,
               'host_uuid': {h['id']: h['uuid'] for h in dataset['hosts']}}
    rows = empty_tables()
    for number, booking in enumerate(dataset['bookings']):
        add_booking(rows, number, booking, context)
    return rows


def insert(connection, table, rows):
    """Core ``INSERT`` executemany, BATCH rows at a time."""
    for first in range(0, len(rows), BATCH):
        connection.execute(table.insert(), rows[first:first + BATCH])


def load(db_url, dataset, before_end_minutes):
    """Bulk-load hosts and bookings (one transaction, parents first);
    returns ``{table: row count}``."""
    import sqlalchemy as sa
    from blazar.db.sqlalchemy import models
    tables = models.Lease.metadata.tables
    ids = Ids(dataset['seed'])
    created = to_datetime(dataset['now'])
    property_id, properties = property_rows(dataset, ids, created)
    ordered = [('computehosts', host_rows(dataset, created)),
               ('resource_properties', properties),
               ('computehost_extra_capabilities', capability_rows(
                   dataset, property_id, ids, created)),
               ('computehost_resource_inventory', inventory_rows(
                   dataset, ids, created))]
    ordered += list(booking_rows(dataset, before_end_minutes, ids,
                                 created).items())
    engine = sa.create_engine(db_url)
    with engine.begin() as connection:
        for name, rows in ordered:
            insert(connection, tables[name], rows)
    if engine.dialect.name == 'postgresql':
        with engine.connect().execution_options(
                isolation_level='AUTOCOMMIT') as connection:
            connection.execute(sa.text('VACUUM ANALYZE'))
    engine.dispose()
    return {name: len(rows) for name, rows in ordered}


def host_values(dataset, window):
    """What the manager hands the host plugin: the reservation as the
    API received it plus the lease's dates (datetimes)."""
    probe = dataset['host_probe']
    return {'resource_type': 'physical:host', 'min': probe['min'],
            'max': probe['max'],
            'hypervisor_properties': probe['hypervisor_properties'],
            'resource_properties': '', 'before_end': 'default',
            'start_date': to_datetime(window[0]),
            'end_date': to_datetime(window[1])}


def instance_values(dataset, window):
    """What the manager hands the instance plugin (affinity None, no
    resource properties) plus the lease's dates."""
    probe = dataset['instance_probe']
    return {'resource_type': 'virtual:instance',
            'amount': probe['amount'], 'vcpus': probe['vcpus'],
            'memory_mb': probe['memory_mb'], 'disk_gb': probe['disk_gb'],
            'affinity': None, 'resource_properties': '',
            'start_date': to_datetime(window[0]),
            'end_date': to_datetime(window[1])}


def make_plugins():
    """``{operation: (plugin, values builder, probe kind)}``. Both
    constructors only store the admin credentials and build lazy
    Nova/Placement client wrappers: nothing reaches the network."""
    from blazar.plugins.instances import instance_plugin
    from blazar.plugins.oshosts import host_plugin
    return {
        'host decision': (host_plugin.PhysicalHostPlugin(), host_values,
                          'host'),
        'instance decision': (instance_plugin.VirtualInstancePlugin(),
                              instance_values, 'instance'),
    }


def decide(plugin, values):
    """Seconds taken by one ``allocation_candidates`` call and the host
    ids it chose (empty on a refusal)."""
    from blazar.manager import exceptions as manager_ex
    began = time.perf_counter()
    try:
        chosen = plugin.allocation_candidates(values)
    except manager_ex.NotEnoughHostsAvailable:
        chosen = []
    return time.perf_counter() - began, list(chosen)


def outcome(index, chosen, dataset_id, queries):
    """One probe's decision: granted, distinct hosts, slots (instance
    decisions list a host once per slot), data-set host ids."""
    return {'probe': index, 'granted': bool(chosen),
            'hosts': len(set(chosen)), 'slots': len(chosen),
            'host_ids': [dataset_id[h] for h in chosen],
            'queries': queries}


def enough(runs, spent, budget):
    """Whether timing may stop: past the budget with at least 3 runs, or
    with fewer runs once they took three budgets (one decision of several
    minutes is a measurement; noise is seconds at most)."""
    return spent > budget and (runs >= 3 or spent > 3 * budget)


def worker(dataset, operation, args, sender, queries):
    """Child process: up to ``warmup`` untimed decisions at the last probe
    windows (none more once one took longer than ``budget``: warming
    caches cannot matter to a decision that long), then one timed decision
    per probe window until ``runs`` or ``enough``; one message per
    decision, then ``('done',)``."""
    plugin, values_of, kind = make_plugins()[operation]
    QueryCounter(queries).attach()
    windows = dataset['probes'][kind]
    for number, window in enumerate(
            windows[-args.warmup:] if args.warmup else []):
        queries.value = 0
        seconds, _chosen = decide(plugin, values_of(dataset, window))
        sender.send(('warmup', number, seconds, None, queries.value))
        if seconds > args.budget:
            break
    spent = 0.0
    for index, window in enumerate(windows[:args.runs]):
        queries.value = 0
        seconds, chosen = decide(plugin, values_of(dataset, window))
        sender.send(('decision', index, seconds, chosen, queries.value))
        spent += seconds
        if enough(index + 1, spent, args.budget):
            break
    sender.send(('done',))


def start_worker(dataset, operation, args):
    """A forked worker for one operation: ``(process, receiver, shared
    query count)``."""
    import multiprocessing
    context = multiprocessing.get_context('fork')
    receiver, sender = context.Pipe(duplex=False)
    queries = context.RawValue('q', 0)
    process = context.Process(target=worker, args=(
        dataset, operation, args, sender, queries), daemon=True)
    process.start()
    sender.close()
    return process, receiver, queries


def unfinished(phase, number, waited, queries):
    """A decision stopped at the deadline: where, after how long, and
    how many statements it had sent."""
    return {'phase': phase, 'probe': number,
            'after_seconds': round(waited, 1), 'queries_done': queries}


def next_message(receiver, deadline):
    """The worker's next message, or None when ``deadline`` seconds
    (0: no deadline) pass first."""
    if deadline and not receiver.poll(deadline):
        return None
    try:
        return receiver.recv()
    except EOFError:
        raise RuntimeError('the decision worker died (its traceback is '
                           'above)') from None


def collect(dataset, operation, args, progress):
    """Run one operation's worker; ``(timed decisions, outcomes,
    unfinished or None)``. A decision outliving ``deadline`` ends the
    operation: the worker is terminated."""
    process, receiver, queries = start_worker(dataset, operation, args)
    dataset_id = {h['uuid']: h['id'] for h in dataset['hosts']}
    samples, outcomes, stopped = [], [], None
    phase, number = 'warmup' if args.warmup else 'decision', 0
    while True:
        began = time.perf_counter()
        message = next_message(receiver, args.deadline)
        if message is None:
            stopped = unfinished(phase, number, time.perf_counter() - began,
                                 queries.value)
            process.terminate()
            break
        if message[0] == 'done':
            break
        phase, index, seconds, chosen, count = message
        progress(phase, index, seconds, count, chosen)
        if phase == 'decision':
            samples.append(seconds * 1000)
            outcomes.append(outcome(index, chosen, dataset_id, count))
        phase, number = next_phase(phase, index, seconds, args)
    process.join()
    return samples, outcomes, stopped


def next_phase(phase, index, seconds, args):
    """The (phase, probe number) of the decision after this one (the
    worker's rule: no more warm-ups after one longer than the budget)."""
    if (phase == 'warmup' and index + 1 < args.warmup
            and seconds <= args.budget):
        return 'warmup', index + 1
    if phase == 'warmup':
        return 'decision', 0
    return 'decision', index + 1


def summary(samples_ms, outcomes, stopped):
    """Median and p90 of the timed decisions; ``unfinished`` (and, when
    no decision finished, a lower bound) when the deadline struck."""
    ordered = sorted(samples_ms)
    result = {'samples_ms': [round(s, 3) for s in samples_ms],
              'median_ms': None, 'p90_ms': None, 'runs': len(ordered),
              'outcomes': outcomes}
    if ordered:
        result['median_ms'] = round(statistics.median(ordered), 3)
        result['p90_ms'] = round(ordered[int(len(ordered) * 0.9)], 3)
    if stopped:
        result['unfinished'] = stopped
        result['lower_bound_ms'] = stopped['after_seconds'] * 1000
    return result


def versions():
    from importlib import metadata
    found = {'python': sys.version.split()[0]}
    for name in VERSIONED:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return found


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('dataset')
    parser.add_argument('db_url')
    parser.add_argument('out')
    parser.add_argument('--runs', type=int, default=31)
    parser.add_argument('--budget', type=float, default=60.0)
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--deadline', type=float, default=0.0,
                        help='seconds one decision may take before the '
                             'operation is abandoned (0: no limit)')
    return parser.parse_args(argv)


NOTES = [
    'decisions call PhysicalHostPlugin.allocation_candidates and '
    'VirtualInstancePlugin.allocation_candidates directly, in-process, '
    'with the values ManagerService._allocation_candidates passes; the '
    'manager itself (RPC service, Keystone trust context, enforcement) '
    'is not run',
    'the plugins are built with their own constructors, nothing '
    'bypassed: they only keep the admin credentials and lazy '
    'Nova/Placement client wrappers, never used by allocation_candidates',
    'data loaded with SQLAlchemy Core bulk inserts into Blazar\'s tables '
    '(what create_computehost and create_lease would have written), not '
    'through Blazar\'s API, Nova or Placement; no computehost_trait rows '
    '(the data set has no traits): each trait row would multiply the '
    'rows of Blazar\'s joined-eager host query',
    'each operation runs in a forked child process (one Blazar DB engine '
    'for its warm-ups and decisions) so that a decision outliving '
    '--deadline can be stopped; timings are taken inside the child',
    'queries per decision counted by a SQLAlchemy before_cursor_execute '
    'listener (a shared-memory increment per statement, inside the '
    'timings)',
]


def prepare(args, conf, notes):
    """Schema and bulk load; the report's fixed part."""
    import sqlalchemy as sa
    dataset = scale_data.read(args.dataset)
    began = time.perf_counter()
    schema = create_schema(conf, notes)
    schema_seconds = time.perf_counter() - began
    began = time.perf_counter()
    counts = load(args.db_url, dataset,
                  conf.manager.minutes_before_end_lease)
    return dataset, {
        'versions': versions(),
        'backend': sa.make_url(args.db_url).get_backend_name(),
        'schema': schema, 'schema_seconds': round(schema_seconds, 2),
        'load_seconds': round(time.perf_counter() - began, 2),
        'rows': counts, 'hosts': len(dataset['hosts']),
        'bookings': len(dataset['bookings']),
        'options': options_used(conf), 'notes': notes,
        'runs_asked': args.runs, 'budget_seconds': args.budget,
        'warmup': args.warmup, 'deadline_seconds': args.deadline,
        'loadavg_before': os.getloadavg(), 'results': {}}


def main(argv=None) -> int:
    args = parse(argv)
    conf = configure(args.db_url)
    dataset, report = prepare(args, conf, list(NOTES))
    print('peer: schema %s, load %.1f s, rows %s' % (
        report['schema'], report['load_seconds'], report['rows']),
        file=sys.stderr)

    def progress(phase, index, seconds, queries, chosen):
        print('  %s %d: %.1f ms, %d queries, %d host(s)' % (
            phase, index, seconds * 1000, queries, len(set(chosen or ()))),
            file=sys.stderr)

    for operation in OPERATIONS:
        print('peer %s' % operation, file=sys.stderr)
        result = summary(*collect(dataset, operation, args, progress))
        report['results'][operation] = result
        print('peer %-18s median %s ms (%d runs)%s' % (
            operation, result['median_ms'], result['runs'],
            ' unfinished %s' % result['unfinished']
            if 'unfinished' in result else ''), file=sys.stderr)
    report['loadavg_after'] = os.getloadavg()
    with open(args.out, 'w') as out:
        json.dump(report, out, indent=1)
    return 0


if __name__ == '__main__':
    sys.exit(main())
