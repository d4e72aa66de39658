"""The reservation service: everything that runs beside Nova, not in it.

The store (the truth) and its database, the allocator that decides which
hosts and slots a lease gets, the Placement encoding, the reservation API
(``blazar-nova-api``), the lease agent (``blazar-nova-agent``) with its
calls to Nova and Glance (``nova/``), and ``blazar-nova-manage``. It uses
``blazar_nova.names`` to write what the filter reads; ``blazar_nova``
never imports it (doc/map.md).
"""
