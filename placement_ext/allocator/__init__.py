"""Pure allocation logic: which hosts (and how many slots on each) a
reservation gets, and what is free when.

Nothing here touches a database. The store loads a ``Snapshot`` of the hosts
and their bookings overlapping the window, calls these functions, and writes
the resulting ``Decision`` in the same transaction.
"""
