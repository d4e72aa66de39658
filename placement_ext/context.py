"""The request context: who asks, and the enginefacade transaction slot."""

from oslo_context import context
from oslo_db.sqlalchemy import enginefacade


@enginefacade.transaction_context_provider
class RequestContext(context.RequestContext):
    """oslo.context's RequestContext, usable with enginefacade ``using``."""


def admin_context():
    """A context for operator commands and the agent."""
    return RequestContext(project_id='admin', user_id='admin',
                          is_admin=True, roles=['admin'])
