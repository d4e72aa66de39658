"""The interface of a reservation type: everything that differs by type.

Shared code (the store, the API's schema, the agent, the reconcilers, the
commands) never asks which type a reservation is: it looks the type up by
Blazar's ``resource_type`` (``reservations.kind``) and calls it. A type is a
``ReservationType`` registered under the ``placement_ext.reservation_types``
entry point in setup.cfg; adding a type is adding a package and that line.
"""

import abc
import dataclasses
import typing


@dataclasses.dataclass(frozen=True)
class Sources:
    """What a type may consult before the allocator lock is taken: the
    request's ``context``, the ``store`` (to keep its copy of outside
    facts current), and ``compute`` (Nova) and ``placement`` clients,
    read from ``clients`` only when asked for, None when it has none."""

    context: typing.Any
    store: typing.Any
    clients: typing.Any = None

    @property
    def compute(self):
        return getattr(self.clients, 'compute', None)

    @property
    def placement(self):
        return getattr(self.clients, 'placement', None)


class ReservationType(abc.ABC):
    """One reservation type. Subclasses set the attributes and implement
    every abstract method; the hooks that do nothing by default say so."""

    #: Blazar's ``resource_type`` value, e.g. ``physical:host``.
    name = None
    #: True when the type books whole hosts: nothing else fits beside it.
    whole_host = False
    #: True when Placement shows it as slots on a child provider of each
    #: host (its access trait there), False when as traits on the host.
    slots_on_child = False
    #: ``{name: fields.Field}``: every field a body of this type may hold
    #: besides ``resource_type`` and the echoes Blazar clients send back.
    fields = {}

    # What a request is -------------------------------------------------
    @abc.abstractmethod
    def build(self, values, prefix):
        """The type's request from ``values`` (every field parsed by its
        ``Field``), with the rules between fields checked."""

    def check_change(self, change, prefix):
        """Rules between fields of a lease update's change (fields parsed);
        none by default."""

    def check_started_change(self, row, change):
        """Refuse (``exception.Conflict``) a change of reservation ``row``
        (fields parsed) that its type does not allow once the lease has
        started; none by default (the allocation rules still apply)."""

    def check_update(self, row, change, prefix):
        """Refuse a lease update's ``change`` (fields parsed) of the
        stored reservation ``row``; every change is allowed by default."""

    # Facts from other services, read before the allocator lock ----------
    # The store calls these outside its transaction: a Nova or Placement
    # call never runs while the allocator lock is held.
    def resolve(self, request, sources, prefix):
        """The new reservation's ``request`` completed with what it needs
        from other services (``sources``); the request itself by
        default."""
        return request

    def refresh(self, sources):
        """Bring the store's copy of outside facts this type decides on
        up to date before a decision; nothing by default."""

    def from_row(self, request, row):
        """``request`` (parsed from ``row_as_body(row)``) completed with
        what the row keeps beyond its body (facts resolved at creation);
        the request itself by default."""
        return request

    @abc.abstractmethod
    def to_row(self, row, request):
        """Copy the request's fields onto a ``reservations`` row."""

    @abc.abstractmethod
    def row_as_body(self, row):
        """The row as a creation body of this type (for re-validation)."""

    @abc.abstractmethod
    def view(self, row):
        """The type's fields of the row, in Blazar's names, for the API."""

    @abc.abstractmethod
    def property_filters(self, request):
        """``[(field, expression)]``: the property filters the request's
        hosts must all match."""

    # Which hosts it gets -------------------------------------------------
    @abc.abstractmethod
    def decide(self, request, start, end, hosts, bookings_by_host, *,
               policy, margin, host_filter, keep, keep_all, rng, gaps):
        """The allocator's ``Decision`` for ``[start, end)``, or
        ``NotEnoughResources``."""

    @abc.abstractmethod
    def booking(self, request, host_id, reservation_id, start, end, slots):
        """The allocator's ``Booking`` of ``slots`` on one host."""

    @abc.abstractmethod
    def booking_from_row(self, row):
        """A ``Booking`` from a loaded allocation row (see
        ``store.snapshot.load_bookings``)."""

    @abc.abstractmethod
    def availability(self, request, lo, hi, hosts, bookings_by_host, *,
                     margin, host_filter, duration):
        """``(timeline, earliest)``: what is free for the request over
        ``[lo, hi)``, and when it first fits for ``duration`` seconds."""

    @abc.abstractmethod
    def describe_slots(self, slots):
        """What ``slots`` allocated on one host amount to, in words."""

    # What Placement shows ----------------------------------------------
    @abc.abstractmethod
    def activate(self, client, plan):
        """Make Placement show ``plan`` and nothing else; the changes."""

    @abc.abstractmethod
    def revoke_access(self, client, plan):
        """Take the access trait off, so no new instance uses it."""

    @abc.abstractmethod
    def deactivate(self, client, plan):
        """Remove every trace of the reservation from Placement, or raise
        ``InventoryInUse`` while instances still hold its slots."""

    # What changes in Nova at the lease's events --------------------------
    # ``steps`` is the agent's ``LeaseSteps``: ``steps.compute`` (Nova),
    # ``steps.act`` (keep, shelve or delete a server), ``steps.snapshot``.
    def on_start(self, steps, lease, reservation):
        """Nova-side start of the reservation; nothing by default."""

    def before_end(self, steps, lease, reservation):
        """Nova-side before-end action; nothing by default."""

    @abc.abstractmethod
    def servers_at_end(self, steps, lease, reservation):
        """The servers the lease's end action applies to."""

    def on_end(self, steps, lease, reservation):
        """Nova-side clean-up once Placement forgot the reservation;
        nothing by default."""

    @abc.abstractmethod
    def holds(self, server, reservation_id, project_id):
        """Whether ``server`` is one of the reservation's instances."""

    def flavor(self, reservation):
        """The arguments of ``nova.flavors.ensure_flavor`` after the
        project (``vcpus, memory_mb, disk_gb, extra_resources`` and
        optionally ``more_specs, ephemeral_gb, swap_mb``) of the private
        flavor the reservation needs in Nova, or None (the default)."""
        return None
