"""A real enforcement service for the tests: a stdlib HTTP server in a
thread, as an operator's own service would be, answering each POST with
what the test scripts and recording what it was sent."""

import contextlib
import http.server
import json
import socket
import threading


class Call:
    """One request the service received."""

    def __init__(self, path, headers, body):
        self.path = path
        self.headers = headers
        self.body = body


class EnforcementService:
    """``answer(path, body)`` gives ``(status, json_or_None)`` for each
    request (default 204); ``calls`` holds every request received."""

    def __init__(self):
        self.calls = []
        self.answer = lambda path, body: (204, None)
        self.url = None
        self._server = None

    def handler(self):
        service = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, fmt, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get('Content-Length') or 0)
                body = json.loads(self.rfile.read(length) or b'null')
                service.calls.append(Call(self.path, dict(self.headers),
                                          body))
                status, answer = service.answer(self.path, body)
                data = (json.dumps(answer).encode('utf-8')
                        if answer is not None else b'')
                try:
                    self.send_response(status)
                    if data:
                        self.send_header('Content-Type', 'application/json')
                    self.send_header('Content-Length', str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass         # the client gave up (a timeout test)

        return Handler

    def paths(self):
        return [call.path for call in self.calls]


@contextlib.contextmanager
def running():
    """An ``EnforcementService`` listening on 127.0.0.1 until the end of
    the block."""
    service = EnforcementService()
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0),
                                             service.handler())
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever,
                              kwargs={'poll_interval': 0.05}, daemon=True)
    thread.start()
    service.url = 'http://127.0.0.1:%d/enforcement/' % server.server_port
    try:
        yield service
    finally:
        server.shutdown()
        server.server_close()


def dead_url():
    """An http URL on a local port where nothing listens."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
    return 'http://127.0.0.1:%d/enforcement/' % port
