"""Property-based fuzzing of the reservation API on every backend (the
permanent guard of issue 15).

A hypothesis state machine sends sequences of valid, near-valid and
hostile requests (``fuzz_strategies``) over every route and method, plus
``/``, ``.json`` suffixes, HEAD, wrong methods and unknown paths. Each
example starts from empty stores and Placement's three compute nodes, and
each request is sent to every backend in turn (SQLite, MariaDB,
PostgreSQL: the same request with the same fixed clock), its references
(the k-th lease created so far, the k-th host enrolled...) resolved to
that backend's ids. For every backend:

* no 5xx, and no exception escaping the application or breaking a
  streamed body off;
* every body is strict JSON (no NaN/Infinity), errors have Blazar's
  ``{error_code, error_message, error_name}``, every answer has the
  version header, a 405 says ``Allow``, a HEAD answer has no body;
* a refused request (4xx) changes nothing: every store table (and, for
  hosts, the compute nodes' traits in Placement) is as before; a GET or
  HEAD never changes anything;
* noauth tokens mean what doc/api.md says: only ``admin`` administers
  (hosts, allocations, properties), a token with an empty user or project
  is refused, a project sees and changes only its own leases (another
  project's is not found), a lease made with ``USER:PROJECT`` is
  PROJECT's;
* a 2xx on ``/v1/leases/{id}`` or ``/v1/os-hosts/{id}`` acted on the
  object that segment names exactly (its id, uuid or hostname; a host id
  in ASCII digits), and enrolment took the compute node of that name;
* ``GET /v1/leases?status=X`` with X no lease status is refused;
* a body that passes the API's JSON schema is not refused by the store
  as malformed (unknown field, too long): schema and store agree;
* dates in leases are Blazar's ``YYYY-MM-DDTHH:MM:SS.ffffff``;

and every backend answers with the same status class (2xx/4xx). After the
first disagreement in an example the stores differ, so the rest of that
example is checked per backend only.

Before the state machine, a dictionary of edge requests
(``fs.CURATED``: malformed tokens, Unicode-digit and NUL ids, NaN, year
10000, deep nesting, echoed fields...) is sent once each over hosts and
two projects' leases, so that every known edge is tried in every run; the
state machine also draws from it.

The run does not stop at the first failure: it collects every distinct
failure (grouped by check and route, server errors by their cause),
replays each to find a short sequence that still shows it (at most
``FUZZ_REPLAY_BUDGET`` seconds, 30), and fails at the end listing them
all with the API's logged tracebacks (also written to ``$FUZZ_REPORT``
when set). ``FUZZ_FAIL_FAST=1`` raises at the first failure instead, so
that hypothesis shrinks it (minutes). The budget: ``FUZZ_EXAMPLES``
sequences (80) of at most ``FUZZ_STEPS`` requests (40), about 2,800
requests per backend, 2 minutes on a quiet 2-core machine (a failing run
adds the replays). The run prints how many requests each backend got
(``-s``, the terminal summary, the ``fuzz_requests`` property);
``FUZZ_VERBOSE=1`` adds the statuses of each route, ``FUZZ_VERBOSE=N``
its N-1 commonest refusals.
"""

import collections
import json
import logging
import os
import re
import time
import traceback

import jsonschema
import pytest
from hypothesis import HealthCheck
from hypothesis import Phase
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import initialize
from hypothesis.stateful import rule
from hypothesis.stateful import RuleBasedStateMachine
from hypothesis.stateful import run_state_machine_as_test

from placement_ext.api.schemas import availability as availability_schemas
from placement_ext.api.schemas import hosts as host_schemas
from placement_ext.api.schemas import leases as lease_schemas
from placement_ext.db import models
from blazar_nova import names as placement_names
from placement_ext.reservations import physical_host
from placement_ext.reservations import virtual_instance
from placement_ext import states
from placement_ext.testing import placement_service
from tests.functional.api import backends as api_backends
from tests.functional.api import fuzz_strategies as fs

EXAMPLES = int(os.environ.get('FUZZ_EXAMPLES', '80'))
STEPS = int(os.environ.get('FUZZ_STEPS', '40'))
# 1: statuses per route in the summary; N: also the N-1 commonest
# refusals of each route.
VERBOSE = int(os.environ.get('FUZZ_VERBOSE') or 0)
FAIL_FAST = os.environ.get('FUZZ_FAIL_FAST', '') not in ('', '0')
# Time the end-of-run replays (shortening each failure's sequence) may
# take, in seconds.
REPLAY_BUDGET = float(os.environ.get('FUZZ_REPLAY_BUDGET', '30'))

