"""Input that no route can use, refused with 400 before any form or query reads it.

- A query string that is not UTF-8 once its %-escapes are read: the query arguments cannot be
  decoded, so no route could read its filters.
- A NUL character in a query or form value, a field name, a file name or a part of the address
  (a job's id): no form or record needs one, and PostgreSQL can neither store nor compare text that
  holds one (the query itself fails).
- A JSON body that is not an object of text values: Flask-WTF reads a JSON body as form data,
  and anything else (a list, a number, nested objects) breaks the form rather than failing it.
"""
from __future__ import annotations

from urllib.parse import unquote_to_bytes

from flask import Flask, abort, request


def _has_nul(pairs) -> bool:
    # A malformed multipart part can arrive without a name: None is as harmless as empty text.
    return any("\x00" in (key or "") or "\x00" in (value or "") for key, value in pairs)


def _is_form_like(document) -> bool:
    """An object whose values are text, or lists of text (a field sent several times)."""
    return isinstance(document, dict) and all(
        isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))
        for value in document.values())


def _json_pairs(document: dict):
    for key, value in document.items():
        for item in value if isinstance(value, list) else [value]:
            yield key, item


def refuse_unusable_input() -> None:
    try:
        unquote_to_bytes(request.query_string).decode("utf-8")
        args = request.args.items(multi=True)
    except UnicodeDecodeError:
        abort(400)
    if _has_nul(args) or _has_nul((name, v) for name, v in (request.view_args or {}).items() if isinstance(v, str)):
        abort(400)
    if request.method not in ("POST", "PUT", "PATCH"):
        return
    if request.is_json:
        document = request.get_json(silent=True)
        if not _is_form_like(document) or _has_nul(_json_pairs(document)):
            abort(400)
        return
    if _has_nul(request.form.items(multi=True)):
        abort(400)
    if _has_nul((name, upload.filename or "") for name, upload in request.files.items(multi=True)):
        abort(400)


def register(app: Flask) -> None:
    app.before_request(refuse_unusable_input)
