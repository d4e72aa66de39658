"""Several real ``blazar-nova-agent`` processes on one store, for tests and
benchmarks (see ``agent_process`` for one agent).

``start_agent`` writes an agent's configuration file and starts it;
``running_lines`` reads back the "Running <event> of lease <id> (event
<n>, attempt <k>" lines of a log; ``placement_leftovers`` lists what of the
reservations' encoding is still in Placement.
"""

import re

from sqlalchemy.engine import url as sa_url

from placement_ext.conf import agent as agent_conf
from blazar_nova import names
from placement_ext.testing import agent_process
from placement_ext.testing import placement_service as ps

RUNNING = re.compile(r'Running (\w+) of lease ([0-9a-f-]+) '
                     r'\(event (\d+), attempt (\d+)')

# agent_process.FAST, put back to the options' defaults.
DEFAULTS = {opt.name: opt.default for opt in agent_conf.opts
            if opt.name in agent_process.FAST}


def store_url(url):
    """``url`` with ``charset=utf8mb4`` on MySQL (as deployments set it)."""
    parsed = sa_url.make_url(url)
    if parsed.get_backend_name() == 'mysql' and \
            'charset' not in parsed.query:
        parsed = parsed.update_query_dict({'charset': 'utf8mb4'})
    return parsed.render_as_string(hide_password=False)


class Agent(agent_process.AgentProcess):
    """An agent process that knows its name."""

    def __init__(self, host, config, log_path):
        super().__init__(config, log_path)
        self.host = host

    def wait_running(self, timeout=60):
        return super().wait_running(self.host, timeout)

    def running_lines(self):
        return running_lines(self.log())


def start_agent(directory, host, connection, placement_endpoint,
                **options):
    """Start an agent named ``host`` whose files are in ``directory``:
    ``agent_process.FAST`` timings, overridden by ``options``."""
    directory.mkdir(parents=True, exist_ok=True)
    config = agent_process.write_config(
        directory / ('%s.conf' % host), store_url(connection),
        placement_endpoint, host, **options)
    return Agent(host, config, directory / ('%s.log' % host))


def running_lines(text):
    """``(event_type, lease_id, event_id, attempt)`` of every "Running"
    line of an agent's log."""
    return [(m.group(1), m.group(2), int(m.group(3)), int(m.group(4)))
            for m in RUNNING.finditer(text)]


def placement_leftovers(client, hosts=()):
    """What Placement still holds of reservations: custom traits and
    resource classes named CUSTOM_RESERVATION_*, providers named blazar_*,
    and, among ``hosts`` (provider uuids; all when empty), those still
    carrying CUSTOM_BLAZAR_RESERVED. Empty lists when nothing is left."""
    rps = client.get('/resource_providers').body['resource_providers']
    hosts = set(hosts)
    return {
        'traits': ps.custom_traits(client, names.RESERVATION_PREFIX),
        'resource_classes': [
            name for name in ps.custom_resource_classes(client)
            if name.startswith(names.RESERVATION_PREFIX)],
        'children': sorted(rp['name'] for rp in rps
                           if rp['name'].startswith(names.CHILD_PREFIX)),
        'reserved_marks': sorted(
            uuid for uuid in ps.carriers(client, names.RESERVED_TRAIT)
            if not hosts or uuid in hosts),
    }
