"""``flavor:instance``: ``amount`` instances of an existing Nova flavor
(Blazar 18's flavor-based instance reservation).

Once its flavor is read, it is ``virtual:instance``: slots of one size on a
child provider of each host, the same private flavor at start and the same
end. So the type is ``VirtualInstance`` with what differs: ``request`` (its
fields, the flavor kept on the row, the update refusals), ``source`` (the
flavor read from Nova and what it asks of Placement), ``allocation`` (the
hosts as Placement shows them: traits, inventories, max_unit), and
``lifecycle`` (the private flavor made from the source flavor). Its
Placement encoding and Nova steps are ``virtual_instance``'s.

Before the allocator lock: ``resolve`` reads the flavor from Nova (a new
reservation only) and ``refresh`` brings the hosts' copies of their compute
nodes up to date (``placement.inventories``).
"""

from placement_ext import exception
from placement_ext.placement import inventories
from placement_ext.reservations.flavor_instance import allocation
from placement_ext.reservations.flavor_instance import lifecycle
from placement_ext.reservations.flavor_instance import request
from placement_ext.reservations.flavor_instance import source
from placement_ext.reservations import virtual_instance

NAME = request.NAME


class FlavorInstance(virtual_instance.VirtualInstance):
    """Instances of a Nova flavor: slots sized by it, on hosts Placement
    shows fit for it."""

    name = NAME
    fields = request.FIELDS

    def build(self, values, prefix):
        return request.build(values, prefix)

    def check_update(self, row, change, prefix):
        request.check_update(row, change, prefix)

    def resolve(self, req, sources, prefix):
        req.flavor = source.read(sources.compute, req.flavor_id,
                                 sources.context, prefix + 'flavor_id')
        return req

    def refresh(self, sources):
        if sources.placement is None:
            raise exception.Conflict(source.NO_PLACEMENT)
        inventories.refresh(sources.placement, sources.store,
                            sources.context)

    def from_row(self, req, row):
        return request.from_row(req, row)

    def to_row(self, row, req):
        request.to_row(row, req)

    def row_as_body(self, row):
        return request.row_as_body(row)

    def view(self, row):
        return request.view(row)

    def decide(self, req, start, end, hosts, bookings_by_host, **options):
        return allocation.choose_slots(req, start, end, hosts,
                                       bookings_by_host, **options)

    def availability(self, req, lo, hi, hosts, bookings_by_host, **options):
        return allocation.slot_query(req, lo, hi, hosts, bookings_by_host,
                                     **options)

    def flavor(self, reservation):
        return lifecycle.flavor(reservation)
