"""Run ``blazar-nova-manage`` as a real process, as an operator would."""

import os
import subprocess
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


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
