"""No double booking when 8 processes create and update leases at once.

Each backend gets 8 worker processes (spawned, each with its own engine)
that start together on a barrier and create host and instance leases and
update their own leases over a small, contended pool of hosts. Afterwards an
independent checker reads the raw allocation rows and verifies that no host
was given to two overlapping reservations as a whole host and that the true
peak of slots on a host never exceeds its capacity.
"""

import collections
import multiprocessing
import random
import traceback

import pytest
from sqlalchemy import select

from placement_ext import context as bn_context
from placement_ext.db import api as db_api
from placement_ext.db import migration
from placement_ext.db import models
from placement_ext import exception
from placement_ext.store import api as store_api
from placement_ext import timeconv

WORKERS = 8
OPERATIONS = 25
HOSTS = 6
NOW = 1_900_000_000
MARGIN = 120
HOUR = 3600


def _conf():
    from oslo_config import cfg

    from placement_ext import conf as bn_conf
    config = cfg.ConfigOpts()
    bn_conf.register_opts(config)
    config([], project='blazar-nova', default_config_files=[])
    config.set_override('cleaning_margin', MARGIN, group='allocator')
    return config


def _date(offset):
    return timeconv.to_text(timeconv.to_datetime(NOW + offset))


def _random_body(rng, name):
    start = rng.randrange(HOUR, 10 * HOUR, 60)
    end = start + rng.randrange(HOUR, 4 * HOUR, 60)
    if rng.random() < 0.5:
        maximum = rng.randrange(1, 3)
        reservation = {'resource_type': 'physical:host',
                       'min': rng.randrange(1, maximum + 1), 'max': maximum}
    else:
        reservation = {'resource_type': 'virtual:instance',
                       'amount': rng.randrange(1, 5),
                       'vcpus': rng.choice([2, 4]), 'memory_mb': 1024,
                       'disk_gb': 10,
                       'affinity': rng.choice([None, True, False])}
    return {'name': name, 'start_date': _date(start),
            'end_date': _date(end), 'reservations': [reservation]}


def _random_update(rng, lease):
    reservation = lease['reservations'][0]
    choice = rng.random()
    if choice < 0.4:
        return {'prolong_for': '%dm' % rng.randrange(10, 120)}
    if choice < 0.7:
        return {'defer_by': '%dm' % rng.randrange(10, 50)}
    if reservation['resource_type'] == 'physical:host':
        return {'reservations': [{'id': reservation['id'], 'min': 1,
                                  'max': rng.randrange(1, 4)}]}
    return {'reservations': [{'id': reservation['id'],
                              'amount': rng.randrange(1, 6)}]}


def worker(url, seed, barrier, results):
    """Run random creates and updates; report counts or a traceback."""
    try:
        store = store_api.Store(_conf(), db_api.Database(connection=url),
                                clock=lambda: NOW)
        context = bn_context.RequestContext(project_id='p%d' % seed,
                                            user_id='u%d' % seed)
        rng = random.Random(seed)
        outcome = collections.Counter()
        mine = []
        barrier.wait()
        for n in range(OPERATIONS):
            try:
                if mine and rng.random() < 0.35:
                    lease = rng.choice(mine)
                    store.update_lease(context, lease['id'],
                                       _random_update(rng, lease))
                    outcome['updated'] += 1
                else:
                    mine.append(store.create_lease(
                        context, _random_body(rng, 'w%d-%d' % (seed, n))))
                    outcome['created'] += 1
            except exception.Conflict:
                outcome['refused'] += 1
            except exception.InvalidInput:
                # e.g. a random defer_by pushed the start past the end.
                outcome['invalid'] += 1
        results.put(('ok', dict(outcome)))
    except Exception:
        results.put(('error', traceback.format_exc()))


