"""Named moments in a lease's start and end at which tests make the agent
die (or pause), injected through the clients its steps use: the store and
Placement. The agent itself carries no hook.

Each point is a call on one of those clients, watched by a wrapper:

========================  ==================================================
``start:entered``         after the store moved the lease to STARTING
``start:placement``       before the store completes the start (an agent
                          without Nova: Placement shows the lease)
``start:nova``            the same call (an agent with Nova: its Nova-side
                          start is done too)
``start:server-group``    before the store records a server group the
                          agent just made in Nova
``end:entered``           after the store moved the lease to TERMINATING
``end:revoked``           before the end's first delete in Placement (an
                          agent without Nova: access revoked, nothing
                          removed)
``end:instances``         the same call (an agent with Nova: the lease's
                          instances are gone too)
``end:placement``         before the store completes the end (without Nova)
``end:nova``              the same call (with Nova: flavors gone too)
========================  ==================================================

``fire(point)`` runs once, at the first time the point is reached; it may
raise (an in-process crash), kill the process, or sleep.
"""

from placement_ext import rest_client

START_POINTS = ('start:entered', 'start:placement', 'start:nova',
                'start:server-group')
END_POINTS = ('end:entered', 'end:revoked', 'end:instances',
              'end:placement', 'end:nova')

# point -> (when, call): the call on the store, or a Placement DELETE.
_CALLS = {
    'start:entered': ('after', 'enter_lease:start_lease'),
    'start:placement': ('before', 'complete_start'),
    'start:nova': ('before', 'complete_start'),
    'start:server-group': ('before', 'record_server_group'),
    'end:entered': ('after', 'enter_lease:end_lease'),
    'end:revoked': ('before', 'placement:DELETE'),
    'end:instances': ('before', 'placement:DELETE'),
    'end:placement': ('before', 'complete_end'),
    'end:nova': ('before', 'complete_end'),
}


class Injector:
    """Watches the calls of one point; wraps the clients an agent is built
    with (``placement_ext.cmd.agent.build(conf, store=..., placement=...)``).
    """

    def __init__(self, point, fire):
        if point not in _CALLS:
            raise ValueError('no crash point %r; known: %s'
                             % (point, ', '.join(_CALLS)))
        self.point = point
        self.when, self.call = _CALLS[point]
        self.fire = fire
        self.fired = False
        # The end's Placement deletes count only once an end has begun.
        self.ending = False

    def _reached(self, call, when):
        if not self.fired and call == self.call and when == self.when:
            self.fired = True
            self.fire(self.point)

    def store(self, store):
        return _Store(store, self)

    def placement(self, client):
        return _Placement(client, self)


class _Proxy:
    def __init__(self, target, injector):
        self._target = target
        self._injector = injector

    def __getattr__(self, name):
        return getattr(self._target, name)


class _Store(_Proxy):
    def enter_lease(self, ctx, lease_id, event_type):
        status = self._target.enter_lease(ctx, lease_id, event_type)
        if event_type == 'end_lease':
            self._injector.ending = True
        self._injector._reached('enter_lease:%s' % event_type, 'after')
        return status

    def complete_start(self, *args, **kwargs):
        self._injector._reached('complete_start', 'before')
        return self._target.complete_start(*args, **kwargs)

    def record_server_group(self, *args, **kwargs):
        self._injector._reached('record_server_group', 'before')
        return self._target.record_server_group(*args, **kwargs)

    def complete_end(self, *args, **kwargs):
        self._injector._reached('complete_end', 'before')
        return self._target.complete_end(*args, **kwargs)


class _Placement(_Proxy):
    def request(self, method, url, *args, **kwargs):
        if method == 'DELETE' and self._injector.ending:
            self._injector._reached('placement:DELETE', 'before')
        return self._target.request(method, url, *args, **kwargs)

    # RestClient's own verbs, so that each goes through ``request`` above.
    get = rest_client.RestClient.get
    put = rest_client.RestClient.put
    post = rest_client.RestClient.post
    delete = rest_client.RestClient.delete
