"""Hosts, their allocations and properties: administrators only."""

from oslo_policy import policy

from placement_ext.api.policies import base

PREFIX = 'blazar:oshosts:%s'

RULES = [
    policy.DocumentedRuleDefault(
        PREFIX % 'get', base.ADMIN, 'List enrolled hosts or show one.',
        [{'method': 'GET', 'path': '/v1/os-hosts'},
         {'method': 'GET', 'path': '/v1/os-hosts/{host_id}'}]),
    policy.DocumentedRuleDefault(
        PREFIX % 'post', base.ADMIN,
        'Enrol a compute node found in Placement.',
        [{'method': 'POST', 'path': '/v1/os-hosts'}]),
    policy.DocumentedRuleDefault(
        PREFIX % 'put', base.ADMIN,
        'Change a host\'s properties or reservability.',
        [{'method': 'PUT', 'path': '/v1/os-hosts/{host_id}'}]),
    policy.DocumentedRuleDefault(
        PREFIX % 'delete', base.ADMIN,
        'Withdraw a host no lease holds.',
        [{'method': 'DELETE', 'path': '/v1/os-hosts/{host_id}'}]),
    policy.DocumentedRuleDefault(
        PREFIX % 'get_allocations', base.ADMIN,
        'List which reservations hold which hosts.',
        [{'method': 'GET', 'path': '/v1/os-hosts/allocations'},
         {'method': 'GET', 'path': '/v1/os-hosts/{host_id}/allocation'}]),
    policy.DocumentedRuleDefault(
        PREFIX % 'get_resource_properties', base.ADMIN,
        'List the properties hosts carry.',
        [{'method': 'GET', 'path': '/v1/os-hosts/properties'}]),
    policy.DocumentedRuleDefault(
        PREFIX % 'update_resource_properties', base.ADMIN,
        'Make a host property private (hidden from non-admins) or public.',
        [{'method': 'PATCH', 'path': '/v1/os-hosts/properties/{name}'}]),
]


def list_rules():
    return RULES
