"""Signals that let matching act on a family's answer without families importing it."""
from blinker import Namespace

_signals = Namespace()

# Sent when a recorded answer means a student may no longer take part (declined or withdrawn),
# before the caller commits: `sender` is the student, `actor` who recorded it. Any exception
# undoes it all.
consent_stopped = _signals.signal("consent-stopped")
