"""``blazar-nova-manage``: operator commands of the reservation store.

Usage::

    blazar-nova-manage [--config-file FILE] db sync [REVISION]
    blazar-nova-manage [--config-file FILE] db version

Commands are grouped in categories (``db``, ...). A category is a subclass of
:class:`Category` listed in :data:`CATEGORIES`; each of its methods decorated
with :func:`action` becomes a sub-command, whose arguments are declared with
:func:`arg` and passed to the method as keyword arguments. A command returns
its exit code (``None`` counts as 0).
"""

import sys

from alembic import util as alembic_util
from oslo_config import cfg
from oslo_db import exception as db_exception
from oslo_log import log as logging
import sqlalchemy.exc

from placement_ext import conf as bn_conf
from placement_ext.db import api as db_api
from placement_ext.db import migration
from placement_ext import exception

LOG = logging.getLogger(__name__)

PROJECT = 'blazar-nova'
PROG = 'blazar-nova-manage'

# alembic says at INFO level which backend it talks to on every command;
# keep its notices out of the commands' output unless configured otherwise.
LOG_LEVELS = ['alembic=WARNING']

# Every argument of an action is stored under this prefix, so that its name
# cannot clash with a registered option when read from ``conf.category``.
_ARG_PREFIX = 'action_kwarg_'


def arg(*flags, **kwargs):
    """Describe one argparse argument of an action.

    Takes what ``ArgumentParser.add_argument`` takes; the value reaches the
    action method as the keyword argument named by ``dest`` (or derived from
    the flags the way argparse does it).
    """
    return flags, kwargs


def action(help, *arguments, name=None):
    """Make a :class:`Category` method a sub-command.

    :param help: one line shown in ``--help``
    :param arguments: :func:`arg` descriptions of its arguments
    :param name: command name; the method's name with '_' replaced by '-'
        when omitted
    """
    def decorator(method):
        method.action_help = help
        method.action_arguments = arguments
        method.action_name = name or method.__name__.replace('_', '-')
        return method
    return decorator


def _dest(flags, kwargs):
    if 'dest' in kwargs:
        return kwargs['dest']
    longs = [f for f in flags if f.startswith('--')]
    chosen = (longs or flags)[0]
    return chosen.lstrip('-').replace('-', '_')


def add_arguments(parser, arguments):
    """Add :func:`arg` descriptions to ``parser``; return their names."""
    names = []
    for flags, kwargs in arguments:
        kwargs = dict(kwargs)
        name = _dest(flags, kwargs)
        kwargs['dest'] = _ARG_PREFIX + name
        if not flags[0].startswith('-'):
            # A positional argument takes its dest from its only "flag".
            flags = (kwargs.pop('dest'),)
            kwargs.setdefault('metavar', name.upper())
        parser.add_argument(*flags, **kwargs)
        names.append(name)
    return names


class Category:
    """A group of sub-commands: ``blazar-nova-manage <category> <action>``.

    Subclasses set ``help`` and decorate methods with :func:`action`. An
    instance is built for the command that runs, with the parsed
    configuration and the store database.
    """

    help = None

    def __init__(self, conf, database):
        self.conf = conf
        self.database = database

    @classmethod
    def actions(cls):
        return [getattr(cls, attr) for attr in sorted(dir(cls))
                if hasattr(getattr(cls, attr), 'action_name')]

    @classmethod
    def add_parsers(cls, parser):
        """Add this category's sub-commands to its ``parser``.

        A category that is a single command can override this to add its
        arguments to ``parser`` directly and set the same defaults.
        """
        subparsers = parser.add_subparsers(dest='action', metavar='ACTION')
        subparsers.required = True
        for method in cls.actions():
            sub = subparsers.add_parser(method.action_name,
                                        help=method.action_help,
                                        description=method.action_help)
            names = add_arguments(sub, method.action_arguments)
            sub.set_defaults(action_fn=method.__name__, action_kwargs=names)


class DbCommands(Category):
    """Create or upgrade the store's database schema."""

    help = 'Database schema: sync, version.'

    @action('Create or upgrade the schema, then print its revision.',
            arg('revision', nargs='?', default='head',
                help='Revision to upgrade to (default: the newest).'))
    def sync(self, revision):
        print(migration.upgrade(self.database, revision))
        return 0

    @action("Print the schema's revision, or None if it was never synced.")
    def version(self):
        print(migration.current_revision(self.database))
        return 0


# The categories of blazar-nova-manage, by command-line name.
CATEGORIES = {
    'db': DbCommands,
}


def add_command_parsers(subparsers):
    """Handler of the ``category`` sub-command option."""
    for name, category in CATEGORIES.items():
        parser = subparsers.add_parser(name, help=category.help,
                                       description=category.__doc__)
        parser.set_defaults(category_name=name)
        category.add_parsers(parser)


category_opt = cfg.SubCommandOpt(
    'category',
    title='Command categories',
    help='Available categories',
    handler=add_command_parsers)


def _one_line(error):
    """The first line of an error's message (driver errors add more)."""
    lines = [line for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else error.__class__.__name__


def _run(conf):
    category = CATEGORIES[conf.category.category_name]
    method_name = conf.category.action_fn
    kwargs = {name: getattr(conf.category, _ARG_PREFIX + name)
              for name in conf.category.action_kwargs}
    database = db_api.Database(conf)
    try:
        result = getattr(category(conf, database), method_name)(**kwargs)
    finally:
        database.dispose()
    return 0 if result is None else result


def main(argv=None):
    """Run one command; return its exit code."""
    conf = cfg.ConfigOpts()
    bn_conf.register_opts(conf)
    logging.register_options(conf)
    # Logs go to stderr: standard output carries the commands' results.
    conf.set_default('use_stderr', True)
    conf.set_default('default_log_levels',
                     logging.get_default_log_levels() + LOG_LEVELS)
    conf.register_cli_opt(category_opt)
    try:
        conf(sys.argv[1:] if argv is None else argv, project=PROJECT,
             prog=PROG)
    except cfg.Error as exc:
        print('ERROR: %s' % _one_line(exc), file=sys.stderr)
        return 1
    logging.setup(conf, PROJECT)
    try:
        return _run(conf)
    except (exception.ReservationError, db_exception.DBError,
            sqlalchemy.exc.SQLAlchemyError, alembic_util.CommandError,
            OSError) as exc:
        LOG.debug('%s failed', conf.category.name, exc_info=True)
        print('ERROR: %s' % _one_line(exc), file=sys.stderr)
        return 1


if __name__ == '__main__':
    sys.exit(main())
