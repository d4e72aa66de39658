"""The lease agent: acts on leases as their events fall due."""
