"""The server's protections, in-process (issue 14, point 5; reliability.md's rows on DNS
rebinding, CSRF fallbacks, caching, large integers, control characters and personal data in
logs): a Host allow-list, a form token on every form post, no-store on what names people, 405
with Allow, bounded numbers, and errors logged by reference without the input."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from html.parser import HTMLParser

import pytest
import yaml
from conftest import COMPLETE
from webutil import browser_client, hidden

from isp_rules.web.options import HostList, host_entry, split_host

TestClient = pytest.importorskip("fastapi.testclient").TestClient


def recorded(target) -> list[int]:
    from isp_rules.register import EmptyRegisterError, open_register

    try:
        return [r.seq for r in open_register(target).records()]
    except EmptyRegisterError:
        return []


@pytest.fixture()
def app(tmp_path):
    from isp_rules.web import create_app

    return create_app(database_url=str(tmp_path / "register.sqlite"))


@pytest.fixture()
def raw(app):
    """A plain TestClient (no form token, no cookie) from an address the server answers to."""
    with TestClient(app, base_url="http://localhost", raise_server_exceptions=False) as c:
        yield c



def test_an_api_token_with_the_register_unreachable_is_a_503_not_an_internal_error(tmp_path):
    """Tokens are looked up in the register, in middleware the app's error handlers do not cover:
    an outage must still read as one (503), so a monitor can tell it from a bug (a 500)."""
    from isp_rules.web import create_app

    broken = tmp_path / "not-a-database.sqlite"
    broken.write_bytes(b"this is not a SQLite file" * 50)
    with TestClient(create_app(database_url=str(broken)), base_url="http://localhost",
                    raise_server_exceptions=False) as c:
        token = {"authorization": "Bearer isp_" + "a" * 43}
        for answer in (c.get("/v1/decisions", headers=token), c.post("/v1/assess", content=json.dumps(COMPLETE), headers=token)):
            assert answer.status_code == 503 and "register is not available" in answer.json()["detail"][0]["msg"]

# --- the Host allow-list -----------------------------------------------------------------

FOREIGN = "rebind.evil.example:8000"


def test_a_foreign_host_is_refused_before_anything_is_read_or_written(app, tmp_path):
    with TestClient(app, base_url=f"http://{FOREIGN}", raise_server_exceptions=False) as c:
        listing = c.get("/v1/decisions?full=true")
        assert listing.status_code == 400
        assert "does not answer to that address" in listing.json()["detail"][0]["msg"]
        page = c.get("/")
        assert page.status_code == 400 and "--allowed-host" in page.text
        assert "evil" not in page.text  # the other site's name is not echoed back
        posted = c.post("/v1/decisions?by=x", content=json.dumps(COMPLETE))
        assert posted.status_code == 400
    assert recorded(str(tmp_path / "register.sqlite")) == []


@pytest.mark.parametrize("host", ["localhost", "localhost:8000", "127.0.0.1:8000", "[::1]:8000"])
def test_this_machines_own_names_are_answered_by_default(app, host):
    with TestClient(app, base_url=f"http://{host}") as c:
        assert c.get("/healthz").status_code == 200


def test_the_trailing_slash_redirect_never_names_a_foreign_host(app):
    with TestClient(app, base_url=f"http://{FOREIGN}", raise_server_exceptions=False) as c:
        response = c.get("/rules/", follow_redirects=False)
        assert response.status_code == 400 and "location" not in response.headers
    with TestClient(app, base_url="http://localhost:8000") as c:
        response = c.get("/rules/", follow_redirects=False)
        assert response.status_code == 307 and response.headers["location"] == "http://localhost:8000/rules"


def test_allowed_hosts_replace_the_default_list(tmp_path):
    from isp_rules.web import create_app

    app = create_app(database_url=str(tmp_path / "r.sqlite"), allowed_hosts=["isp.council.example", "10.0.0.5:8000"])
    for host, status in [("isp.council.example", 200), ("isp.council.example:443", 200), ("ISP.Council.Example", 200),
                         ("10.0.0.5:8000", 200), ("10.0.0.5:8001", 400), ("localhost", 400),
                         ("isp.council.example.evil.example", 400)]:
        with TestClient(app, base_url=f"http://{host}", raise_server_exceptions=False) as c:
            assert c.get("/healthz").status_code == status, host


@pytest.mark.parametrize("header, allowed", [
    ("localhost:8000", True), ("LOCALHOST:8000", True), ("localhost:8001", False), ("localhost", False),
    ("127.0.0.1:8000", True), ("[::1]:8000", True), ("[::1]", False), ("::1", False), ("", False),
    ("localhost:8000:8000", False), ("localhost:99999", False), ("localhost:80x", False), ("local host:8000", False),
    ("localhost@evil.example:8000", False), ("[::1]x:8000", False), ("[evil]:8000", False),
])
def test_the_host_list_matches_name_and_port(header, allowed):
    hosts = HostList.of(["localhost:8000", "127.0.0.1:8000", "[::1]:8000"])
    assert hosts.allows(header) is allowed


def test_a_name_on_port_80_may_come_without_its_port():
    assert HostList.of(["isp.example:80"]).allows("isp.example")
    assert not HostList.of(["isp.example:8000"]).allows("isp.example")


def test_host_entries_are_checked_and_ipv6_is_bracketed():
    assert host_entry("::1") == ("[::1]", None)
    assert split_host("[::1]:8000") == ("[::1]", 8000)
    for bad in ("", "a b", "x:port", "http://x", "[]"):
        with pytest.raises(ValueError, match="not a host name"):
            host_entry(bad)


def test_serve_answers_to_its_address_and_this_machines_names_on_its_port():
    from isp_rules.web.server import allowed_hosts

    hosts = allowed_hosts("10.0.0.5", 8000, ("isp.council.example",))
    assert hosts.as_text() == "10.0.0.5:8000,localhost:8000,127.0.0.1:8000,[::1]:8000,isp.council.example"
    wildcard = allowed_hosts("0.0.0.0", 8080)
    assert wildcard.as_text() == "localhost:8080,127.0.0.1:8080,[::1]:8080"
    assert not wildcard.allows("0.0.0.0:8080")


# --- form tokens -------------------------------------------------------------------------

class _Forms(HTMLParser):
    """Each form posted by the page, and whether it carries a form token."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"method": (a.get("method") or "get").lower(), "action": a.get("action"), "token": None})
        elif tag == "input" and a.get("name") == "form_token" and self.forms:
            self.forms[-1]["token"] = a.get("value")


