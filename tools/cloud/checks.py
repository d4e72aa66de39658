"""What must be there before the cloud starts: MariaDB answering (through
the ``mysql`` client), RabbitMQ listening, ``rabbitmqctl`` working, and
every port of the cloud free. Each missing piece is named, all at once."""

import re
import shutil
import socket
import subprocess

from tools.cloud import errors
from tools.cloud import layout
from tools.cloud import mariadb
from tools.cloud import rabbit


def listening(host, port, timeout=1.0):
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def port_owner(port):
    """``name (pid N)`` of the process listening on ``port``, when ``ss``
    can tell."""
    if shutil.which('ss') is None:
        return 'unknown process'
    result = subprocess.run(['ss', '-ltnpH', 'sport = :%d' % port],
                            capture_output=True, text=True)
    match = re.search(r'\("([^"]+)",pid=(\d+)', result.stdout)
    return '%s (pid %s)' % match.groups() if match else 'unknown process'


def problems():
    """Human-readable list of what is missing (empty when all is well)."""
    found = []
    if not listening(layout.MYSQL['host'], layout.MYSQL['port']):
        found.append('MariaDB: nothing listens on %s:%d (start it: '
                     'service mariadb start)' % (layout.MYSQL['host'],
                                                 layout.MYSQL['port']))
    else:
        try:
            mariadb.version()
        except errors.CloudError as exc:
            found.append('MariaDB: listening but refused us as %s: %s' % (
                layout.MYSQL['user'], exc))
    if not listening(layout.RABBIT['host'], layout.RABBIT['port']):
        found.append('RabbitMQ: nothing listens on %s:%d (start it: '
                     'service rabbitmq-server start)' % (
                         layout.RABBIT['host'], layout.RABBIT['port']))
    try:
        rabbit.vhosts()
    except errors.CloudError as exc:
        found.append('rabbitmqctl: %s' % exc)
    for name, port in layout.PORTS.items():
        if listening(layout.HOST, port):
            found.append('port %d (for %s) is taken by %s' % (
                port, name, port_owner(port)))
    return found


def preflight():
    """Raise a CloudError listing every missing piece."""
    found = problems()
    if found:
        raise errors.CloudError(
            'cannot start the cloud:\n  - ' + '\n  - '.join(found))
