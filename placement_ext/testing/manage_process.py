"""Run ``blazar-nova-manage`` as a real process, as an operator would."""

import os
import subprocess
import sys

from placement_ext import testing

REPO_ROOT = testing.REPO_ROOT


def run(config_file, *args, timeout=300):
    """Run the command with ``--config-file config_file`` and ``args``;
    return the ``CompletedProcess`` (text output captured)."""
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(
        filter(None, [REPO_ROOT, env.get('PYTHONPATH')]))
    return subprocess.run(
        [sys.executable, '-m', 'placement_ext.cmd.manage',
         '--config-file', str(config_file)] + list(args),
        capture_output=True, text=True, cwd=REPO_ROOT, env=env,
        timeout=timeout)
