"""JSON schemas of the API's bodies and queries, one module per resource.

They check shape and types; the store checks meaning (dates, windows,
capacity) and names the offending field in its own 400s. Both take their
limits from ``placement_ext.limits``, their shapes from
``placement_ext.json_shapes`` and their field names from the reservation
types (``placement_ext.reservations``) and the store's validation, so a
body the schema lets through is never refused by the store for a field the
schema allows, nor for a length or a range the schema states
differently. Integers may be strings of digits, since
python-blazarclient sends them so.
"""

from placement_ext.json_shapes import BOOL_QUERY  # noqa: F401
from placement_ext.json_shapes import DATE  # noqa: F401
from placement_ext.json_shapes import INT  # noqa: F401
from placement_ext.json_shapes import NULLABLE_STR  # noqa: F401
from placement_ext.json_shapes import PROPERTY_FILTER  # noqa: F401
from placement_ext.json_shapes import UUID_LIKE  # noqa: F401
