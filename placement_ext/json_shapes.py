"""JSON-schema shapes of values that several bodies share.

They state shape and type only; what a value means is checked by the code
that reads it. Integers may be strings of digits, since python-blazarclient
sends them so.
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
