"""The cloud's RabbitMQ vhost (``layout.VHOST``), through ``rabbitmqctl``
(which works as root on these machines): created empty at each build with
the guest user allowed everything in it, deleted by ``down``."""

import shutil

from tools.cloud import commands
from tools.cloud import errors
from tools.cloud import layout


def _ctl(*args, timeout=60):
    if shutil.which('rabbitmqctl') is None:
        raise errors.CloudError(
            'rabbitmqctl is not installed or not on PATH (it comes with '
            'the rabbitmq-server package and must run as root)')
    return commands.run(['rabbitmqctl', '-s'] + list(args), timeout=timeout)


def vhosts():
    return _ctl('list_vhosts').split()


def recreate():
    """The vhost, deleted first if present (queues of an earlier build
    would otherwise hold stale messages)."""
    if layout.VHOST in vhosts():
        _ctl('delete_vhost', layout.VHOST)
    _ctl('add_vhost', layout.VHOST)
    _ctl('set_permissions', '-p', layout.VHOST, layout.RABBIT['user'],
         '.*', '.*', '.*')


def delete():
    """Delete the vhost; True when there was one."""
    if layout.VHOST not in vhosts():
        return False
    _ctl('delete_vhost', layout.VHOST)
    return True


def consumed_queues():
    """Names of the vhost's queues that have at least one consumer."""
    found = set()
    for line in _ctl('list_queues', '-p', layout.VHOST, 'name',
                     'consumers').splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit() and int(parts[1]) > 0:
            found.add(parts[0])
    return found
