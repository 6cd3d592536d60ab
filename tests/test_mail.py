"""Mail through SMTP: off without a server, a failure logged and reported."""
from schoolpeers.mail import send_mail


def test_send_mail_is_off_without_a_server(app):
    assert send_mail({"MAIL_SERVER": None}, ["a@example.org"], "s", "b") is False


def test_send_mail_reports_a_failed_server(app, caplog):
    config = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": 1, "MAIL_SENDER": "x@example.org"}
    assert send_mail(config, ["a@example.org"], "s", "b") is False
    assert "Could not send mail" in caplog.text
