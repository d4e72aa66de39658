"""The agent's process shell, from cotyledon: a master and one worker.

Rules:

* The process started (the master) opens no connection: it starts one
  worker process, which builds the agent and runs it. A worker that dies
  after it started (killed, or a bug that ended its loop) is started again
  at once and takes its events back. A worker that dies while starting
  (configuration, database unreachable) ends the master with exit code 1,
  as the agent would alone, rather than restart in a loop.
* SIGTERM or SIGINT to the master: the worker finishes the step in hand,
  gives unfinished events back and exits; the master exits 0. (cotyledon
  makes SIGINT an instant exit; here it stops as SIGTERM does.) A worker
  that is not done after ``GRACEFUL_SHUTDOWN_TIMEOUT`` seconds is ended.
* SIGHUP to the master: master and worker re-read the configuration files
  (oslo.config ``mutate_config_files``). Options declared mutable take
  effect at once (``[DEFAULT] debug``, ``log_config_append``); a change to
  any other option is logged as ignored until a restart. A file that no
  longer parses is logged, and the configuration in force kept.
* Under systemd (``Type=notify``) the master tells systemd it is ready
  when it starts the worker (``READY=1`` on ``NOTIFY_SOCKET``).
"""

import os
import signal
import threading

import cotyledon
from oslo_config import cfg
from oslo_log import log as logging

LOG = logging.getLogger(__name__)

GRACEFUL_SHUTDOWN_TIMEOUT = 60


def reload_config(conf):
    """Re-read the configuration files; mutable options change. Returns
    the changes, or None when a file cannot be read (nothing changes)."""
    try:
        changed = conf.mutate_config_files()
    except cfg.Error as exc:
        LOG.error('Configuration not reloaded, keeping the one in force: '
                  '%s', exc)
        return None
    LOG.info('Configuration reloaded: %d option(s) changed', len(changed))
    return changed


class AgentService(cotyledon.Service):
    """The worker: builds the agent and runs it until terminated."""

    name = 'lease agent'

    def __init__(self, worker_id, conf, build, started):
        super().__init__(worker_id)
        # The master turns SIGINT (a Ctrl-C reaches both) into a graceful
        # stop of this worker; cotyledon's own would exit it at once.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        self.conf = conf
        self.agent = build(conf)
        self._started = started
        self._done = threading.Event()

    def run(self):
        self._started.set()
        LOG.info('Agent %s running', self.conf.agent.host)
        try:
            self.agent.run()
        finally:
            self._done.set()

    def terminate(self):
        LOG.info('Stopping: finishing the steps in hand')
        self.agent.stop()
        self._done.wait()

    def reload(self):
        reload_config(self.conf)
        LOG.debug('Agent %s: configuration in force', self.conf.agent.host)


class AgentManager(cotyledon.ServiceManager):
    """The master: one ``AgentService`` worker, the signals, the reload.

    ``build(conf)`` makes the agent, in the worker. ``exit_code`` is what
    the process should exit with once ``run()`` returns or exits.
    """

    def __init__(self, conf, build):
        super().__init__(graceful_shutdown_timeout=GRACEFUL_SHUTDOWN_TIMEOUT)
        self.conf = conf
        self.exit_code = 0
        self._started = self.mp_context.Event()
        self.register_hooks(on_reload=self._reload_config,
                            on_dead_worker=self._worker_died)
        self.add(AgentService, workers=1,
                 args=(conf, build, self._started))

    def _on_signal_received(self, sig):
        # cotyledon's dispatch of the signals it caught: SIGINT goes the
        # way of SIGTERM (graceful) instead of an instant exit.
        if sig == signal.SIGINT:
            sig = signal.SIGTERM
        super()._on_signal_received(sig)

    def _reload_config(self):
        reload_config(self.conf)

    def _worker_died(self, service_id, worker_id, exit_code):
        if self._started.is_set():
            LOG.warning('The agent worker died (exit code %s): starting it '
                        'again', exit_code)
            return
        LOG.error('The agent could not start (worker exit code %s): '
                  'stopping', exit_code)
        self.exit_code = 1
        os.kill(os.getpid(), signal.SIGTERM)

    def run(self):
        """Start the worker and supervise it until stopped; returns the
        exit code."""
        try:
            super().run()
        except SystemExit as exc:
            # cotyledon ends a graceful shutdown with sys.exit(0).
            if exc.code:
                return exc.code
        return self.exit_code
