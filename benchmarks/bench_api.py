"""Reservation API benchmark: lease create and list with 8 clients.

Runs the real ``blazar-nova-api`` (its own process, noauth, real HTTP on
a loopback port) over a migrated scratch store (``--store sqlite``,
``postgresql`` or ``mysql``) with ``--hosts`` enrolled hosts, then:

* **create**: ``--clients`` threads (8), each a project of its own, each
  creating ``--leases`` host leases (one host each) one after another;
  the windows are spread so that every lease fits;
* **list**: the same clients each listing their project's leases
  ``--lists`` times (``GET /v1/leases``), and an admin listing every
  project's (one client, ``--lists`` times);
* **show**: each client reading each of its leases once.

It reports requests/s and the latency median, p90 and p99 of each phase,
measured by the clients, and checks that every create answered 201 and
every read 200.

Usage::

    python -m benchmarks.bench_api [--store sqlite|postgresql|mysql]
        [--clients 8] [--leases 50] [--lists 20] [--hosts 200]
        [--json FILE]

One run; the figures depend on what else the machine does (the load
average is recorded). See doc/benchmarks-api.md.
"""

import argparse
import concurrent.futures
import datetime
import json
import os
import pathlib
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

import requests

from oslo_config import cfg

from placement_ext import conf as bn_conf
from placement_ext import context as bn_context
from placement_ext.db import api as db_api
from placement_ext.db import migration
from placement_ext.store import api as store_api
from placement_ext.testing import agent_fleet
from placement_ext.testing import db_backends

HEADERS = {'Content-Type': 'application/json',
           'Accept': 'application/json',
           'OpenStack-API-Version': 'reservation 1.0'}


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def percentile(values, fraction):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered))
                                      - 1))
    return ordered[index]


def summary(latencies, seconds):
    return {'requests': len(latencies),
            'seconds': round(seconds, 2),
            'requests_per_s': round(len(latencies) / seconds, 1),
            'median_ms': round(statistics.median(latencies) * 1000, 1),
            'p90_ms': round(percentile(latencies, 0.9) * 1000, 1),
            'p99_ms': round(percentile(latencies, 0.99) * 1000, 1)}


class Service:
    """A migrated store with enrolled hosts and ``blazar-nova-api`` over
    it. ``extra_config``, when given, is a second configuration file's
    text, read after the first (e.g. ``auth_strategy = keystone`` and a
    ``[keystone_authtoken]`` section)."""

    def __init__(self, args, workdir, extra_config=None):
        self.scratch = db_backends.ScratchDatabase(args.store, workdir)
        url = agent_fleet.store_url(self.scratch.url)
        conf = cfg.ConfigOpts()
        bn_conf.register_opts(conf)
        conf([], default_config_files=[])
        conf.set_override('connection', url, group='database')
        database = db_api.Database(conf)
        migration.upgrade(database)
        store = store_api.Store(conf, database)
        admin = bn_context.admin_context()
        for index in range(args.hosts):
            store.create_host(admin, {
                'hypervisor_hostname': 'bench-cn%04d' % index,
                'vcpus': 32, 'memory_mb': 131072, 'local_gb': 1000,
                'properties': {}})
        database.dispose()
        self.port = free_port()
        config = workdir / 'api.conf'
        config.write_text(
            '[DEFAULT]\nlog_file = %s\n'
            '[database]\nconnection = %s\n'
            '[api]\nbind_port = %d\nauth_strategy = noauth\nworkers = %d\n'
            % (workdir / 'api.log', url, self.port, args.clients))
        command = [os.path.join(os.path.dirname(sys.executable),
                                'blazar-nova-api'),
                   '--config-file', str(config)]
        if extra_config:
            extra = workdir / 'api-extra.conf'
            extra.write_text(extra_config)
            command += ['--config-file', str(extra)]
        self.process = subprocess.Popen(command)
        self.url = 'http://127.0.0.1:%d/v1' % self.port
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(self.url[:-3] + '/', timeout=1)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline or \
                        self.process.poll() is not None:
                    raise RuntimeError('blazar-nova-api did not start')
                time.sleep(0.2)

    def stop(self):
        self.process.terminate()
        self.process.wait(10)
        self.scratch.drop()