SETTINGS = settings(
    max_examples=EXAMPLES,
    stateful_step_count=STEPS,
    deadline=None,
    database=None,
    derandomize=True,
    print_blob=False,
    suppress_health_check=[HealthCheck.too_slow,
                           HealthCheck.data_too_large,
                           HealthCheck.filter_too_much],
    phases=((Phase.explicit, Phase.generate, Phase.shrink) if FAIL_FAST
            else (Phase.explicit, Phase.generate)),
)

ERROR_KEYS = {'error_code', 'error_message', 'error_name'}
VERSION = 'reservation 1.0'
BLAZAR_DATE = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$')
LEASE_DATES = ('start_date', 'end_date', 'before_end_date', 'created_at',
               'updated_at')
# Store refusals that say a body is malformed (what the schema checks).
MALFORMED = re.compile(r'unknown field|characters long|must be an object'
                       r'|must be a JSON')
# Failures grouped by their detail alone, whatever route shows them.
ACROSS_ROUTES = frozenset([
    'malformed token accepted',
    'non-admin token allowed on an admin-only route',
    "a project sees another project's lease",
    'body is not strict JSON', 'schema and store disagree',
    'exception escaped the application', 'streamed body broke off'])
# A reservation field of one resource type sent for the other: the
# schema allows both types' fields (the type of a reservation being
# changed is in the store), so only the store can refuse it.
TYPE_SPECIFIC = re.compile(
    r'reservations\[\d+\]\.(%s): unknown field'
    % '|'.join(sorted(set(physical_host.PhysicalHost.fields)
                      ^ set(virtual_instance.VirtualInstance.fields))))


# The whole fuzz run is one test of about two minutes, four on a loaded
# machine: more than the suite's per-test timeout allows.
pytestmark = pytest.mark.timeout(600)


# --- what each backend holds -------------------------------------------------

class Model:
    """What one backend holds, from its tables after each request: leases
    in the order they appeared (deleted ones stay, so that requests may
    name them), their reservations in an order that does not depend on
    their random ids, and hosts in the order they were enrolled (an
    enrolment is a row that was not there before: SQLite gives a new
    host the id of one removed)."""

    def __init__(self):
        self.leases = []
        self.lease_rows = {}
        self.reservations = {}
        self.hosts = []
        self.host_rows = {}
        self._present = {}

    def refresh(self, dump, columns):
        def dicts(table):
            return [dict(zip(columns[table], row)) for row in dump[table]]

        leases = sorted(dicts('leases'), key=lambda r: r['id'])
        for row in leases:
            if row['id'] not in self.lease_rows:
                self.leases.append(row['id'])
            self.lease_rows[row['id']] = row
        by_lease = collections.defaultdict(list)
        for row in dicts('reservations'):
            by_lease[row['lease_id']].append(row)
        for lease_id, rows in by_lease.items():
            rows.sort(key=lambda r: repr(sorted(
                (k, v) for k, v in r.items()
                if k not in ('id', 'lease_id', 'created_at',
                             'updated_at'))) + r['id'])
            self.reservations[lease_id] = [r['id'] for r in rows]
        present = {}
        for row in sorted(dicts('hosts'), key=lambda r: int(r['id'])):
            key = (str(row['id']), row['uuid'])
            index = self._present.get(key)
            if index is None:
                index = len(self.hosts)
                self.hosts.append(row)
            self.hosts[index] = row
            present[key] = index
            self.host_rows[str(row['id'])] = row
        self._present = present

    def copy(self):
        other = Model()
        other.leases = list(self.leases)
        other.lease_rows = dict(self.lease_rows)
        other.reservations = dict(self.reservations)
        other.hosts = list(self.hosts)
        other.host_rows = dict(self.host_rows)
        other._present = dict(self._present)
        return other


