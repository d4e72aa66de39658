"""The interface of an enforcement filter.

A filter runs either outside the allocator lock (``outside_lock``: it may
be slow, such as a call to another service; it sees the bodies of the
lease as the allocator would write it at that moment) or inside it (it
reads the database and must be quick; it sees the lease as it is being
written, so its decision holds against every other writer).
"""


class Filter:
    """One rule; the hooks that do nothing by default say so."""

    #: True when the filter is asked before the allocator lock is taken.
    outside_lock = False

    def __init__(self, conf):
        self.conf = conf

    # Outside the lock: Blazar's bodies (``bodies``) ----------------------
    def check_create(self, context, lease):
        """Refuse (``errors.Refused``) a new lease; nothing by default."""

    def check_update(self, context, current_lease, lease):
        """Refuse a change of ``current_lease`` into ``lease``; nothing by
        default."""

    def on_end(self, context, lease):
        """Be told that ``lease`` ended or was deleted before its start;
        nothing by default. Errors are logged, never raised further."""

    # Inside the lock ------------------------------------------------------
    def remember(self, session, lease):
        """What ``check_locked`` needs to know of a lease before an update
        changes it (the ORM ``lease``, unchanged); None by default."""
        return None

    def check_locked(self, session, change, remembered):
        """Refuse ``change`` (``checks.LeaseChange``), with ``remembered``
        what ``remember`` gave before an update (None on create); nothing
        by default."""
