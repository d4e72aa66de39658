"""Running a command to completion: its output appended to a log file, a
CloudError naming the command and the end of its output when it fails."""

import logging
import subprocess
import time

from tools.cloud import errors

LOG = logging.getLogger(__name__)


def run(argv, log=None, env=None, timeout=600, cwd=None):
    """Run ``argv``; its stdout (stderr goes to ``log`` when given, else is
    kept for the error message). A non-zero exit or a timeout raises
    CloudError."""
    argv = [str(part) for part in argv]
    began = time.monotonic()
    LOG.debug('$ %s', ' '.join(argv))
    try:
        result = subprocess.run(argv, env=env, cwd=cwd, capture_output=True,
                                text=True, timeout=timeout,
                                stdin=subprocess.DEVNULL)
    except FileNotFoundError as exc:
        raise errors.CloudError('%s: command not found (%s)' % (argv[0], exc))
    except subprocess.TimeoutExpired:
        raise errors.CloudError('%s did not finish within %d s' % (
            ' '.join(argv), timeout))
    if log is not None:
        with open(log, 'a') as out:
            out.write('$ %s  (%.1f s, exit %d)\n%s%s' % (
                ' '.join(argv), time.monotonic() - began, result.returncode,
                result.stdout, result.stderr))
    if result.returncode:
        raise errors.CloudError('%s exited %d:\n%s' % (
            ' '.join(argv), result.returncode,
            (result.stdout + result.stderr)[-3000:]))
    return result.stdout
