"""Availability answers through the request's reservation type, for the
allocator's unit tests."""

from placement_ext import reservations


def free_timeline(request, lo, hi, hosts, bookings, margin=0):
    """The request type's timeline of what is free over ``[lo, hi)``."""
    return reservations.kind(request.resource_type).availability(
        request, lo, hi, hosts, bookings, margin=margin, host_filter=None,
        duration=None)[0]


def earliest_start(request, duration, lo, hi, hosts, bookings, margin=0):
    """The request type's earliest start of a ``duration`` window."""
    return reservations.kind(request.resource_type).availability(
        request, lo, hi, hosts, bookings, margin=margin, host_filter=None,
        duration=duration)[1]
