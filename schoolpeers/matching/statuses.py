"""Where a student's request for a mentor stands: one spelling of each status (pure; stored as text,
with a CHECK constraint on the model)."""
from __future__ import annotations

from enum import StrEnum


class RequestStatus(StrEnum):
    OPEN = "open"  # in the queue (perhaps with a proposal waiting)
    MATCHED = "matched"  # a mentorship was approved
    WITHDRAWN = "withdrawn"  # the student asked no more
    CLOSED = "closed"  # the mentorship it led to ended for good


LIVE = (RequestStatus.OPEN, RequestStatus.MATCHED)
FINISHED = (RequestStatus.WITHDRAWN, RequestStatus.CLOSED)