class Resolver:
    """Turns the references of a request into one backend's ids."""

    def __init__(self, model, node_uuids):
        self.model = model
        self.node_uuids = node_uuids

    def __call__(self, ref):
        if isinstance(ref, fs.Lease):
            ids = self.model.leases
            lease_id = ids[ref.k % len(ids)] if ids else fs.NO_LEASE
            return {'exact': lease_id, 'upper': lease_id.upper(),
                    'space': lease_id + ' ', 'prefix': lease_id[:-1],
                    'nul': lease_id + '\x00'}[ref.form]
        if isinstance(ref, fs.Res):
            ids = self.model.leases
            found = self.model.reservations.get(
                ids[ref.k % len(ids)], []) if ids else []
            return found[ref.j % len(found)] if found else fs.NO_LEASE
        if isinstance(ref, fs.Host):
            if self.model.hosts:
                row = self.model.hosts[ref.k % len(self.model.hosts)]
                host_id, uuid, name = (str(row['id']), row['uuid'],
                                       row['hypervisor_hostname'])
            else:
                number = ref.k % len(fs.NODES) + 1
                name = 'cn%d' % number
                host_id, uuid = str(number), self.node_uuids.get(
                    name, fs.NO_LEASE)
            form = ref.form
            if form in ('arabic', 'fullwidth', 'superscript'):
                return fs.respell_digits(host_id, form)
            return {'id': host_id, 'uuid': uuid, 'name': name,
                    'NAME': name.upper(), 'name ': name + ' ',
                    'padded': '0' + host_id}[form]
        if isinstance(ref, fs.Node):
            return self.node_uuids.get(ref.name, fs.NO_LEASE)
        raise TypeError(ref)


# --- the API's log -----------------------------------------------------------

