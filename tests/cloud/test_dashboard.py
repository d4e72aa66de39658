"""Blazar's dashboard, unchanged, against this project's API: Horizon
27.0.0 with blazar-dashboard 16.0.0 (the cloud's ``horizon`` process), in
a headless Chromium, as alice (a member of alpha) and as the admin, each
logged in once through Horizon's form with their Keystone password.

What a person sees is asserted: the rows of the leases and hosts tables,
the messages after each form, the rows and bars of the host calendar; and
what the API then holds. Horizon's log must show no server error (HTTP
500) during a test, but the one Blazar's policy makes on purpose (a
member's host calendar). Screenshots go to
``$BLAZAR_NOVA_DASHBOARD_SCREENSHOTS`` (doc/images for doc/dashboard.md)
or a temporary folder.
"""

import datetime
import os
import re

import pytest

from tests.cloud import browser
from tests.cloud import client
from tools.cloud import layout

LEASES = '/project/leases/'
CALENDAR = '/project/leases/calendar/host/'
HOSTS = '/admin/hosts/'
DAYS = 2  # a lease's length: a bar the calendar's week shows clearly

# The host calendar as the chart drew it: its rows (their labels), its
# time axis (each day's label and where it stands) and its bars (each
# bar's value, its end in ms, and its box).
CALENDAR_SCRIPT = '''
const chart = document.querySelector('#blazar-calendar-host');
const box = element => {
    const r = element.getBoundingClientRect();
    return {top: r.top, bottom: r.bottom, left: r.left, right: r.right,
            width: r.width};
};
const text = label => label.querySelector('tspan').textContent.trim();
return {
    rows: Array.from(chart.querySelectorAll('.apexcharts-yaxis-label'),
        label => Object.assign(box(label), {name: text(label)})),
    days: Array.from(chart.querySelectorAll('.apexcharts-xaxis-label'),
        label => Object.assign(box(label), {name: text(label)}))
        .filter(label => label.name),
    bars: Array.from(chart.querySelectorAll('.apexcharts-rangebar-area'),
        bar => Object.assign(box(bar), {end: Number(bar.getAttribute('val'))}))
        .filter(bar => bar.width > 0),
};
'''


class HorizonLog:
    """Horizon's log from the start of a test: its server errors."""

    ERROR = re.compile(r'^\S+ \S+ ERROR django\.request Internal Server '
                       r'Error: (\S+)$', re.M)

    def __init__(self, path):
        self.path = path
        self.offset = path.stat().st_size if path.exists() else 0
        self.allowed = []

    def allow(self, url, reason):
        """A 500 for ``url`` whose traceback says ``reason`` is expected."""
        self.allowed.append((url, reason))

    def server_errors(self):
        """[(url, the log from that error on)] since the test began."""
        if not self.path.exists():
            return []
        with open(self.path, errors='replace') as log:
            log.seek(self.offset)
            text = log.read()
        found = []
        for match in self.ERROR.finditer(text):
            found.append((match.group(1),
                          text[match.start():match.start() + 6000]))
        return found

    def unexpected(self):
        return [(url, tail) for url, tail in self.server_errors()
                if not any(url.endswith(allowed) and reason in tail
                           for allowed, reason in self.allowed)]


@pytest.fixture(autouse=True)
def horizon_log(request):
    """Fails the test when Horizon answered a 500 it did not expect."""
    log = HorizonLog(layout.Layout().log('horizon'))
    yield log
    errors = log.unexpected()
    assert not errors, 'Horizon answered HTTP 500 for %s:\n%s' % (
        ', '.join(url for url, _ in errors), errors[0][1])


class Dashboard:
    """One browser per user, logged in at its first use."""

    def __init__(self, cloud, shots):
        self.cloud = cloud
        self.shots = shots
        self.browsers = {}

    def as_user(self, user):
        if user not in self.browsers:
            session = browser.Browser(layout.url('horizon'), self.shots)
            try:
                session.login(user,
                              self.cloud.clouds[user]['auth']['password'],
                              then=LEASES)
            except BaseException:
                session.quit()
                raise
            self.browsers[user] = session
        return self.browsers[user]

    def quit(self):
        for session in self.browsers.values():
            session.quit()


