"""``MaxLeaseDurationFilter``: Blazar's longest lease, with Chameleon's
extension window.

* A new lease, or an update that moves its dates, may last at most
  ``max_lease_duration`` seconds (-1: no limit). Blazar answers 403 on
  create and 400 on update, with its wording.
* With ``reservation_extension_window`` (seconds, -1 or 0: none), the end
  may be moved later only once ``now`` is within that many seconds of the
  current end; the extension itself (new end minus current end) is then
  what ``max_lease_duration`` bounds; an update that only shortens the
  lease is not checked (a lease prolonged several times may be longer
  than the maximum).
* ``max_lease_duration_exempt_project_ids`` escape both.

It runs inside the allocator lock: the window it judges is the one being
written, whatever other updates did meanwhile.
"""

from placement_ext.enforcement import base
from placement_ext.enforcement import errors
from placement_ext import timeconv

# Blazar's MaxLeaseDurationException.
TOO_LONG = ('Lease duration of %(lease_duration)s seconds must be less than '
            'or equal to the maximum lease duration of %(max_duration)s '
            'seconds.')
OUTSIDE_WINDOW = ('Lease can only be extended within %(window)s seconds of '
                  'its current end time (%(end)s); it may be extended from '
                  '%(opens)s on.')
# Blazar's statuses: its create path turns the refusal into NotAuthorized.
CREATE_STATUS = 403
UPDATE_STATUS = 400


class MaxLeaseDurationFilter(base.Filter):

    def _options(self):
        return self.conf.enforcement

    def check_locked(self, session, change, remembered):
        opts = self._options()
        if change.project_id in opts.max_lease_duration_exempt_project_ids:
            return
        status = CREATE_STATUS if change.previous is None else UPDATE_STATUS
        start = change.start
        if change.previous is not None:
            old_start, old_end = change.previous
            if (old_start, old_end) == (change.start, change.end):
                return
            window = opts.reservation_extension_window
            if (window > 0 and change.end <= old_end
                    and change.start >= old_start):
                return
            if window > 0 and change.end > old_end:
                opens = old_end - window
                if change.now < opens:
                    raise errors.Refused(OUTSIDE_WINDOW % {
                        'window': window,
                        'end': timeconv.message_text(old_end),
                        'opens': timeconv.message_text(opens)},
                        UPDATE_STATUS)
                start = max(old_end, change.start)
        limit = opts.max_lease_duration
        if limit != -1 and change.end - start > limit:
            raise errors.Refused(TOO_LONG % {
                'lease_duration': change.end - start,
                'max_duration': limit}, status)
