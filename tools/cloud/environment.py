"""The cloud's Python environment: one venv holding every service's
package (tools/cloud/requirements.txt, the only place they are pinned) and
this project (``pip install -e``).

It is ``$BLAZAR_NOVA_CLOUD_VENV`` (default ``.venv-cloud`` in the
repository; the test venv ``.venv-test`` can serve too). ``ensure`` builds
it when missing and installs again when the requirement files or
setup.cfg changed since the last install (a stamp in the venv records
their digest); otherwise it only checks the stamp.
"""

import hashlib
import logging
import os
import pathlib
import subprocess
import sys

from tools.cloud import errors
from tools.cloud import layout

LOG = logging.getLogger(__name__)

REQUIREMENTS = layout.REPO / 'tools' / 'cloud' / 'requirements.txt'
STAMP = '.blazar-nova-cloud-stamp'
# What the stamp covers: a change to any of these reinstalls.
STAMPED = (REQUIREMENTS, layout.REPO / 'requirements.txt',
           layout.REPO / 'setup.cfg')


def venv_path():
    path = os.environ.get('BLAZAR_NOVA_CLOUD_VENV')
    if path:
        path = pathlib.Path(path)
        return path if path.is_absolute() else layout.REPO / path
    return layout.REPO / '.venv-cloud'


def executable(venv, name):
    return venv / 'bin' / name


def digest():
    sha = hashlib.sha256()
    for path in STAMPED:
        sha.update(path.read_bytes())
    return sha.hexdigest()


def is_current(venv):
    """True when the venv exists and was installed from the present
    requirement files."""
    try:
        return (venv / STAMP).read_text().strip() == digest()
    except OSError:
        return False


def _run(command):
    LOG.debug('$ %s', ' '.join(map(str, command)))
    result = subprocess.run([str(part) for part in command],
                            capture_output=True, text=True,
                            stdin=subprocess.DEVNULL)
    if result.returncode:
        raise errors.CloudError('%s exited %d:\n%s' % (
            ' '.join(map(str, command)), result.returncode,
            (result.stdout + result.stderr)[-3000:]))
    return result.stdout


def build(venv):
    """Create the venv if needed, install the requirements and this
    project, check them (pip check) and write the stamp."""
    python = executable(venv, 'python')
    if not python.exists():
        _run([os.environ.get('PYTHON') or sys.executable, '-m', 'venv',
              venv])
        _run([python, '-m', 'pip', 'install', '-q', '--upgrade', 'pip'])
    _run([python, '-m', 'pip', 'install', '-q', '-r', REQUIREMENTS,
          '-e', '%s[service]' % layout.REPO])
    _run([python, '-m', 'pip', 'check'])
    (venv / STAMP).write_text(digest() + '\n')