def _post_forms(html: str) -> list[dict]:
    parser = _Forms()
    parser.feed(html)
    return [f for f in parser.forms if f["method"] == "post"]


def test_every_form_post_on_every_page_carries_the_form_token(app):
    with browser_client(app) as c:
        token = c.form_token()
        pages = [c.get("/ask").text, c.get("/triage").text, c.get("/check").text,
                 c.post("/check", data={"text": yaml.safe_dump(COMPLETE)}).text]  # the decision page
        walked = c.post("/ask", data={"state": hidden(pages[0], "state"), "shown": ["share.purpose.category"],
                                      "share.purpose.category": "marketing"}).text  # with "your answers so far"
        pages.append(walked)
        c.post("/record", data={"scenario": json.dumps(COMPLETE), "by": "IG", "case_asked": "1",
                                "no_case_reference": "yes"})
        pages.append(c.get("/decisions/1").text)
        forms = [f for page in pages for f in _post_forms(page)]
        assert len(forms) >= 10 and {"/ask", "/triage", "/check", "/record", "/download/agreement"} <= {
            f["action"] for f in forms}
        assert all(f["token"] == token for f in forms), [f for f in forms if f["token"] != token]


def test_the_form_cookie_is_http_only_and_same_site(raw):
    cookie = raw.get("/check").headers["set-cookie"]
    assert cookie.startswith("isp_form=") and "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "set-cookie" not in raw.get("/check").headers  # given once, then kept


