"""Which errors the agent expects from the services it depends on.

Rules:

* ``OUTAGES``: a service or the store could not be reached, or answered
  with a server error. An event that meets one is given back and retried
  with backoff for as long as the outage lasts.
* ``FAILURES``: every error a real dependency raises (this project's
  ``ReservationError``, oslo.db's ``DBError``, keystoneauth1's
  ``ClientException``), outages included. An event that meets one that is
  not an outage counts a failure (``[agent] max_failures``); a periodic
  task that meets one says so in one line and runs again next period.
* ``STORE_ERRORS``: what a read or write of the store raises when the
  database is unreachable, locked or refuses the statement.
* Anything else (TypeError, KeyError, AttributeError...) is a bug: it is
  never logged as a one-line warning. The runner logs it with its
  traceback, and lets it end the agent where going on would hide it.
"""

from keystoneauth1 import exceptions as ks_exc
from oslo_db import exception as db_exc

from placement_ext import exception

STORE_ERRORS = (db_exc.DBError,)

OUTAGES = (exception.ServiceUnavailable, db_exc.DBConnectionError,
           ks_exc.ConnectionError, ks_exc.http.HttpServerError)

FAILURES = (exception.ReservationError, db_exc.DBError,
            ks_exc.ClientException)
