"""BlazarFilter in the scheduler's nova.conf, written by the DevStack
plugin's own function, ``configure_blazar_nova_filter``.

devstack/settings and devstack/plugin.sh are sourced in bash as DevStack
sources them, with the stand-ins of tests/devstack_stubs/functions.sh for
DevStack's INI functions (iniset, iniadd, iniget...), which really edit
the file; plugin.sh sourced without a phase only defines its functions.
So the cloud's scheduler runs with exactly the lines the plugin writes.
"""

import os
import sys

from tools.cloud import commands
from tools.cloud import errors
from tools.cloud import layout

STUBS = layout.REPO / 'tests' / 'devstack_stubs' / 'functions.sh'
SETTINGS = layout.REPO / 'devstack' / 'settings'
PLUGIN = layout.REPO / 'devstack' / 'plugin.sh'

SCRIPT = """\
set -o errexit
source "$CLOUD_STUBS"
source "$CLOUD_SETTINGS"
source "$CLOUD_PLUGIN"
configure_blazar_nova_filter
"""


def configure(nova_conf, log=None):
    """Run the plugin's ``configure_blazar_nova_filter`` on ``nova_conf``;
    the ``[filter_scheduler]`` lines it left, as text."""
    env = dict(os.environ,
               CLOUD_STUBS=str(STUBS), CLOUD_SETTINGS=str(SETTINGS),
               CLOUD_PLUGIN=str(PLUGIN), NOVA_CONF=str(nova_conf),
               DEST=str(layout.REPO.parent), PYTHON=sys.executable,
               # No DevStack service: the plugin's phase dispatch is inert.
               ENABLED_SERVICES='')
    commands.run(['bash', '-c', SCRIPT, 'cloud-devstack'], log=log, env=env)
    lines = section_lines(nova_conf.read_text(), 'filter_scheduler')
    if not any('BlazarFilter' in line for line in lines):
        raise errors.CloudError(
            'devstack/plugin.sh configure_blazar_nova_filter left no '
            'BlazarFilter in %s' % nova_conf)
    return lines


def section_lines(text, section):
    """The option lines of ``[section]`` in an INI text."""
    lines, inside = [], False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith('['):
            inside = stripped == '[%s]' % section
        elif inside and stripped and not stripped.startswith('#'):
            lines.append(stripped)
    return lines
