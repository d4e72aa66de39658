"""nova-scheduler with a stopwatch around each scheduling decision.

Run by the cloud venv's interpreter in place of its ``nova-scheduler``
command, with the same arguments::

    python benchmarks/harness/timed_scheduler.py --config-file nova.conf

It imports Nova's own scheduler command (which patches the standard
library as ``nova-scheduler`` does), wraps the scheduler manager's
``select_destinations`` (the RPC method the conductor calls for each
boot: request filters, Placement's allocation candidates, the filters
and weighers, the allocation claim) and runs that command. Each call
appends one line to the file named by ``$BENCH_SCHEDULER_TIMINGS``::

    <instance uuids, comma-separated> <milliseconds> ok|<exception name>

measured with ``time.perf_counter`` inside the worker process, so the
figure is the scheduler's own time for the decision, without RabbitMQ,
the conductor or the API. BlazarFilter's ``filter_all`` (the whole of
its work for a request: it runs once per request) is timed the same way,
when Nova runs it, as the line::

    <instance uuid> <milliseconds> filter

Nothing else changes: the configuration file decides which filters run.
"""

import functools
import os
import sys
import threading
import time

from nova.cmd import scheduler as scheduler_cmd  # noqa: I100 (patches first)
from nova.scheduler import manager

from blazar_nova.scheduler.filters import blazar_filter

TIMINGS = os.environ['BENCH_SCHEDULER_TIMINGS']
_WRITE_LOCK = threading.Lock()


def _record(instance_uuids, seconds, outcome):
    line = '%s %.3f %s\n' % (','.join(instance_uuids or ['-']),
                             seconds * 1000.0, outcome)
    with _WRITE_LOCK, open(TIMINGS, 'a') as out:
        out.write(line)


def timed(method):
    """``method`` (select_destinations) timed, its outcome recorded."""

    @functools.wraps(method)
    def wrapper(self, context, *args, **kwargs):
        began = time.perf_counter()
        outcome = 'ok'
        try:
            return method(self, context, *args, **kwargs)
        except Exception as exc:
            outcome = type(exc).__name__
            raise
        finally:
            _record(kwargs.get('instance_uuids'),
                    time.perf_counter() - began, outcome)
    return wrapper


def timed_filter(method):
    """``method`` (BlazarFilter.filter_all) timed, as ``filter``."""

    @functools.wraps(method)
    def wrapper(self, filter_obj_list, spec_obj):
        began = time.perf_counter()
        try:
            return method(self, filter_obj_list, spec_obj)
        finally:
            _record([spec_obj.instance_uuid], time.perf_counter() - began,
                    'filter')
    return wrapper


def main():
    manager.SchedulerManager.select_destinations = timed(
        manager.SchedulerManager.select_destinations)
    blazar_filter.BlazarFilter.filter_all = timed_filter(
        blazar_filter.BlazarFilter.filter_all)
    sys.argv[0] = 'nova-scheduler'
    return scheduler_cmd.main()


if __name__ == '__main__':
    sys.exit(main())
