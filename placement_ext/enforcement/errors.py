"""What the enforcement filters raise."""

from placement_ext import exception


class Refused(exception.ReservationError):
    """A filter refuses the lease; ``code`` is the HTTP status Blazar
    answers for that refusal (400 or 403), ``str()`` what the user sees."""

    def __init__(self, message, code=403):
        super().__init__(message)
        self.code = code


class ServiceFailed(exception.ServiceUnavailable):
    """The external service could not decide and
    ``[enforcement] external_service_on_failure`` is ``deny`` (HTTP 503)."""


class Misconfigured(exception.ReservationError):
    """``[enforcement]`` names an unknown filter or leaves one without what
    it needs; raised when the store is built, so the service stops at
    start."""


class Stale(Exception):
    """Inside the allocator lock, the lease is not the one the external
    service approved (other leases took its hosts, or moved its dates,
    meanwhile): the check runs again."""
