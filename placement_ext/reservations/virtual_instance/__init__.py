"""``virtual:instance``: a number of instance slots of one size.

``request`` (fields, validation, row and view), ``allocation`` (how many
slots on which hosts), ``placement`` (slots on a child provider of each
host), ``lifecycle`` (the private flavor, and Nova at the end).
"""

from placement_ext.allocator import availability
from placement_ext.allocator import model
from placement_ext.reservations import base
from placement_ext.reservations.virtual_instance import allocation
from placement_ext.reservations.virtual_instance import lifecycle
from placement_ext.reservations.virtual_instance import placement
from placement_ext.reservations.virtual_instance import request

NAME = request.NAME


class VirtualInstance(base.ReservationType):
    """Slots of one size, sharing hosts with other slot reservations."""

    name = NAME
    whole_host = False
    slots_on_child = True
    fields = request.FIELDS

    def build(self, values, prefix):
        return request.build(values, prefix)

    def to_row(self, row, req):
        request.to_row(row, req)

    def check_started_change(self, row, change):
        request.check_started_change(row, change)

    def row_as_body(self, row):
        return request.row_as_body(row)

    def view(self, row):
        return request.view(row)

    def property_filters(self, req):
        return [('resource_properties', req.resource_properties)]

    def decide(self, req, start, end, hosts, bookings_by_host, **options):
        return allocation.choose_slots(req, start, end, hosts,
                                       bookings_by_host, **options)

    def booking(self, req, host_id, reservation_id, start, end, slots):
        return model.Booking(host_id, reservation_id, start, end, False,
                             {k: v * slots
                              for k, v in req.slot_size().items()}, slots)

    def booking_from_row(self, row):
        """Unpacked by position: this runs for thousands of rows per
        decision (``store.snapshot.load_bookings`` names the columns)."""
        (host_id, reservation_id, start, end, slots, _type, vcpus,
         memory_mb, disk_gb, extra) = row
        usage = {'vcpus': vcpus * slots, 'memory_mb': memory_mb * slots,
                 'local_gb': disk_gb * slots}
        if extra:
            for key, value in extra.items():
                usage[key] = value * slots
        return model.Booking(host_id, reservation_id, start, end, False,
                             usage, slots)

    def availability(self, req, lo, hi, hosts, bookings_by_host, **options):
        return availability.slot_query(req, lo, hi, hosts, bookings_by_host,
                                       **options)

    def describe_slots(self, slots):
        return '%d instance slot(s)' % slots

    def activate(self, client, plan):
        return placement.activate(client, plan)

    def revoke_access(self, client, plan):
        return placement.revoke_access(client, plan)

    def deactivate(self, client, plan):
        return placement.deactivate(client, plan)

    def on_start(self, steps, lease, reservation):
        lifecycle.on_start(steps, lease, reservation)

    def servers_at_end(self, steps, lease, reservation):
        return lifecycle.servers_at_end(steps, lease, reservation)

    def on_end(self, steps, lease, reservation):
        lifecycle.on_end(steps, lease, reservation)

    def holds(self, server, reservation_id, project_id):
        return lifecycle.holds(server, reservation_id, project_id)

    def flavor(self, reservation):
        return lifecycle.flavor(reservation)
