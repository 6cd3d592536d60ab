"""Bad input at every route: random, huge, odd-unicode and wrongly typed values, missing fields,
JSON and garbage bodies, ids out of range and ids of another school's records.

The routes come from the app's URL map (like the permission matrix), so a new route is fuzzed
without anyone listing it; who may use it comes from the matrix's ACCESS table, and the field
names from the forms of the route's own feature package and the names on its page. Two promises
are checked for every request: never a 500; and a refused request (an error status, a form shown
again, or a redirect that only explains an error) leaves the row count of every table unchanged.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from werkzeug.datastructures import MultiDict
from werkzeug.routing import AnyConverter, IntegerConverter, PathConverter
from wtforms import BooleanField, DateField, Form, IntegerField
from wtforms.fields.core import UnboundField
from wtforms.fields.simple import FileField, HiddenField

from schoolpeers.accounts.models import DISTRICT_ROLES
from schoolpeers.extensions import db
from tests.conftest import login
from tests.factories import UserFactory, make_district, one_of_each_record
from tests.test_permission_matrix import ACCESS, NOT_FOUND, OK, PUBLIC, ROUTES

POST_EXAMPLES, GET_EXAMPLES = 12, 6
HYPOTHESIS = settings(deadline=None, print_blob=True,
                      suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# POSTs whose success is a page rather than a redirect (a confirmation, a one-time link).
ANSWERS_WITH_A_PAGE = {"oversight.talk", "admin.setup_link", "approvals.approve"}
# Refusals that are recorded on purpose: a failed sign-in is audited, and it and a wrong code are
# counted towards the next wait.
RECORDED_REFUSALS = {"accounts.login": {"audit_events", "sign_in_throttles"},
                     **dict.fromkeys(("two_factor.code", "two_factor.new_recovery_codes", "two_factor.turn_off"),
                                     {"audit_events", "sign_in_throttles"})}


# --- the world: the same records in our school and in another one ---------------------------------

@dataclass
class Side:
    people: dict  # role -> User ("student" is the mentee of "mentor")
    ids: dict[str, int]  # URL argument name -> a record of this school


def populate(school, people: dict, district_slug: str) -> Side:
    """The records of `one_of_each_record`, and the school in a district of its own, whose office's
    people and sign-in provider join them."""
    district = make_district(school, district_slug)
    people, ids = one_of_each_record(school, people)
    people |= {role: district[role] for role in DISTRICT_ROLES}
    return Side(people, ids | {"school_id": school.id, "provider_id": district["provider"].id})


@pytest.fixture
def fuzz_world(school, other_school, users):
    ours = populate(school, dict(users), "district-a")
    theirs = populate(other_school, {role: UserFactory(other_school)(role)
                                     for role in ("student", "counselor", "staff", "admin")}, "district-b")
    return ours, theirs


# --- what to send ----------------------------------------------------------------------------------

ODD_CHARACTERS = ["\x00", "\u202e", "\u200f", "\u200b", "\ufeff", "\ufffe", "\U0010ffff", "\U0001f600",
                  "e\u0301", "\r\n", "\t", "ﷺ", "٣", "Ⅻ", "\u0085"]
TRICKY = ["", " ", "0", "-1", "-0", "1e309", "NaN", "Infinity", "0x10", " 7 ", "٣", "true", "null", "[]",
          "' OR 1=1 --", "<script>alert(1)</script>", "{{7*7}}", "%00", "../../etc/passwd", "//evil.example",
          "/\\evil.example", "javascript:alert(1)", "2024-02-30", "0000-01-01", "9999-12-31", "+10000-01-01",
          "31/12/2024", str(2**31), str(2**63), str(2**64), str(-2**63 - 1), "1" * 400]
ANY_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
ODD_TEXT = st.lists(st.one_of(ANY_TEXT, st.sampled_from(ODD_CHARACTERS)), max_size=4).map("".join)
HUGE = st.builds(lambda piece, times: piece * times, st.sampled_from(["a", "9", " ", "é", "\u202e", "😀"]),
                 st.integers(1_000, 5_000))
NUMBERS = st.one_of(st.integers(-2**70, 2**70), st.integers(-3, 200)).map(str)
DATES = st.dates().map(date.isoformat)
# Huge values are drawn less often: parsing them is most of a request's time.
JUNK = st.one_of(ODD_TEXT, st.sampled_from(TRICKY), NUMBERS, ODD_TEXT, st.sampled_from(TRICKY), NUMBERS, HUGE)


def roster_text(header: str) -> st.SearchStrategy[str]:
    cell = st.one_of(st.sampled_from(["s1", "Ada", "Lovelace", "8", "student", "staff", "a@example.org", ""]),
                     ODD_TEXT, NUMBERS)
    row = st.lists(cell, max_size=8).map(",".join)
    return st.lists(row, max_size=6).map(lambda rows: "\n".join([header, *rows]))


ROSTER = st.one_of(roster_text("id,given_name,family_name,grade,email,role"),
                   roster_text("sourcedId,status,enabledUser,givenName,familyName,role,username,email,grades"),
                   ODD_TEXT)


@dataclass(frozen=True)
class FieldSpec:
    name: str
    field_class: type
    choices: tuple[str, ...]


def form_fields(package: str) -> list[FieldSpec]:
    """The fields of every form defined in a feature package (and the shared ones)."""
    found, todo = {}, list(Form.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if not cls.__module__.startswith((package + ".", "schoolpeers.forms_common")):
            continue
        for name in dir(cls):
            unbound = getattr(cls, name, None)
            if isinstance(unbound, UnboundField):
                values = tuple(str(getattr(c, "value", c)) for c in unbound.kwargs.get("choices") or ())
                found[name, unbound.field_class] = FieldSpec(name, unbound.field_class, values)
    return sorted(found.values(), key=lambda f: f.name)


def value_for(spec: FieldSpec, known: list[str]) -> st.SearchStrategy:
    plausible = [st.sampled_from(known)]
    if spec.choices:
        plausible.append(st.sampled_from(spec.choices))
    if issubclass(spec.field_class, IntegerField):
        plausible.append(NUMBERS)
    if issubclass(spec.field_class, DateField):
        plausible.append(DATES)
    if issubclass(spec.field_class, BooleanField):
        plausible.append(st.sampled_from(["y", "1", "on", "false"]))
    if issubclass(spec.field_class, HiddenField | FileField):
        plausible.append(ROSTER)
    if issubclass(spec.field_class, FileField):
        content = st.one_of(ROSTER.map(str.encode), st.binary(max_size=200))
        return st.tuples(content, st.one_of(st.just("roster.csv"), ODD_TEXT)).map(
            lambda pair: (io.BytesIO(pair[0]), pair[1]))
    return st.one_of(*plausible, JUNK)


def form_data(fields: list[FieldSpec], names_on_page: set[str], known: list[str]) -> st.SearchStrategy:
    """Some of the real fields (none, one or several values each) and a few made-up ones."""
    specs = {f.name: f for f in fields}
    specs.update({n: FieldSpec(n, object, ()) for n in names_on_page - set(specs)})
    real = st.fixed_dictionaries({}, optional={
        name: st.lists(value_for(spec, known), min_size=1, max_size=2) for name, spec in specs.items()})
    made_up = st.dictionaries(ODD_TEXT, st.lists(JUNK, min_size=1, max_size=2), max_size=2)
    return st.builds(lambda a, b: MultiDict([(k, v) for k, vs in {**b, **a}.items() for v in vs]), real, made_up)


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | ODD_TEXT,
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(ODD_TEXT, inner, max_size=3),
                    max_leaves=8)


def body(form: st.SearchStrategy) -> st.SearchStrategy[dict]:
    """Keyword arguments for the test client: a form, a JSON document, or bytes under any type."""
    return st.one_of(
        form.map(lambda data: {"data": data}),
        JSON.map(lambda doc: {"json": doc}),
        st.tuples(st.binary(max_size=300), st.sampled_from([
            "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "multipart/form-data",
            "text/plain", "application/json", "application/octet-stream"])).map(
            lambda pair: {"data": pair[0], "content_type": pair[1]}),
    )


def url_values(rule, ours: dict[str, int], theirs: dict[str, int]) -> st.SearchStrategy[dict]:
    values = {}
    for name in rule.arguments:
        converter = rule._converters[name]
        if isinstance(converter, IntegerConverter):
            values[name] = st.one_of(
                st.sampled_from([ours.get(name, 1), theirs.get(name, 1), 0, 2**31 - 1, 2**31, 2**63, 10**30]),
                st.integers(0, 2**70))
        elif isinstance(converter, AnyConverter):
            values[name] = st.sampled_from(sorted(converter.items))
        elif isinstance(converter, PathConverter):
            values[name] = st.one_of(st.just("style.css"), ODD_TEXT.filter(bool))
        else:
            values[name] = st.one_of(st.just("not-a-token"), st.just("x" * 5000), ODD_TEXT.filter(bool))
    return st.fixed_dictionaries(values)


# --- what to check -----------------------------------------------------------------------------------

def row_counts() -> dict[str, int]:
    """Rows per table, in one statement."""
    names = [t.name for t in db.metadata.sorted_tables]
    counts = db.session.execute(text("SELECT " + ", ".join(f"(SELECT count(*) FROM {n})" for n in names))).one()
    return dict(zip(names, counts, strict=True))


def taken_flashes(client) -> list[tuple[str, str]]:
    with client.session_transaction() as session:
        return session.pop("_flashes", [])


def refused(endpoint: str, method: str, status: int, flashes) -> bool:
    categories = {category for category, _ in flashes}
    if status >= 400:
        return True
    if status in (301, 302, 303):
        return "error" in categories and "success" not in categories
    return method == "POST" and status == 200 and endpoint not in ANSWERS_WITH_A_PAGE


def roles_allowed(endpoint: str) -> list[str]:
    rules = ACCESS[endpoint]
    if rules == PUBLIC:
        return ["anonymous", "student", "admin"]
    return sorted(role for role, expected in rules.items() if expected in (OK, NOT_FOUND))


def names_on_page(client, adapter, rule, ids: dict) -> set[str]:
    """The input names on the route's own page, when it has one."""
    if "GET" not in rule.methods or rule.arguments - set(ids):
        return set()
    url = adapter.build(rule.endpoint, {name: ids[name] for name in rule.arguments}, method="GET")
    return set(re.findall(r'name="([^"]+)"', client.get(url).get_data(as_text=True))) - {"csrf_token"}