def double_bookings(session, margin):
    """Every violation of the no-double-booking rule in the allocations."""
    rows = session.execute(
        select(models.Allocation.host_id, models.Allocation.reservation_id,
               models.Allocation.start_epoch, models.Allocation.end_epoch,
               models.Allocation.slots, models.Reservation.resource_type,
               models.Reservation.vcpus, models.Host.vcpus.label('cap'))
        .join(models.Reservation,
              models.Reservation.id == models.Allocation.reservation_id)
        .join(models.Host, models.Host.id == models.Allocation.host_id))
    by_host = collections.defaultdict(list)
    for row in rows:
        by_host[row.host_id].append(row)
    problems = []
    for host_id, allocations in by_host.items():
        spans = [(a.start_epoch, a.end_epoch + margin, a)
                 for a in allocations]
        for i, (s1, e1, a1) in enumerate(spans):
            for s2, e2, a2 in spans[i + 1:]:
                whole = 'physical:host' in (a1.resource_type,
                                            a2.resource_type)
                if whole and s1 < e2 and s2 < e1:
                    problems.append('host %s: %s and %s overlap' % (
                        host_id, a1.reservation_id, a2.reservation_id))
        points = sorted({s for s, _e, _a in spans})
        for point in points:
            used = sum(a.slots * a.vcpus for s, e, a in spans
                       if s <= point < e
                       and a.resource_type == 'virtual:instance')
            if used > allocations[0].cap:
                problems.append('host %s: %d vCPUs booked at %s, capacity '
                                '%d' % (host_id, used, point,
                                        allocations[0].cap))
    return problems


def _prepare(url):
    database = db_api.Database(connection=url)
    migration.upgrade(database)
    store = store_api.Store(_conf(), database, clock=lambda: NOW)
    admin = bn_context.admin_context()
    for i in range(HOSTS):
        store.create_host(admin, {'hypervisor_hostname': 'cc%02d' % i,
                                  'vcpus': 8, 'memory_mb': 65536,
                                  'local_gb': 1000})
    return database


@pytest.mark.timeout(600)
def test_eight_processes_never_double_book(db_url):
    database = _prepare(db_url)
    spawn = multiprocessing.get_context('spawn')
    barrier = spawn.Barrier(WORKERS)
    results = spawn.Queue()
    processes = [spawn.Process(target=worker,
                               args=(db_url, seed, barrier, results))
                 for seed in range(WORKERS)]
    for process in processes:
        process.start()
    reports = [results.get(timeout=540) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    errors = [text for status, text in reports if status == 'error']
    assert not errors, errors[0]
    totals = collections.Counter()
    for _status, outcome in reports:
        totals.update(outcome)
    # The pool is small enough that processes really compete: some
    # requests succeed, some updates succeed and some are refused.
    assert totals['created'] >= HOSTS
    assert totals['updated'] > 0
    assert totals['refused'] > 0
    admin = bn_context.admin_context()
    with database.reader(admin) as session:
        assert double_bookings(session, MARGIN) == []
        allocated = session.scalar(
            select(models.Allocation.id).limit(1))
    assert allocated is not None
    database.dispose()


def test_checker_finds_a_double_booking(db_url):
    """The checker itself catches overlaps and over-capacity, so the test
    above cannot pass by checking nothing."""
    database = _prepare(db_url)
    admin = bn_context.admin_context()
    start = timeconv.to_datetime(NOW + HOUR)
    end = timeconv.to_datetime(NOW + 2 * HOUR)
    with database.writer(admin) as session:
        host = session.scalars(select(models.Host)).first()
        for n, kind in enumerate(['physical:host', 'physical:host',
                                  'virtual:instance', 'virtual:instance']):
            lease = models.Lease(id='lease-%d' % n, name='l%d' % n,
                                 project_id='p', user_id='u',
                                 start_date=start, end_date=end,
                                 status='PENDING', end_action='delete')
            reservation = models.Reservation(
                id='res-%d' % n, resource_type=kind, status='pending',
                vcpus=4, memory_mb=1, disk_gb=0, amount=2)
            reservation.allocations.append(models.Allocation(
                host_id=host.id, slots=2 if kind != 'physical:host' else 1,
                start_epoch=NOW + HOUR, end_epoch=NOW + 2 * HOUR))
            lease.reservations.append(reservation)
            session.add(lease)
    with database.reader(admin) as session:
        problems = double_bookings(session, MARGIN)
    assert any('res-0 and res-1 overlap' in p for p in problems)
    assert any('16 vCPUs booked' in p for p in problems)
    database.dispose()
