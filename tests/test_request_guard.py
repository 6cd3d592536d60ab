"""Input no route can use is refused with 400 before a form or query reads it (found by fuzzing)."""
import pytest

from tests.conftest import login


@pytest.mark.parametrize("document", [False, 3, "text", [["a", "b"]], [None], {"login": {"nested": 1}},
                                      {"login": 5}, {"login": ["a", 1]}])
def test_json_that_is_not_a_flat_form_is_refused(client, document):
    response = client.post("/login", json=document)
    assert response.status_code == 400


def test_json_object_of_text_still_reads_as_a_form(client):
    response = client.post("/login", json={"login": "nobody", "password": "wrong password"})
    assert response.status_code == 200 and b"do not match" in response.data


@pytest.mark.parametrize("where", ["query", "value", "name", "address"])
def test_nul_characters_are_refused(client, users, where):
    login(client, users["admin"])
    if where == "query":
        response = client.get("/admin/users", query_string={"q": "a\x00b"})
    elif where == "address":  # a job's id in the path
        response = client.get("/admin/jobs/a%00b")
    else:
        response = client.post("/admin/settings", data={"name": "a\x00b"} if where == "value" else {"a\x00": "b"})
    assert response.status_code == 400


def test_a_multipart_part_without_a_name_is_harmless(client):
    body = b'--x\r\nContent-Disposition: form-data\r\n\r\nvalue\r\n--x--\r\n'
    response = client.post("/login", data=body, content_type="multipart/form-data; boundary=x")
    assert response.status_code < 500


@pytest.mark.parametrize("query", ["grades=\xff", "period=%ff%fe", "x=caf\xe9"])
def test_a_query_string_that_is_not_utf8_is_refused(client, users, login_as, query):
    login_as(users["staff"])
    # The WSGI environment carries the raw bytes of the query as latin-1 text.
    assert client.get("/reports", environ_overrides={"QUERY_STRING": query}).status_code == 400
    utf8 = "grades=caf\u00e9".encode().decode("latin-1")
    assert client.get("/reports", environ_overrides={"QUERY_STRING": utf8}).status_code == 200
