"""Signals that let mentoring and matching act inside the accounts' transactions without accounts
importing them (accounts come first in the one-way order)."""
from blinker import Namespace

_signals = Namespace()

# Sent when an account is deactivated (by an admin or a roster import), before the caller commits:
# `sender` is the user, `actor` who did it (None for the command line). Any exception undoes it all.
user_deactivated = _signals.signal("user-deactivated")