def test_a_form_post_without_its_token_is_refused_and_records_nothing(app, raw, tmp_path):
    body = {"scenario": json.dumps(COMPLETE), "by": "x"}
    for headers in ({}, {"sec-fetch-site": "same-origin"}, {"origin": "http://localhost"}):
        response = raw.post("/record", data=body, headers=headers)
        assert response.status_code == 403, headers
        assert "Go back, reload the page and send it again" in response.text
    assert raw.post("/check", data={"text": yaml.safe_dump(COMPLETE)}).status_code == 403
    assert raw.post("/download/agreement", data={"scenario": json.dumps(COMPLETE)}).status_code == 403
    assert recorded(str(tmp_path / "register.sqlite")) == []


def test_a_token_counts_only_with_its_own_cookie_and_server(app, tmp_path):
    from isp_rules.web import create_app

    body = {"scenario": json.dumps(COMPLETE), "by": "x"}
    with browser_client(app) as mine, browser_client(app) as other:
        token, theirs = mine.form_token(), other.form_token()
        assert token != theirs
        # Another browser's token (an attacker's own, fetched from the server) with this cookie.
        assert mine.post("/record", data={**body, "form_token": theirs}).status_code == 403
        assert mine.post("/record", data={**body, "form_token": ""}).status_code == 403
        mine.cookies.clear()
        assert mine.post("/record", data={**body, "form_token": token}).status_code == 403  # no cookie
    # A restarted server has a new secret: the page's token no longer counts, and the page says so.
    with browser_client(app) as before:
        token, cookie = before.form_token(), before.cookies.get("isp_form")
    with browser_client(create_app(database_url=str(tmp_path / "register.sqlite")),
                        raise_server_exceptions=False) as after:
        after.cookies.set("isp_form", cookie)
        refused = after.post("/record", data={**body, "form_token": token})
        assert refused.status_code == 403 and "expired" in refused.text
    assert recorded(str(tmp_path / "register.sqlite")) == []


def test_a_valid_token_records_and_origin_null_is_refused_even_with_one(app, tmp_path):
    body = {"scenario": json.dumps(COMPLETE), "by": "x"}
    with browser_client(app, raise_server_exceptions=False) as c:
        assert c.post("/record", data=body, headers={"origin": "null"}).status_code == 403
        assert c.post("/record", data=body, headers={"origin": "null", "sec-fetch-site": "same-origin"}).status_code == 403
        assert c.post("/record", data=body, headers={"origin": "http://evil.example"}).status_code == 403
        assert c.post("/record", data=body, headers={"sec-fetch-site": "same-site"}).status_code == 403
        assert recorded(str(tmp_path / "register.sqlite")) == []
        ok = c.post("/record", data=body, headers={"origin": "http://localhost", "sec-fetch-site": "same-origin"},
                    follow_redirects=False)
        assert ok.status_code == 303
    assert recorded(str(tmp_path / "register.sqlite")) == [1]


def test_the_json_api_still_serves_programs_and_same_origin_clients_but_not_other_sites(raw, tmp_path):
    body = json.dumps(COMPLETE)
    assert raw.post("/v1/assess", content=body).status_code == 200  # curl: neither header, no token
    same = {"origin": "http://localhost", "sec-fetch-site": "same-origin", "content-type": "application/json"}
    assert raw.post("/v1/assess", content=body, headers=same).status_code == 200
    for headers in ({"origin": "null"}, {"sec-fetch-site": "cross-site"}, {"origin": "https://evil.example"}):
        response = raw.post("/v1/decisions?by=x", content=body, headers=headers)
        assert response.status_code == 403, headers
        assert response.json()["detail"][0]["msg"] == "Refused: this form was sent from another site."
    assert raw.post("/v1/decisions?by=x", content=body).status_code == 201
    assert recorded(str(tmp_path / "register.sqlite")) == [1]


# --- caching -----------------------------------------------------------------------------

