"""Hosts, their allocations and properties: administrators only."""

from oslo_policy import policy

from placement_ext.api.policies import base

GET = 'blazar:oshosts:get'
POST = 'blazar:oshosts:post'
PUT = 'blazar:oshosts:put'
DELETE = 'blazar:oshosts:delete'
GET_ALLOCATIONS = 'blazar:oshosts:get_allocations'
GET_PROPERTIES = 'blazar:oshosts:get_resource_properties'
UPDATE_PROPERTIES = 'blazar:oshosts:update_resource_properties'

RULES = [
    policy.DocumentedRuleDefault(
        name=GET,
        check_str=base.ADMIN,
        description='List enrolled hosts or show one.',
        operations=[{'method': 'GET', 'path': '/v1/os-hosts'},
                    {'method': 'GET', 'path': '/v1/os-hosts/{host_id}'}],
        scope_types=base.PROJECT_SCOPE),
    policy.DocumentedRuleDefault(
        name=POST,
        check_str=base.ADMIN,
        description='Enrol a compute node found in Placement.',
        operations=[{'method': 'POST', 'path': '/v1/os-hosts'}],
        scope_types=base.PROJECT_SCOPE),
    policy.DocumentedRuleDefault(
        name=PUT,
        check_str=base.ADMIN,
        description='Change a host\'s properties or reservability.',
        operations=[{'method': 'PUT', 'path': '/v1/os-hosts/{host_id}'}],
        scope_types=base.PROJECT_SCOPE),
    policy.DocumentedRuleDefault(
        name=DELETE,
        check_str=base.ADMIN,
        description='Withdraw a host no lease holds.',
        operations=[{'method': 'DELETE', 'path': '/v1/os-hosts/{host_id}'}],
        scope_types=base.PROJECT_SCOPE),
    policy.DocumentedRuleDefault(
        name=GET_ALLOCATIONS,
        check_str=base.ADMIN,
        description='List which reservations hold which hosts.',
        operations=[{'method': 'GET', 'path': '/v1/os-hosts/allocations'},
                    {'method': 'GET',
                     'path': '/v1/os-hosts/{host_id}/allocation'}],
        scope_types=base.PROJECT_SCOPE),
    policy.DocumentedRuleDefault(
        name=GET_PROPERTIES,
        check_str=base.ADMIN,
        description='List the properties hosts carry.',
        operations=[{'method': 'GET', 'path': '/v1/os-hosts/properties'}],
        scope_types=base.PROJECT_SCOPE),
    policy.DocumentedRuleDefault(
        name=UPDATE_PROPERTIES,
        check_str=base.ADMIN,
        description='Make a host property private (hidden from non-admins) '
                    'or public.',
        operations=[{'method': 'PATCH',
                     'path': '/v1/os-hosts/properties/{name}'}],
        scope_types=base.PROJECT_SCOPE),
]


def list_rules():
    return RULES
