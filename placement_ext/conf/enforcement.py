"""The ``[enforcement]`` group: rules a lease must pass to be created,
updated or prolonged, with Blazar's option names (``enabled_filters``,
``max_lease_duration``, ``external_service_*``) so that the lines of a
blazar.conf carry over. doc/enforcement.md describes each filter."""

from keystoneauth1 import loading as ks_loading
from oslo_config import cfg

from placement_ext.conf import utils

GROUP = 'enforcement'
FILTER_NAMES = ('MaxLeaseDurationFilter', 'ExternalServiceFilter',
                'ProjectLimitsFilter')
UNLIMITED = -1

enforcement_group = cfg.OptGroup(
    GROUP, title='Lease enforcement options',
    help='Filters every lease create and update must pass (Blazar\'s '
         'usage enforcement), and what they allow. The keystoneauth1 '
         'options of this group (``auth_type``...), when set, give '
         '``ExternalServiceFilter`` a token of the service user to send '
         'instead of ``external_service_token``.')

filter_opts = [
    cfg.ListOpt(
        'enabled_filters',
        default=[],
        help="""
Enforcement filters that check every lease create and update, in order.

Possible values:

* MaxLeaseDurationFilter: ``max_lease_duration``,
  ``max_lease_duration_exempt_project_ids``,
  ``reservation_extension_window``
* ExternalServiceFilter: asks the operator's service
  (``external_service_*``)
* ProjectLimitsFilter: hosts, slots and host-hours per project
  (``max_hosts_per_project``...)

An unknown name stops the service at start.
"""),
]

duration_opts = [
    cfg.IntOpt(
        'max_lease_duration',
        default=UNLIMITED,
        min=UNLIMITED,
        help="""
Longest lease, in seconds, that ``MaxLeaseDurationFilter`` accepts on create
and on an update that moves its dates. Blazar's option.

Possible values:

* -1: no limit
* a number of seconds, for example 86400 for one day
"""),
    cfg.ListOpt(
        'max_lease_duration_exempt_project_ids',
        default=[],
        help="""
Projects to which ``MaxLeaseDurationFilter`` does not apply (neither the
longest lease nor the extension window). Blazar's option.
"""),
    cfg.IntOpt(
        'reservation_extension_window',
        default=UNLIMITED,
        min=UNLIMITED,
        help="""
With ``MaxLeaseDurationFilter``: a lease's end may be moved later only
within this many seconds before its current end, and such an extension
may then add up to ``max_lease_duration`` seconds past the current end
(Chameleon's option).

Possible values:

* -1 or 0: a lease may be prolonged at any time, within
  ``max_lease_duration`` of its start
* a number of seconds, for example 86400: prolong during the last day
"""),
]

external_opts = [
    cfg.URIOpt(
        'external_service_base_endpoint',
        schemes=['http', 'https'],
        help="""
URL of the operator's enforcement service for ``ExternalServiceFilter``;
its ``check-create``, ``check-update`` and ``on-end`` are POSTed to below
it (``<base>/check-create``...). Blazar's option.
"""),
    cfg.URIOpt(
        'external_service_check_create_endpoint',
        schemes=['http', 'https'],
        help='URL called for every lease create instead of '
             '``<base>/check-create``. Blazar\'s option.'),
    cfg.URIOpt(
        'external_service_check_update_endpoint',
        schemes=['http', 'https'],
        help='URL called for every lease update instead of '
             '``<base>/check-update``. Blazar\'s option.'),
    cfg.URIOpt(
        'external_service_on_end_endpoint',
        schemes=['http', 'https'],
        help='URL told of every lease that ends or is deleted before its '
             'start, instead of ``<base>/on-end``. Blazar\'s option.'),
    cfg.StrOpt(
        'external_service_token',
        default='',
        secret=True,
        help="""
Token sent in ``X-Auth-Token`` to the external service (Blazar's option).
When this group's keystoneauth1 options name an ``auth_type``, a Keystone
token of that user is sent instead.
"""),
    cfg.FloatOpt(
        'external_service_timeout',
        default=5.0,
        min=0.1,
        help="""
Seconds to wait for the external service to accept the connection, and
again for each read of its answer (Blazar waits for ever). A slow service
never holds the allocator lock: it is asked before the lock is taken.

Related options:

* ``external_service_on_failure``
"""),
    cfg.StrOpt(
        'external_service_on_failure',
        default='deny',
        choices=[
            ('deny', 'Refuse the create or update with HTTP 503; the user '
                     'may try again later.'),
            ('allow', 'Accept the create or update as if the service had '
                      'answered 204, and log a warning.'),
        ],
        help="""
What a check-create or check-update does when the external service cannot
decide: it times out, cannot be reached, or answers with a 5xx.
"""),
    cfg.StrOpt(
        'external_service_cafile',
        help='CA bundle to verify the external service\'s HTTPS '
             'certificate with; by default the system\'s.'),
    cfg.StrOpt(
        'context_auth_url',
        help='The ``auth_url`` sent in the ``context`` of the external '
             'service\'s bodies (Blazar sends the public Keystone URL of '
             'the request\'s catalog); null when unset.'),
    cfg.StrOpt(
        'context_region_name',
        help='The ``region_name`` sent in the ``context`` of the external '
             'service\'s bodies (Blazar sends its ``os_region_name``); '
             'null when unset.'),
]

limit_opts = [
    cfg.IntOpt(
        'max_hosts_per_project',
        default=UNLIMITED,
        min=UNLIMITED,
        help="""
With ``ProjectLimitsFilter``: most whole hosts (``physical:host``
reservations) a project's leases may hold at any one moment.

Possible values:

* -1: no limit
* a number of hosts
"""),
    cfg.IntOpt(
        'max_slots_per_project',
        default=UNLIMITED,
        min=UNLIMITED,
        help="""
With ``ProjectLimitsFilter``: most instance slots (``virtual:instance``
and other slot reservations) a project's leases may hold at any one
moment.

Possible values:

* -1: no limit
* a number of slots
"""),
    cfg.IntOpt(
        'max_host_hours_per_project',
        default=UNLIMITED,
        min=UNLIMITED,
        help="""
With ``ProjectLimitsFilter``: most whole-host hours a project's leases may
hold within any ``host_hours_window`` seconds (a rolling window: every
window of that length that meets the new or changed lease is checked).

Possible values:

* -1: no limit
* a number of host-hours, for example 168 (one host for a week)
"""),
    cfg.IntOpt(
        'host_hours_window',
        default=30 * 86400,
        min=3600,
        help="""
Length in seconds of the rolling window of ``max_host_hours_per_project``
(default 30 days).
"""),
    cfg.ListOpt(
        'project_limits_exempt_project_ids',
        default=[],
        help='Projects to which ``ProjectLimitsFilter`` does not apply.'),
]

opts = filter_opts + duration_opts + external_opts + limit_opts


def register_opts(conf):
    utils.register_group(conf, enforcement_group, opts)
    ks_loading.register_auth_conf_options(conf, GROUP)


def list_opts():
    return {enforcement_group: (
        opts + ks_loading.get_auth_common_conf_options()
        + ks_loading.get_auth_plugin_conf_options('password'))}
