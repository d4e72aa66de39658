"""One INFO line per request: who asked what, the status, the length of
the answer, how long it took and the request id."""

import logging
import time

from oslo_middleware import request_id

LOG = logging.getLogger(__name__)


class RequestLog:
    """Log each request once its answer is written (a streamed list is
    logged when its last byte is out, with the bytes sent)."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        started = time.monotonic()
        answer = {'status': '-', 'length': None}

        def recording(status, headers, exc_info=None):
            answer['status'] = status.split(None, 1)[0]
            for name, value in headers:
                if name.lower() == 'content-length':
                    answer['length'] = value
            return start_response(status, headers, exc_info)

        try:
            body = self.application(environ, recording)
        except Exception:
            self._log(environ, answer, 0, started)
            raise
        return _Logged(body, lambda sent: self._log(
            environ, answer, sent, started))

    @staticmethod
    def _log(environ, answer, sent, started):
        path = environ.get('SCRIPT_NAME', '') + environ.get('PATH_INFO', '')
        if environ.get('QUERY_STRING'):
            path += '?' + environ['QUERY_STRING']
        LOG.info('%(remote)s "%(method)s %(path)s" status: %(status)s '
                 'len: %(length)s time: %(time).6f request_id: %(id)s',
                 {'remote': environ.get('REMOTE_ADDR', '-'),
                  'method': environ.get('REQUEST_METHOD'),
                  'path': path, 'status': answer['status'],
                  'length': (answer['length'] if answer['length']
                             is not None else sent),
                  'time': time.monotonic() - started,
                  'id': environ.get(request_id.ENV_REQUEST_ID, '-')})


class _Logged:
    """The answer's body, counted as it is written; ``log(bytes_sent)``
    is called once, when the server closes it (written or not)."""

    def __init__(self, body, log):
        self._body = body
        self._log = log
        self._sent = 0
        self._logged = False

    def __iter__(self):
        for chunk in self._body:
            self._sent += len(chunk)
            yield chunk

    def close(self):
        try:
            close = getattr(self._body, 'close', None)
            if close is not None:
                close()
        finally:
            if not self._logged:
                self._logged = True
                self._log(self._sent)
