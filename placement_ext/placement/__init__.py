"""How reservations are written into Placement (see doc/placement.md)."""
