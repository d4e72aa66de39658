"""``blazar-nova-agent`` that dies, or pauses, once at a fault point.

Run as ``python -m placement_ext.testing.crashing_agent <blazar-nova-agent
arguments>``.
The agent is built with its store and Placement client wrapped by
``crash_points`` (the agent has no hook of its own). It is a master and a
worker (placement_ext.agent.service), so the point fires once per agent (a
flag shared with the worker processes, which the master forks), with:

* ``CRASH_AT=<point>``: SIGKILL to the whole agent, master and worker, as
  when its machine dies; with ``WORKER_ONLY=1``, to the worker alone (its
  master starts another).
* ``PAUSE_AT=<point>:<seconds>``: the step sleeps there, a slow step in
  hand for a signal to arrive in.
"""

import multiprocessing
import os
import signal
import sys
import time

from oslo_log import log as logging

from placement_ext.cmd import agent
from placement_ext.placement import client as placement_client
from placement_ext.store import api as store_api
from placement_ext.testing import crash_points

CRASH_AT = 'BLAZAR_NOVA_TEST_CRASH_AT'
WORKER_ONLY = 'BLAZAR_NOVA_TEST_CRASH_WORKER_ONLY'
PAUSE_AT = 'BLAZAR_NOVA_TEST_PAUSE_AT'

LOG = logging.getLogger(__name__)


def main():
    crash = os.environ.get(CRASH_AT)
    worker_only = bool(os.environ.get(WORKER_ONLY))
    pause, _, seconds = os.environ.get(PAUSE_AT, '').rpartition(':')
    master = os.getpid()
    fired = multiprocessing.Value('b', 0, lock=False)

    def fire(name):
        if fired.value:
            return
        fired.value = 1
        if name == pause:
            LOG.warning('Pausing %s s at %s', seconds, name)
            time.sleep(float(seconds))
            LOG.warning('Resuming at %s', name)
            return
        LOG.warning('Crashing at %s', name)
        if os.getpid() != master and not worker_only:
            os.kill(master, signal.SIGKILL)
        os.kill(os.getpid(), signal.SIGKILL)

    injectors = [crash_points.Injector(point, fire)
                 for point in (crash, pause) if point]
    real_build = agent.build

    def build(conf, store=None, placement=None, **kwargs):
        store = store or store_api.Store(conf)
        placement = (placement
                     or placement_client.PlacementClient.from_conf(conf))
        for injector in injectors:
            store = injector.store(store)
            placement = injector.placement(placement)
        return real_build(conf, store=store, placement=placement, **kwargs)

    agent.build = build
    return agent.main(sys.argv[1:])


if __name__ == '__main__':
    sys.exit(main())
