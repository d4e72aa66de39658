"""Bringing the cloud up, checking it, taking it down.

``up`` either finds a ready cloud whose every process runs and whose
every API answers (then it only says so), or builds one from nothing:
whatever an earlier run left is stopped, the state directory's
configuration and data are written afresh, the databases and the vhost
are recreated empty. Then each service's chain (its database schema, its
processes, their first answers) runs in a thread of its own, so the
schema migrations and the start-ups overlap; the computes start once
nova-conductor consumes its queue. Last come the image, the flavor, the
wait for the computes (up in Nova, mapped to cell1, in Placement) and the
enrolment of the reservable hosts. A failure stops every process this run
started and keeps the logs.

``down`` stops every recorded process (all at once; SIGKILL after a
bound), drops the databases and the vhost and removes the state
directory but its logs: the next ``up`` builds a new cloud.
"""

import concurrent.futures
import json
import logging
import os
import secrets as secrets_module
import shutil
import threading
import time

from tools.cloud import checks
from tools.cloud import clouds_yaml
from tools.cloud import commands
from tools.cloud import configs
from tools.cloud import dashboard
from tools.cloud import errors
from tools.cloud import filter_conf
from tools.cloud import identity
from tools.cloud import layout
from tools.cloud import mariadb
from tools.cloud import processes
from tools.cloud import rabbit
from tools.cloud import rest
from tools.cloud import seed
from tools.cloud import services

LOG = logging.getLogger(__name__)

START_TIMEOUT = 120   # seconds for a service to answer after its start
COMPUTE_TIMEOUT = 120  # seconds for the computes to be up and mapped
TERM_TIMEOUT = 15     # seconds between SIGTERM and SIGKILL on down
# The schema migrations of Glance, Neutron and the reservation store run
# at this niceness, so Keystone's, Placement's and Nova's, which the
# computes wait for, get the two cores first.
NICE = 10
USERS = ('admin',) + layout.SERVICE_USERS + tuple(layout.TENANTS)


def memory_kib(pid):
    """(RSS, PSS) of ``pid`` in KiB, (0, 0) when it is gone. PSS counts
    pages shared with other processes (a forked worker and its parent)
    once in all, RSS once in each."""
    found = {'Rss:': 0, 'Pss:': 0}
    try:
        with open('/proc/%d/smaps_rollup' % pid) as rollup:
            for line in rollup:
                parts = line.split()
                if parts and parts[0] in found:
                    found[parts[0]] = int(parts[1])
    except OSError:
        pass
    return found['Rss:'], found['Pss:']


def log_tail(path, chars=1500):
    try:
        return path.read_text(errors='replace')[-chars:]
    except OSError:
        return ''


