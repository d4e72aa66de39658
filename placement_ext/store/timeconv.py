"""The store's old name of ``placement_ext.timeconv``; import that.

Kept only so that modules written against this name (store/leases.py,
store/views.py and branches under way) keep working until they move.
"""

from placement_ext.timeconv import FAR_FUTURE  # noqa: F401
from placement_ext.timeconv import to_datetime  # noqa: F401
from placement_ext.timeconv import to_epoch  # noqa: F401
from placement_ext.timeconv import to_text  # noqa: F401
