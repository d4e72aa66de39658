"""Blazar's own sentences for the refusals it has words for.

Blazar 18 states these in ``blazar/exceptions.py``,
``blazar/manager/exceptions.py`` and the lease checks of its manager;
scripts and Blazar's API tests match on them, so where Blazar has a
sentence for a case this service answers with the same sentence (and its
own status code). Cases Blazar has no sentence for keep this service's
own messages (``Invalid <field>: <reason>``).
"""

# The one date form Blazar's messages name.
DATE_FORMAT = '%Y-%m-%d %H:%M'

START_IN_PAST = 'Start date must be later than current date'
END_BEFORE_START = 'End date must be later than start date.'
END_NOT_LATER = 'End date must be later than current and start date'
STARTED_LEASE_START = ('Cannot modify the start date of already started '
                       'leases')
TERMINATED_LEASE = 'Terminated leases can only be renamed'
OUT_OF_LEASE_LIMITS = 'Datetime is out of lease limits'
INVALID_RANGE = ('Invalid values for min/max of hosts. Max must be equal '
                 'to or larger than min.')
NOT_ENOUGH_HOSTS = 'Not enough hosts available'
EXTRA_CAPABILITY_TOO_LONG = 'Extra capability key too long'
ACTIVE_ONLY_AMOUNT = 'An active reservation only accepts to update amount.'
ACTIVE_NO_REDUCE = ("Instance reservation doesn't allow to reduce/replace "
                    "reserved instance slots when the reservation is in "
                    "active status.")


def missing_parameter(*names):
    return 'Missing parameter %s' % ', '.join(names)


def invalid_date(text):
    return '%s is an invalid date. Required format: %s' % (text,
                                                           DATE_FORMAT)


def lease_name_exists(name):
    return 'The lease with name: %s already exists' % name


def invalid_reservation_ids(ids):
    return ('Please enter valid reservation IDs. Invalid reservation IDs '
            'are: %s' % ','.join(ids))


def malformed_requirements(requirements):
    return 'Malformed requirements %s' % requirements


def cannot_update(param):
    return '%s cannot be updated' % param


def unsupported_resource_type(name):
    return 'The %s resource type is not supported' % name


def host_not_found(ident):
    return "Host '%s' not found!" % ident


def cant_delete_host(ident):
    return "Can't delete host %s. The host is reserved." % ident
