"""The rules the others are built from: who is an administrator, and the
reader and member personas of a project (Keystone's default roles, as
Nova and Placement define them).

Every operation's default is one of ``ADMIN``, ``PROJECT_READER_OR_ADMIN``
or ``PROJECT_MEMBER_OR_ADMIN``. Who counts as an administrator is the
``context_is_admin`` rule alone: a policy file that redefines it changes
who may manage hosts and who sees every project's leases.
"""

from oslo_policy import policy

CONTEXT_IS_ADMIN = 'context_is_admin'
ADMIN = 'rule:admin_api'
PROJECT_MEMBER = 'rule:project_member_api'
PROJECT_READER = 'rule:project_reader_api'
PROJECT_MEMBER_OR_ADMIN = 'rule:project_member_or_admin'
PROJECT_READER_OR_ADMIN = 'rule:project_reader_or_admin'

# Every operation acts inside a project (a lease belongs to one); system
# and domain scoped tokens are refused.
PROJECT_SCOPE = ['project']

RULES = [
    policy.RuleDefault(
        CONTEXT_IS_ADMIN, 'role:admin',
        description='Who is an administrator of the cloud: may manage '
                    'hosts and sees and changes every project\'s leases.'),
    policy.RuleDefault(
        'admin_api', 'rule:context_is_admin',
        description='Operations for administrators only.'),
    policy.RuleDefault(
        'project_member_api', 'role:member and project_id:%(project_id)s',
        description='A member of the project that owns the object.'),
    policy.RuleDefault(
        'project_reader_api', 'role:reader and project_id:%(project_id)s',
        description='A reader of the project that owns the object.'),
    policy.RuleDefault(
        'project_member_or_admin',
        'rule:project_member_api or rule:context_is_admin',
        description='A member of the owning project, or an '
                    'administrator.'),
    policy.RuleDefault(
        'project_reader_or_admin',
        'rule:project_reader_api or rule:context_is_admin',
        description='A reader of the owning project, or an '
                    'administrator.'),
    # Blazar's base rules, which an operator's Blazar policy file may
    # refer to; no default uses them.
    policy.RuleDefault(
        'admin', 'rule:context_is_admin',
        description='Blazar\'s name for an administrator, kept for '
                    'policy files written for Blazar.'),
    policy.RuleDefault(
        'admin_or_owner', 'rule:context_is_admin or '
                          'project_id:%(project_id)s',
        description='Blazar\'s rule: an administrator, or anyone with a '
                    'role in the project that owns the object; kept for '
                    'policy files written for Blazar.'),
]


def list_rules():
    return RULES
