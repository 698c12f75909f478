"""The endpoint browsers send Content-Security-Policy violation reports to."""
import json
import logging

import pytest

from cev_learn.platform.security import CSP_REPORT_MAX_BYTES, CSP_REPORT_PATH

REPORT = {"csp-report": {
    "document-uri": "http://localhost/tracks/t/modules/intro",
    "referrer": "",
    "violated-directive": "script-src-elem",
    "effective-directive": "script-src-elem",
    "original-policy": "default-src 'self'; report-uri /csp-report",
    "disposition": "enforce",
    "blocked-uri": "inline",
    "status-code": 200,
}}


def report_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "cev_learn" and r.getMessage().startswith("CSP violation")]


def send(client, body: bytes | str, content_type: str = "application/csp-report"):
    return client.post(CSP_REPORT_PATH, data=body, content_type=content_type)


def test_every_page_names_the_report_endpoint(client):
    csp = client.get("/login").headers["Content-Security-Policy"]
    assert f"report-uri {CSP_REPORT_PATH}" in csp.split("; ")


@pytest.mark.parametrize("content_type", ["application/csp-report", "application/json"])
def test_a_report_without_a_session_or_token_is_logged_once(client, caplog, content_type):
    """Browsers post reports on their own: no cookie, no CSRF token."""
    caplog.set_level(logging.WARNING, logger="cev_learn")
    response = send(client, json.dumps(REPORT), content_type)
    assert response.status_code == 204 and response.data == b""
    assert report_lines(caplog) == [
        'CSP violation: blocked-uri="inline" violated-directive="script-src-elem" '
        'document-uri="http://localhost/tracks/t/modules/intro"']
    assert caplog.records[-1].levelno == logging.WARNING


def test_what_a_report_holds_stays_on_one_bounded_line(client, caplog):
    caplog.set_level(logging.WARNING, logger="cev_learn")
    forged = {"csp-report": {"blocked-uri": "x\nCSP violation: forged\r\n" + "y" * 5000,
                             "violated-directive": ["not", "text"], "document-uri": None}}
    assert send(client, json.dumps(forged)).status_code == 204
    [line] = report_lines(caplog)
    assert "\n" not in line and "\r" not in line and len(line) < 700
    assert '"x\\nCSP violation: forged\\r\\n' in line


@pytest.mark.parametrize("body,content_type,status", [
    ("{not json", "application/csp-report", 400),
    ('["a list"]', "application/csp-report", 400),
    ('{"csp-report": "text"}', "application/csp-report", 400),
    # hostile JSON (security issue #15): read by the API's strict reader, never a 500
    ("[" * 5000 + "]" * 5000, "application/csp-report", 400),  # deeper than Python recurses
    ('{"a":' * 2000 + "{}" + "}" * 2000, "application/json", 400),
    ('{"csp-report": {"blocked-uri": "\\ud800"}}', "application/csp-report", 400),
    (b'{"csp-report": {"blocked-uri": "\xed\xa0\x80"}}', "application/csp-report", 400),
    ('{"csp-report": {"status-code": NaN}}', "application/csp-report", 400),
    ('{"csp-report": {"status-code": 1e400}}', "application/csp-report", 400),
    ('{"csp-report": {}, "csp-report": {"blocked-uri": "x"}}', "application/csp-report", 400),
    (json.dumps(REPORT), "text/plain", 415),
    ("csp-report=x", "application/x-www-form-urlencoded", 415),
])
def test_anything_but_a_report_is_refused_and_not_logged(client, caplog, body, content_type,
                                                          status):
    caplog.set_level(logging.WARNING, logger="cev_learn")
    assert send(client, body, content_type).status_code == status
    assert report_lines(caplog) == []


def test_a_report_over_the_size_cap_is_refused_unread(client, caplog):
    caplog.set_level(logging.WARNING, logger="cev_learn")
    padded = dict(REPORT["csp-report"], **{"script-sample": "z" * CSP_REPORT_MAX_BYTES})
    response = send(client, json.dumps({"csp-report": padded}))
    assert response.status_code == 413
    assert report_lines(caplog) == []
    assert send(client, json.dumps(REPORT)).status_code == 204  # a normal one still goes in


def test_only_post_is_accepted(client):
    assert client.get(CSP_REPORT_PATH).status_code == 405


def test_one_address_filling_the_log_is_stopped(client, caplog):
    caplog.set_level(logging.WARNING, logger="cev_learn")
    answers = [send(client, json.dumps(REPORT)).status_code for _ in range(31)]
    assert answers == [204] * 30 + [429]
    assert len(report_lines(caplog)) == 30
