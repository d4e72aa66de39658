"""The API's policy defaults: rules as constants with a project scope,
and the reader, member and administrator personas."""

from oslo_config import cfg
from oslo_policy import policy as oslo_policy
import pytest

from placement_ext.api import policies
from placement_ext.api.policies import availability
from placement_ext.api.policies import hosts
from placement_ext.api.policies import leases
from placement_ext.api import policy
from placement_ext import context

OPERATIONS = [r for r in policies.list_rules()
              if isinstance(r, oslo_policy.DocumentedRuleDefault)]


@pytest.fixture
def conf():
    conf = cfg.ConfigOpts()
    conf([], default_config_files=[])
    return conf


def _ctx(roles, project='p1', **kwargs):
    return context.RequestContext(user_id='u1', project_id=project,
                                  roles=roles, **kwargs)


def _allowed(conf, ctx, rule, project='p1'):
    return policy.get_enforcer(conf).authorize(
        rule, {'project_id': project, 'user_id': 'u1'},
        ctx.to_policy_values())


def test_every_operation_is_documented_and_project_scoped():
    names = {r.name for r in OPERATIONS}
    assert names == {
        leases.GET, leases.POST, leases.PUT, leases.DELETE,
        hosts.GET, hosts.POST, hosts.PUT, hosts.DELETE,
        hosts.GET_ALLOCATIONS, hosts.GET_PROPERTIES,
        hosts.UPDATE_PROPERTIES, availability.GET}
    for rule in OPERATIONS:
        assert rule.scope_types == ['project'], rule.name
        assert rule.operations, rule.name


def test_reader_reads_member_writes(conf):
    reader = _ctx(['reader'])
    member = _ctx(['member', 'reader'])
    assert _allowed(conf, reader, leases.GET)
    assert _allowed(conf, reader, availability.GET)
    assert not _allowed(conf, reader, leases.POST)
    for rule in (leases.GET, leases.POST, leases.PUT, leases.DELETE,
                 availability.GET):
        assert _allowed(conf, member, rule), rule
        # Not in another project.
        assert not _allowed(conf, member, rule, project='p2'), rule
    for rule in OPERATIONS:
        if rule.name.startswith('blazar:oshosts:'):
            assert not _allowed(conf, member, rule.name), rule.name


def test_admin_may_do_everything(conf):
    admin = _ctx(['admin', 'member', 'reader'])
    assert policy.is_admin(conf, admin)
    for rule in OPERATIONS:
        assert _allowed(conf, admin, rule.name, project='p2'), rule.name


def test_a_member_is_no_admin(conf):
    assert not policy.is_admin(conf, _ctx(['member', 'reader']))


def test_system_scoped_token_is_refused(conf):
    ctx = _ctx(['admin', 'member', 'reader'], project=None,
               system_scope='all')
    assert not _allowed(conf, ctx, leases.GET)
