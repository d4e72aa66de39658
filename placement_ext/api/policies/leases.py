"""Leases: a project sees and changes only its own; an admin, all."""

from oslo_policy import policy

from placement_ext.api.policies import base

PREFIX = 'blazar:leases:%s'

RULES = [
    policy.DocumentedRuleDefault(
        PREFIX % 'get', base.ADMIN_OR_OWNER,
        'List leases (a project sees its own, an admin all of them) or '
        'show one.',
        [{'method': 'GET', 'path': '/v1/leases'},
         {'method': 'GET', 'path': '/v1/leases/{lease_id}'}]),
    policy.DocumentedRuleDefault(
        PREFIX % 'post', base.ADMIN_OR_OWNER,
        'Create a lease for the caller\'s project.',
        [{'method': 'POST', 'path': '/v1/leases'}]),
    policy.DocumentedRuleDefault(
        PREFIX % 'put', base.ADMIN_OR_OWNER,
        'Change a lease\'s name, dates or reservations.',
        [{'method': 'PUT', 'path': '/v1/leases/{lease_id}'}]),
    policy.DocumentedRuleDefault(
        PREFIX % 'delete', base.ADMIN_OR_OWNER,
        'Delete a lease (an active one is ended first).',
        [{'method': 'DELETE', 'path': '/v1/leases/{lease_id}'}]),
]


def list_rules():
    return RULES
