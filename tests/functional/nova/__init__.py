"""BlazarFilter inside Nova's own functional harness.

Nova's test packages choose their concurrency mode when first imported:
``nova/tests/functional/__init__.py`` calls ``nova.monkey_patch.patch()``,
which monkey-patches the whole process with eventlet unless
``OS_NOVA_DISABLE_EVENTLET_PATCHING`` is set, and which refuses native
threads once anything imported eventlet (``nova.tests.fixtures`` does,
through oslo.messaging). So the variable is set and that package imported
here, before any test module of this package imports Nova's fixtures: Nova
runs on native threads and the rest of the suite, which uses real threads,
is never patched under its feet.
"""

import os

os.environ.setdefault('OS_NOVA_DISABLE_EVENTLET_PATCHING', '1')

import nova.tests.functional  # noqa: E402,F401
