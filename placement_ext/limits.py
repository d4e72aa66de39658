"""What the service accepts: lengths, characters, numbers and dates.

This is the one place that says what a valid string, identifier, integer
or date is. The API's JSON schemas, its path and query checks, its noauth
tokens and the store's validation all read it, so no two of them can
disagree, and every backend is asked only what it can store: a value
outside these limits is refused with a 400 before any SQL runs.

Rules:

* No text holds U+0000 (PostgreSQL cannot store it; SQLite and MariaDB
  would keep a value PostgreSQL refuses).
* Project and user ids are 1 to 64 characters (Keystone's limit and the
  store's columns).
* Lease names are 1 to 80 characters, not only blanks; hypervisor
  hostnames 1 to 255; host property names 1 to 64 characters of
  ``A-Z a-z 0-9 _ . : -``, their text values at most 255 characters.
* Integers are from 0 (or 1, as each field says) to 2**31 - 1; digit
  strings count as integers (python-blazarclient sends them).
* Numbers in JSON bodies are finite: ``NaN``, ``Infinity`` and numbers
  that overflow a double (``1e400``) are refused.
* Dates lie from 1970-01-01 00:00:00 to 9999-12-31 00:00:00 UTC,
  after applying their offset, and so does any date a relative move
  (``prolong_for``...) produces.
* JSON bodies nest at most 32 levels deep.
"""

import re

MAX_INT = 2 ** 31 - 1
MAX_ID_LENGTH = 64
MAX_NAME_LENGTH = 80
MAX_HOSTNAME_LENGTH = 255
MAX_PROPERTY_NAME_LENGTH = 64
MAX_PROPERTY_VALUE_LENGTH = 255
MAX_JSON_DEPTH = 32
# Digits a decimal string may have before it is taken as too large (more
# than any accepted integer has, far fewer than Python's int() refuses).
MAX_DIGITS = 20

# Epoch seconds of 1970-01-01 00:00:00 and 9999-12-31 00:00:00 UTC. The
# store's range queries use the latter as "no end"
# (``placement_ext.timeconv.FAR_FUTURE``).
MIN_EPOCH = 0
MAX_EPOCH = 253402214400
MIN_DATE_TEXT = '1970-01-01 00:00:00 UTC'
MAX_DATE_TEXT = '9999-12-31 00:00:00 UTC'

PROPERTY_NAME_PATTERN = r'^[A-Za-z0-9_.:-]{1,%d}$' % MAX_PROPERTY_NAME_LENGTH
PROPERTY_NAME = re.compile(PROPERTY_NAME_PATTERN)
# A host id in a path: ASCII digits only (str.isdigit() also takes "²"
# and Arabic-Indic digits).
HOST_ID = re.compile(r'[0-9]{1,%d}' % MAX_DIGITS)

NUL = '\x00'


def text_problem(value):
    """Why ``value`` (a str) is not acceptable text, or None."""
    if NUL in value:
        return 'contains the NUL character (U+0000)'
    return None


def id_problem(value):
    """Why ``value`` is not an acceptable project or user id, or None."""
    if not isinstance(value, str) or not value:
        return 'must be a non-empty string'
    if len(value) > MAX_ID_LENGTH:
        return 'must be at most %d characters long' % MAX_ID_LENGTH
    return text_problem(value)


def epoch_problem(epoch):
    """Why epoch seconds ``epoch`` is not an acceptable date, or None."""
    if not MIN_EPOCH <= epoch <= MAX_EPOCH:
        return 'must lie between %s and %s' % (MIN_DATE_TEXT, MAX_DATE_TEXT)
    return None
