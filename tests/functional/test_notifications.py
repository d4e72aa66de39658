"""Lease notifications: through a real RabbitMQ, switched off, broker down.

The RabbitMQ tests skip only when nothing listens on the broker's port
(``BLAZAR_NOVA_TEST_RABBIT_URL``, default guest on 127.0.0.1:5672); when the
port answers, any failure is a failure.
"""

import datetime
import logging
import os
import queue
import socket
import time
import urllib.parse
import uuid

import kombu
from oslo_config import cfg
from oslo_context import context as oslo_context
import oslo_messaging
import pytest

from placement_ext.agent import notifications

RABBIT_URL = os.environ.get('BLAZAR_NOVA_TEST_RABBIT_URL',
                            'rabbit://guest:guest@127.0.0.1:5672/')
LOGGER = notifications.__name__
GROUP = 'oslo_messaging_notifications'
DEADLINE = 10


def rabbit_is_listening(url, timeout=1.0):
    parsed = urllib.parse.urlsplit(url)
    try:
        with socket.create_connection(
                (parsed.hostname or '127.0.0.1', parsed.port or 5672),
                timeout=timeout):
            return True
    except OSError:
        return False


def closed_port():
    """A local port on which nothing listens."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def make_conf(**notifications_group):
    conf = cfg.ConfigOpts()
    conf([], project='blazar-nova', default_config_files=[])
    # Register oslo.messaging's options, as LeaseNotifier will, so they can
    # be overridden before it reads them.
    oslo_messaging.get_notification_transport(conf).cleanup()
    for name, value in notifications_group.items():
        conf.set_override(name, value, GROUP)
    return conf


def make_lease(**changes):
    lease = {
        'id': str(uuid.uuid4()),
        'name': 'lease-a',
        'project_id': 'project-a',
        'user_id': 'user-a',
        'start_date': '2030-01-01 10:00:00',
        'end_date': '2030-01-02 10:00:00',
        'before_end_date': '2030-01-02 09:00:00',
        'status': 'ACTIVE',
        'reservations': [{'id': 'r1', 'resource_type': 'physical:host',
                          'status': 'active'}],
        # A datetime, as a caller might pass one: sent as Blazar's are.
        'created_at': datetime.datetime(2029, 12, 1, 8, 30, 15),
    }
    lease.update(changes)
    return lease


class Received:
    """A notification endpoint collecting what arrives at INFO."""

    def __init__(self):
        self.messages = queue.Queue()

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        self.messages.put({'ctxt': ctxt, 'publisher_id': publisher_id,
                           'event_type': event_type, 'payload': payload,
                           'metadata': metadata})

    def get(self):
        try:
            return self.messages.get(timeout=DEADLINE)
        except queue.Empty:
            pytest.fail('no notification arrived within %d s' % DEADLINE)


@pytest.fixture
def rabbit():
    """Notifier and listener sharing a fresh topic on the real broker."""
    if not rabbit_is_listening(RABBIT_URL):
        pytest.skip('RabbitMQ is not reachable at %s' % RABBIT_URL)
    topic = 'bn_test_%s' % uuid.uuid4().hex[:12]
    conf = make_conf(driver=['messagingv2'], transport_url=RABBIT_URL,
                     topics=[topic])
    endpoint = Received()
    listen_transport = oslo_messaging.get_notification_transport(conf)
    listener = oslo_messaging.get_notification_listener(
        listen_transport, [oslo_messaging.Target(topic=topic)], [endpoint],
        executor='threading')
    listener.start()  # declares the topic's queue before anything is sent
    notifier = notifications.LeaseNotifier(conf, retry=0)
    try:
        yield notifier, endpoint
    finally:
        notifier.close()
        listener.stop()
        listener.wait()
        listen_transport.cleanup()
        amqp_url = urllib.parse.urlsplit(RABBIT_URL)._replace(
            scheme='amqp').geturl()
        with kombu.Connection(amqp_url) as conn:
            conn.channel().queue_delete('%s.info' % topic)


def test_events_reach_a_listener_as_blazar_sends_them(rabbit):
    notifier, endpoint = rabbit
    lease = make_lease()
    context = oslo_context.RequestContext(
        project_id='project-a', user_id='user-a', auth_token='secret-token')

    for event_type in (notifications.START_LEASE,
                       notifications.BEFORE_END_LEASE,
                       notifications.END_LEASE):
        notifier.notify(context, event_type, lease)

    expected_payload = dict(lease, created_at='2029-12-01T08:30:15.000000')
    for event_type in (notifications.START_LEASE,
                       notifications.BEFORE_END_LEASE,
                       notifications.END_LEASE):
        message = endpoint.get()
        assert message['event_type'] == event_type
        assert message['publisher_id'] == 'blazar.lease'
        assert message['payload']['id'] == lease['id']
        assert message['payload'] == expected_payload
        assert message['metadata']['message_id']
        assert message['ctxt']['request_id'] == context.request_id
        assert message['ctxt']['project_id'] == 'project-a'
        assert message['ctxt'].get('auth_token') != 'secret-token'
    assert endpoint.messages.empty()


def test_without_context_the_notification_is_still_sent(rabbit):
    notifier, endpoint = rabbit
    lease = make_lease()

    notifier.notify(None, notifications.END_LEASE, lease)

    message = endpoint.get()
    assert message['event_type'] == notifications.END_LEASE
    assert message['payload']['id'] == lease['id']


@pytest.mark.parametrize('driver', [[], ['noop']], ids=['unset', 'noop'])
def test_disabled_only_logs(driver, caplog):
    # Were anything sent, it would fail on the closed port, and
    # oslo.messaging would log that at ERROR.
    conf = make_conf(driver=driver, transport_url='rabbit://guest:guest@'
                     '127.0.0.1:%d/' % closed_port())
    notifier = notifications.LeaseNotifier(conf)
    assert notifier.enabled is False
    lease = make_lease()
    caplog.set_level(logging.INFO, logger=LOGGER)

    notifier.notify(None, notifications.BEFORE_END_LEASE, lease)
    notifier.close()

    assert not [r for r in caplog.records
                if r.name.startswith('oslo_messaging')
                and r.levelno >= logging.ERROR]
    records = [r for r in caplog.records if r.name == LOGGER]
    assert [r.levelno for r in records] == [logging.INFO]
    line = records[0].getMessage()
    assert line.startswith('Lease %s lease.event.before_end_lease: '
                           % lease['id'])
    assert 'name=lease-a' in line and 'status=ACTIVE' in line


def test_unreachable_broker_costs_seconds_and_is_logged(caplog):
    conf = make_conf(driver=['messagingv2'], retry=1,
                     transport_url='rabbit://guest:guest@127.0.0.1:%d/'
                     % closed_port())
    conf.set_override('rabbit_retry_interval', 1, 'oslo_messaging_rabbit')
    notifier = notifications.LeaseNotifier(conf)
    assert notifier.enabled is True and notifier.retry == 1
    lease = make_lease()
    caplog.set_level(logging.INFO)

    started = time.monotonic()
    notifier.notify(None, notifications.START_LEASE, lease)   # no raise
    elapsed = time.monotonic() - started
    notifier.close()

    # One reconnection attempt after rabbit_retry_interval (1 s).
    assert elapsed < 5
    ours = [r for r in caplog.records if r.name == LOGGER]
    assert [r.levelno for r in ours] == [logging.INFO]
    # oslo.messaging logs the failure itself, with its traceback.
    errors = [r for r in caplog.records
              if r.name.startswith('oslo_messaging.notify')
              and r.levelno >= logging.ERROR]
    assert errors, [r.getMessage() for r in caplog.records]
    assert any(r.exc_info for r in errors)
    assert any(lease['id'] in r.getMessage() for r in errors)


def test_a_bug_in_the_payload_raises():
    conf = make_conf(driver=['messagingv2'], transport_url='rabbit://'
                     'guest:guest@127.0.0.1:%d/' % closed_port())
    notifier = notifications.LeaseNotifier(conf, retry=0)
    with pytest.raises(AttributeError):
        notifier.notify(None, notifications.END_LEASE, ['not', 'a', 'dict'])
    notifier.close()


def test_retry_forever_is_bounded():
    conf = make_conf(driver=['messagingv2'])
    assert conf.oslo_messaging_notifications.retry == -1
    notifier = notifications.LeaseNotifier(conf)
    assert notifier.retry == notifications.DEFAULT_RETRY
    notifier.close()
    assert notifications.LeaseNotifier(conf, retry=0).retry == 0
