"""Lease event notifications on the message bus, in Blazar's format.

Every event is logged at INFO (``Lease <id> <event type>: <summary>``). It is
also sent on the message bus when oslo.messaging notifications are turned
on in the agent's configuration file::

    [oslo_messaging_notifications]
    driver = messagingv2
    transport_url = rabbit://user:password@broker:5672/

Without ``transport_url`` the group falls back to ``[DEFAULT]
transport_url``; ``topics`` defaults to ``notifications``. With no driver,
or ``driver = noop``, events are only logged. These options belong to
oslo.messaging, which lists them for oslo-config-generator under the
``oslo.messaging`` namespace.

Notifications carry Blazar's publisher id (``blazar.lease``) and event types
(``lease.event.start_lease``, ``lease.event.before_end_lease``,
``lease.event.end_lease``) at INFO priority, with the lease as payload, so
consumers written for Blazar keep working.

A notification that cannot be sent (broker down) never stops a lease:
oslo.messaging catches the send error and logs it at ERROR, with its
traceback, on its own loggers (``oslo_messaging.notify.*``). Sending blocks
while the driver reconnects, ``retry`` times at most (see ``LeaseNotifier``).
"""


from oslo_log import log as logging
import oslo_messaging
from oslo_serialization import jsonutils

LOG = logging.getLogger(__name__)

PUBLISHER_ID = 'blazar.lease'
START_LEASE = 'lease.event.start_lease'
BEFORE_END_LEASE = 'lease.event.before_end_lease'
END_LEASE = 'lease.event.end_lease'

# Reconnection attempts per notification when ``[oslo_messaging_notifications]
# retry`` keeps oslo.messaging's default of -1 (retry forever), which would
# hold the agent for as long as the broker is down.
DEFAULT_RETRY = 2


def _safe_context(context):
    """The context to send: a copy without secrets, and not a dict.

    oslo.messaging turns the object into a dict when it sends, while a dict
    handed to it is replaced by ``{}`` (current releases redact contexts and
    cannot redact a dict). Redacting here too keeps the token off the bus
    whichever release is installed.
    """
    if context is None:
        return {}
    redacted_copy = getattr(context, 'redacted_copy', None)
    return redacted_copy() if redacted_copy is not None else context


def to_primitive(value):
    """``value`` in JSON's types by oslo.serialization, as oslo.messaging
    writes Blazar's payloads: datetimes as ``YYYY-MM-DDTHH:MM:SS.ffffff``,
    sets and tuples as lists, anything else unknown as its text."""
    return jsonutils.to_primitive(value, fallback=str)


def summary(lease):
    """A one-line description of a lease for the log."""
    reservations = lease.get('reservations') or []
    return ('name=%s project=%s status=%s start=%s end=%s reservations=%d'
            % (lease.get('name'), lease.get('project_id'),
               lease.get('status'), lease.get('start_date'),
               lease.get('end_date'), len(reservations)))


class LeaseNotifier:
    """Logs lease events and sends them as Blazar's notifications.

    :param conf: an oslo.config ``ConfigOpts``; oslo.messaging registers its
        ``[oslo_messaging_notifications]`` and transport options on it.
    :param retry: reconnection attempts per notification while the broker
        is unreachable (0: none). By default ``[oslo_messaging_notifications]
        retry``, or ``DEFAULT_RETRY`` when that is -1 (forever). The time
        between attempts follows the driver's options, for RabbitMQ
        ``[oslo_messaging_rabbit] rabbit_retry_interval`` and
        ``rabbit_retry_backoff``.
    """

    def __init__(self, conf, retry=None):
        self.transport = oslo_messaging.get_notification_transport(conf)
        if retry is None:
            retry = conf.oslo_messaging_notifications.retry
            if retry < 0:
                retry = DEFAULT_RETRY
        self.retry = retry
        self._notifier = oslo_messaging.Notifier(
            self.transport, publisher_id=PUBLISHER_ID, retry=retry)
        # An empty driver list loads no driver, yet oslo.messaging counts it
        # as enabled (only ['noop'] is disabled).
        self.enabled = bool(conf.oslo_messaging_notifications.driver
                            and self._notifier.is_enabled())

    def notify(self, context, event_type, lease):
        """Log the event and, when enabled, send it.

        :param context: an oslo.context ``RequestContext`` or None. It goes
            with the notification with its secrets removed.
        :param event_type: for example ``lease.event.start_lease``.
        :param lease: the lease as a dict (the store's lease view); it is
            the payload, in JSON's types (``to_primitive``).

        A send failure is oslo.messaging's to log (it never raises one);
        anything raised here is a bug and reaches the caller.
        """
        payload = to_primitive(lease)
        LOG.info('Lease %(id)s %(event)s: %(summary)s',
                 {'id': payload.get('id'), 'event': event_type,
                  'summary': summary(payload)})
        if self.enabled:
            self._notifier.info(_safe_context(context), event_type, payload)

    def close(self):
        """Close the transport's connections; later sends are not made."""
        self.enabled = False
        self.transport.cleanup()
