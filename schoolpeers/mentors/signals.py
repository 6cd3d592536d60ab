"""Signals that let oversight act inside the mentors' transactions without mentors importing it."""
from blinker import Namespace

_signals = Namespace()

# Sent after a check-in is written or corrected, before the view commits. Receivers return the
# highest severity of the concerns they raised (or None). Any exception undoes the check-in too.
checkin_saved = _signals.signal("checkin-saved")
# Sent by the view after the commit: time to tell people (mail), never to change the record.
checkin_committed = _signals.signal("checkin-committed")
