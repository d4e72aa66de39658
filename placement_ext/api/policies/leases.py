"""Leases: a project's readers see its leases, its members change them;
an administrator sees and changes every project's."""

from oslo_policy import policy

from placement_ext.api.policies import base

GET = 'blazar:leases:get'
POST = 'blazar:leases:post'
PUT = 'blazar:leases:put'
DELETE = 'blazar:leases:delete'

RULES = [
    policy.DocumentedRuleDefault(
        name=GET,
        check_str=base.PROJECT_READER_OR_ADMIN,
        description='List leases (a project sees its own, an admin all of '
                    'them) or show one.',
        operations=[{'method': 'GET', 'path': '/v1/leases'},
                    {'method': 'GET', 'path': '/v1/leases/{lease_id}'}],
        scope_types=base.PROJECT_SCOPE),
    policy.DocumentedRuleDefault(
        name=POST,
        check_str=base.PROJECT_MEMBER_OR_ADMIN,
        description='Create a lease for the caller\'s project.',
        operations=[{'method': 'POST', 'path': '/v1/leases'}],
        scope_types=base.PROJECT_SCOPE),
    policy.DocumentedRuleDefault(
        name=PUT,
        check_str=base.PROJECT_MEMBER_OR_ADMIN,
        description='Change a lease\'s name, dates or reservations.',
        operations=[{'method': 'PUT', 'path': '/v1/leases/{lease_id}'}],
        scope_types=base.PROJECT_SCOPE),
    policy.DocumentedRuleDefault(
        name=DELETE,
        check_str=base.PROJECT_MEMBER_OR_ADMIN,
        description='Delete a lease (an active one is ended first).',
        operations=[{'method': 'DELETE', 'path': '/v1/leases/{lease_id}'}],
        scope_types=base.PROJECT_SCOPE),
]


def list_rules():
    return RULES