def test_nothing_that_names_a_person_is_cached(client):
    client.post("/record", data={"scenario": json.dumps(COMPLETE), "by": "J. Smith"})
    responses = [client.get(a) for a in ("/decisions", "/decisions/1", "/decisions.csv", "/decisions/verify",
                                         "/v1/decisions?full=true", "/v1/decisions/verify", "/decisions/9", "/")]
    responses += [client.post("/check", data={"text": yaml.safe_dump(COMPLETE)}),
                  client.post("/v1/assess", content=json.dumps(COMPLETE)),
                  client.post("/v1/decisions?by=x", content=json.dumps(COMPLETE)),
                  client.post("/download/agreement", data={"scenario": json.dumps(COMPLETE), "format": "docx"})]
    responses.append(client.head("/decisions/1"))  # `curl -I`, as the review checked it
    assert [r.headers.get("cache-control") for r in responses] == ["no-store"] * len(responses)
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 200, 200, 404, 200, 200, 200, 201, 200, 200]
    static = client.get("/static/style.css")
    assert static.status_code == 200 and "no-store" not in static.headers.get("cache-control", "")


# --- 405 with Allow ----------------------------------------------------------------------

@pytest.mark.parametrize("method, address, allow", [
    ("POST", "/healthz", "GET, HEAD"), ("GET", "/v1/assess", "POST"), ("DELETE", "/v1/decisions", "GET, POST"),
    ("PUT", "/decisions/1", "GET, HEAD"), ("POST", "/", "GET, HEAD"), ("POST", "/static/style.css", "GET, HEAD"),
    ("PATCH", "/v1/agreement", "POST"), ("DELETE", "/record", "POST"),
])
def test_a_405_says_which_methods_the_address_accepts(raw, method, address, allow):
    response = raw.request(method, address)
    assert response.status_code == 405 and response.headers["allow"] == allow


# --- numbers a register cannot hold ------------------------------------------------------

@pytest.mark.parametrize("address, status", [
    ("/v1/decisions?after=9223372036854775808", 422), ("/v1/decisions?after=99999999999999999999999", 422),
    ("/v1/decisions?after=-1", 422), ("/v1/decisions?limit=100000000000000000000", 422),
    ("/v1/decisions?since=0", 422), ("/v1/decisions?since=1700000000", 422), ("/v1/decisions?since=2026-12-01T00:00", 422),
    ("/v1/decisions?since=%D9%A2%D9%A0%D9%A2%D9%A6-12-01", 422),  # Arabic-Indic digits are digits to \d
    ("/decisions/99999999999999999999999", 404), ("/decisions/9223372036854775808", 404), ("/decisions/%C2%B2", 404),
    ("/decisions/0", 404), ("/decisions/-1", 404), ("/decisions/1.0", 404), ("/decisions/%EF%BC%91", 404),
    ("/v1/decisions?after=9223372036854775807", 200), ("/v1/decisions?since=2026-12-01", 200), ("/decisions/1", 200),
])
def test_numbers_out_of_range_are_a_4xx_never_a_500(client, address, status):
    assert client.post("/v1/decisions?by=IG", content=json.dumps(COMPLETE)).status_code == 201  # the store is read
    response = client.get(address)
    assert response.status_code == status, response.text
    if status == 422:
        assert response.json()["detail"][0]["path"].startswith("query.")


@pytest.mark.parametrize("as_of", ["0", "1700000000", "2026-12-01T00:00:00", "2026-13-01"])
def test_as_of_must_be_a_date(raw, as_of):
    response = raw.post(f"/v1/assess?as_of={as_of}", content=json.dumps(COMPLETE))
    assert response.status_code == 422 and response.json()["detail"][0]["path"] == "query.as_of"


# --- YAML tags and control characters ----------------------------------------------------

TAGGED = ["share:\n  from:\n    signatory: !!bool maybe\n", "as_of: !!timestamp notadate\nshare: {}\n",
          "share: !!int ''\n", "as_of: !!float ''\nshare: {}\n", "share:\n  data: !!binary '%%%'\n",
          "share: !!python/object:os.system {}\n", "share: !!set {a, b}\n", "share: !!omap [a: 1]\n",
          # an integer YAML reads but Python cannot write out: no message could quote it (a 500 before)
          "share:\n  data:\n    volume: 0x" + "f" * 4000 + "\n", "share:\n  from:\n    name: 0b" + "1" * 15000 + "\n"]


