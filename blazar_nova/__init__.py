"""What runs inside Nova: the scheduler filter ``BlazarFilter``.

nova-scheduler imports this package and nothing else of the add-on:
``scheduler/`` (the filter, the request's reservation, the one question to
Placement), ``conf`` (the filter's options in nova.conf) and ``names`` (the
Placement encoding's names, which the filter reads and the reservation
service writes). It imports nothing from ``placement_ext``; operators
install it into Nova's environment with the ``filter`` extra
(doc/install.md).
"""