@pytest.fixture(scope='module')
def dashboard(cloud, tmp_path_factory):
    """The dashboard's browsers, for this module. With the cloud's servers
    up, a machine without Chromium or Selenium fails here, never skips:
    ./tools/run-tests.sh installs them."""
    absent = browser.missing()
    if absent:
        pytest.fail('the dashboard tests need %s' % ', '.join(absent),
                    pytrace=False)
    try:
        import selenium  # noqa: F401
    except ImportError:
        pytest.fail('the dashboard tests need Selenium '
                    '(test-requirements.txt)', pytrace=False)
    shots = os.environ.get('BLAZAR_NOVA_DASHBOARD_SCREENSHOTS') or \
        tmp_path_factory.mktemp('dashboard')
    found = Dashboard(cloud, shots)
    yield found
    found.quit()


def minute(moment):
    return client.minute(moment)


def shown(moment):
    """A date as the leases table shows it."""
    return minute(moment) + ' UTC'


def api_date(text):
    return datetime.datetime.strptime(text, '%Y-%m-%dT%H:%M:%S.%f')


def lease_by_api(cloud, who, name, days=DAYS):
    """A lease of one host from now for ``days``, made through the API
    (for the tests whose subject is another step)."""
    end = client.utc_now() + datetime.timedelta(days=days)
    return cloud.ok(who, 'reservation', 'POST', '/leases', {
        'name': name, 'start_date': 'now', 'end_date': minute(end),
        'reservations': [{'resource_type': 'physical:host',
                          'min': 1, 'max': 1}],
        'events': []})['lease']


def row_when(session, lease_id, check, what):
    """The leases table's row of ``lease_id`` once ``check(row)``, the page
    reloaded as a person would."""
    def look():
        session.open(LEASES)
        row = session.row('leases', lease_id)
        return row if row and check(row) else None
    return session.wait(look, what, interval=1)


def test_member_creates_a_lease_through_the_form(clean_cloud, dashboard,
                                                 names):
    cloud, alice = clean_cloud, dashboard.as_user('alice')
    alice.open(LEASES)
    assert alice.rows('leases') == []
    alice.one('#leases__action_create', 'the Create Lease button').click()
    alice.one('.modal [name="name"]', 'the Create Lease form')
    end = client.utc_now() + datetime.timedelta(days=DAYS)
    name = names('lease')
    # Start blank (now), one physical host (the form's defaults).
    alice.fill({'name': name, 'end_date': minute(end)}, scope='.modal form')
    alice.screenshot('create')
    alice.submit(scope='.modal form')
    alice.wait_message('Lease %s was successfully created.' % name)

    (lease,) = cloud.ok('alice', 'reservation', 'GET', '/leases')['leases']
    assert lease['name'] == name
    assert minute(api_date(lease['end_date'])) == minute(end)
    (reservation,) = lease['reservations']
    assert (reservation['resource_type'], reservation['min'],
            reservation['max']) == ('physical:host', 1, 1)

    row = row_when(alice, lease['id'], lambda r: r['Status'] == 'ACTIVE',
                   'the new lease ACTIVE in the table')
    assert row['Lease name'] == name
    assert row['Start date'] == shown(api_date(lease['start_date']))
    assert row['End date'] == shown(end)
    assert row['Degraded'] == 'No'
    alice.screenshot('leases')


