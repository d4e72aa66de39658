"""Human-readable times for the allocator's refusals."""

from placement_ext import timeconv


def window(start, end, margin):
    """``from A to B`` (``YYYY-MM-DD HH:MM:SS``, UTC) plus the cleaning
    margin when there is one."""
    text = 'from %s to %s' % (timeconv.epoch_text(start),
                              timeconv.epoch_text(end))
    if margin:
        text += ' (plus a %ds cleaning margin)' % margin
    return text
