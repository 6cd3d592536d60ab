"""Signals that let oversight act inside the mentors' transactions without mentors importing it."""
from blinker import Namespace

_signals = Namespace()

# Sent after a check-in is written or corrected, before the view commits. Receivers return the
# highest severity of the concerns they raised (or None). Any exception undoes the check-in too.
checkin_saved = _signals.signal("checkin-saved")
# Sent by the view after the commit: time to tell people (mail), never to change the record.
checkin_committed = _signals.signal("checkin-committed")
# Sent after a mentee's own check-in is written, before the view commits; receivers return the
# highest severity they raised, like `checkin_saved`.
self_checkin_saved = _signals.signal("self-checkin-saved")
self_checkin_committed = _signals.signal("self-checkin-committed")
# Sent when an active mentorship is closed, before the view commits: what hangs on the pair (their
# next meeting) ends with it, in the same transaction.
mentorship_closed = _signals.signal("mentorship-closed")
# Sent by the view once a check-in is logged and committed: a receiver may return the address of
# the mentor's next step (the programme's: progress on goals, how it was for them), or None.
checkin_next_step = _signals.signal("checkin-next-step")
