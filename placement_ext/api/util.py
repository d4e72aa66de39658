"""What every handler does: read the caller, a validated body or query,
and answer JSON."""

import itertools
import json
import logging

import jsonschema
import webob

from placement_ext.api import errors

LOG = logging.getLogger(__name__)


def context(req):
    return req.environ['blazar_nova.context']


def services(req):
    return req.environ['blazar_nova.services']


def _where(error):
    return '.'.join(str(p) for p in error.absolute_path)


def validate(document, schema, what='body'):
    """Raise a 400 naming the first place ``document`` breaks ``schema``."""
    validator = jsonschema.Draft7Validator(schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(document))
    if error is not None:
        where = _where(error)
        if what == 'body':
            where = 'body field %s' % where if where else 'body'
        else:
            where = 'query parameter %s' % where if where else 'query'
        raise errors.HTTPError(400, 'Invalid %s: %s' % (where,
                                                        error.message))


def json_body(req, schema):
    """The request's JSON body, checked against ``schema``."""
    content_type = req.content_type or 'application/json'
    if content_type != 'application/json':
        raise errors.HTTPError(
            415, 'The body must be application/json, not %s.'
            % content_type)
    raw = req.body
    if not raw:
        raise errors.HTTPError(400, 'A JSON body is required.')
    try:
        document = json.loads(raw)
        # JSON escapes may spell lone surrogates ("\\ud800"), which are
        # no text: refuse them here rather than fail in the database.
        json.dumps(document, ensure_ascii=False).encode('utf-8')
    except (ValueError, UnicodeError) as exc:
        raise errors.HTTPError(400, 'The body is not valid JSON: %s'
                               % exc) from None
    validate(document, schema)
    return document


def query(req, schema):
    """The query string as a dict of single values, checked against
    ``schema`` (repeated parameters are refused)."""
    params = {}
    for name, value in req.GET.items():
        if name in params:
            raise errors.HTTPError(400, 'Query parameter %s is given more '
                                        'than once.' % name)
        params[name] = value
    validate(params, schema, what='query')
    return params


def respond(payload, status=200):
    resp = webob.Response(status=status, content_type='application/json',
                          charset='utf-8')
    resp.text = json.dumps(payload)
    return resp


def respond_list(key, batches, render):
    """``{key: [render(item), ...]}`` written batch by batch as
    ``batches`` (an iterator of lists) yields them, byte for byte what
    ``respond`` would write. The first batch is read before answering, so
    that its errors still get an error status; a later failure cuts the
    body short (and is logged)."""
    first = next(batches, [])

    def body():
        separator = ''
        try:
            for batch in itertools.chain([first], batches):
                if batch:
                    yield (separator + ', '.join(
                        json.dumps(render(item)) for item in batch)
                    ).encode('utf-8')
                    separator = ', '
        except Exception:
            LOG.exception('The %s list broke off while being written.', key)
            raise
        finally:
            getattr(batches, 'close', lambda: None)()
        yield b']}'

    return webob.Response(
        content_type='application/json', charset='utf-8',
        app_iter=itertools.chain([('{"%s": [' % key).encode('utf-8')],
                                 body()))


def no_content():
    return webob.Response(status=204)


def flag(value):
    """A boolean query value (``True``, ``true``, ``1``...)."""
    return str(value).lower() in ('1', 'true', 'yes', 'on')
