"""The ``[api]`` group: how ``blazar-nova-api`` serves the reservation
API."""

from oslo_config import cfg

from placement_ext.conf import utils

GROUP = 'api'

api_group = cfg.OptGroup(
    GROUP, title='Reservation API options',
    help='How the reservation API (Blazar\'s v1) listens and authenticates.')

opts = [
    cfg.HostAddressOpt(
        'bind_host', default='127.0.0.1',
        help='Address ``blazar-nova-api`` listens on. Under another WSGI '
             'server (uwsgi, mod_wsgi) this is not used.'),
    cfg.PortOpt(
        'bind_port', default=1234,
        help='Port ``blazar-nova-api`` listens on; 1234 is Blazar\'s, so '
             'existing catalog entries and clients keep working.'),
    cfg.StrOpt(
        'auth_strategy', default='keystone',
        choices=[('keystone', 'Validate tokens with keystonemiddleware '
                              '(configure ``[keystone_authtoken]``).'),
                 ('noauth', 'No authentication, for a local service and '
                            'tests: the token ``admin`` is an admin, a '
                            'token ``USER:PROJECT`` acts as that user of '
                            'that project.')],
        help='How requests are authenticated.'),
    cfg.IntOpt(
        'max_request_body_size', default=256 * 1024, min=1024,
        help='Largest request body accepted, in bytes; larger ones get a '
             '413 before they are read.'),
    cfg.IntOpt(
        'workers', default=8, min=1,
        help='Requests ``blazar-nova-api`` serves at once (threads).'),
]


def register_opts(conf):
    utils.register_group(conf, api_group, opts)


def list_opts():
    return {api_group: opts}
