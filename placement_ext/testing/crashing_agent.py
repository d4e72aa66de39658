"""``blazar-nova-agent`` that dies, or pauses, once at a fault point.

Run as ``python -m placement_ext.testing.crashing_agent <blazar-nova-agent
arguments>``.
The agent is a master and a worker (placement_ext.agent.service), and
``faults``' own ``BLAZAR_NOVA_AGENT_CRASH_AT`` would kill the worker alone,
again in every worker its master starts. So the point fires here once per
agent (a flag shared with the worker processes), with:

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

from placement_ext.agent import faults
from placement_ext.cmd import agent

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

    def hook(name):
        if fired.value or name not in (crash, pause):
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

    faults.hook = hook
    return agent.main(sys.argv[1:])


if __name__ == '__main__':
    sys.exit(main())