@pytest.mark.parametrize("text", TAGGED)
def test_yaml_tags_are_a_422_on_every_route_that_reads_yaml(client, text, register_target):
    for address in ("/v1/assess", "/v1/agreement?format=docx", "/v1/annex-b?format=docx", "/v1/decisions?by=x"):
        response = client.post(address, content=text, headers={"content-type": "application/yaml"})
        assert response.status_code == 422, (address, response.text)
    page = client.post("/check", data={"text": text})
    assert page.status_code == 422 and "Traceback" not in page.text
    assert recorded(register_target) == []


def _with(field: str, value: str) -> dict:
    data = json.loads(json.dumps(COMPLETE))
    if field == "title":
        data["title"] = value
    else:
        data["share"]["from"]["name"] = value
    return data


@pytest.mark.parametrize("char", ["\x01", "\x00", "\uffff", "\x1b", "\ud800"])
@pytest.mark.parametrize("field", ["title", "share.from.name"])
def test_control_characters_are_a_422_on_every_route(client, char, field, register_target):
    data = _with(field, f"a{char}b")
    body = json.dumps(data).encode()  # \ud800 travels as its JSON escape, as any client may send it
    for address in ("/v1/assess", "/v1/agreement?format=docx", "/v1/annex-b?format=docx", "/v1/decisions?by=x"):
        response = client.post(address, content=body)
        assert response.status_code == 422, (address, response.text)
    form = {"scenario": body.decode()}
    for address in ("/download/agreement", "/download/annex-b", "/download/scenario", "/record"):
        response = client.post(address, data={**form, "format": "docx", "by": "x"})
        assert response.status_code == 422, (address, response.status_code)
    assert recorded(register_target) == []



def test_a_title_longer_than_word_properties_hold_still_downloads(client):
    """Word's document properties hold 255 characters; a scenario title may hold 2,000 (a 500
    before, found by the schema-driven fuzzing)."""
    data = _with("title", "A long title " * 150)
    for address in ("/v1/agreement?format=docx", "/v1/annex-b?format=docx"):
        response = client.post(address, content=json.dumps(data))
        assert response.status_code == 200, (address, response.text[:200])

@pytest.mark.parametrize("char", ["\x00", "\x01", "\x1b", "\uffff"])
def test_a_typed_answer_or_pasted_file_with_a_control_character_is_asked_again(client, char):
    page = client.get("/ask").text
    answer = client.post("/ask", data={"state": hidden(page, "state"), "shown": ["share.basis.legal_power"],
                                       "share.basis.legal_power": f"Children Act{char} 2004"})
    assert answer.status_code == 422 and 'name="share.basis.legal_power"' in answer.text
    assert "control character" in answer.text or "not text" in answer.text
    escaped = json.dumps(char)[1:-1]  # as YAML's double quotes write it
    pasted = client.post("/check", data={"text": f'title: "a{escaped}b"\nshare: {{}}\n'})
    assert pasted.status_code == 422 and ("control character" in pasted.text or "not text" in pasted.text)


REFUSED_WORDS = ("control character", "not text", "reverses how text reads", "invisible character")


# A direction override or isolate, or a zero-width character, makes a name read otherwise than it
# is stored ("\u202eecilA" shows as "Alice"): refused in what the register keeps, as a control is.
@pytest.mark.parametrize("char", ["\x00", "\x01", "\x1b", "\uffff", "\u202e", "\u2067", "\u200b"])
def test_record_details_with_a_control_character_are_refused_with_a_sentence(client, char, register_target):
    """Who decided, the case reference and the parties' names, typed into the record form or sent to
    the API: a control character could forge a line of `isp log` (and PostgreSQL cannot store NUL),
    so it is refused with a sentence, never a 500 or a 503, and nothing is recorded."""
    typed = f"a{char}b"
    api = client.post("/v1/decisions", params={"by": typed}, content=json.dumps(COMPLETE))
    assert api.status_code == 422 and api.json()["detail"][0]["path"] == "query.by"
    for field in ("by", "case_reference", "from_name", "to_name"):
        record = {"by": "IG", "case_reference": "CS-1", field: typed}
        body = client.post("/v1/decisions", content=json.dumps({"scenario": COMPLETE, "record": record}))
        assert body.status_code == 422 and body.json()["detail"][0]["path"] == f"record.{field}", body.text
        form = {"scenario": json.dumps(COMPLETE), "case_asked": "1", "by": "IG", "case_reference": "CS-1", field: typed}
        page = client.post("/record", data=form, follow_redirects=False)
        assert page.status_code == 422 and any(w in page.text for w in REFUSED_WORDS), field
    assert _records(register_target) == []


