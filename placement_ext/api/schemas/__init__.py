"""JSON schemas of the API's bodies and queries, one module per resource.

They check shape and types; the store checks meaning (dates, windows,
capacity) and names the offending field in its own 400s. Integers may be
strings of digits, since python-blazarclient sends them so.
"""

INT = {'type': ['integer', 'string'], 'pattern': r'^\s*-?\d*\s*$',
       'minimum': -2 ** 31, 'maximum': 2 ** 31 - 1}
NULLABLE_STR = {'type': ['string', 'null'], 'maxLength': 65535}
DATE = {'type': ['string', 'null'], 'maxLength': 64}
UUID_LIKE = {'type': 'string', 'maxLength': 255}
BOOL_QUERY = {'type': 'string',
              'enum': ['True', 'true', 'False', 'false', '1', '0']}
