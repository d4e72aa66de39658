"""``blazar-nova-api``: serve the reservation API (Blazar's v1).

Usage::

    blazar-nova-api [--config-file FILE]

Listens on ``[api] bind_host``:``bind_port`` (127.0.0.1:1234 by default;
an IPv6 address such as ``::`` or ``::1`` listens on IPv6) with
``[api] workers`` threads. For production, run
``placement_ext.api.wsgi:application`` under uwsgi or mod_wsgi instead.
SIGTERM and SIGINT stop it.
"""

import signal
import socket
import socketserver
import sys
import threading
from wsgiref import simple_server

from oslo_config import cfg
from oslo_log import log as logging

from placement_ext.api import service
from placement_ext import conf as bn_conf
from placement_ext.enforcement import errors as enforcement_errors

LOG = logging.getLogger(__name__)

PROG = 'blazar-nova-api'


class _Handler(simple_server.WSGIRequestHandler):
    """Requests go to oslo.log, not stderr."""

    def log_message(self, fmt, *args):
        LOG.debug('%s %s', self.address_string(), fmt % args)


class Server(socketserver.ThreadingMixIn, simple_server.WSGIServer):
    """A threaded WSGI server with a bounded number of requests in
    flight."""

    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default backlog is 5: with more clients than that
    # connecting while every worker is busy, the kernel drops their SYNs
    # and they retry a second later (a 1 s p99 seen with 8 clients).
    request_queue_size = 128

    def __init__(self, address, workers):
        # The family of the address to bind (``::`` is IPv6, a name the
        # family it resolves to first); TCPServer reads it from here.
        self.address_family = address_family(*address)
        super().__init__(address, _Handler)
        self._slots = threading.BoundedSemaphore(workers)

    def process_request(self, request, client_address):
        self._slots.acquire()
        try:
            super().process_request(request, client_address)
        except Exception:
            self._slots.release()
            raise

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()


def address_family(host, port):
    """``AF_INET6`` for an IPv6 address (or a name resolving to one
    first), else ``AF_INET``."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                   flags=socket.AI_PASSIVE)
    except socket.gaierror:
        return socket.AF_INET
    return found[0][0] if found else socket.AF_INET


def url_host(host):
    """``host`` as it is written in a URL (IPv6 addresses bracketed)."""
    return '[%s]' % host if ':' in host else host


def serve(conf, application, ready=None):
    """Serve ``application`` until SIGTERM/SIGINT (or ``server.shutdown``);
    ``ready(server)`` is called once it listens."""
    server = Server((conf.api.bind_host, conf.api.bind_port),
                    conf.api.workers)
    server.set_app(application)
    host, port = server.server_address[:2]
    LOG.info('Reservation API listening on http://%s:%d/v1',
             url_host(host), port)
    if ready is not None:
        ready(server)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()


def main(argv=None):
    conf = cfg.ConfigOpts()
    bn_conf.register_opts(conf)
    logging.register_options(conf)
    try:
        conf(sys.argv[1:] if argv is None else argv,
             project=service.PROJECT, prog=PROG)
    except cfg.Error as exc:
        print('ERROR: %s' % exc, file=sys.stderr)
        return 1
    logging.setup(conf, service.PROJECT)
    try:
        application = service.build(conf)
    except enforcement_errors.Misconfigured as exc:
        LOG.error('%s', exc)
        return 1

    def stop(server):
        def on_signal(signum, frame):
            LOG.info('Signal %d received: stopping', signum)
            threading.Thread(target=server.shutdown, daemon=True).start()
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, on_signal)
            signal.signal(signal.SIGINT, on_signal)

    try:
        serve(conf, application, ready=stop)
    except OSError as exc:
        LOG.error('Cannot listen on %s:%s: %s', conf.api.bind_host,
                  conf.api.bind_port, exc)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