# --- the test -----------------------------------------------------------------------------------------

FUZZED = [(endpoint, method) for endpoint, _rule, method in ROUTES if endpoint != "static" or method == "GET"]
# One world per blueprint: building it is the slow part, and a blueprint's routes only wear it lightly.
BLUEPRINTS = sorted({endpoint.rpartition(".")[0] or endpoint for endpoint, _ in FUZZED})


def fuzz_route(app, client, world, endpoint: str, method: str) -> None:
    ours, theirs = world
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    roles = roles_allowed(endpoint)
    adapter = app.url_map.bind("localhost")
    login(client, ours.people["admin" if roles[-1] == "anonymous" else roles[-1]])
    page_names = names_on_page(client, adapter, rule, ours.ids)
    known = sorted({str(i) for side in (ours, theirs) for i in side.ids.values()}
                   | {u.username for side in (ours, theirs) for u in side.people.values()})
    fields = form_data(form_fields(app.view_functions[endpoint].__module__.rpartition(".")[0]), page_names, known)
    request_kwargs = body(fields) if method == "POST" else fields.map(lambda args: {"query_string": args})
    db.session.rollback()

    @settings(HYPOTHESIS, max_examples=POST_EXAMPLES if method == "POST" else GET_EXAMPLES)
    @given(role=st.sampled_from(roles), values=url_values(rule, ours.ids, theirs.ids), kwargs=request_kwargs)
    def attempt(role, values, kwargs):
        if role == "anonymous":
            with client.session_transaction() as session:
                session.clear()
        else:
            login(client, ours.people[role])
        url = adapter.build(endpoint, values, method=method)
        before = row_counts()
        response = client.open(url, method=method, **kwargs)
        db.session.rollback()  # as at the end of a real request: what was not committed is gone
        assert response.status_code < 500, f"{role} {method} {url}: {response.status_code}"
        if refused(endpoint, method, response.status_code, taken_flashes(client)):
            after = row_counts()
            changed = {t for t in before if before[t] != after[t]} - RECORDED_REFUSALS.get(endpoint, set())
            assert not changed, f"{role} {method} {url} answered {response.status_code} but wrote to {changed}"

    attempt()


@pytest.mark.parametrize("blueprint", BLUEPRINTS)
def test_bad_input_never_breaks_a_route(app, client, fuzz_world, subtests, blueprint):
    for endpoint, method in FUZZED:
        if (endpoint.rpartition(".")[0] or endpoint) == blueprint:
            with subtests.test(route=f"{method} {endpoint}"):
                fuzz_route(app, client, fuzz_world, endpoint, method)


def test_every_route_is_fuzzed(app):
    assert {endpoint for endpoint, _ in FUZZED} == {rule.endpoint for rule in app.url_map.iter_rules()}


def test_the_checks_can_fail(school):
    """The partial-write check sees a new row, and knows a refusal from a success."""
    before = row_counts()
    UserFactory(school)("student")
    db.session.commit()
    assert {t for t, n in row_counts().items() if n != before[t]} == {"users"}
    assert refused("x.y", "POST", 302, [("error", "No.")]) and refused("x.y", "POST", 200, [])
    assert not refused("x.y", "POST", 302, [("success", "Done.")]) and not refused("oversight.talk", "POST", 200, [])
