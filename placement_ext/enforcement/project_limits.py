"""``ProjectLimitsFilter``: how much one project may hold (Blazar has no
such limit).

* ``max_hosts_per_project``: whole hosts held at any one moment.
* ``max_slots_per_project``: instance slots held at any one moment.
* ``max_host_hours_per_project``: whole-host hours within any window of
  ``host_hours_window`` seconds that meets the lease (a rolling window).

-1 is no limit; ``project_limits_exempt_project_ids`` escape them all. The
use is read from the store inside the allocator lock, with the lease as
it is being written, so two leases written at once cannot both slip under
a limit. A lease is refused at a moment (or window) where the project's
use exceeds the limit and the lease makes it greater than it was before
the create or update: a project over a limit lowered since may still
shorten or shrink its leases, not grow them.
Refusals are HTTP 403 and name the limit and the project's use.
"""

from placement_ext.enforcement import base
from placement_ext.enforcement import errors
from placement_ext.enforcement import usage
from placement_ext import timeconv

AT_ONCE = ('Project %(project)s would hold %(held)d %(unit)s at once '
           '(at %(at)s), more than its limit of %(limit)d '
           '([enforcement] %(option)s); its other leases hold %(others)d '
           '%(unit)s then.')
HOURS = ('Project %(project)s would hold %(held).1f host-hours within the '
         '%(width)s window from %(lo)s to %(hi)s, more than its limit of '
         '%(limit)d host-hours per window ([enforcement] '
         'max_host_hours_per_project); its other leases hold %(others).1f '
         'host-hours in that window.')


class ProjectLimitsFilter(base.Filter):

    def remember(self, session, lease):
        return usage.of_lease(lease)

    def check_locked(self, session, change, remembered):
        opts = self.conf.enforcement
        if change.project_id in opts.project_limits_exempt_project_ids:
            return
        old = remembered or []
        lo = min([change.start] + [s.start for s in old])
        hi = max([change.end] + [s.end for s in old])
        if opts.max_hosts_per_project != -1:
            self._at_once(session, change, old, lo, hi, usage.HOSTS,
                          opts.max_hosts_per_project, 'max_hosts_per_project')
        if opts.max_slots_per_project != -1:
            self._at_once(session, change, old, lo, hi, usage.SLOTS,
                          opts.max_slots_per_project, 'max_slots_per_project')
        if opts.max_host_hours_per_project != -1:
            self._host_hours(session, change, old, lo, hi,
                             opts.max_host_hours_per_project,
                             opts.host_hours_window)

    @staticmethod
    def _spans(session, change, lo, hi):
        """The project's spans over ``[lo, hi)``: the other leases', and
        this lease's as written."""
        spans = usage.of_project(session, change.project_id, lo, hi,
                                 change.now)
        own = [s for s in spans if s.lease_id == change.lease_id]
        return [s for s in spans if s.lease_id != change.lease_id], own

    def _at_once(self, session, change, old, lo, hi, unit, limit, option):
        others, own = self._spans(session, change, lo, hi)
        for moment in usage.moments(others + own + old, lo, hi):
            held = usage.held_at(others + own, unit, moment)
            if held <= limit or held <= usage.held_at(others + old, unit,
                                                      moment):
                continue
            raise errors.Refused(AT_ONCE % {
                'project': change.project_id, 'held': held, 'unit': unit,
                'at': timeconv.message_text(moment), 'limit': limit,
                'option': option,
                'others': usage.held_at(others, unit, moment)})

    def _host_hours(self, session, change, old, lo, hi, limit, width):
        others, own = self._spans(session, change, lo - width, hi + width)
        for start in usage.window_starts(others + own + old, width, lo, hi):
            end = start + width
            held = usage.seconds_within(others + own, start, end)
            if held <= limit * 3600 or held <= usage.seconds_within(
                    others + old, start, end):
                continue
            raise errors.Refused(HOURS % {
                'project': change.project_id, 'held': held / 3600.0,
                'width': _duration(width),
                'lo': timeconv.message_text(start),
                'hi': timeconv.message_text(end), 'limit': limit,
                'others': usage.seconds_within(others, start, end) / 3600.0})


def _duration(seconds):
    if seconds % 86400 == 0:
        return '%d-day' % (seconds // 86400)
    if seconds % 3600 == 0:
        return '%d-hour' % (seconds // 3600)
    return '%d-second' % seconds
