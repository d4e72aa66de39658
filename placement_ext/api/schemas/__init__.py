"""JSON schemas of the API's bodies and queries, one module per resource.

They check shape and types; the store checks meaning (dates, windows,
capacity) and names the offending field in its own 400s. Both take their
limits from ``placement_ext.limits`` and their field names from the
store's validation, so a body the schema lets through is never refused by
the store for a field the schema allows, nor for a length or a range the
schema states differently. Integers may be strings of digits, since
python-blazarclient sends them so.
"""

from placement_ext import limits

INT = {'type': ['integer', 'string'], 'pattern': r'^-?[0-9]+$',
       'minimum': -limits.MAX_INT - 1, 'maximum': limits.MAX_INT}
NULLABLE_STR = {'type': ['string', 'null'], 'maxLength': 65535}
# A property filter: Blazar's JSON text, or the decoded list.
PROPERTY_FILTER = {'type': ['string', 'array', 'null'], 'maxLength': 65535}
DATE = {'type': ['string', 'null'], 'maxLength': 64}
UUID_LIKE = {'type': 'string', 'maxLength': 255}
BOOL_QUERY = {'type': 'string',
              'enum': ['True', 'true', 'False', 'false', '1', '0']}
