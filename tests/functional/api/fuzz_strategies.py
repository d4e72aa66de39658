"""Requests for the API fuzz test (``test_fuzz.py``): valid, near-valid
and hostile, over every route and method.

A ``Req`` is backend-independent: where it names an object it holds a
reference (``Lease(k)``: the k-th lease created so far, ``Res(k, j)``,
``Host(k, form)``, ``Node(name)``) that each backend resolves to its own
id when the request is sent (ids differ between backends). Bodies are
trees of plain JSON values and a few nodes that JSON cannot hold as
Python values: ``Raw`` (text spelled as is: ``NaN``, ``1e400``, a number
of 5,000 digits), ``Deep`` (nesting thousands of levels deep without
recursion), ``Pairs`` (an object with duplicate keys). ``Req.body_bytes``
then applies a byte-level change (``mangle``: not UTF-8, truncated...).

Every ``repr`` here is Python that rebuilds the value (in this module's
namespace), so a failing request printed by the test can be replayed.
"""

import dataclasses
import datetime
import json
import string
import urllib.parse

from hypothesis import strategies as st

from tests.functional.api import backends

NOW = backends.NOW
NODES = tuple(sorted(backends.COMPUTE_NODES))
# A lease id no backend holds (used while no lease exists yet).
NO_LEASE = '6b9c8f0e-0000-4000-8000-000000000000'


def _same(value):
    return value


def weighted(*pairs):
    """``one_of`` with weights, from ``(strategy, weight)`` pairs.
    Hypothesis merges branches that are the same strategy object, so each
    repetition is a strategy of its own."""
    branches = []
    for strategy, weight in pairs:
        branches.extend(strategy.map(_same) for _ in range(weight))
    return st.one_of(branches)


def one_in(n):
    """True once in ``n`` draws (hypothesis's integers favour their
    bounds, which would make "rare" events common)."""
    return st.sampled_from([True] + [False] * (n - 1))


# --- values JSON cannot hold -------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Raw:
    """JSON text spelled as is."""
    text: str

    def __repr__(self):
        return 'Raw(%s)' % short(self.text)


@dataclasses.dataclass(frozen=True)
class Deep:
    """``inner`` nested ``depth`` times in arrays (``kind='['``) or in
    objects under key ``"a"`` (``kind='{'``)."""
    depth: int
    kind: str = '['
    inner: object = 1

    def __repr__(self):
        return 'Deep(%d, %r, %s)' % (self.depth, self.kind,
                                     short(self.inner))


@dataclasses.dataclass(frozen=True)
class Pairs:
    """An object written from ``items`` in order: keys may repeat."""
    items: tuple

    def __repr__(self):
        return 'Pairs(%s)' % short(self.items)


# --- references, resolved per backend ----------------------------------------

@dataclasses.dataclass(frozen=True)
class Lease:
    """The k-th lease created so far (modulo how many); ``form`` spells
    its id: ``exact``, ``upper``, ``space`` (a trailing blank),
    ``prefix`` (one character short), ``nul`` (a trailing NUL)."""
    k: int
    form: str = 'exact'

    def __repr__(self):
        return 'Lease(%d%s)' % (self.k, '' if self.form == 'exact'
                                else ', %r' % self.form)


@dataclasses.dataclass(frozen=True)
class Res:
    """The j-th reservation of the k-th lease."""
    k: int
    j: int = 0

    def __repr__(self):
        return 'Res(%d, %d)' % (self.k, self.j)


HOST_FORMS = ('id', 'uuid', 'name', 'NAME', 'name ', 'arabic', 'fullwidth',
              'superscript', 'padded')


@dataclasses.dataclass(frozen=True)
class Host:
    """The k-th host enrolled so far, by id, uuid or hypervisor hostname,
    or its id spelled with other Unicode digits (``arabic`` U+066x,
    ``fullwidth`` U+FF1x, ``superscript`` ¹²³), with a leading zero, or
    its name in capitals or with a trailing blank. Before any host is
    enrolled: compute node cn(k+1)."""
    k: int
    form: str = 'id'

    def __repr__(self):
        return 'Host(%d%s)' % (self.k, '' if self.form == 'id'
                               else ', %r' % self.form)


@dataclasses.dataclass(frozen=True)
class Node:
    """The uuid of compute node ``name`` in Placement."""
    name: str

    def __repr__(self):
        return 'Node(%r)' % self.name


@dataclasses.dataclass(frozen=True)
class Enc:
    """A path segment or query string already percent-encoded."""
    text: str

    def __repr__(self):
        return 'Enc(%s)' % short(self.text)


REFS = (Lease, Res, Host, Node)

_SUPERSCRIPT = '\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079'


def respell_digits(text, form):
    """``text``'s ASCII digits as other Unicode digits."""
    if form == 'arabic':
        return ''.join(chr(0x660 + int(c)) if c.isdigit() else c
                       for c in text)
    if form == 'fullwidth':
        return ''.join(chr(0xff10 + int(c)) if c.isdigit() else c
                       for c in text)
    if form == 'superscript':
        return ''.join(_SUPERSCRIPT[int(c)] if c.isdigit() else c
                       for c in text)
    return text


# --- requests ----------------------------------------------------------------

class _NoBody:
    def __repr__(self):
        return 'NOBODY'


NOBODY = _NoBody()


@dataclasses.dataclass(frozen=True)
class Req:
    """One request, independent of the backend it is sent to.

    ``path``: segments (text, percent-encoded when sent; ``Enc`` as is;
    references); ``suffix`` is appended to the last one (``.json``).
    ``query``: ``(name, value)`` pairs or ``Enc`` pieces. ``body``: a
    JSON tree or ``NOBODY``; ``ascii``: non-ASCII text as ``\\u``
    escapes (else UTF-8, lone surrogates as their invalid bytes);
    ``mangle``: a byte-level change of the encoded body. ``label``: the
    route (``METHOD /template``) the failures are grouped by; ``target``:
    the index of the path segment naming the object, if any."""
    method: str
    path: tuple
    token: object = 'admin'
    body: object = NOBODY
    query: tuple = ()
    headers: tuple = ()
    suffix: str = ''
    ascii: bool = True
    mangle: str = ''
    label: str = ''
    target: object = None

    def __repr__(self):
        parts = [repr(self.method), short(self.path)]
        defaults = Req('GET', ())
        for field in dataclasses.fields(self)[2:]:
            value = getattr(self, field.name)
            if value != getattr(defaults, field.name) or \
                    field.name == 'token':
                if field.name == 'label':
                    continue
                parts.append('%s=%s' % (field.name, short(value)))
        return 'Req(%s)' % ', '.join(parts)

    def describe(self):
        """One line for reports: method, path with references, token."""
        return '%s %s%s token=%s' % (
            self.method, self.path_repr(), self.query_repr(),
            short(self.token))

    def path_repr(self):
        return '/' + '/'.join(
            s if isinstance(s, str) and s.isprintable() and len(s) < 60
            else '{%s}' % short(s) for s in self.path) + self.suffix

    def query_repr(self):
        return ('?' + '&'.join(short(q) for q in self.query)
                if self.query else '')

    # Sending ---------------------------------------------------------------
    def segment_text(self, index, resolve):
        """The decoded text of path segment ``index`` (None when it is not
        UTF-8)."""
        seg = self.path[index]
        if isinstance(seg, Enc):
            try:
                return urllib.parse.unquote_to_bytes(seg.text).decode(
                    'utf-8')
            except UnicodeError:
                return None
        if isinstance(seg, REFS):
            return resolve(seg)
        return seg

    def path_text(self, resolve):
        segments = []
        for seg in self.path:
            if isinstance(seg, Enc):
                segments.append(seg.text)
                continue
            if isinstance(seg, REFS):
                seg = resolve(seg)
            segments.append(urllib.parse.quote(
                seg.encode('utf-8', 'surrogatepass'), safe=''))
        path = '/' + '/'.join(segments) + self.suffix
        if self.query:
            pieces = []
            for item in self.query:
                if isinstance(item, Enc):
                    pieces.append(item.text)
                    continue
                name, value = item
                if isinstance(value, REFS):
                    value = resolve(value)
                pieces.append('%s=%s' % (
                    urllib.parse.quote(name, safe=''),
                    urllib.parse.quote(
                        value.encode('utf-8', 'surrogatepass'), safe='')))
            path += '?' + '&'.join(pieces)
        return path

    def body_bytes(self, resolve):
        """The body as sent, or None for no body."""
        if self.body is NOBODY:
            return None
        if isinstance(self.body, bytes):
            data = self.body
        else:
            text = to_json(self.body, resolve, self.ascii)
            data = text.encode('utf-8', 'surrogatepass')
        return mangle(data, self.mangle)

    def header_items(self):
        return dict(self.headers)


