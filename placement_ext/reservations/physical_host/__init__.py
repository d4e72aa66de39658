"""``physical:host``: whole compute hosts for a lease's window.

``request`` (fields, validation, row and view), ``allocation`` (which
hosts), ``placement`` (traits on the compute nodes), ``lifecycle`` (Nova at
start, before end and end).
"""

from placement_ext.allocator import availability
from placement_ext.allocator import model
from placement_ext.reservations import base
from placement_ext.reservations.physical_host import allocation
from placement_ext.reservations.physical_host import lifecycle
from placement_ext.reservations.physical_host import placement
from placement_ext.reservations.physical_host import request

NAME = request.NAME


class PhysicalHost(base.ReservationType):
    """Whole hosts: nothing else may share them during the lease."""

    name = NAME
    whole_host = True
    slots_on_child = False
    fields = request.FIELDS

    def build(self, values, prefix):
        return request.build(values, prefix)

    def check_change(self, change, prefix):
        request.check_change(change, prefix)

    def to_row(self, row, req):
        request.to_row(row, req)

    def row_as_body(self, row):
        return request.row_as_body(row)

    def view(self, row):
        return request.view(row)

    def property_filters(self, req):
        return [('resource_properties', req.resource_properties),
                ('hypervisor_properties', req.hypervisor_properties)]

    def decide(self, req, start, end, hosts, bookings_by_host, **options):
        return allocation.choose_hosts(req, start, end, hosts,
                                       bookings_by_host, **options)

    def booking(self, req, host_id, reservation_id, start, end, slots):
        return model.Booking(host_id, reservation_id, start, end, True, {},
                             slots)

    def booking_from_row(self, row):
        return model.Booking(row[0], row[1], row[2], row[3], True, {},
                             row[4])

    def availability(self, req, lo, hi, hosts, bookings_by_host, **options):
        return availability.host_query(req, lo, hi, hosts, bookings_by_host,
                                       **options)

    def describe_slots(self, slots):
        return 'whole host'

    def activate(self, client, plan):
        return placement.activate(client, plan)

    def revoke_access(self, client, plan):
        return placement.revoke_access(client, plan)

    def deactivate(self, client, plan):
        return placement.deactivate(client, plan)

    def on_start(self, steps, lease, reservation):
        lifecycle.on_start(steps, lease, reservation)

    def before_end(self, steps, lease, reservation):
        lifecycle.before_end(steps, lease, reservation)

    def servers_at_end(self, steps, lease, reservation):
        return lifecycle.servers_at_end(steps, lease, reservation)

    def holds(self, server, reservation_id, project_id):
        return lifecycle.holds(server, reservation_id, project_id)
