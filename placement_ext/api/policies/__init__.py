"""The API's policy rules, in code; ``list_rules`` feeds oslo.policy's
sample generator (``oslopolicy-sample-generator --namespace
blazar-nova``). Rule names are Blazar's, so its policy files still apply."""

import itertools

from placement_ext.api.policies import availability
from placement_ext.api.policies import base
from placement_ext.api.policies import hosts
from placement_ext.api.policies import leases


def list_rules():
    return list(itertools.chain(base.list_rules(), leases.list_rules(),
                                hosts.list_rules(),
                                availability.list_rules()))
