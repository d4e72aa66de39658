"""Host property names and their privacy (Blazar's resource properties).

The names are those the hosts carry: the keys of every host's
``properties``, so a name disappears from the listing once no host has it.
A name is private when its ``resource_properties`` row says so and public
when it has no row. Rows are kept when hosts drop the name, so a name that
comes back keeps its privacy, as in Blazar.
"""

from oslo_db import exception as db_exc
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import update

from placement_ext.db import models
from placement_ext import exception

NAME_LENGTH = models.ResourceProperty.name.type.length


def _as_text(value):
    """A property value as text; booleans as JSON spells them, as property
    filters compare them."""
    if isinstance(value, bool):
        return 'true' if value else 'false'
    return str(value)


def _host_values(session):
    """``{name: set of values as text}`` over every host."""
    values = {}
    for properties in session.scalars(select(models.Host.properties)):
        for name, value in (properties or {}).items():
            values.setdefault(name, set()).add(_as_text(value))
    return values


def _view(name, private, values, detail):
    view = {'property': name, 'private': bool(private)}
    if detail:
        view['values'] = sorted(values)
    return view


def list_properties(session, detail, include_private):
    """The property names hosts carry, sorted, as ``{'property', 'private'}``
    dicts with ``'values'`` (the distinct values, as text, sorted) when
    ``detail``. Private names are left out unless ``include_private``."""
    values = _host_values(session)
    private = dict(session.execute(select(
        models.ResourceProperty.name, models.ResourceProperty.private)).all())
    return [_view(name, private.get(name, False), values[name], detail)
            for name in sorted(values)
            if include_private or not private.get(name, False)]


def _update(session, name, private):
    return session.execute(
        update(models.ResourceProperty)
        .where(models.ResourceProperty.name == name)
        .values(private=private)).rowcount


def _insert(session, name, private):
    """Insert the row; False when a concurrent request inserted it first.

    Only PostgreSQL needs a savepoint: a failed statement spoils its whole
    transaction, while MariaDB and SQLite undo just the statement. On
    MariaDB a savepoint would do harm: a deadlock rolls the transaction
    back, savepoint included, and the failing rollback to it would hide the
    deadlock that the caller retries on.
    """
    statement = insert(models.ResourceProperty).values(name=name,
                                                       private=private)
    try:
        if session.connection().dialect.name == 'postgresql':
            with session.begin_nested():
                session.execute(statement)
        else:
            session.execute(statement)
    except db_exc.DBDuplicateEntry:
        return False
    return True


def set_private(session, name, private):
    """Make the property ``name`` private or public; return its detailed
    listing entry. ``NotFound`` when no host carries it (nothing written),
    ``InvalidInput`` when the name is longer than the table keeps.

    The update comes first, so on SQLite the transaction takes the write
    lock before it reads anything. A missing row is inserted; when a
    concurrent request inserted it first, the duplicate is turned into an
    update. A deadlock (MariaDB: two requests inserting the same row) is
    left to the caller to retry.
    """
    private = bool(private)
    updated = _update(session, name, private)
    values = _host_values(session).get(name)
    if values is None:
        raise exception.NotFound('No host has property %s.' % name)
    if len(name) > NAME_LENGTH:
        raise exception.InvalidInput(
            'property', 'names longer than %d characters cannot be made '
            'private' % NAME_LENGTH)
    if not updated and not _insert(session, name, private):
        _update(session, name, private)
    return _view(name, private, values, detail=True)