def _records(target):
    from isp_rules.register import EmptyRegisterError, open_register

    try:
        return list(open_register(target).records())
    except EmptyRegisterError:
        return []


# --- logs hold no input ------------------------------------------------------------------

SECRET = "Jane Example, 12 Acacia Avenue"


def test_a_crash_is_logged_by_reference_and_type_never_its_message(app, monkeypatch, caplog):
    from isp_rules.web import api

    def boom(*a, **k):
        raise ValueError(f"cannot decide for {SECRET}")

    monkeypatch.setattr(api, "assess", boom)
    caplog.set_level(logging.ERROR)
    with TestClient(app, base_url="http://localhost") as c:  # raise_server_exceptions: nothing escapes the app
        response = c.post("/v1/assess", content=json.dumps(COMPLETE))
    assert response.status_code == 500
    reference = re.search(r"reference ([0-9a-f]{8})", response.json()["detail"][0]["msg"]).group(1)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert reference in logged and "ValueError" in logged and "POST /v1/assess" in logged
    assert SECRET not in logged and "Acacia" not in logged
    assert "raise ValueError" in logged  # the code's frames stay, for whoever fixes it


def test_an_engine_failure_and_an_unusable_register_log_no_input(tmp_path, monkeypatch, caplog):
    from isp_rules.errors import EngineError
    from isp_rules.web import api, create_app

    folder = tmp_path / "a-folder"
    folder.mkdir()
    caplog.set_level(logging.ERROR)
    with TestClient(create_app(database_url=str(folder)), base_url="http://localhost") as c:
        assert c.post("/v1/decisions?by=x", content=json.dumps(_with("title", SECRET))).status_code == 503
        monkeypatch.setattr(api, "assess", lambda *a, **k: (_ for _ in ()).throw(EngineError(f"fact {SECRET}")))
        assert c.post("/v1/assess", content=json.dumps(COMPLETE)).status_code == 500
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "register unavailable" in logged and "rules engine failure" in logged and "EngineError" in logged
    assert SECRET not in logged and str(folder) not in logged


# --- a body that does not arrive -------------------------------------------------------

def test_a_body_that_does_not_arrive_in_time_gets_408():
    from isp_rules.web.middleware import BodyLimit

    reached = []

    async def app(scope, receive, send):
        reached.append(scope["path"])

    async def stalled():
        if not sent:
            sent.append(1)
            return {"type": "http.request", "body": b"{", "more_body": True}
        await asyncio.sleep(30)
        raise AssertionError("the time limit did not stop the wait")

    sent: list = []
    messages: list[dict] = []

    async def send(message):
        messages.append(message)

    scope = {"type": "http", "method": "POST", "path": "/v1/assess", "headers": []}
    asyncio.run(BodyLimit(app, timeout=0.2)(scope, stalled, send))
    assert reached == [] and messages[0]["status"] == 408
    assert (b"connection", b"close") in messages[0]["headers"]
    assert "did not arrive within 0.2 seconds" in json.loads(messages[1]["body"])["detail"][0]["msg"]


def test_every_app_in_a_process_describes_the_whole_scenario(tmp_path):
    """The scenario schema is cached once per process; building one app's document must not take
    its parts away from the next app's (found by running schemathesis after other web tests)."""
    from isp_rules.web import create_app

    specs = []
    for n in range(2):
        with TestClient(create_app(database_url=str(tmp_path / f"{n}.sqlite")), base_url="http://localhost") as c:
            specs.append(c.get("/openapi.json").json())
    assert specs[0] == specs[1]
    refs = set(re.findall(r'"#/components/schemas/([^"]+)"', json.dumps(specs[1])))
    assert refs and refs <= set(specs[1]["components"]["schemas"]), refs - set(specs[1]["components"]["schemas"])
