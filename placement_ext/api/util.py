"""What every handler does: read the caller, a validated body or query,
and answer JSON."""

import itertools
import json
import logging
import math

import jsonschema
import webob

from placement_ext.api import errors
from placement_ext import blazar_words
from placement_ext import limits

LOG = logging.getLogger(__name__)


def context(req):
    return req.environ['blazar_nova.context']


def services(req):
    return req.environ['blazar_nova.services']


def _where(error):
    return '.'.join(str(p) for p in error.absolute_path)


def _missing(errors):
    """Blazar's ``Missing parameter ...`` for the shallowest object that
    lacks required keys, or None."""
    lacking = [e for e in errors if e.validator == 'required']
    if not lacking:
        return None
    error = min(lacking, key=lambda e: len(e.absolute_path))
    names = [name for name in error.validator_value
             if name not in error.instance]
    # Only a lease update's reservation change requires an id.
    return blazar_words.missing_parameter(*[
        'reservation ID' if name == 'id' else name for name in names])


def validate(document, schema, what='body'):
    """Raise a 400 naming the first place ``document`` breaks ``schema``;
    missing keys of a body in Blazar's words."""
    validator = jsonschema.Draft7Validator(schema)
    errors_found = list(validator.iter_errors(document))
    missing = _missing(errors_found) if what == 'body' else None
    if missing:
        raise errors.HTTPError(400, missing)
    error = jsonschema.exceptions.best_match(errors_found)
    if error is not None:
        where = _where(error)
        if what == 'body':
            where = 'body field %s' % where if where else 'body'
        else:
            where = 'query parameter %s' % where if where else 'query'
        raise errors.HTTPError(400, 'Invalid %s: %s' % (where,
                                                        error.message))


def _refuse_constant(name):
    raise ValueError('%s is not a JSON number' % name)


def _finite_float(text):
    number = float(text)
    if not math.isfinite(number):
        raise ValueError('the number %s is out of range' % text[:32])
    return number


def _join(path):
    return '.'.join(str(part) for part in path)


def check_document(document):
    """Refuse a decoded body nested deeper than ``limits.MAX_JSON_DEPTH``
    or holding text that is not acceptable (NUL, lone surrogates) in a
    key or a value; the 400 names the place."""
    stack = [(document, 1, ())]
    while stack:
        node, depth, path = stack.pop()
        if isinstance(node, str):
            _check_text(node, path)
            continue
        if not isinstance(node, (dict, list)):
            continue
        if depth > limits.MAX_JSON_DEPTH:
            raise errors.HTTPError(
                400, 'Invalid body%s: nested deeper than %d levels.'
                % (' field %s' % _join(path) if path else '',
                   limits.MAX_JSON_DEPTH))
        if isinstance(node, dict):
            for key, value in node.items():
                _check_text(key, path + (key,))
                stack.append((value, depth + 1, path + (key,)))
        else:
            for index, value in enumerate(node):
                stack.append((value, depth + 1, path + (index,)))


def _check_text(text, path):
    problem = limits.text_problem(text)
    if problem is None:
        try:
            text.encode('utf-8')
        except UnicodeError:
            problem = 'holds a lone surrogate, which is no text'
    if problem is not None:
        where = 'body field %s' % _join(path) if path else 'body'
        raise errors.HTTPError(400, 'Invalid %s: %s.' % (where, problem))


def json_body(req, schema, precheck=None):
    """The request's JSON body, checked against ``schema``: strict JSON
    (no NaN or Infinity, finite numbers), nested at most
    ``limits.MAX_JSON_DEPTH`` levels, text without NUL; ``precheck``
    (a function of the document) may refuse it before the schema does."""
    content_type = req.content_type or 'application/json'
    if content_type != 'application/json':
        raise errors.HTTPError(
            415, 'The body must be application/json, not %s.'
            % content_type)
    raw = req.body
    if not raw:
        raise errors.HTTPError(400, 'A JSON body is required.')
    try:
        document = json.loads(raw, parse_constant=_refuse_constant,
                              parse_float=_finite_float)
    except (ValueError, UnicodeError) as exc:
        raise errors.HTTPError(400, 'The body is not valid JSON: %s'
                               % exc) from None
    except RecursionError:
        raise errors.HTTPError(
            400, 'Invalid body: nested deeper than %d levels.'
            % limits.MAX_JSON_DEPTH) from None
    check_document(document)
    if precheck is not None:
        precheck(document)
    validate(document, schema)
    return document


def query(req, schema):
    """The query string as a dict of single values, checked against
    ``schema`` (repeated parameters are refused)."""
    params = {}
    for name, value in req.GET.items():
        for text in (name, value):
            problem = limits.text_problem(text)
            if problem:
                raise errors.HTTPError(400, 'Invalid query parameter %s: '
                                            '%s.' % (name, problem))
        if name in params:
            raise errors.HTTPError(400, 'Query parameter %s is given more '
                                        'than once.' % name)
        params[name] = value
    validate(params, schema, what='query')
    return params


def respond(payload, status=200):
    resp = webob.Response(status=status, content_type='application/json',
                          charset='utf-8')
    resp.text = json.dumps(payload, allow_nan=False)
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
                        json.dumps(render(item), allow_nan=False)
                        for item in batch)
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
