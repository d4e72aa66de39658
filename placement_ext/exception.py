"""Errors the store and allocator raise, each with the HTTP code it maps to.

Every error carries a message meant for the person who sent the request; the
API layer turns ``code`` into the HTTP status and ``str(exc)`` into the body.
"""

from placement_ext import blazar_words


class ReservationError(Exception):
    """Base class: a refusal with a message and an HTTP status code."""

    code = 500

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class InvalidInput(ReservationError):
    """A field of a request is malformed or out of range (HTTP 400).

    The message is ``Invalid <field>: <reason>``, or ``message`` when given
    (Blazar's own sentence for the case, which clients match on).
    """

    code = 400

    def __init__(self, field, reason, message=None):
        super().__init__(message or 'Invalid %s: %s' % (field, reason))
        self.field = field
        self.reason = reason


class NotFound(ReservationError):
    """The named object does not exist (HTTP 404)."""

    code = 404


class Conflict(ReservationError):
    """The request conflicts with the current state (HTTP 409)."""

    code = 409


class NotEnoughResources(Conflict):
    """The allocator cannot satisfy the request in that window (HTTP 409).

    The message is Blazar's sentence for the case, then ``detail`` (what
    matched, what was free): ``Not enough hosts available: <detail>``.
    """

    WORDS = blazar_words.NOT_ENOUGH_HOSTS

    def __init__(self, detail):
        super().__init__('%s: %s' % (self.WORDS, detail))
        self.detail = detail


class InvalidStateTransition(Conflict):
    """An object was asked to move to a state its state machine forbids."""

    def __init__(self, kind, obj_id, current, target):
        super().__init__(
            '%s %s cannot go from %s to %s' % (kind, obj_id, current, target))
        self.kind = kind
        self.current = current
        self.target = target


class ServiceUnavailable(ReservationError):
    """Another service (Placement, Nova) could not be reached or answered
    with a server error (HTTP 503): the step may be retried later."""

    code = 503


class ServiceRefused(ReservationError):
    """Another service refused a request this one made (HTTP 502): a bug
    or an incompatible service, not something a retry fixes."""

    code = 502

    def __init__(self, service, method, url, status, detail):
        super().__init__('%s refused %s %s: HTTP %s %s'
                         % (service, method, url, status, detail))
        self.status = status


class PlacementUnavailable(ServiceUnavailable):
    """Placement is unreachable or failing."""


class PlacementRefused(ServiceRefused):
    """Placement refused a request of the encoding."""


class InventoryInUse(Conflict):
    """Instances still consume a reservation's slots, so its inventory
    cannot be removed yet."""
