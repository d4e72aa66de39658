"""A real store, a real (in-process) Placement and an agent on a fake
clock: ``world`` gives them, with compute nodes enrolled, and builds
agents that run events the way blazar-nova-agent does (no Nova here: the
Nova side is proved in tests/functional/nova)."""

import uuid

import pytest

from placement_ext.cmd import agent as agent_cmd
from placement_ext import context as bn_context
from placement_ext import timeconv
from placement_ext.testing import placement_service as ps

ADMIN = bn_context.admin_context()
HOUR = 3600


class World:
    def __init__(self, conf, store, placement, clock):
        self.conf = conf
        self.store = store
        self.placement = placement
        self.clock = clock
        self.hosts = {}

    def enrol(self, hostname, in_placement=True, **capacity):
        node = str(uuid.uuid4())
        if in_placement:
            ps.add_compute_node(self.placement, hostname, uuid=node)
        values = {'hypervisor_hostname': hostname, 'uuid': node,
                  'vcpus': 8, 'memory_mb': 16384, 'local_gb': 200}
        values.update(capacity)
        self.store.create_host(ADMIN, values)
        self.hosts[hostname] = node
        return node

    def date(self, offset):
        return timeconv.to_text(timeconv.to_datetime(self.clock.now
                                                     + offset))

    def lease(self, reservation, project='p1', start=HOUR, end=2 * HOUR,
              **extra):
        ctx = bn_context.RequestContext(project_id=project,
                                        user_id='u-' + project)
        body = {'name': 'lease-%s' % uuid.uuid4().hex[:8],
                'start_date': self.date(start), 'end_date': self.date(end),
                'reservations': [reservation]}
        body.update(extra)
        return self.store.create_lease(ctx, body)

    def host_lease(self, hostname=None, **kwargs):
        props = ('["==", "$hypervisor_hostname", "%s"]' % hostname
                 if hostname else '')
        return self.lease({'resource_type': 'physical:host', 'min': 1,
                           'max': 1, 'hypervisor_properties': props},
                          **kwargs)

    def slot_lease(self, amount=2, **kwargs):
        return self.lease({'resource_type': 'virtual:instance',
                           'amount': amount, 'vcpus': 1, 'memory_mb': 512,
                           'disk_gb': 1, 'affinity': None}, **kwargs)

    def agent(self, host='agent-1', placement=None, injector=None):
        """An agent; with ``injector`` (``crash_points.Injector``) its store
        and Placement client fail at the injector's point."""
        self.conf.set_override('host', host, group='agent')
        store = self.store
        placement = placement or self.placement
        if injector is not None:
            store = injector.store(store)
            placement = injector.placement(placement)

        def sleep(seconds):
            self.clock.now += seconds

        agent = agent_cmd.build(self.conf, store=store, placement=placement,
                                clock=self.clock)
        agent._sleep = sleep
        agent.steps.sleep = sleep
        return agent

    def status(self, lease):
        return self.store.get_lease(ADMIN, lease['id'])['status']

    def events(self, lease):
        return {e['event_type']: e for e in
                self.store.lease_events(ADMIN, lease['id'])}


@pytest.fixture
def world(conf, store, clock, tmp_path):
    conf.set_override('workers', 2, group='agent')
    conf.set_override('end_poll_interval', 1, group='agent')
    conf.set_override('end_wait_timeout', 5, group='agent')
    conf.set_override('retry_initial', 2, group='agent')
    with ps.in_process(tmp_path) as placement:
        yield World(conf, store, placement, clock)