def timed(session, method, url, token, body=None, expect=200):
    started = time.perf_counter()
    resp = session.request(method, url, headers=dict(
        HEADERS, **{'X-Auth-Token': token}),
        data=json.dumps(body) if body is not None else None)
    elapsed = time.perf_counter() - started
    if resp.status_code != expect:
        raise RuntimeError('%s %s: %d %s' % (method, url, resp.status_code,
                                             resp.text[:300]))
    return elapsed, resp


def lease_body(client, index, args, base):
    # Each lease takes one host for an hour; windows never overlap on a
    # host because each client's leases follow one another in time and
    # the hosts outnumber the clients.
    start = base + datetime.timedelta(hours=2 * (index * args.clients
                                                 + client))
    end = start + datetime.timedelta(hours=1)
    return {'name': 'bench-%d-%d' % (client, index),
            'start_date': start.strftime('%Y-%m-%d %H:%M'),
            'end_date': end.strftime('%Y-%m-%d %H:%M'),
            'reservations': [{'resource_type': 'physical:host',
                              'min': 1, 'max': 1,
                              'hypervisor_properties': '',
                              'resource_properties': ''}],
            'events': []}


def run_clients(args, work):
    latencies = []
    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(args.clients) as pool:
        for result in pool.map(work, range(args.clients)):
            latencies.extend(result[0])
    return latencies, time.perf_counter() - started, None


def bench(args, service):
    base = (datetime.datetime.utcnow() + datetime.timedelta(days=1)).replace(
        minute=0, second=0, microsecond=0)
    tokens = ['user%d:bench-project-%s-%d' % (c, uuid.uuid4().hex[:6], c)
              for c in range(args.clients)]
    ids = {c: [] for c in range(args.clients)}

    def create(client):
        session = requests.Session()
        took = []
        for index in range(args.leases):
            elapsed, resp = timed(session, 'POST', service.url + '/leases',
                                  tokens[client],
                                  lease_body(client, index, args, base),
                                  expect=201)
            took.append(elapsed)
            ids[client].append(resp.json()['lease']['id'])
        return took, None

    def list_own(client):
        session = requests.Session()
        took = []
        for _ in range(args.lists):
            elapsed, resp = timed(session, 'GET', service.url + '/leases',
                                  tokens[client])
            assert len(resp.json()['leases']) == args.leases
            took.append(elapsed)
        return took, None

    def show(client):
        session = requests.Session()
        took = []
        for lease_id in ids[client]:
            elapsed, _ = timed(session, 'GET',
                               service.url + '/leases/' + lease_id,
                               tokens[client])
            took.append(elapsed)
        return took, None

    figures = {}
    for name, work in (('create', create), ('list_own', list_own),
                       ('show', show)):
        latencies, seconds, _ = run_clients(args, work)
        figures[name] = summary(latencies, seconds)
        print('  %-9s %s' % (name, figures[name]), flush=True)
    session = requests.Session()
    took = []
    started = time.perf_counter()
    for _ in range(args.lists):
        elapsed, resp = timed(session, 'GET', service.url + '/leases',
                              'admin')
        assert len(resp.json()['leases']) == args.leases * args.clients
        took.append(elapsed)
    figures['list_all_admin'] = summary(took, time.perf_counter() - started)
    print('  %-9s %s' % ('list_all_admin', figures['list_all_admin']),
          flush=True)
    return figures


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--store', default='sqlite',
                        choices=('sqlite', 'postgresql', 'mysql'))
    parser.add_argument('--clients', type=int, default=8)
    parser.add_argument('--leases', type=int, default=50,
                        help='leases each client creates (50)')
    parser.add_argument('--lists', type=int, default=20,
                        help='lists each client makes (20)')
    parser.add_argument('--hosts', type=int, default=200)
    parser.add_argument('--json', help='write the figures to this file')
    args = parser.parse_args(argv)
    report = {'benchmark': 'api', 'store': args.store,
              'clients': args.clients, 'leases_per_client': args.leases,
              'hosts': args.hosts,
              'machine': {'cpus': os.cpu_count(),
                          'python': platform.python_version(),
                          'load_average': os.getloadavg()}}
    with tempfile.TemporaryDirectory(prefix='bench-api-') as tmp:
        print('Store on %s, %d hosts, %d clients' % (
            args.store, args.hosts, args.clients), flush=True)
        service = Service(args, pathlib.Path(tmp))
        try:
            report['figures'] = bench(args, service)
        finally:
            service.stop()
    report['machine']['load_average_end'] = os.getloadavg()
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(report, indent=2)
                                           + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
