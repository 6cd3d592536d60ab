"""A request a service refuses, with the form field its message belongs next to: the views show it
there (the one way a service says "not like this" about a field)."""
from __future__ import annotations


class FieldRefusal(ValueError):
    """Bad data for one field: `field` names the form field the message belongs next to."""

    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name
