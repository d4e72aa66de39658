"""What a ``flavor:instance`` reservation's lease events do in Nova:
``virtual:instance``'s steps (private flavor ``reservation:<id>`` at start,
the end action on its instances, the flavor deleted at the end), with the
private flavor made from the source flavor kept on the reservation.
"""


def flavor(reservation):
    """The private flavor: the source flavor's vcpus, ram, disk,
    ephemeral disk, swap and extra specs (its ``resources:`` and
    ``trait:`` ones included, so Nova asks Placement for the same
    resources on a host with the same traits), plus the slot
    (``flavors.ensure_flavor`` adds it)."""
    source = reservation.flavor
    return (source['vcpus'], source['ram'], source['disk'], None,
            source['extra_specs'], source['ephemeral'], source['swap'])