def test_member_reserves_instances_through_the_form(clean_cloud, dashboard,
                                                    names):
    """A virtual:instance reservation (the form sends affinity "None" and
    the numbers as integers); then the lease's detail page."""
    cloud, alice = clean_cloud, dashboard.as_user('alice')
    alice.open(LEASES)
    alice.one('#leases__action_create', 'the Create Lease button').click()
    scope = '.modal form'
    alice.one(scope + ' [name="name"]', 'the Create Lease form')
    end = client.utc_now() + datetime.timedelta(days=1)
    alice.choose('resource_type', 'Virtual Instance', scope)
    alice.fill({'name': names('lease'), 'end_date': minute(end),
                'amount': '2', 'vcpus': '1', 'memory_mb': '512',
                'disk_gb': '1'}, scope)
    alice.submit(scope)
    alice.wait_message('Lease %s was successfully created.' % names('lease'))

    (lease,) = cloud.ok('alice', 'reservation', 'GET', '/leases')['leases']
    (reservation,) = lease['reservations']
    assert {key: reservation[key] for key in (
        'resource_type', 'amount', 'vcpus', 'memory_mb', 'disk_gb',
        'affinity')} == {'resource_type': 'virtual:instance', 'amount': 2,
                         'vcpus': 1, 'memory_mb': 512, 'disk_gb': 1,
                         'affinity': None}
    cloud.wait_lease('alice', lease['id'], 'ACTIVE')

    alice.open('%s%s/' % (LEASES, lease['id']))
    text = alice.wait(lambda: 'Lease Detail' in alice.text() and
                      alice.text(), 'the lease\'s detail page')
    for shown_text in (names('lease'), lease['id'], 'ACTIVE',
                       'virtual:instance', reservation['id'],
                       'start_lease', 'end_lease', shown(end)):
        assert shown_text in text, (shown_text, text)
    alice.screenshot('detail')


def test_member_renames_and_prolongs_a_lease_through_the_form(
        clean_cloud, dashboard, names):
    cloud, alice = clean_cloud, dashboard.as_user('alice')
    lease = lease_by_api(cloud, 'alice', names('lease'))
    end = api_date(lease['end_date'])
    # blazar-dashboard 16.0.0 never shows its own "Update Lease" row
    # action (UpdateLease.allowed calls datetime.now on the datetime
    # module; Horizon logs the AttributeError and hides the action), so
    # the form is opened where that action leads.
    alice.open('%s%s/update' % (LEASES, lease['id']))
    scope = 'form:has([name="lease_name"])'
    alice.fill({'lease_name': names('renamed'), 'end_time': '+1h'},
               scope=scope)
    alice.screenshot('update')
    alice.submit(scope=scope)
    alice.wait_message('Lease update started.')

    prolonged = end + datetime.timedelta(hours=1)
    row = alice.row('leases', lease['id'])
    assert row['Lease name'] == names('renamed')
    assert row['End date'] == shown(prolonged)
    now = cloud.lease('alice', lease['id'])
    assert now['name'] == names('renamed')
    assert api_date(now['end_date']) == prolonged


def test_member_deletes_a_lease_from_the_table(clean_cloud, dashboard,
                                               names):
    cloud, alice = clean_cloud, dashboard.as_user('alice')
    lease = lease_by_api(cloud, 'alice', names('lease'))
    alice.open(LEASES)
    alice.one('#leases__row_%s__action_delete' % lease['id'],
              'the row\'s Delete Lease button').click()
    alice.one('.modal .btn-danger', 'the confirmation').click()
    alice.wait_message('Deleted Lease: %s' % names('lease'))
    # A lease that has started is DELETING until the agent ends it.
    row = alice.row('leases', lease['id'])
    assert row is None or row['Status'] == 'DELETING', row
    alice.wait(lambda: alice.open(LEASES) or
               alice.row('leases', lease['id']) is None,
               'the lease gone from the table', interval=1)
    client.wait_for(lambda: cloud.call(
        'alice', 'reservation', 'GET', '/leases/%s' % lease['id'])
        .status_code == 404, 30, 'the lease gone from the API')


