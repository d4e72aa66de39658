"""Command line of the cloud: ``python3 -m tools.cloud up|down|status``
(tools/cloud.sh runs it from the repository's root).

- ``up``: builds the venv when missing or stale, then brings the cloud up
  (or finds it up); prints progress, and as its last line
  ``OS_CLIENT_CONFIG_FILE=<path of clouds.yaml>``.
- ``down``: stops every process of the cloud, drops its databases and
  vhost, removes its state but the logs.
- ``status``: each service, whether it runs and answers, its memory.

Exit status: 0 on success, 1 when something failed (the message says
what), 3 when ``status`` finds the cloud not (fully) running.
"""

import argparse
import contextlib
import fcntl
import logging
import sys
import time

from tools.cloud import cloud
from tools.cloud import environment
from tools.cloud import errors
from tools.cloud import layout

BEGAN = time.monotonic()


@contextlib.contextmanager
def locked(lay):
    """Hold the state directory's lock: one ``up`` or ``down`` at a time
    (a second waits for the first, then finds the cloud as it left it)."""
    lay.root.mkdir(parents=True, exist_ok=True)
    with open(lay.lock, 'w') as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            say('another up or down runs on %s: waiting for it' % lay.root)
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def say(text):
    print('[%5.1f s] %s' % (time.monotonic() - BEGAN, text), flush=True)


def ensure_venv(venv):
    if environment.is_current(venv):
        return
    say('building the cloud venv %s from tools/cloud/requirements.txt '
        '(about a minute)' % venv)
    began = time.monotonic()
    environment.build(venv)
    say('venv built in %.0f s' % (time.monotonic() - began))


def command_up(lay, venv):
    if not cloud.Cloud(lay, venv).is_ready():
        ensure_venv(venv)
    clouds = cloud.Cloud(lay, venv, say).up()
    say('up: Keystone %s, reservation API %s; logs in %s' % (
        layout.KEYSTONE_URL, layout.url('blazar-nova-api', '/v1'), lay.logs))
    print('OS_CLIENT_CONFIG_FILE=%s' % clouds, flush=True)
    return 0


def command_down(lay, venv):
    result = cloud.Cloud(lay, venv, say).down()
    stopped = result['processes']
    say('processes: %s' % (', '.join('%s %s' % item for item in
                                     sorted(stopped.items())) or 'none'))
    say('databases dropped: %s' % result['databases dropped'])
    say('vhost %s deleted: %s' % (layout.VHOST, result['vhost deleted']))
    say('down; logs kept in %s' % lay.logs)
    return 0


def command_status(lay, venv):
    the_cloud = cloud.Cloud(lay, venv)
    rows = the_cloud.status()
    line = '%-24s %-8s %-9s %5s %5s %8s %8s'
    print(line % ('service', 'pid', 'state', 'port', 'procs', 'RSS MiB',
                  'PSS MiB'))
    for row in rows:
        state = ('up' if row['answers'] else 'no answer') \
            if row['running'] else 'stopped'
        print(line % (row['name'], row['pid'] or '-', state,
                      row['port'] or '', row['processes'],
                      '%.0f' % (row['rss_kib'] / 1024),
                      '%.0f' % (row['pss_kib'] / 1024)))
    print(line % ('total', '', '', '', sum(r['processes'] for r in rows),
                  '%.0f' % (sum(r['rss_kib'] for r in rows) / 1024),
                  '%.0f' % (sum(r['pss_kib'] for r in rows) / 1024)))
    manifest = the_cloud.manifest()
    print('state: %s (%s); logs: %s' % (
        manifest.get('state', 'none'), lay.root, lay.logs))
    if lay.clouds_yaml.exists():
        print('OS_CLIENT_CONFIG_FILE=%s' % lay.clouds_yaml)
    return 0 if all(row['answers'] for row in rows) else 3


COMMANDS = {'up': command_up, 'down': command_down, 'status': command_status}


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog='tools/cloud.sh', description=__doc__.split('\n')[0])
    parser.add_argument('command', choices=sorted(COMMANDS))
    parser.add_argument('-v', '--verbose', action='store_true',
                        help='log what is run (debug)')
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose
                        else logging.WARNING,
                        format='%(levelname)s %(name)s: %(message)s')
    lay = layout.Layout()
    venv = environment.venv_path()
    try:
        if args.command == 'status':
            return command_status(lay, venv)
        with locked(lay):
            return COMMANDS[args.command](lay, venv)
    except errors.CloudError as exc:
        print('ERROR: %s' % exc, file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        print('interrupted', file=sys.stderr)
        return 130


if __name__ == '__main__':
    sys.exit(main())
