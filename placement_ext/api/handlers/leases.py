"""``/v1/leases``: a project's leases."""

from placement_ext.api.handlers import compute_only
from placement_ext.api import policy
from placement_ext.api.policies import leases as rules
from placement_ext.api.schemas import leases as schemas
from placement_ext.api import util
from placement_ext.api import views


def _authorize(req, rule):
    policy.authorize(util.services(req).conf, util.context(req), rule)


def list_leases(req):
    """A project's leases; an admin's list holds every project's, or one
    project's with ``?project_id=``. Written as it is read, a batch of
    leases at a time."""
    _authorize(req, rules.GET)
    params = util.query(req, schemas.LIST_QUERY)
    status = params.get('status')
    batches = util.services(req).store.iter_leases(
        util.context(req), all_projects=True,
        project_id=params.get('project_id'),
        status=status.upper() if status else None)
    return util.respond_list('leases', batches, views.lease)


def create(req):
    _authorize(req, rules.POST)
    body = util.json_body(req, schemas.CREATE,
                          precheck=compute_only.check_types)
    services = util.services(req)
    lease = services.store.create_lease(util.context(req), body,
                                        services.clients)
    return util.respond({'lease': views.lease(lease)}, status=201)


def show(req, lease_id):
    _authorize(req, rules.GET)
    lease = util.services(req).store.get_lease(util.context(req), lease_id)
    return util.respond({'lease': views.lease(lease)})


def update(req, lease_id):
    _authorize(req, rules.PUT)
    body = util.json_body(req, schemas.UPDATE)
    services = util.services(req)
    lease = services.store.update_lease(util.context(req), lease_id, body,
                                        services.clients)
    return util.respond({'lease': views.lease(lease)})


def delete(req, lease_id):
    _authorize(req, rules.DELETE)
    util.services(req).store.delete_lease(util.context(req), lease_id)
    return util.no_content()
