"""Helpers for the tests (``tests/``) and the benchmarks (``benchmarks/``).

Shipped in the package, as oslo.db's ``test_fixtures`` and Nova's
fixtures are, so that both can import them without one importing the
other and without ``sys.path`` edits: throwaway databases on every
backend (``db_backends``), real Placement services (``placement_service``),
and the service's commands as real processes (``agent_process``,
``agent_fleet``, ``api_process``, ``manage_process``).

For tests and benchmarks only: the service's runtime code (the rest of
``placement_ext``, and ``blazar_nova``) never imports this package
(``tests/unit/test_package_layers.py`` checks it). It imports nothing
that the ``service`` extra does not install, apart from Placement itself
where a helper runs one.
"""

import os

# The directory that holds the ``placement_ext`` package (the repository
# root of a source checkout). The process helpers put it first on the
# children's PYTHONPATH and run them there, so that a child runs this copy
# of the code even when the venv has another one installed.
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
