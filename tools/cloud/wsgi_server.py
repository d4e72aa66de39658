"""Serve one OpenStack WSGI application on 127.0.0.1 in a threaded stdlib
server: the API processes of the cloud (Keystone, Glance, Placement,
Neutron, Nova's compute API), none of which ships a server command any
more.

Run by the cloud venv's interpreter in isolated mode, as a file (not as
part of the tools.cloud package, so nothing of the repository shadows a
service's modules)::

    python -I wsgi_server.py MODULE:ATTRIBUTE PORT [--configure-mappers]

The application finds its configuration through its own environment
variable (OS_KEYSTONE_CONFIG_DIR, OS_GLANCE_CONFIG_DIR, ...). Each
request is logged to stderr with its status and duration.

``--configure-mappers`` configures every SQLAlchemy mapper once the
application is loaded. Neutron 29's port listing reads the backref
``Port.port_forwardings``, which exists only after the mappers are
configured; a ``GET /v2.0/ports`` as the very first database request of a
fresh neutron-server process fails with HTTP 500 (AttributeError) without
it.
"""

import importlib
import socketserver
import sys
import time
from wsgiref import simple_server


class Server(socketserver.ThreadingMixIn, simple_server.WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


class Handler(simple_server.WSGIRequestHandler):

    def handle(self):
        self._began = time.monotonic()
        super().handle()

    def log_request(self, code='-', size='-'):
        sys.stderr.write('REQUEST %s %s %.3fs\n' % (
            self.requestline, code, time.monotonic() - self._began))
        sys.stderr.flush()


def main(argv):
    name, port = argv[1], int(argv[2])
    configure_mappers = '--configure-mappers' in argv[3:]
    # The applications read sys.argv as their command line.
    sys.argv = sys.argv[:1]
    module, attribute = name.split(':')
    application = getattr(importlib.import_module(module), attribute)
    if configure_mappers:
        from sqlalchemy import orm
        orm.configure_mappers()
    httpd = simple_server.make_server('127.0.0.1', port, application,
                                      server_class=Server,
                                      handler_class=Handler)
    sys.stderr.write('SERVING %s on 127.0.0.1:%d\n' % (name, port))
    sys.stderr.flush()
    httpd.serve_forever()


if __name__ == '__main__':
    main(sys.argv)