class Cloud:
    """The cloud of one state directory (``lay``, a layout.Layout), run
    from the venv ``venv``; ``say(text)`` receives progress lines."""

    def __init__(self, lay, venv, say=None):
        self.lay = lay
        self.venv = venv
        self.say = say or (lambda text: None)
        self.services = services.table(lay, venv)
        self.timings = {}
        self._started = {}
        self._lock = threading.Lock()
        self._began = time.monotonic()

    # State on disk

    def manifest(self):
        try:
            return json.loads(self.lay.manifest.read_text())
        except (OSError, ValueError):
            return {}

    def _write_manifest(self, data):
        fd = os.open(self.lay.manifest, os.O_WRONLY | os.O_CREAT |
                     os.O_TRUNC, 0o600)
        with os.fdopen(fd, 'w') as out:
            json.dump(data, out, indent=2, sort_keys=True)
            out.write('\n')

    def records(self):
        """{name: processes.Record} of every pid file."""
        found = {}
        if self.lay.run.is_dir():
            for pidfile in sorted(self.lay.run.glob('*.pid')):
                record = processes.read(pidfile)
                if record is not None:
                    found[record.name] = record
        return found

    # Health

    def health(self):
        """{name: (process runs, API answers)} of every service."""
        records = self.records()
        found = {}
        for name, service in self.services.items():
            record = records.get(name)
            alive = record is not None and record.leader_alive()
            found[name] = (alive, alive and service.answers())
        return found

    def is_ready(self):
        if self.manifest().get('state') != 'ready':
            return False
        return all(alive and answers
                   for alive, answers in self.health().values())

    def status(self):
        """One dict per service: name, pid, running, answers, port, process
        count, RSS and PSS in KiB (its processes summed)."""
        records = self.records()
        by_session = processes.sessions()
        rows = []
        for name, service in self.services.items():
            record = records.get(name)
            members = record.members(by_session) if record else []
            alive = bool(record and record.leader_alive())
            memory = [memory_kib(pid) for pid in members]
            rows.append({
                'name': name, 'pid': record.pid if record else None,
                'running': alive,
                'answers': alive and service.answers(),
                'port': service.port, 'processes': len(members),
                'rss_kib': sum(rss for rss, _ in memory),
                'pss_kib': sum(pss for _, pss in memory)})
        return rows

    # Up

    def up(self):
        """Bring the cloud up (or find it up); the clouds.yaml path."""
        if self.is_ready():
            self.say('the cloud is already running and healthy (%s)'
                     % self.lay.root)
            return self.lay.clouds_yaml
        leftovers = [r for r in self.records().values() if r.members()]
        if leftovers or self.lay.manifest.exists():
            self.say('stopping what an earlier run left (%s)' % ', '.join(
                sorted(r.name for r in leftovers)) if leftovers else
                'clearing an earlier, unfinished run')
            processes.stop(leftovers, TERM_TIMEOUT)
        checks.preflight()
        self._fresh_state()
        self.say('state in %s, logs in %s' % (self.lay.root, self.lay.logs))
        secrets = {user: secrets_module.token_urlsafe(16) for user in USERS}
        manifest = {'state': 'starting', 'secrets': secrets,
                    'venv': str(self.venv), 'logs': str(self.lay.logs)}
        self._write_manifest(manifest)
        try:
            manifest.update(self._build(secrets))
        except BaseException:
            self.say('failed: stopping the processes started (logs kept '
                     'in %s)' % self.lay.logs)
            processes.stop(list(self._started.values()), TERM_TIMEOUT)
            raise
        manifest.update(state='ready', timings=self.timings,
                        up_seconds=round(time.monotonic() - self._began, 1))
        clouds_yaml.write(self.lay.clouds_yaml, secrets)
        self._write_manifest(manifest)
        return self.lay.clouds_yaml

    def _fresh_state(self):
        """An empty state directory; the logs of the run before move to
        ``logs.previous/`` (each run's logs start empty)."""
        for path in (self.lay.etc, self.lay.run, self.lay.data,
                     self.lay.previous_logs):
            shutil.rmtree(path, ignore_errors=True)
        if self.lay.logs.exists():
            self.lay.logs.rename(self.lay.previous_logs)
        for path in (self.lay.manifest, self.lay.clouds_yaml):
            if path.exists():
                path.unlink()
        self.lay.make_dirs()

    def _step(self, name, function, *args):
        """Run ``function(*args)``, timing it under ``name``."""
        began = time.monotonic()
        result = function(*args)
        took = time.monotonic() - began
        with self._lock:
            self.timings[name] = round(took, 1)
        self.say('%s: %.1f s' % (name, took))
        return result

    def _build(self, secrets):
        self._step('configuration', self._configure, secrets)
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            futures = [pool.submit(self._step, 'databases (MariaDB)',
                                   mariadb.recreate, layout.DATABASES),
                       pool.submit(self._step, 'vhost (RabbitMQ)',
                                   rabbit.recreate)]
            for future in futures:
                future.result()
        with concurrent.futures.ThreadPoolExecutor(6) as pool:
            futures = {'keystone': pool.submit(
                self._step, 'keystone up', self._keystone, secrets)}
            for name, chain in (('placement', self._placement),
                                ('nova', self._nova),
                                ('glance', self._glance),
                                ('neutron', self._neutron)):
                futures[name] = pool.submit(self._step, name + ' up', chain)
            futures['blazar-nova'] = pool.submit(
                self._step, 'blazar-nova up', self._blazar_nova,
                futures['keystone'])
            self._first_failure(futures)
            admin = futures['keystone'].result()
        # The dashboard starts while the computes report (mostly waiting).
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            futures = {
                'horizon': pool.submit(self._step, 'dashboard up',
                                       self._dashboard),
                'image': pool.submit(self._step, 'image (Glance)',
                                     seed.image, admin),
                'flavor': pool.submit(self._step, 'flavor (Nova)',
                                      seed.flavor, admin),
                'computes': pool.submit(
                    self._step, 'computes up, mapped, in Placement',
                    seed.computes, admin, COMPUTE_TIMEOUT,
                    self._all_alive),
            }
            self._first_failure(futures)
        hosts = self._step('hosts enrolled (reservation API)', seed.enrol,
                           admin)
        return {'image_id': futures['image'].result(),
                'flavor_id': futures['flavor'].result(),
                'computes': futures['computes'].result(),
                'reservable_hosts': hosts}

    @staticmethod
    def _first_failure(futures):
        """Wait for ``futures``; raise the first failure as soon as it
        happens."""
        done, _ = concurrent.futures.wait(
            futures.values(), return_when=concurrent.futures.FIRST_EXCEPTION)
        for future in futures.values():
            if future.done() and future.exception() is not None:
                raise future.exception()

    def _configure(self, secrets):
        lay, venv = self.lay, self.venv
        configs.keystone(lay)
        configs.glance(lay, venv, secrets)
        configs.placement(lay, secrets)
        configs.neutron(lay, venv, secrets)
        nova_conf = configs.nova_controller(lay, venv, secrets)
        for host in layout.COMPUTES:
            configs.nova_compute(lay, host, secrets)
        configs.blazar_nova(lay, secrets)
        dashboard.configure(lay)
        lines = filter_conf.configure(nova_conf,
                                      log=lay.log('setup-devstack-plugin'))
        LOG.info('nova.conf [filter_scheduler] from devstack/plugin.sh: %s',
                 lines)

    # One chain per service

    def _bin(self, name):
        return self.venv / 'bin' / name

    def _setup(self, service, argv, nice=False):
        """A setup command of ``service``; with ``nice``, at a lower CPU
        priority, for services nothing else waits for at start-up."""
        if nice:
            argv = ['nice', '-n', str(NICE)] + argv
        commands.run(argv, log=self.lay.log('setup-' + service))

    def _start(self, name):
        service = self.services[name]
        env = dict(services.base_environment(), **service.env)
        record = processes.start(name, service.argv, self.lay.log(name),
                                 self.lay.pidfile(name), env=env,
                                 cwd=self.lay.root)
        with self._lock:
            self._started[name] = record
        return record

    def _wait_answers(self, name, timeout=START_TIMEOUT):
        record = self._started[name]
        service = self.services[name]

        def check():
            if not record.leader_alive():
                raise errors.ProcessExited(
                    '%s exited; the end of %s:\n%s' % (
                        name, self.lay.log(name),
                        log_tail(self.lay.log(name))))
            return service.answers()

        deadline = time.monotonic() + timeout
        while not check():
            if time.monotonic() > deadline:
                raise errors.CloudError('%s does not answer on %s within '
                                        '%d s; see %s' % (
                                            name, service.url, timeout,
                                            self.lay.log(name)))
            time.sleep(0.3)

    def _keystone(self, secrets):
        conf = self.lay.conf_dir('keystone') / 'keystone.conf'
        identity.setup(self.venv, conf, secrets['admin'],
                       self.lay.log('setup-keystone'))
        self._start('keystone')
        self._wait_answers('keystone')
        admin = rest.Session('admin', secrets['admin'], 'admin')
        identity.populate(admin, secrets)
        return admin

    def _glance(self):
        conf = self.lay.conf_dir('glance') / 'glance-api.conf'
        self._setup('glance', [self._bin('glance-manage'), '--config-file',
                               conf, 'db_sync'], nice=True)
        self._start('glance')
        self._wait_answers('glance')

    def _placement(self):
        conf = self.lay.conf_dir('placement') / 'placement.conf'
        self._setup('placement', [self._bin('placement-manage'),
                                  '--config-file', conf, 'db', 'sync'])
        self._start('placement')
        self._wait_answers('placement')

    def _neutron(self):
        conf = self.lay.conf_dir('neutron') / 'neutron.conf'
        self._setup('neutron', [self._bin('neutron-db-manage'),
                                '--config-file', conf, 'upgrade', 'heads'],
                    nice=True)
        self._start('neutron')
        self._wait_answers('neutron')

    def _nova(self):
        conf = self.lay.conf_dir('nova') / 'nova.conf'

        def manage(*args):
            self._setup('nova', [self._bin('nova-manage'), '--config-file',
                                 conf] + list(args))

        manage('api_db', 'sync')
        manage('cell_v2', 'map_cell0', '--database_connection',
               layout.database_url('nova_cell0'))
        manage('cell_v2', 'create_cell', '--name', 'cell1')
        manage('db', 'sync')
        for name in ('nova-conductor', 'nova-scheduler', 'nova-api'):
            self._start(name)
        # A compute asks the conductor first and waits 10 s for an answer
        # that no queue took: start them once the conductor consumes.
        seed.wait(lambda: self._alive('nova-conductor') and
                  'conductor' in rabbit.consumed_queues(),
                  'nova-conductor consuming its queue', START_TIMEOUT)
        for host in layout.COMPUTES:
            self._start('nova-compute-' + host)
        self._wait_answers('nova-api')
        seed.wait(lambda: self._alive('nova-scheduler') and
                  'scheduler' in rabbit.consumed_queues(),
                  'nova-scheduler consuming its queue', START_TIMEOUT)

    def _dashboard(self):
        self._start('horizon')
        self._wait_answers('horizon')

    def _all_alive(self):
        """Raise a CloudError naming the first process that exited."""
        with self._lock:  # the dashboard starts beside the computes' wait
            names = list(self._started)
        for name in names:
            self._alive(name)
        return True

    def _alive(self, name):
        if not self._started[name].leader_alive():
            raise errors.ProcessExited('%s exited; the end of %s:\n%s' % (
                name, self.lay.log(name), log_tail(self.lay.log(name))))
        return True

    def _blazar_nova(self, keystone):
        """The store's schema, the API; the agent once Keystone knows its
        user (its first reconcile, at start, needs a token)."""
        conf = self.lay.conf_dir('blazar-nova') / 'blazar-nova.conf'
        self._setup('blazar-nova', [self._bin('blazar-nova-manage'),
                                    '--config-file', conf, 'db', 'sync'],
                    nice=True)
        self._start('blazar-nova-api')
        self._wait_answers('blazar-nova-api')
        keystone.result()
        self._start('blazar-nova-agent')
        self._alive('blazar-nova-agent')

    # Down

    def down(self):
        """Stop every process, drop the databases and the vhost, remove
        the state but the logs. {what: outcome}."""
        records = list(self.records().values())
        outcome = processes.stop(records, TERM_TIMEOUT)
        by_session = processes.sessions()
        left = [r.name for r in records if r.members(by_session)]
        if left:
            raise errors.CloudError('still running after SIGKILL: %s'
                                    % ', '.join(left))
        result = {'processes': outcome}
        try:
            result['databases dropped'] = mariadb.drop_all()
        except errors.CloudError as exc:
            result['databases dropped'] = 'no (%s)' % exc
        try:
            result['vhost deleted'] = rabbit.delete()
        except errors.CloudError as exc:
            result['vhost deleted'] = 'no (%s)' % exc
        for path in (self.lay.etc, self.lay.run, self.lay.data):
            shutil.rmtree(path, ignore_errors=True)
        for path in (self.lay.manifest, self.lay.clouds_yaml):
            if path.exists():
                path.unlink()
        return result
