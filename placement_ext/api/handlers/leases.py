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
    project's with ``?project_id=``. Written as it is read, a batch of
    leases at a time."""
    params = util.query(req, schemas.LIST_QUERY)
    _authorize(req, 'get')
    status = params.get('status')
    batches = util.services(req).store.iter_leases(
        util.context(req), all_projects=True,
        project_id=params.get('project_id'),
        status=status.upper() if status else None)
    return util.respond_list('leases', batches, views.lease)


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
