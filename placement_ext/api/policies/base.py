"""Rules the others are built from."""

from oslo_policy import policy

ADMIN = 'rule:admin'
ADMIN_OR_OWNER = 'rule:admin_or_owner'

RULES = [
    policy.RuleDefault(
        'admin', 'role:admin',
        description='An administrator of the cloud.'),
    policy.RuleDefault(
        'admin_or_owner', 'rule:admin or project_id:%(project_id)s',
        description='An administrator, or a member of the project that '
                    'owns the object.'),
]


def list_rules():
    return RULES