def test_admin_hosts_panel_lists_the_reservable_hosts(cloud, dashboard):
    admin = dashboard.as_user('admin')
    hosts = {h['hypervisor_hostname']: h for h in cloud.ok(
        'admin', 'reservation', 'GET', '/os-hosts')['hosts']}
    admin.open(HOSTS)
    rows = {row['Host name']: row for row in admin.rows('hosts')}
    assert sorted(rows) == sorted(layout.RESERVABLE)
    for name, row in rows.items():
        host = hosts[name]
        # Horizon's units: MB and GB shown with one decimal in the next
        # unit up (the fake driver's 800000 MB and 600000 GB).
        assert (row['vCPUs'], row['RAM'], row['Local Storage'],
                row['Reservable']) == (
            str(host['vcpus']), '%.1fGB' % (host['memory_mb'] / 1024),
            '%.1fTB' % (host['local_gb'] / 1024), 'Yes'), row
    admin.screenshot('hosts')

    first = layout.RESERVABLE[0]
    admin.open(rows[first]['links'][first])
    text = admin.text()
    assert first in text and str(hosts[first]['vcpus']) in text, text


def calendar(session):
    """The calendar once drawn with a bar and still (ApexCharts animates
    the bars into place after the first drawing)."""
    last = [None]

    def drawn():
        found = session.driver.execute_script(CALENDAR_SCRIPT)
        still = found['bars'] and found == last[0]
        last[0] = found
        return found if still else None
    return session.wait(drawn, 'the host calendar drawn, with a bar',
                        interval=0.4)


def time_axis(days):
    """A function from a UTC moment to its place on the calendar's time
    axis, from the day labels ("07 Dec", at each day's 00:00)."""
    now = client.utc_now()

    def day(name):
        moment = datetime.datetime.strptime('%s %d' % (name, now.year),
                                            '%d %b %Y')
        shift = (moment - now).days
        if abs(shift) > 180:  # the axis crosses a new year
            moment = moment.replace(year=now.year - (1 if shift > 0 else -1))
        return moment

    (first, x0), (last, x1) = [
        (day(label['name']), (label['left'] + label['right']) / 2)
        for label in (days[0], days[-1])]
    per_second = (x1 - x0) / (last - first).total_seconds()
    return per_second, lambda moment: x0 + (
        moment - first).total_seconds() * per_second


def test_admin_host_calendar_shows_the_reservation(clean_cloud, dashboard,
                                                   names):
    cloud, admin = clean_cloud, dashboard.as_user('admin')
    lease = lease_by_api(cloud, 'alice', names('lease'))
    held = lease['reservations'][0]['allocations'][0]['hypervisor_hostname']
    start, end = api_date(lease['start_date']), api_date(lease['end_date'])

    admin.open(CALENDAR)
    drawn = calendar(admin)
    # One row per reservable host, one bar: on the held host's row, from
    # the lease's start to its end (within two hours: the axis labels'
    # places are read to the pixel).
    assert sorted(r['name'] for r in drawn['rows']) == sorted(
        layout.RESERVABLE)
    (bar,) = drawn['bars']
    middle = (bar['top'] + bar['bottom']) / 2
    (row,) = [r for r in drawn['rows']
              if r['top'] - 20 < middle < r['bottom'] + 20]
    assert row['name'] == held
    assert bar['end'] == end.replace(
        tzinfo=datetime.timezone.utc).timestamp() * 1000
    per_second, place = time_axis(drawn['days'])
    slack = 2 * 3600 * per_second
    assert abs(bar['left'] - place(start)) < slack, (bar, place(start))
    assert abs(bar['right'] - place(end)) < slack, (bar, place(end))
    admin.screenshot('calendar')


def test_member_host_calendar_is_for_administrators(cloud, dashboard,
                                                    horizon_log):
    """As in Blazar, listing hosts and their allocations is for
    administrators (``blazar:oshosts:get``); the dashboard's calendar
    data view does not catch the refusal, so Horizon answers 500 and the
    page says it cannot load."""
    horizon_log.allow(CALENDAR + 'resources.json',
                      'Policy does not allow blazar:oshosts:get')
    alice = dashboard.as_user('alice')
    alice.open(CALENDAR)
    alice.wait(lambda: 'Unable to load reservations' in alice.text(),
               'the calendar\'s refusal')
    assert horizon_log.server_errors()
