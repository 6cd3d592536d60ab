from schoolpeers import create_app


def test_unknown_page_is_a_friendly_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert b"We could not find that page" in response.data
    assert b"<html" in response.data


def test_json_clients_get_json_errors(client):
    response = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json() == {"error": "We could not find that page.", "status": 404}


def test_unexpected_error_is_friendly_page_and_logged(caplog):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://", "PROPAGATE_EXCEPTIONS": False})

    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "Unhandled error on GET /boom" in caplog.text
    assert b"Nothing was saved" in response.data
