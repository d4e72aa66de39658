"""Human-readable times for the allocator's refusals."""

import datetime


def fmt(epoch):
    """``YYYY-MM-DD HH:MM:SS`` (UTC) for an epoch in seconds."""
    return datetime.datetime.fromtimestamp(
        epoch, datetime.timezone.utc).strftime('%Y-%m-%d %H:%M:%S')


def window(start, end, margin):
    """``from A to B`` plus the cleaning margin when there is one."""
    text = 'from %s to %s' % (fmt(start), fmt(end))
    if margin:
        text += ' (plus a %ds cleaning margin)' % margin
    return text
