"""``/v1/leases``: a project's leases."""

from placement_ext.api import policy
from placement_ext.api.schemas import leases as schemas
from placement_ext.api import util
from placement_ext.api import views


def _authorize(req, rule):
    policy.authorize(util.services(req).conf, util.context(req),
                     'blazar:leases:%s' % rule)


def list_leases(req):
    """A project's leases; an admin's list holds every project's, or one
    project's with ``?project_id=``."""
    params = util.query(req, schemas.LIST_QUERY)
    _authorize(req, 'get')
    ctx = util.context(req)
    found = util.services(req).store.list_leases(ctx, all_projects=True)
    if 'project_id' in params:
        found = [lease for lease in found
                 if lease['project_id'] == params['project_id']]
    if 'status' in params:
        found = [lease for lease in found
                 if lease['status'] == params['status'].upper()]
    return util.respond({'leases': [views.lease(lease) for lease in found]})


def create(req):
    body = util.json_body(req, schemas.CREATE)
    _authorize(req, 'post')
    lease = util.services(req).store.create_lease(util.context(req), body)
    return util.respond({'lease': views.lease(lease)}, status=201)


def show(req, lease_id):
    _authorize(req, 'get')
    lease = util.services(req).store.get_lease(util.context(req), lease_id)
    return util.respond({'lease': views.lease(lease)})


def update(req, lease_id):
    body = util.json_body(req, schemas.UPDATE)
    _authorize(req, 'put')
    store = util.services(req).store
    lease = store.update_lease(util.context(req), lease_id, body)
    return util.respond({'lease': views.lease(lease)})


def delete(req, lease_id):
    _authorize(req, 'delete')
    util.services(req).store.delete_lease(util.context(req), lease_id)
    return util.no_content()