class LogCapture(logging.Handler):
    """Warnings and errors the API logs while serving one request."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.records = []

    def emit(self, record):
        self.records.append(record)


def _traceback_of(records):
    """The logged traceback, cut to our frames and the exception."""
    for record in records:
        if record.exc_info and record.exc_info[1] is not None:
            return _our_frames(record.exc_info[1])
    return '\n'.join(record.getMessage() for record in records)


def _our_frames(exc):
    lines = ['Traceback (placement_ext frames):']
    for frame in traceback.extract_tb(exc.__traceback__):
        if '/placement_ext/' in frame.filename:
            lines.append('  %s:%d %s: %s' % (
                frame.filename.split('/placement_ext/')[-1], frame.lineno,
                frame.name, (frame.line or '').strip()))
    lines.extend(traceback.format_exception_only(type(exc), exc))
    return '\n'.join(line.rstrip() for line in lines)


def _cause_of(records):
    """The exception type and the innermost frame of ours it went
    through: what groups 5xx answers."""
    for record in records:
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            frames = traceback.extract_tb(record.exc_info[2])
            ours = [f for f in frames if '/placement_ext/' in f.filename]
            where = ours[-1] if ours else (frames[-1] if frames else None)
            place = ('%s:%s' % (where.filename.split('/placement_ext/')[-1],
                                where.name) if where else '?')
            return '%s.%s at %s' % (type(exc).__module__,
                                    type(exc).__qualname__, place)
    for record in records:
        return _normalise(record.getMessage())[:120]
    return 'nothing logged'


def _normalise(text):
    text = re.sub(r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-'
                  r'[0-9a-f]{12}', '<uuid>', text, flags=re.I)
    return re.sub(r'\d+', '#', text)


# --- one request on one backend ----------------------------------------------

class Outcome:
    def __init__(self, backend):
        self.backend = backend
        self.status = None
        self.resp = None
        self.body = b''
        self.doc = None
        self.broken = None
        self.escaped = None
        self.logs = []
        self.before = self.after = None
        self.traits_before = self.traits_after = None
        self.resolve = None
        self.model = None

    @property
    def kind(self):
        return 'exception' if self.status is None else \
            '%dxx' % (self.status // 100)

    def message(self):
        if isinstance(self.doc, dict) and 'error_message' in self.doc:
            return str(self.doc['error_message'])
        if self.escaped:
            return self.escaped.strip().splitlines()[-1]
        return ''


class Failure:
    def __init__(self, kind, label, detail, req, outcomes, history,
                 trace=''):
        self.kind = kind
        self.label = label
        self.detail = detail
        self.req = req
        self.statuses = {o.backend: o.status for o in outcomes}
        self.messages = {o.backend: o.message()[:300] for o in outcomes}
        self.history = list(history)
        self.trace = trace
        self.backends = set()
        self.labels = set()
        self.count = 0
        self.replay = None


class Fuzzer:
    """Sends requests to every backend, checks them, keeps the failures."""

    def __init__(self, found):
        self.found = found
        self.names = list(found.apis)
        self.columns = {t.name: [c.name for c in t.columns]
                        for t in models.Base.metadata.sorted_tables}
        self.failures = {}
        self.counts = collections.Counter()
        # Status classes (and statuses by route) of the first backend.
        self.statuses = collections.Counter()
        self.by_route = collections.defaultdict(collections.Counter)
        self.refusals = collections.defaultdict(collections.Counter)
        self.examples = 0
        self.unchecked_agreement = 0
        self.counting = True
        self.capture = LogCapture()
        self.logger = logging.getLogger('placement_ext')
        self.models = {}
        self.last_rows = {}
        self.last_traits = None
        self.history = []
        self.diverged = False
        self.sink = None

    # Examples --------------------------------------------------------------
    def reset(self):
        """Empty stores (their locks rows back, ids counted from 1) and
        Placement with its three compute nodes."""
        self.found.reset()
        self.models = {name: Model() for name in self.names}
        self.last_rows = {}
        self.last_traits = None
        self.history = []
        self.diverged = False

    def step(self, req):
        """Send ``req`` to every backend and check the answers; the
        signatures of the failures it showed."""
        outcomes = [self._send(name, req) for name in self.names]
        found = []
        for outcome in outcomes:
            for kind, detail, trace in self._check(req, outcome):
                found.append(self._record(kind, detail, req, [outcome],
                                          trace))
        kinds = {o.kind for o in outcomes}
        if len(kinds) > 1:
            if any(o.status is None or o.status >= 500 for o in outcomes):
                # Reported as a server error; the stores may differ now.
                self.diverged = True
            elif self.diverged:
                self.unchecked_agreement += 1
            else:
                self.diverged = True
                detail = ', '.join('%s %s' % (o.backend, o.kind)
                                   for o in outcomes)
                found.append(self._record(
                    'backends disagree', detail, req, outcomes, ''))
        self.history.append((req, {o.backend: o.status for o in outcomes}))
        if self.counting:
            first = outcomes[0]
            self.statuses[first.kind] += 1
            self.by_route[req.label][first.status] += 1
            if first.status is not None and first.status >= 400:
                self.refusals[req.label][
                    '%s %s' % (first.status,
                               _normalise(first.message())[:70])] += 1
        if found and FAIL_FAST:
            raise AssertionError(self.describe(self.failures[found[0]]))
        return set(found)

    def _record(self, kind, detail, req, outcomes, trace):
        # A server error is one failure wherever its cause shows; so is a
        # token given the wrong rights, or text refused by the store.
        label = '' if kind.endswith(' answered') or \
            kind in ACROSS_ROUTES else req.label
        signature = (kind, label, detail)
        if self.sink is not None:
            self.sink.add(signature)
            return signature
        failure = self.failures.get(signature)
        if failure is None:
            failure = self.failures[signature] = Failure(
                kind, req.label, detail, req, outcomes, self.history, trace)
        failure.count += 1
        failure.labels.add(req.label)
        failure.backends.update(o.backend for o in outcomes)
        if len(outcomes) == 1:
            failure.statuses.setdefault(outcomes[0].backend,
                                        outcomes[0].status)
            failure.messages.setdefault(outcomes[0].backend,
                                        outcomes[0].message()[:300])
        return signature

    def _traits(self):
        """The compute nodes that carry the reservable trait (what host
        enrolment and removal change in Placement)."""
        return placement_service.carriers(self.found.placement,
                                          placement_names.RESERVABLE_TRAIT)

    def _send(self, backend, req):
        api = self.found.apis[backend]
        model = self.models[backend]
        out = Outcome(backend)
        out.model = model.copy()
        # References resolve as the backend was before the request.
        out.resolve = Resolver(out.model, self.found.node_uuids)
        path = req.path_text(out.resolve)
        raw = req.body_bytes(out.resolve)
        watch = req.path[1:2] == ('os-hosts',) and req.method not in (
            'GET', 'HEAD')
        # Nothing but these requests writes to the stores or to the
        # traits: what the last request left is what this one finds.
        out.before = self.last_rows.get(backend) or api.rows()
        if watch:
            if self.last_traits is None:
                self.last_traits = self._traits()
            out.traits_before = self.last_traits
        self.capture.records = []
        self.logger.addHandler(self.capture)
        try:
            resp = api.request(req.method, path, token=req.token, raw=raw,
                               headers=req.header_items())
            out.resp, out.status = resp, resp.status_int
            try:
                out.body = resp.body
            except Exception as exc:
                out.broken = _our_frames(exc)
        except Exception as exc:
            out.escaped = _our_frames(exc)
        finally:
            self.logger.removeHandler(self.capture)
        out.logs = list(self.capture.records)
        out.after = self.last_rows[backend] = api.rows()
        if watch:
            out.traits_after = self.last_traits = self._traits()
        model.refresh(out.after, self.columns)
        if self.counting:
            self.counts[backend] += 1
        if out.body:
            try:
                out.doc = api_backends.strict_json(out.body.decode('utf-8'))
            except (ValueError, UnicodeError):
                out.doc = None
        return out

    # Checks ----------------------------------------------------------------
    def _check(self, req, out):
        """``(kind, detail, traceback)`` of every check ``out`` breaks."""
        problems = []
        add = problems.append
        if out.escaped:
            add(('exception escaped the application',
                 out.escaped.strip().splitlines()[-1][:120], out.escaped))
            return problems
        status, resp = out.status, out.resp
        if status >= 500:
            add(('%d answered' % status, _cause_of(out.logs),
                 _traceback_of(out.logs) or out.message()))
        if out.broken:
            add(('streamed body broke off', _cause_of(out.logs),
                 out.broken + '\n' + _traceback_of(out.logs)))
        if resp.headers.get('OpenStack-API-Version') != VERSION:
            add(('no version header', '', ''))
        if req.method == 'HEAD':
            if out.body:
                add(('HEAD answered with a body', '', out.body[:200]))
        elif out.body:
            if out.doc is None:
                add(('body is not strict JSON', '',
                     repr(out.body[:300])))
            elif not resp.content_type == 'application/json':
                add(('JSON body without application/json',
                     resp.content_type, ''))
        if status >= 400 and req.method != 'HEAD':
            doc = out.doc
            if not (isinstance(doc, dict) and set(doc) == ERROR_KEYS
                    and doc['error_code'] == status
                    and isinstance(doc['error_message'], str)
                    and isinstance(doc['error_name'], str)):
                add(("error body is not Blazar's", '',
                     repr(out.body[:300])))
        if status == 405 and not resp.headers.get('Allow'):
            add(('405 without Allow', '', ''))
        if 400 <= status < 500:
            if out.before != out.after:
                add(('refused request changed the store',
                     _changed_tables(out), _diff(out)))
            if out.traits_before != out.traits_after:
                add(('refused request changed Placement traits', '',
                     '%r -> %r' % (out.traits_before, out.traits_after)))
        if req.method in ('GET', 'HEAD') and out.before != out.after:
            add(('%s changed the store' % req.method, _changed_tables(out),
                 _diff(out)))
        if 200 <= status < 300:
            problems.extend(self._check_success(req, out))
        problems.extend(self._check_refusal(req, out))
        return problems

    def _check_success(self, req, out):
        problems = []
        add = problems.append
        kind, project = fs.token_kind(req.token)
        doc = out.doc if isinstance(out.doc, dict) else {}
        path = req.path
        if path and kind == 'malformed':
            add(('malformed token accepted', '', ''))
        if path[1:2] == ('os-hosts',) and kind != 'admin':
            add(('non-admin token allowed on an admin-only route',
                 'token %s' % fs.short(req.token)[:20], ''))
        leases = []
        if isinstance(doc.get('lease'), dict):
            leases.append(doc['lease'])
        if isinstance(doc.get('leases'), list):
            leases.extend(x for x in doc['leases'] if isinstance(x, dict))
        for lease in leases:
            if kind == 'member' and lease.get('project_id') != project:
                add(("a project sees another project's lease", '',
                     'token %s got a lease of project %s'
                     % (fs.short(req.token),
                        fs.short(lease.get('project_id')))))
            bad = [f for f in LEASE_DATES
                   if lease.get(f) is not None
                   and not BLAZAR_DATE.match(str(lease.get(f)))]
            if bad:
                add(('lease date not in Blazar\'s format', ', '.join(bad),
                     repr({f: lease.get(f) for f in bad})))
        if req.method == 'POST' and path == ('v1', 'leases') and \
                kind == 'member' and 'lease' in doc:
            user = req.token.strip().partition(':')[0]
            if doc['lease'].get('user_id') != user:
                add(('lease made for another user', '', ''))
        if req.target is not None and len(path) > req.target:
            problems.extend(self._check_identity(req, out, doc))
        if req.method == 'POST' and path == ('v1', 'os-hosts'):
            name = _body_field(req, out, 'name')
            host = doc.get('host') if isinstance(doc.get('host'),
                                                 dict) else {}
            uuid = self.found.node_uuids.get(name) if isinstance(
                name, str) else None
            if uuid is None or host.get('uuid') != uuid or \
                    host.get('hypervisor_hostname') != name:
                add(('enrolled a host Placement has not under that name',
                     '', 'asked %r, got %r (%r)' % (
                         name, host.get('hypervisor_hostname'),
                         host.get('uuid'))))
        if path == ('v1', 'leases') and req.method in ('GET', 'HEAD'):
            for item in req.query:
                if isinstance(item, tuple) and item[0] == 'status' and \
                        item[1] and \
                        item[1].upper() not in states.LeaseStatus.ALL:
                    add(('unknown lease status accepted as a filter', '',
                         'status=%r' % item[1]))
        return problems

    def _check_identity(self, req, out, doc):
        """A 2xx on an object's path acted on the object that path names
        exactly."""
        seg = req.segment_text(req.target, out.resolve)
        model = out.model
        acted = None
        if req.path[1] == 'leases':
            if isinstance(doc.get('lease'), dict):
                acted = doc['lease'].get('id')
            elif req.method == 'DELETE':
                acted = seg if seg in model.lease_rows else '<none>'
            if acted is not None and acted != seg:
                return [('a lease path found another lease', '',
                         'path %r, lease %r' % (seg, acted))]
            return []
        if req.path[1] != 'os-hosts':
            return []
        host = None
        if isinstance(doc.get('host'), dict):
            host = doc['host']
        elif isinstance(doc.get('allocation'), dict):
            host = model.host_rows.get(str(doc['allocation'].get(
                'resource_id')))
        elif req.method == 'DELETE':
            column = self.columns['hosts'].index('id')
            before = {str(r[column]) for r in out.before['hosts']}
            after = {str(r[column]) for r in out.after['hosts']}
            gone = sorted(before - after)
            host = model.host_rows.get(gone[0]) if gone else None
        if host is None:
            return []
        names = {str(host.get('id')), host.get('uuid'),
                 host.get('hypervisor_hostname')}
        ok = seg in names or (
            seg is not None and seg.isascii() and seg.isdigit()
            and int(seg) == int(host.get('id')))
        if not ok:
            return [('a host path found another host', '',
                     'path %r, host %r' % (seg, sorted(names, key=str)))]
        return []

    def _check_refusal(self, req, out):
        problems = []
        kind, project = fs.token_kind(req.token)
        if kind == 'member' and req.target is not None and \
                req.path[1:2] == ('leases',) and len(req.path) == 3:
            seg = req.segment_text(req.target, out.resolve)
            row = out.model.lease_rows.get(seg)
            # Not found (or refused for another reason: a bad version
            # header, body...), never found, forbidden or in conflict.
            if row is not None and row['project_id'] != project and (
                    200 <= out.status < 300 or out.status in (403, 409)):
                problems.append((
                    "another project's lease is not reported as not found",
                    '', 'got %s' % out.status))
        if out.status == 400 and MALFORMED.search(out.message()) and \
                not TYPE_SPECIFIC.search(out.message()):
            schema = _schema_of(req)
            if schema is not None:
                document = _decoded_body(req, out)
                try:
                    valid = document is not _UNREADABLE and \
                        jsonschema.Draft7Validator(schema).is_valid(
                            document)
                except RecursionError:
                    valid = False
                if valid:
                    problems.append((
                        'schema and store disagree', _normalise(
                            out.message())[:100], out.message()))
        return problems

    # Reports ---------------------------------------------------------------
    def describe(self, failure):
        lines = ['%s: %s [%s] (%d times; %s)' % (
            failure.kind, failure.label, failure.detail, failure.count,
            ', '.join(sorted(failure.backends)))]
        if len(failure.labels) > 1:
            lines.append('  seen on: %s' % ', '.join(sorted(
                failure.labels)))
        lines.append('  request: %r' % (failure.req,))
        lines.append('  statuses: %s' % ', '.join(
            '%s %s' % item for item in failure.statuses.items()))
        messages = {m for m in failure.messages.values() if m}
        for message in sorted(messages):
            lines.append('  message: %s' % _printable(message))
        steps = failure.replay
        if steps is None:
            steps = [h[0] for h in failure.history] + [failure.req]
            lines.append('  sequence (from empty stores; not shortened):')
        else:
            lines.append('  shortest sequence found (from empty stores):')
        for step in steps:
            lines.append('    %r' % (step,))
        if failure.trace:
            trace = [line if len(line) < 300 else line[:300] + '...'
                     for line in _printable(
                         str(failure.trace)).rstrip().splitlines()]
            if len(trace) > 30:
                trace = trace[:5] + ['...'] + trace[-24:]
            lines.append('  log:')
            lines.extend('    ' + line for line in trace)
        return '\n'.join(lines)

    def report(self):
        return '%d distinct failures:\n\n%s' % (
            len(self.failures), '\n\n'.join(
                self.describe(f) for f in sorted(
                    self.failures.values(),
                    key=lambda f: (f.kind, f.label, f.detail))))

    # The dictionary ------------------------------------------------------
    def curated_pass(self):
        """Every edge request of ``fs.CURATED`` once, in order, over a
        store holding hosts and two projects' leases; the stores are set
        up again after a disagreement, so that every request is
        compared."""
        self.reset()
        for req in fs.SETUP:
            self.step(req)
        for req in fs.CURATED:
            self.step(req)
            if self.diverged:
                self.reset()
                for setup in fs.SETUP:
                    self.step(setup)

    # Replays ---------------------------------------------------------------
    def shows(self, steps, signature):
        """Whether ``steps`` from empty stores end with ``signature``."""
        self.sink = set()
        try:
            self.reset()
            for step in steps[:-1]:
                self.step(step)
            self.sink = set()
            self.step(steps[-1])
            return signature in self.sink
        finally:
            self.sink = None

    def shorten(self, deadline):
        """For each failure, a short sequence that still shows it: the
        failing request alone, else it after the steps that changed
        something, dropping those one at a time while the failure
        stays. Cheapest first, until ``deadline``."""
        self.counting = False
        pending = []
        for signature, failure in sorted(self.failures.items(),
                                         key=lambda i: -i[1].count):
            if time.monotonic() > deadline:
                return
            if self.shows([failure.req], signature):
                failure.replay = [failure.req]
            else:
                pending.append((signature, failure))
        for signature, failure in pending:
            changing = [req for req, statuses in failure.history
                        if req.method not in ('GET', 'HEAD') and any(
                            s is not None and 200 <= s < 300
                            for s in statuses.values())]
            found = None
            for steps in (changing + [failure.req],
                          [h[0] for h in failure.history] + [failure.req]):
                if time.monotonic() > deadline:
                    return
                if self.shows(steps, signature):
                    found = steps
                    break
            if found is None:
                continue
            index = len(found) - 2
            while index >= 0 and time.monotonic() < deadline:
                candidate = found[:index] + found[index + 1:]
                if self.shows(candidate, signature):
                    found = candidate
                index -= 1
            failure.replay = found


_UNREADABLE = object()


def _printable(text):
    """``text`` with control characters and lone surrogates escaped."""
    return ''.join(c if c.isprintable() or c in '\n' else
                   c.encode('unicode_escape', 'backslashreplace').decode(
                       'ascii') for c in text)


def _decoded_body(req, out):
    raw = req.body_bytes(out.resolve)
    if not raw:
        return _UNREADABLE
    try:
        return json.loads(raw)
    except (ValueError, UnicodeError, RecursionError):
        return _UNREADABLE


def _body_field(req, out, name):
    document = _decoded_body(req, out)
    return document.get(name) if isinstance(document, dict) else None


def _schema_of(req):
    path, method = req.path, req.method
    if path == ('v1', 'leases') and method == 'POST':
        return lease_schemas.CREATE
    if path[:2] == ('v1', 'leases') and len(path) == 3 and method == 'PUT':
        return lease_schemas.UPDATE
    if path == ('v1', 'availability') and method == 'POST':
        return availability_schemas.QUERY
    if path == ('v1', 'os-hosts') and method == 'POST':
        return host_schemas.CREATE
    if path[:2] == ('v1', 'os-hosts') and len(path) == 3 and \
            method == 'PUT':
        return host_schemas.UPDATE
    return None


def _changed_tables(out):
    return ', '.join(sorted(t for t in out.before
                            if out.before[t] != out.after.get(t)))


def _diff(out):
    lines = []
    for table in sorted(out.before):
        gone = set(out.before[table]) - set(out.after[table])
        new = set(out.after[table]) - set(out.before[table])
        for row in sorted(gone, key=repr):
            lines.append('- %s %r' % (table, row))
        for row in sorted(new, key=repr):
            lines.append('+ %s %r' % (table, row))
    return '\n'.join(lines)


# --- the state machine -------------------------------------------------------

class ApiMachine(RuleBasedStateMachine):
    """Each example: empty stores, some hosts enrolled, then requests."""

    fuzzer = None

    def __init__(self):
        super().__init__()
        self.fuzzer.reset()
        self.fuzzer.examples += 1

    @initialize(hosts=st.lists(st.sampled_from(fs.NODES), unique=True,
                               max_size=3))
    def enrol_hosts(self, hosts):
        for name in hosts:
            self.fuzzer.step(fs.enrol(name))

    @rule(req=fs.lease_create())
    def create_lease(self, req):
        self.fuzzer.step(req)

    @rule(req=fs.lease_create())
    def create_another_lease(self, req):
        self.fuzzer.step(req)

    @rule(req=fs.lease_create_hostile())
    def create_lease_hostile(self, req):
        self.fuzzer.step(req)

    @rule(req=fs.lease_update())
    def update_lease(self, req):
        self.fuzzer.step(req)

    @rule(req=fs.lease_read())
    def read_or_delete_lease(self, req):
        self.fuzzer.step(req)

    @rule(req=fs.host_request(fs.HOST_ENROL))
    def enrol_host(self, req):
        self.fuzzer.step(req)

    @rule(req=fs.host_request(fs.HOST_BY_ID))
    def host_by_id(self, req):
        self.fuzzer.step(req)

    @rule(req=fs.host_request(fs.HOST_LISTS))
    def host_lists(self, req):
        self.fuzzer.step(req)

    @rule(req=fs.availability_request())
    def availability(self, req):
        self.fuzzer.step(req)

    @rule(req=fs.any_request())
    def anything(self, req):
        self.fuzzer.step(req)

    @rule(req=st.sampled_from(fs.CURATED))
    def edge(self, req):
        self.fuzzer.step(req)


class _Summary:
    """A terminal summary line of the run."""

    def __init__(self, lines):
        self.lines = lines

    def pytest_terminal_summary(self, terminalreporter):
        terminalreporter.write_sep('-', 'API fuzz')
        for line in self.lines:
            terminalreporter.write_line(line)


def test_fuzz_api(every_backend, record_property, request):
    """Hostile and valid request sequences on every backend: no 5xx,
    strict JSON, refusals change nothing, noauth and ids mean what they
    say, and the backends agree."""
    found = every_backend
    fuzzer = Fuzzer(found)
    ApiMachine.fuzzer = fuzzer
    started = time.monotonic()
    try:
        if not FAIL_FAST:
            fuzzer.curated_pass()
        run_state_machine_as_test(ApiMachine, settings=SETTINGS)
    finally:
        ApiMachine.fuzzer = None
        fuzzer_time = time.monotonic() - started
        if fuzzer.failures:
            fuzzer.shorten(time.monotonic() + REPLAY_BUDGET)
        found.reset()
        summary = [
            'fuzz: %d examples, requests per backend: %s (%.0f s; %d '
            'distinct failures%s)' % (
                fuzzer.examples, ', '.join(
                    '%s %d' % (name, fuzzer.counts[name])
                    for name in fuzzer.names), fuzzer_time,
                len(fuzzer.failures),
                ', replayed in %.0f s' % (
                    time.monotonic() - started - fuzzer_time)
                if fuzzer.failures else '')]
        if fuzzer.unchecked_agreement:
            summary.append(
                'fuzz: %d requests not compared across backends (after a '
                'disagreement in their sequence)'
                % fuzzer.unchecked_agreement)
        summary.append('fuzz: answers (%s): %s' % (
            fuzzer.names[0], ', '.join(
                '%s %d' % item for item in sorted(fuzzer.statuses.items()))))
        if VERBOSE:
            for label, counts in sorted(fuzzer.by_route.items()):
                summary.append('fuzz:   %-45s %s' % (label, ' '.join(
                    '%s:%d' % item for item in sorted(counts.items(),
                                                      key=str))))
                for message, count in fuzzer.refusals[label].most_common(
                        VERBOSE - 1):
                    summary.append('fuzz:       %5d %s' % (
                        count, _printable(message)))
        for name, reason in sorted(found.skipped.items()):
            summary.append('fuzz: %s skipped: %s' % (name, reason))
        record_property('fuzz_requests', dict(fuzzer.counts))
        record_property('fuzz_examples', fuzzer.examples)
        print('\n'.join(summary))
        request.config.pluginmanager.register(
            _Summary(summary), 'api-fuzz-summary-%d' % id(fuzzer))
    assert fuzzer.examples > 0
    assert fuzzer.counts, 'no backend ran'
    if fuzzer.failures:
        report = fuzzer.report()
        if os.environ.get('FUZZ_REPORT'):
            with open(os.environ['FUZZ_REPORT'], 'w') as out:
                out.write(report + '\n')
        pytest.fail(report, pytrace=False)
