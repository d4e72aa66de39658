"""Crash points for tests: the agent kills itself at a named step.

With ``BLAZAR_NOVA_AGENT_CRASH_AT=<point>`` in its environment the agent
sends itself SIGKILL when it reaches ``<point>`` (for example
``start:placement``), so that tests can prove a restart completes every
transition. In-process tests set ``hook`` instead. Never set in production.
"""

import os
import signal

from oslo_log import log as logging

LOG = logging.getLogger(__name__)

ENV = 'BLAZAR_NOVA_AGENT_CRASH_AT'

# Steps of a start and an end after which a crash is injected, in order.
START_POINTS = ('start:entered', 'start:placement', 'start:nova')
END_POINTS = ('end:entered', 'end:revoked', 'end:instances',
              'end:placement', 'end:nova')

# Called with the point's name when set (in-process tests).
hook = None


def point(name):
    """Crash here if asked to."""
    if hook is not None:
        hook(name)
    if os.environ.get(ENV) == name:
        LOG.warning('Crashing at %s, as %s asks', name, ENV)
        os.kill(os.getpid(), signal.SIGKILL)