def to_json(node, resolve, ascii_only=True):
    """JSON text of a body tree (references resolved)."""
    if isinstance(node, Raw):
        return node.text
    if isinstance(node, REFS):
        return json.dumps(resolve(node), ensure_ascii=ascii_only)
    if isinstance(node, Deep):
        inner = to_json(node.inner, resolve, ascii_only)
        if node.kind == '[':
            return '[' * node.depth + inner + ']' * node.depth
        return '{"a": ' * node.depth + inner + '}' * node.depth
    if isinstance(node, Pairs):
        items = node.items
    elif isinstance(node, dict):
        items = node.items()
    elif isinstance(node, (list, tuple)):
        return '[' + ', '.join(to_json(v, resolve, ascii_only)
                               for v in node) + ']'
    else:
        return json.dumps(node, ensure_ascii=ascii_only)
    return '{' + ', '.join(
        '%s: %s' % (to_json(k, resolve, ascii_only),
                    to_json(v, resolve, ascii_only))
        for k, v in items) + '}'


MANGLES = ('', 'ff-in-string', 'latin-1', 'utf-16', 'utf-8-bom',
           'truncated', 'trailing-garbage', 'two-documents', 'cesu-nul')


def mangle(data, how):
    """``data`` changed at the byte level."""
    if not how:
        return data
    if how == 'ff-in-string':
        at = data.find(b'"')
        return data if at < 0 else data[:at + 1] + b'\xff\xfe' + \
            data[at + 1:]
    if how == 'latin-1':
        # Non-ASCII text in Latin-1 (é as one byte): not UTF-8.
        text = data.decode('utf-8', 'replace')
        if text.isascii():
            text = text.replace('"', '"\u00e9', 1)
        return text.encode('latin-1', 'replace')
    if how == 'utf-16':
        return data.decode('utf-8', 'replace').encode('utf-16')
    if how == 'utf-8-bom':
        return b'\xef\xbb\xbf' + data
    if how == 'truncated':
        return data[:max(0, len(data) // 2)]
    if how == 'trailing-garbage':
        return data + b' x'
    if how == 'two-documents':
        return data + b' ' + data
    if how == 'cesu-nul':
        # An overlong NUL (modified UTF-8): not UTF-8.
        at = data.find(b'"')
        return data if at < 0 else data[:at + 1] + b'\xc0\x80' + \
            data[at + 1:]
    raise ValueError(how)


def short(value, limit=60):
    """A ``repr`` that rebuilds ``value`` but writes long repetitive
    strings as ``'x' * 300000``."""
    if isinstance(value, str):
        if len(value) > limit:
            # A prefix and a repeated unit: 'u' * 65 + ':pA' is written
            # as such; anything else is cut.
            for start in range(0, 9):
                for unit_len in range(1, 9):
                    unit = value[start:start + unit_len]
                    count = (len(value) - start) // unit_len
                    for end in range(len(value), len(value) - 9, -1):
                        count = (end - start) // unit_len
                        if count > 8 and value[start:end] == unit * count \
                                and (end - start) % unit_len == 0:
                            return ' + '.join(filter(None, [
                                repr(value[:start]) if start else '',
                                '%r * %d' % (unit, count),
                                repr(value[end:]) if end < len(value)
                                else '']))
            return '%r...(%d chars)' % (value[:limit], len(value))
        return repr(value)
    if isinstance(value, bytes):
        if len(value) > limit:
            return '%r...(%d bytes)' % (value[:limit], len(value))
        return repr(value)
    if isinstance(value, dict):
        return '{%s}' % ', '.join('%s: %s' % (short(k), short(v))
                                  for k, v in value.items())
    if isinstance(value, list):
        return '[%s]' % ', '.join(short(v) for v in value)
    if isinstance(value, tuple):
        inner = ', '.join(short(v) for v in value)
        return '(%s)' % (inner + ',' if len(value) == 1 else inner)
    return repr(value)


# --- tokens ------------------------------------------------------------------

ADMIN = 'admin'
MEMBER_A = 'u1:pA'
MEMBER_A2 = 'u2:pA'
MEMBER_B = 'u3:pB'


def _latin1(text):
    """What a WSGI server gives for ``text`` sent as UTF-8 in a header."""
    return text.encode('utf-8').decode('latin-1')


ODD_TOKENS = (
    'pA',                      # USER alone
    'admin:pB', 'admin:admin',  # user "admin", a member: not an admin
    ':pA', 'u1:', ':', '', None, '   ',  # malformed or missing
    ' admin ', 'u1:pA:x', 'ADMIN',
    'u' * 65 + ':pA', 'u1:' + 'p' * 65, 'u1:' + 'p' * 300, 'x' * 10000,
    _latin1('\u00fcser:p\u00c4'), _latin1('u1:p\U0001f600'),
    'u1:p\tA',
)

tokens = weighted(
    (st.sampled_from([ADMIN] * 5 + [MEMBER_A, MEMBER_A2, MEMBER_B] * 2), 3),
    (st.sampled_from(ODD_TOKENS), 1))

# Who reads leases: projects that must see only their own.
reader_tokens = st.one_of(
    st.sampled_from([ADMIN, ADMIN, MEMBER_A, MEMBER_B, MEMBER_A2,
                     'admin:pB', 'admin:admin', 'u3:pB']),
    tokens)

owner_tokens = weighted(
    (st.sampled_from([ADMIN, ADMIN, MEMBER_A, MEMBER_B, MEMBER_A2]), 8),
    (st.sampled_from(['pA', 'admin:pB', 'u' * 65 + ':pA',
                      'u1:' + 'p' * 65, ':pA']), 1))


def token_kind(token):
    """``('admin', None)``, ``('member', PROJECT)``, ``('malformed',
    None)`` (must be refused: no token, an empty user or project) as
    doc/api.md defines noauth tokens (``admin``, ``USER:PROJECT``); or
    ``('other', None)`` for tokens it leaves open (``USER`` alone, ids
    holding ``:``, over-long ids...)."""
    if token is None or not token.strip():
        return 'malformed', None
    token = token.strip()
    if token == ADMIN:
        return 'admin', None
    user, colon, project = token.partition(':')
    if colon and (not user or not project):
        return 'malformed', None
    if not colon or ':' in project or len(user) > 64 or \
            len(project) > 64 or not token.isascii():
        return 'other', None
    return 'member', project


# --- hostile values ----------------------------------------------------------

HOSTILE_STRINGS = (
    '', ' ', '\x00', 'a\x00b', '\x01\x1f\x7f', '\ud800', 'x\udfff',
    '\u00e9', '\U0001f600', '\u202egpu', '\ufeff', 'x' * 256,
    'x' * 65536, 'x' * 300000, 'None', 'null', 'true', '[]', '{}',
    '\u0663', 'a b', 'a%2Fb', '../..', "'; DROP TABLE leases; --",
)

HOSTILE_INTS = (
    2 ** 31 - 1, 2 ** 31, -2 ** 31, -2 ** 31 - 1, 2 ** 63, -2 ** 63,
    10 ** 30, -10 ** 30, 0, -1, '0', '-1', '2147483647', '2147483648',
    '-2147483649', ' 1 ', '1 ', '', ' ', '-', '\u0661', '\u0663\u0662',
    '\uff13', '\u00b2', '1e3', '0x10', '+1', '1.0', '9' * 5000,
    '-' + '9' * 5000, '9' * 4300, '0' * 5000 + '1', True, 1.0, 1.5,
)

RAW_NUMBERS = (
    'NaN', 'Infinity', '-Infinity', '1e400', '-1e400', '1E+400', '1e-400',
    '-0', '1.0', '2147483647.0', '1e3', '9' * 5000, '-' + '9' * 5000,
    '0.' + '1' * 5000,
)

HOSTILE_DATES = (
    'now', 'NOW', 'now ', ' now', '', '2030-13-01 00:00', '2030-02-30 00:00',
    '2030-01-01 24:00', '2030-01-01 00:60', '2030-01-01T00:00:60',
    '9999-12-31 23:59', '9999-12-31T23:59:59', '9999-12-31T23:59:59-23:59',
    '9999-12-31T23:00-01:00', '9999-12-31T23:59:59Z',
    '0001-01-01T00:00+00:01', '0001-01-01 00:00', '0000-01-01 00:00',
    '10000-01-01 00:00', '2030-01-01', '2030-01-01T00:00:00.1234567',
    '2030-01-02T00:00:00.123456Z', '2030-01-02T00:00+24:00',
    '2030-01-02T00:00+23:59', '2030-01-02T00:00-23:59',
    '\u0662\u0660\u0663\u0660-\u0660\u0661-\u0660\u0662 '
    '\u0660\u0660:\u0660\u0660',
    '\uff12\uff10\uff13\uff10-01-02 00:00', '2030-01-02 00:00\n',
    '2030-01-02 00:00\x00', '1970-01-01 00:00', '2029-12-31 23:59',
    '2029-12-31 23:59:30', '2038-01-19 03:14:08', '2106-02-07 06:28:16',
    '2030-01-02 00:00:00+01:00', '2030/01/02 00:00', 'x' * 64, 'x' * 65,
    '2030-01-02 00:00' + ' ' * 48,
)

HOSTILE_DURATIONS = (
    '1h', '30m', '2d', '0', '0s', '-1h', '1H', ' 1h', '1 h', 'h', '',
    '1.5h', '\u0661h', '\uff11h', '9' * 32, '9' * 33, '99999999999d',
    '2147483647', '2147483648', '24855d', '24856d', 3600, -3600, 1.5,
    '1y', '1w',
)

JUNK = (None, True, False, 0, -1, 1.5, [], {}, [1], {'a': 1}, 'x')


def deep_values():
    return st.builds(
        Deep, st.sampled_from([2, 50, 500, 900, 950, 980, 990, 995, 1000,
                               1010, 1100, 3000, 5000, 100000]),
        st.sampled_from(['[', '{']), st.sampled_from([1, 'x', None, []]))


def hostile(kind=None):
    """Values to put where a field of ``kind`` (date, int, duration,
    text) is expected, or anywhere."""
    generic = st.one_of(
        st.sampled_from(JUNK),
        st.sampled_from(HOSTILE_STRINGS),
        st.sampled_from(HOSTILE_INTS),
        st.sampled_from(RAW_NUMBERS).map(Raw),
        deep_values(),
        st.text(max_size=12),
    )
    specific = {
        'date': st.sampled_from(HOSTILE_DATES),
        'int': st.sampled_from(HOSTILE_INTS),
        'raw': st.sampled_from(RAW_NUMBERS).map(Raw),
        'duration': st.sampled_from(HOSTILE_DURATIONS),
        'text': st.sampled_from(HOSTILE_STRINGS),
    }.get(kind)
    if specific is None:
        return generic
    return weighted((specific, 2), (generic, 1))


INT_FIELDS = {'min', 'max', 'amount', 'vcpus', 'memory_mb', 'disk_gb'}
DURATION_FIELDS = {'prolong_for', 'reduce_by', 'defer_by', 'advance_by',
                   'duration'}


def kind_of(key):
    if not isinstance(key, str):
        return None
    if key.endswith('_date'):
        return 'date'
    if key in INT_FIELDS:
        return 'int'
    if key in DURATION_FIELDS:
        return 'duration'
    if key in ('name', 'hypervisor_properties', 'resource_properties',
               'before_end', 'affinity', 'end_action', 'resource_type'):
        return 'text'
    return None


# Fields Blazar returns on GET, that clients may send back (lease,
# reservation), and other extra keys.
ECHOED_LEASE = ('id', 'project_id', 'user_id', 'trust_id', 'status',
                'degraded', 'degraded_reason', 'created_at', 'updated_at')
ECHOED_RESERVATION = ('id', 'lease_id', 'status', 'missing_resources',
                      'resources_changed', 'resource_id', 'allocations',
                      'created_at', 'updated_at')
EXTRA_KEYS = ('extra', '', '\x00', '\u00e9', 'x' * 300, 'Name', 'name ',
              'NAME', 'reservations ', '__proto__', 'events')
ECHO_VALUES = st.sampled_from([
    NO_LEASE, 'pA', 'u1', None, 'PENDING', 'pending', False, True, [],
    '2030-01-01T00:00:00.000000', [{'host_id': '1', 'hypervisor_hostname':
                                    'cn1', 'slots': 1}]])


# --- dates -------------------------------------------------------------------

_UTC = datetime.timezone.utc


def date_text(epoch, form):
    """``epoch`` written in one of the forms the API accepts."""
    moment = datetime.datetime.fromtimestamp(epoch, tz=_UTC)
    if form == 'blazar':
        return moment.strftime('%Y-%m-%d %H:%M')
    if form == 'seconds':
        return moment.strftime('%Y-%m-%d %H:%M:%S')
    if form == 'iso':
        return moment.strftime('%Y-%m-%dT%H:%M:%S')
    if form == 'isoZ':
        return moment.strftime('%Y-%m-%dT%H:%M:%SZ')
    if form == 'frac':
        return moment.strftime('%Y-%m-%dT%H:%M:%S.123456')
    if form == 'blazar-out':
        return moment.strftime('%Y-%m-%dT%H:%M:%S.000000')
    if form in ('+02:00', '-05:30', '+14:00', '-12:00'):
        sign = 1 if form[0] == '+' else -1
        offset = sign * datetime.timedelta(hours=int(form[1:3]),
                                           minutes=int(form[4:]))
        local = moment.astimezone(datetime.timezone(offset))
        return local.strftime('%Y-%m-%dT%H:%M:%S') + form
    raise ValueError(form)


DATE_FORMS = ('blazar', 'seconds', 'iso', 'isoZ', 'frac', 'blazar-out',
              '+02:00', '-05:30', '+14:00', '-12:00')

# Starts and lengths (seconds) that make windows overlap often.
START_OFFSETS = (-120, -30, 0, 60, 3600, 86400, 2 * 86400, 7 * 86400,
                 30 * 86400, 365 * 86400, 8 * 365 * 86400 + 86400 * 3,
                 76 * 365 * 86400)
LENGTHS = (60, 3600, 8 * 3600, 86400, 3 * 86400, 30 * 86400, 366 * 86400,
           10 * 365 * 86400)


@st.composite
def dates_at(draw, epoch):
    return date_text(epoch, draw(st.sampled_from(DATE_FORMS)))


# Ends at the edges of what dates can hold: year 9999 (and past it once
# the offset is applied), 2038 and 2106 (32-bit epochs).
EDGE_ENDS = ('9999-12-31 23:59', '9999-12-31T23:59:59',
             '9999-12-31T23:00-01:00', '9999-12-31T23:59:59-23:59',
             '9999-12-31T20:00:00-05:00', '2038-01-19 03:14:08',
             '2106-02-07 06:28:16', '2200-01-01 00:00')


@st.composite
def window(draw):
    """``(start text, end text, start epoch, end epoch)``."""
    offset = draw(st.sampled_from(START_OFFSETS))
    length = draw(st.sampled_from(LENGTHS))
    start = NOW + offset
    if offset == 0 and draw(st.booleans()):
        start_text = 'now'
    else:
        start_text = draw(dates_at(start))
    if draw(one_in(10)):
        return (start_text, draw(st.sampled_from(EDGE_ENDS)), start,
                253402300799)
    return start_text, draw(dates_at(start + length)), start, start + length


# --- valid bodies ------------------------------------------------------------

def _int(values):
    """An integer, or its digits as a string (as the client sends)."""
    return st.sampled_from(values).flatmap(
        lambda n: st.sampled_from([n, n, str(n)]))


@st.composite
def host_reservation(draw):
    low = draw(st.sampled_from([1, 1, 1, 2, 3]))
    high = draw(st.sampled_from([low, low, low + 1, 3]))
    res = {'resource_type': 'physical:host', 'min': draw(_int([low])),
           'max': draw(_int([max(low, high)]))}
    if draw(st.booleans()):
        res['hypervisor_properties'] = ''
    if draw(st.booleans()):
        res['resource_properties'] = draw(st.sampled_from(
            ['', '["==", "$gpu", "true"]', '["=", "$rack", "r1"]',
             '["==", "$nothing", "1"]']))
    if draw(st.booleans()):
        res['before_end'] = draw(st.sampled_from(['default', 'snapshot']))
    return res


@st.composite
def instance_reservation(draw):
    res = {'resource_type': 'virtual:instance',
           'amount': draw(_int([1, 1, 2, 4])),
           'vcpus': draw(_int([1, 2, 4])),
           'memory_mb': draw(_int([512, 1024, 4096])),
           'disk_gb': draw(_int([0, 10, 20]))}
    if draw(st.booleans()):
        res['affinity'] = draw(st.sampled_from(
            [None, 'None', True, False, 'true', 'false']))
    if draw(st.booleans()):
        res['resource_properties'] = ''
    return res


reservations = st.one_of(host_reservation(), instance_reservation())

# Names that differ only in case, accents, trailing blanks: a backend
# comparing them loosely refuses the second as taken.
LEASE_NAMES = ('lease-1', 'Lease-1', 'LEASE-1', 'lease-1 ', 'l\u00e9ase-1',
               'lease-\u00e9', 'lease-e', 'lease-2', 'x' * 80, 'x' * 81,
               'x' * 255, '\U0001f600', 'lease-\U0001f600')


def lease_names():
    return st.one_of(st.sampled_from(LEASE_NAMES),
                     st.sampled_from(LEASE_NAMES),
                     st.text(string.ascii_letters + string.digits + '-',
                             min_size=1, max_size=10))


@st.composite
def lease_body(draw):
    start, end, start_epoch, end_epoch = draw(window())
    body = {'name': draw(lease_names()), 'start_date': start,
            'end_date': end,
            'reservations': draw(st.lists(reservations, min_size=1,
                                          max_size=2))}
    if draw(st.booleans()):
        body['events'] = []
    if draw(one_in(4)):
        body['before_end_date'] = draw(dates_at(
            (start_epoch + end_epoch) // 2 // 60 * 60))
    if draw(one_in(4)):
        body['end_action'] = draw(st.sampled_from(['delete', 'shelve',
                                                   'keep']))
    return body


@st.composite
def lease_update_body(draw, k):
    body = {}
    keys = draw(st.lists(st.sampled_from(
        ['name', 'start_date', 'end_date', 'before_end_date', 'prolong_for',
         'reduce_by', 'defer_by', 'advance_by', 'reservations']),
        min_size=1, max_size=3, unique=True))
    start, end, start_epoch, end_epoch = draw(window())
    for key in keys:
        if key == 'name':
            body[key] = draw(lease_names())
        elif key == 'start_date':
            body[key] = start
        elif key == 'end_date':
            body[key] = end
        elif key == 'before_end_date':
            body[key] = draw(dates_at(start_epoch + 60))
        elif key == 'reservations':
            change = {'id': Res(k, draw(st.integers(0, 1)))}
            for field in draw(st.lists(st.sampled_from(
                    ['min', 'max', 'amount', 'vcpus', 'memory_mb',
                     'disk_gb']), max_size=2, unique=True)):
                change[field] = draw(_int([1, 2, 3]))
            body[key] = [change]
        else:
            body[key] = draw(st.sampled_from(
                ['1h', '30m', '2d', '60', '1d', '1h', '24855d',
                 '2147483647']))
    return body


@st.composite
def availability_body(draw):
    start, end, _, _ = draw(window())
    body = {'reservation': draw(reservations), 'start_date': start,
            'end_date': end}
    if draw(st.booleans()):
        body['duration'] = draw(st.sampled_from(['1h', 3600, '8h', '2d',
                                                 '60']))
    return body


HOST_NAMES = ('cn1', 'cn2', 'cn3', 'cn1', 'cn2', 'cn3', 'CN1', 'cn1 ',
              ' cn1', 'cn4', '', 'cn1&name=cn2', 'cn1#x', 'in:cn1,cn2',
              'cn%31', '%', 'cn1?x=1', 'cn1\x00', 'cn1/../cn2',
              'c\u00f1', 'x' * 255, 'x' * 256)


@st.composite
def host_body(draw):
    body = {'name': draw(st.sampled_from(HOST_NAMES))}
    for name in draw(st.lists(st.sampled_from(
            ['gpu', 'rack', 'GPU', 'a' * 64, 'zone.az:1', 'secret']),
            max_size=2, unique=True)):
        body[name] = draw(st.sampled_from(
            ['true', 'r1', 'r2', 1, True, 2.5, '', 'true', 'r1',
             Raw('NaN'), Raw('Infinity'), Raw('-Infinity'), Raw('1e400'),
             '\x00', 'x' * 256]))
    if draw(one_in(4)):
        body['reservable'] = draw(st.booleans())
    return body


@st.composite
def host_update_body(draw):
    body = {}
    for name in draw(st.lists(st.sampled_from(
            ['gpu', 'rack', 'GPU', 'reservable', 'secret']), min_size=1,
            max_size=3, unique=True)):
        if name == 'reservable':
            body[name] = draw(st.booleans())
        else:
            body[name] = draw(st.sampled_from(
                ['true', 'false', 'r1', None, 3, False, 'true', None,
                 Raw('NaN'), Raw('1e400'), '\x00']))
    return body


# --- mutations ---------------------------------------------------------------

def _positions(node, path=()):
    """Paths to every value in a tree of dicts and lists."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            found.append(path + (key,))
            found.extend(_positions(value, path + (key,)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.append(path + (index,))
            found.extend(_positions(value, path + (index,)))
    return found


def _containers(node, path=()):
    """Paths to every dict in a tree."""
    found = []
    if isinstance(node, dict):
        found.append(path)
        for key, value in node.items():
            found.extend(_containers(value, path + (key,)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.extend(_containers(value, path + (index,)))
    return found


def _get(node, path):
    for step in path:
        node = node[step]
    return node


def _copy(node):
    if isinstance(node, dict):
        return {k: _copy(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_copy(v) for v in node]
    return node


@st.composite
def mutated(draw, bodies):
    """A body from ``bodies`` changed in one to three places: a value
    replaced by a hostile one, a field removed, a field added (unknown or
    echoed from Blazar's GET), a value wrapped; or the whole body
    replaced, nested deep, or written with a duplicate key."""
    body = _copy(draw(bodies))
    how = draw(st.sampled_from(['fields'] * 6 + ['whole', 'deep',
                                                 'duplicate']))
    if how == 'whole':
        return draw(st.one_of(st.sampled_from(JUNK), deep_values(),
                              st.just([body]), st.just(Raw('NaN'))))
    if how == 'deep':
        path = draw(st.sampled_from(_positions(body)))
        parent = _get(body, path[:-1])
        parent[path[-1]] = draw(deep_values())
        return body
    if how == 'duplicate':
        key = draw(st.sampled_from(sorted(body)))
        value = _copy(draw(st.one_of(hostile(kind_of(key)),
                                     st.just(body[key]))))
        items = list(body.items())
        at = draw(st.integers(0, len(items)))
        items.insert(at, (key, value))
        return Pairs(tuple(items))
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(['replace', 'replace', 'replace',
                                   'delete', 'add', 'echo', 'wrap']))
        positions = _positions(body)
        if op in ('replace', 'delete', 'wrap') and positions:
            path = draw(st.sampled_from(positions))
            parent = _get(body, path[:-1])
            if op == 'delete':
                del parent[path[-1]]
            elif op == 'wrap':
                parent[path[-1]] = draw(st.sampled_from(
                    [[parent[path[-1]]], {'value': parent[path[-1]]}]))
            else:
                parent[path[-1]] = _copy(draw(hostile(kind_of(path[-1]))))
        else:
            containers = _containers(body)
            if not containers:
                continue
            path = draw(st.sampled_from(containers))
            target = _get(body, path)
            if op == 'echo':
                keys = ECHOED_RESERVATION if 'reservations' in path \
                    else ECHOED_LEASE
                target[draw(st.sampled_from(keys))] = _copy(
                    draw(ECHO_VALUES))
            else:
                target[draw(st.sampled_from(EXTRA_KEYS))] = _copy(draw(
                    st.one_of(ECHO_VALUES, hostile())))
    return body


@st.composite
def echoed(draw, bodies, lease_level=True):
    """A valid body with fields Blazar returns on GET sent back, at the
    lease's level (``lease_level``) or a reservation's."""
    body = _copy(draw(bodies))
    for _ in range(draw(st.integers(1, 3))):
        reservations = body.get('reservations')
        if isinstance(reservations, list) and reservations and (
                not lease_level or draw(st.booleans())):
            target = reservations[draw(st.integers(
                0, len(reservations) - 1))]
            keys = ECHOED_RESERVATION
        elif lease_level:
            target, keys = body, ECHOED_LEASE
        else:
            break
        if isinstance(target, dict):
            target[draw(st.sampled_from(keys))] = _copy(draw(ECHO_VALUES))
    return body


def near(bodies, valid_weight=2):
    """Valid bodies, and bodies mutated near them."""
    return weighted((bodies, valid_weight), (mutated(bodies), 2))


# --- paths, queries, headers -------------------------------------------------

leases_refs = st.builds(Lease, st.integers(0, 6), st.sampled_from(
    ['exact'] * 8 + ['upper', 'space', 'prefix', 'nul']))
host_refs = st.builds(Host, st.integers(0, 3), st.sampled_from(
    ['id'] * 3 + ['uuid', 'name'] * 2 + list(HOST_FORMS[3:])))

HOSTILE_SEGMENTS = (
    Enc('%C2%B2'), Enc('%D9%A3'), Enc('%EF%BC%93'), Enc('%00'), Enc('1%00'),
    Enc('%FF'), Enc('%C3'), Enc('%ED%A0%80'), Enc('%2F'), Enc('..'),
    Enc('%2E%2E'), Enc('%20'), Enc('%C3%A9t%C3%A9'), Enc('cn1%3F'),
    '0', '-1', '4294967296', '2147483648', '9' * 5000, '1' * 4301,
    'x' * 10000, '', ' ', 'null', 'None', NO_LEASE, NO_LEASE.upper(),
    '1.5', '1e3', '\u00b2', '\u0663', '\uff13', '\u00e9', '\U0001f600',
)

lease_segments = weighted((leases_refs, 3),
                          (st.sampled_from(HOSTILE_SEGMENTS), 1))
host_segments = weighted((host_refs, 4),
                         (st.sampled_from(['1', '2', '3', 'cn1', 'cn2',
                                           Node('cn1'), Node('cn3')]), 1),
                         (st.sampled_from(HOSTILE_SEGMENTS), 1))
property_segments = st.sampled_from(
    ['gpu', 'rack', 'GPU', 'secret', 'nothing', 'a' * 64, 'a' * 65,
     'a' * 300, '\u00e9', Enc('%00'), Enc('%FF'), 'zone.az:1', 'x y'])
suffixes = st.sampled_from(['', '', '', '.json'])

HOSTILE_QUERIES = (
    Enc('status'), Enc('=x'), Enc('%FF=1'), Enc('status=%FF'),
    Enc('status=%C3%A9'), Enc('status=%00'), Enc('project_id=%00'),
    Enc('&&&'), Enc('status=ACTIVE&status=ACTIVE'), Enc('a=' + 'b' * 10000),
    Enc('status=pending;x=1'), Enc('%00=1'), Enc('status=%ED%A0%80'),
)

LEASE_QUERY_VALUES = {
    'status': ['ACTIVE', 'pending', 'PENDING', 'TERMINATED', 'BOGUS', '',
               'x' * 32, 'x' * 33, '\x00', 'active\x00', '\u00e9',
               'PEND\u0130NG'],
    'project_id': ['pA', 'pB', 'admin', 'nobody', '\x00', 'p' * 64,
                   'p' * 65, 'p' * 255, 'p' * 256, '', 'PA', 'pA '],
    'all_projects': ['True', 'false', '1', 'yes', ''],
    'unknown': ['1'],
}


@st.composite
def lease_query(draw):
    pairs = []
    for name in draw(st.lists(st.sampled_from(
            ['status', 'status', 'project_id', 'project_id',
             'all_projects', 'unknown']), max_size=3)):
        pairs.append((name, draw(st.sampled_from(
            LEASE_QUERY_VALUES[name]))))
    if draw(one_in(6)):
        pairs.append(draw(st.sampled_from(HOSTILE_QUERIES)))
    return tuple(pairs)


@st.composite
def allocation_query(draw):
    pairs = []
    for name in draw(st.lists(st.sampled_from(
            ['lease_id', 'reservation_id'] * 3 + ['host']), max_size=2)):
        if name == 'lease_id':
            value = draw(st.one_of(leases_refs, st.sampled_from(
                ['', 'x' * 37, '\x00', NO_LEASE])))
        elif name == 'reservation_id':
            value = draw(st.one_of(st.builds(Res, st.integers(0, 4),
                                             st.integers(0, 1)),
                                   st.sampled_from(['x' * 36, '\x00'])))
        else:
            value = '1'
        pairs.append((name, value))
    if draw(one_in(6)):
        pairs.append(draw(st.sampled_from(HOSTILE_QUERIES)))
    return tuple(pairs)


@st.composite
def property_query(draw):
    pairs = [(name, draw(st.sampled_from(['True', 'true', 'False', '0',
                                          '1', 'yes', '', '\x00'])))
             for name in draw(st.lists(st.sampled_from(
                 ['detail', 'all', 'detail', 'other']), max_size=2))]
    return tuple(pairs)


VERSION_HEADERS = ('reservation 1.0', 'reservation latest',
                   'reservation 2.0', 'reservation 1', 'reservation 1.0.0',
                   'reservation \u0661.\u0660', 'reservation \u00b9.0',
                   'reservation ' + '9' * 5000 + '.0', 'reservation -1.0',
                   'reservation', 'compute 2.1', 'reservation 1.0, '
                   'reservation 2.0', 'reservation 0.9', 'reservation x.y')
CONTENT_TYPES = ('text/plain', 'application/json; charset=latin-1',
                 'application/x-www-form-urlencoded',
                 'multipart/form-data; boundary=x', '', 'APPLICATION/JSON',
                 'application/jsonx', 'application/json-patch+json',
                 'application/json; charset=utf-16', '\u00e9/json')


@st.composite
def headers(draw, body=False):
    found = []
    if draw(one_in(15)):
        found.append(('OpenStack-API-Version', _latin1(draw(
            st.sampled_from(VERSION_HEADERS)))))
    if body and draw(one_in(15)):
        found.append(('Content-Type', _latin1(draw(
            st.sampled_from(CONTENT_TYPES)))))
    return tuple(found)


# --- requests per family -----------------------------------------------------

def _maybe_raw(draw, body):
    """How the body is written: escapes or UTF-8, and (rarely) mangled."""
    ascii_only = draw(st.sampled_from([True, True, False]))
    how = draw(one_in(10)) and draw(st.sampled_from(MANGLES[1:])) or ''
    return ascii_only, how


@st.composite
def lease_create(draw):
    body = draw(weighted((near(lease_body(), valid_weight=3), 4),
                         (echoed(lease_body()), 1)))
    ascii_only, how = _maybe_raw(draw, body)
    return Req('POST', ('v1', 'leases'), token=draw(owner_tokens),
               body=body, suffix=draw(suffixes), ascii=ascii_only,
               mangle=how, headers=draw(headers(body=True)),
               label='POST /v1/leases')


@st.composite
def lease_create_hostile(draw):
    body = draw(mutated(lease_body()))
    ascii_only, how = _maybe_raw(draw, body)
    return Req('POST', ('v1', 'leases'), token=draw(tokens), body=body,
               ascii=ascii_only, mangle=how, headers=draw(headers(True)),
               label='POST /v1/leases')


@st.composite
def lease_update(draw):
    k = draw(st.integers(0, 6))
    body = draw(weighted((near(lease_update_body(k), valid_weight=3), 4),
                         (echoed(lease_update_body(k), lease_level=False),
                          1)))
    ascii_only, how = _maybe_raw(draw, body)
    seg = draw(weighted((st.just(Lease(k)), 3), (lease_segments, 1)))
    return Req('PUT', ('v1', 'leases', seg), token=draw(owner_tokens),
               body=body, suffix=draw(suffixes), ascii=ascii_only,
               mangle=how, headers=draw(headers(True)),
               label='PUT /v1/leases/{lease_id}', target=2)


@st.composite
def lease_read(draw):
    what = draw(st.sampled_from(['list', 'list', 'show', 'show', 'head',
                                 'delete']))
    token = draw(reader_tokens)
    if what == 'list':
        return Req(draw(st.sampled_from(['GET', 'GET', 'HEAD'])),
                   ('v1', 'leases'), token=token, query=draw(lease_query()),
                   suffix=draw(suffixes), headers=draw(headers()),
                   label='GET /v1/leases')
    method = {'show': 'GET', 'head': 'HEAD', 'delete': 'DELETE'}[what]
    return Req(method, ('v1', 'leases', draw(lease_segments)), token=token,
               suffix=draw(suffixes), headers=draw(headers()),
               label='%s /v1/leases/{lease_id}' % method, target=2)


HOST_ENROL = ('enrol',)
HOST_BY_ID = ('show', 'show', 'update', 'delete', 'allocation')
HOST_LISTS = ('list', 'allocations', 'properties', 'property')


@st.composite
def host_request(draw, kinds=HOST_ENROL + HOST_BY_ID + HOST_LISTS):
    what = draw(st.sampled_from(kinds))
    token = draw(st.sampled_from([ADMIN] * 6 + [MEMBER_A, 'admin:pB',
                                                ':pA', 'admin:admin']))
    suffix = draw(suffixes)
    if what == 'enrol':
        body = draw(near(host_body(), valid_weight=3))
        ascii_only, how = _maybe_raw(draw, body)
        return Req('POST', ('v1', 'os-hosts'), token=token, body=body,
                   ascii=ascii_only, mangle=how, suffix=suffix,
                   headers=draw(headers(True)), label='POST /v1/os-hosts')
    if what == 'list':
        return Req('GET', ('v1', 'os-hosts'), token=token, suffix=suffix,
                   query=draw(st.sampled_from([(), (), (('x', '1'),)])),
                   label='GET /v1/os-hosts')
    if what == 'allocations':
        return Req('GET', ('v1', 'os-hosts', 'allocations'), token=token,
                   query=draw(allocation_query()), suffix=suffix,
                   label='GET /v1/os-hosts/allocations')
    if what == 'properties':
        return Req('GET', ('v1', 'os-hosts', 'properties'), token=token,
                   query=draw(property_query()), suffix=suffix,
                   label='GET /v1/os-hosts/properties')
    if what == 'property':
        body = draw(near(st.fixed_dictionaries(
            {'private': st.booleans()})))
        return Req('PATCH', ('v1', 'os-hosts', 'properties',
                             draw(property_segments)),
                   token=token, body=body, suffix=suffix,
                   label='PATCH /v1/os-hosts/properties/{name}')
    seg = draw(host_segments)
    if what == 'allocation':
        return Req('GET', ('v1', 'os-hosts', seg, 'allocation'),
                   token=token, query=draw(allocation_query()),
                   suffix=suffix, target=2,
                   label='GET /v1/os-hosts/{host_id}/allocation')
    if what == 'show':
        method = draw(st.sampled_from(['GET', 'GET', 'HEAD']))
        return Req(method, ('v1', 'os-hosts', seg), token=token,
                   suffix=suffix, target=2,
                   label='%s /v1/os-hosts/{host_id}' % method)
    if what == 'update':
        body = draw(near(host_update_body()))
        ascii_only, how = _maybe_raw(draw, body)
        return Req('PUT', ('v1', 'os-hosts', seg), token=token, body=body,
                   ascii=ascii_only, mangle=how, suffix=suffix, target=2,
                   headers=draw(headers(True)),
                   label='PUT /v1/os-hosts/{host_id}')
    return Req('DELETE', ('v1', 'os-hosts', seg), token=token,
               suffix=suffix, target=2, label='DELETE /v1/os-hosts/{host_id}')


@st.composite
def availability_request(draw):
    body = draw(near(availability_body()))
    ascii_only, how = _maybe_raw(draw, body)
    return Req('POST', ('v1', 'availability'), token=draw(tokens),
               body=body, ascii=ascii_only, mangle=how,
               suffix=draw(suffixes), headers=draw(headers(True)),
               label='POST /v1/availability')


# Every route (ROUTES in wsgi_app.py, plus ``/``) with its segments.
ROUTE_TEMPLATES = (
    ('/', (), None),
    ('/v1', ('v1',), None),
    ('/v1/leases', ('v1', 'leases'), None),
    ('/v1/leases/{lease_id}', ('v1', 'leases', 'L'), 2),
    ('/v1/os-hosts', ('v1', 'os-hosts'), None),
    ('/v1/os-hosts/allocations', ('v1', 'os-hosts', 'allocations'), None),
    ('/v1/os-hosts/properties', ('v1', 'os-hosts', 'properties'), None),
    ('/v1/os-hosts/properties/{name}',
     ('v1', 'os-hosts', 'properties', 'P'), None),
    ('/v1/os-hosts/{host_id}/allocation',
     ('v1', 'os-hosts', 'H', 'allocation'), 2),
    ('/v1/os-hosts/{host_id}', ('v1', 'os-hosts', 'H'), 2),
    ('/v1/availability', ('v1', 'availability'), None),
)
UNKNOWN_PATHS = (
    ('v2',), ('v1', ''), ('v1', 'leases', ''), ('', 'v1', 'leases'),
    ('V1', 'leases'), ('v1', 'Leases'), ('v1', 'nothing'),
    ('v1', 'leases', 'a', 'b'), ('v1', 'os-hosts', '1', 'allocation', 'x'),
    ('v1', 'os-hosts', 'properties', 'gpu', 'x'), ('v1', 'leases.xml'),
    ('v1', 'leases.json.json'), ('v1', 'availability', 'x'),
    ('v1', Enc('leases%00')), ('v1', 'x' * 10000), ('.json',),
    ('v1', Enc('%FF')), (Enc('%C3'),), ('v1', 'os-hosts', ''),
)
METHODS = ('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS',
           'TRACE', 'FOO', 'get', 'CONNECT')


@st.composite
def any_request(draw):
    """Any route or an unknown path, any method, any body: what the API
    must refuse cleanly (405 with Allow, 404, 400, 415...)."""
    if draw(one_in(5)):
        path, target, template = draw(st.sampled_from(UNKNOWN_PATHS)), \
            None, '<unknown>'
    else:
        template, shape, target = draw(st.sampled_from(ROUTE_TEMPLATES))
        path = []
        for seg in shape:
            if seg == 'L':
                seg = draw(lease_segments)
            elif seg == 'H':
                seg = draw(host_segments)
            elif seg == 'P':
                seg = draw(property_segments)
            path.append(seg)
        path = tuple(path)
    method = draw(st.sampled_from(METHODS))
    bodies = st.one_of(
        lease_body(), mutated(lease_body()), host_body(),
        st.just({'private': True}), availability_body(),
        st.sampled_from(JUNK), deep_values(),
        st.sampled_from([b'{', b'{"a": 1,}', b"{'a': 1}", b'\xff\xfe',
                         b'{"a": NaN}', b'[' * 100000, b'\x00',
                         b' ' * 1000, b'{"a": "\\ud800"}',
                         b'{"a": "\\u0000"}', b'nul' + b'l']))
    body = draw(weighted((st.just(NOBODY), 3), (st.just(b''), 1),
                         (bodies, 4)))
    ascii_only, how = _maybe_raw(draw, body)
    return Req(method, path, token=draw(tokens), body=body,
               query=draw(st.one_of(st.just(()), lease_query(),
                                    allocation_query())),
               suffix=draw(suffixes) if path else '',
               headers=draw(headers(body is not NOBODY)), ascii=ascii_only,
               mangle=how if not isinstance(body, bytes) else '',
               label='%s %s' % (method, template), target=target)


def enrol(name, token=ADMIN):
    return Req('POST', ('v1', 'os-hosts'), token=token, body={'name': name},
               label='POST /v1/os-hosts')


# --- a dictionary of edge requests -------------------------------------------
# Random generation finds the rare inputs only now and then; these are
# drawn as often as any other family, so that every documented edge is
# tried in each run (on whatever state the sequence has reached).

def _lease(**changes):
    body = {'name': 'lease-1', 'start_date': '2030-01-02 00:00',
            'end_date': '2030-01-03 00:00',
            'reservations': [{'resource_type': 'physical:host', 'min': 1,
                              'max': 1}]}
    body.update(changes)
    return body


def _instance(**changes):
    res = {'resource_type': 'virtual:instance', 'amount': 1, 'vcpus': 1,
           'memory_mb': 512, 'disk_gb': 0}
    res.update(changes)
    return res


def _post_lease(token=MEMBER_A, **changes):
    return Req('POST', ('v1', 'leases'), token=token, body=_lease(**changes),
               label='POST /v1/leases')


def _put_lease(body, token=ADMIN, k=0):
    return Req('PUT', ('v1', 'leases', Lease(k)), token=token, body=body,
               label='PUT /v1/leases/{lease_id}', target=2)


def _read(path, token=ADMIN, query=(), target=None, label=None,
          method='GET'):
    return Req(method, path, token=token, query=query, target=target,
               label=label or '%s /%s' % (method, '/'.join(
                   s if isinstance(s, str) else '{id}' for s in path)))


def _lease_path(seg, method='GET', token=ADMIN):
    return Req(method, ('v1', 'leases', seg), token=token, target=2,
               label='%s /v1/leases/{lease_id}' % method)


def _host_path(seg, method='GET', token=ADMIN, body=NOBODY):
    return Req(method, ('v1', 'os-hosts', seg), token=token, target=2,
               body=body, label='%s /v1/os-hosts/{host_id}' % method)


def _enrol(body, token=ADMIN):
    return Req('POST', ('v1', 'os-hosts'), token=token, body=body,
               label='POST /v1/os-hosts')


def _availability(**changes):
    body = {'reservation': _instance(), 'start_date': '2030-01-02 00:00',
            'end_date': '2030-01-09 00:00', 'duration': '8h'}
    body.update(changes)
    return Req('POST', ('v1', 'availability'), token=MEMBER_A, body=body,
               label='POST /v1/availability')


# Hosts and two projects' leases for the dictionary to act on.
SETUP = (
    enrol('cn1'), enrol('cn2'),
    _post_lease(name='setup-a'),
    _post_lease(token=MEMBER_B, name='setup-b',
                reservations=[_instance()]),
)

CURATED = (
    # Leases that differ from each other only in case, accents or blanks.
    _post_lease(), _post_lease(name='LEASE-1'), _post_lease(name='lease-1 '),
    _post_lease(name='lease-\u00e9'), _post_lease(name='lease-e'),
    _post_lease(token=MEMBER_B, reservations=[_instance()]),
    # noauth tokens.
    _read(('v1', 'leases'), token=':pA'), _read(('v1', 'leases'), token='u1:'),
    _read(('v1', 'leases'), token=''), _read(('v1', 'leases'), token=None),
    _read(('v1', 'leases'), token='admin:pB'),
    _read(('v1', 'leases'), token='admin:admin'),
    _read(('v1', 'os-hosts'), token='admin:pB'),
    _read(('v1', 'os-hosts', 'allocations'), token='admin:admin'),
    _post_lease(token=':pA', name='lease-3'),
    _post_lease(token='u' * 65 + ':pA', name='lease-4'),
    _post_lease(token='u1:' + 'p' * 65, name='lease-5'),
    _post_lease(token=_latin1('\u00fc:p\u00c4'), name='lease-6'),
    # Other projects' leases.
    _lease_path(Lease(0), token=MEMBER_B),
    _lease_path(Lease(1), token=MEMBER_A),
    _lease_path(Lease(0), 'DELETE', token=MEMBER_B),
    _put_lease({'name': 'mine'}, token=MEMBER_B),
    # Ids spelled otherwise.
    _lease_path(Lease(0, 'upper')), _lease_path(Lease(0, 'space')),
    _lease_path(Lease(0, 'nul')), _lease_path(Enc('%00')),
    _lease_path(Lease(0, 'upper'), 'DELETE'),
    _host_path(Enc('%C2%B2')), _host_path(Enc('%D9%A3')),
    _host_path(Enc('%EF%BC%93')), _host_path('9' * 5000),
    _host_path(Host(0, 'NAME')), _host_path(Host(0, 'name ')),
    _host_path(Host(0, 'arabic')), _host_path(Host(0, 'superscript'), 'PUT',
                                              body={'gpu': 'x'}),
    _host_path(Host(1, 'fullwidth'), 'DELETE'),
    _read(('v1', 'os-hosts', Enc('%00'), 'allocation'), target=2,
          label='GET /v1/os-hosts/{host_id}/allocation'),
    # Queries.
    _read(('v1', 'leases'), query=(('status', 'BOGUS'),)),
    _read(('v1', 'leases'), query=(('status', 'pending\x00'),)),
    _read(('v1', 'leases'), query=(('project_id', '\x00'),)),
    _read(('v1', 'leases'), query=(('project_id', 'p' * 65),)),
    _read(('v1', 'os-hosts', 'allocations'), query=(('lease_id', '\x00'),)),
    _read(('v1', 'os-hosts', 'properties'),
          query=(('detail', 'True'), ('all', 'True'))),
    # Hosts.
    _enrol({'name': 'cn1&name=cn3'}), _enrol({'name': 'cn1,cn2'}),
    _enrol({'name': 'cn1#'}), _enrol({'name': 'cn1\x00'}),
    _enrol({'name': 'CN2'}), _enrol({'name': 'cn2', 'gpu': Raw('NaN')}),
    _enrol({'name': 'cn3', 'rack': Raw('1e400')}),
    _enrol({'name': 'cn3', 'rack': 'r\x00'}),
    _host_path(Host(0), 'PUT', body={'gpu': Raw('Infinity')}),
    _host_path(Host(0), 'PUT', body={'gpu': '\x00'}),
    _host_path(Host(0), 'PUT', body={'a' * 64: 'x' * 255}),
    Req('PATCH', ('v1', 'os-hosts', 'properties', Enc('%00')),
        body={'private': True}, label='PATCH /v1/os-hosts/properties/{name}'),
    Req('PATCH', ('v1', 'os-hosts', 'properties', 'a' * 300),
        body={'private': True}, label='PATCH /v1/os-hosts/properties/{name}'),
    # Bodies.
    _post_lease(name='lease-7', end_date='9999-12-31T23:00-01:00'),
    _post_lease(name='lease-8', end_date='9999-12-31 23:59'),
    _post_lease(name='\x00'), _post_lease(name='x' * 81),
    _post_lease(name='lease-9', reservations=[{
        'resource_type': 'physical:host', 'min': 1, 'max': 1,
        'resource_id': NO_LEASE, 'allocations': [], 'created_at': None}]),
    _post_lease(name='lease-10', reservations=[{
        'resource_type': 'physical:host', 'min': '9' * 5000, 'max': 1}]),
    _post_lease(name='lease-11', reservations=[{
        'resource_type': 'physical:host', 'min': Raw('NaN'), 'max': 1}]),
    _post_lease(name='lease-12', reservations=[_instance(vcpus='\u00b2')]),
    Req('POST', ('v1', 'leases'), body=Deep(100000), label='POST /v1/leases'),
    Req('POST', ('v1', 'leases'), body=_lease(events=[Deep(990, '{')]),
        label='POST /v1/leases'),
    Req('POST', ('v1', 'leases'), body=Pairs((('name', 'a'), ('name', 'b'))),
        label='POST /v1/leases'),
    _put_lease({'end_date': '9999-12-31 23:59'}),
    _put_lease({'prolong_for': '24855d'}),
    _put_lease({'prolong_for': '9' * 32}),
    _put_lease({'defer_by': '2147483647'}),
    _put_lease({'reservations': [{'id': Res(0), 'min': '9' * 5000}]}),
    _put_lease({'reservations': [{'id': Res(0), 'resource_id': NO_LEASE}]}),
    _availability(duration='9' * 5000), _availability(duration=Raw('NaN')),
    _availability(end_date='2031-01-03 00:00'),
    _availability(end_date='9999-12-31T23:00-01:00'),
)
