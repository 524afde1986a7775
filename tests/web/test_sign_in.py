"""Who is acting on the web server (issue 14, points 1 and 2): LOCAL and SIGNED-IN modes, the
trusted proxy's header, roles (403), API tokens (valid, revoked, unknown), "who decided" from the
identity, and sign-off on the page and through the API, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from isp_rules.register import create_token, open_register, revoke_token
from isp_rules.web.access import SignIn, SignInError, check_binding, read_roles, sign_in_from

TestClient = pytest.importorskip("fastapi.testclient").TestClient

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
URGENT = SCENARIOS / "safeguarding" / "police-to-school-child-at-immediate-risk.yaml"
HEADER = "X-Forwarded-Email"
PRACTITIONER, DPO, ADMIN = "sam@council.example", "dpo@council.example", "it@council.example"


def scenario() -> dict:
    data = yaml.safe_load(URGENT.read_text(encoding="utf-8"))
    data.pop("expect", None)
    return json.loads(json.dumps(data, default=str))


def record_form(**fields: str) -> dict:
    return {"scenario": json.dumps(scenario()), "case_asked": "1", "case_reference": "CS-1", **fields}


def signed_in(proxies=("testclient",)) -> SignIn:
    # TestClient's peer address is "testclient": here it plays the reverse proxy.
    return SignIn(HEADER, frozenset(proxies), {DPO: ("approver",), ADMIN: ("administrator",)})


@pytest.fixture()
def site(register_target):
    """The app in SIGNED-IN mode, with the test client as the trusted proxy; `as_(email)` signs in."""
    from webutil import browser_client

    from isp_rules.web import create_app

    with browser_client(create_app(database_url=register_target, sign_in=signed_in()),
                        raise_server_exceptions=False) as c:
        def as_(email: str | None):
            c.headers.pop(HEADER, None)
            if email:
                c.headers[HEADER] = email
            return c
        c.as_ = as_
        yield c


def record_one(target, by: str = "J. Smith, DSL") -> int:
    from isp_rules import assess
    from isp_rules.scenario import Scenario

    sc = Scenario.model_validate(scenario())
    from isp_rules.assessment import default_ruleset

    return open_register(target).append(assess(sc, default_ruleset()), sc, by=by).seq


# --- starting the server ------------------------------------------------------------------


@pytest.mark.parametrize("host", ["0.0.0.0", "10.0.0.5", "::", "isp.council.example"])
def test_a_server_nobody_signs_in_to_refuses_a_network_address(host):
    with pytest.raises(SignInError) as caught:
        check_binding(host, None)
    message = str(caught.value)
    assert "anyone on the network could read every decision and write to the register" in message
    assert "--sign-in-header" in message and "--trusted-proxy" in message and "127.0.0.1" in message
    check_binding(host, signed_in(("10.0.0.2",)))  # with sign-in it may


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_loopback_needs_no_sign_in(host):
    check_binding(host, None)


def test_isp_serve_refuses_with_one_line_and_exit_1(tmp_path):
    from isp_rules.cli import cli as main

    result = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0", "--database-url", str(tmp_path / "r.sqlite")])
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "without sign-in" in lines[0] and "Traceback" not in result.output


@pytest.mark.parametrize("args, words", [
    (["--sign-in-header", HEADER], "--trusted-proxy"),
    (["--trusted-proxy", "10.0.0.2"], "--sign-in-header"),
    (["--sign-in-header", HEADER, "--trusted-proxy", "proxy.example"], "not an IP address"),
    (["--sign-in-header", "X Bad", "--trusted-proxy", "10.0.0.2"], "not a header name"),
])
def test_sign_in_options_that_do_not_fit(tmp_path, args, words):
    from isp_rules.cli import cli as main

    result = CliRunner().invoke(main, ["serve", "--host", "10.0.0.5", *args])
    assert result.exit_code == 1 and words in result.output and "Traceback" not in result.output


def test_a_bad_roles_file_stops_the_server_with_a_located_line(tmp_path):
    from isp_rules.cli import cli as main

    roles = tmp_path / "roles.yaml"
    roles.write_text("approvers:\n  - dpo@council.example\nadmins:\n  - it@council.example\n")
    result = CliRunner().invoke(main, ["serve", "--host", "10.0.0.5", "--sign-in-header", HEADER,
                                       "--trusted-proxy", "10.0.0.2", "--roles", str(roles)])
    assert result.exit_code == 1
    assert f"{roles}:3" in result.output and "unknown key" in result.output and "Traceback" not in result.output


def test_the_roles_file_gives_approvers_and_administrators(tmp_path):
    roles = tmp_path / "roles.yaml"
    roles.write_text("approvers: [DPO@Council.example, cg@nhs.example]\nadministrators: [dpo@council.example]\n")
    assert read_roles(roles) == {"dpo@council.example": ("approver", "administrator"), "cg@nhs.example": ("approver",)}
    made = sign_in_from(HEADER, ["10.0.0.2"], str(roles))
    assert made is not None and made.roles_of("Cg@nhs.example") == ("practitioner", "approver")
    assert made.roles_of("someone@else.example") == ("practitioner",)
    assert SignIn.from_text(made.to_text()) == made
    assert sign_in_from(None, [], None) is None


# --- who is asking ------------------------------------------------------------------------


def test_the_header_is_believed_only_from_the_trusted_proxy(register_target):
    from isp_rules.web import create_app

    app = create_app(database_url=register_target, sign_in=signed_in(("10.9.9.9",)))
    with TestClient(app, base_url="http://localhost") as c:  # its peer, "testclient", is no trusted proxy
        for path in ("/", "/decisions", "/v1/decisions"):
            refused = c.get(path, headers={HEADER: DPO, "X-Forwarded-For": "10.9.9.9"})
            assert refused.status_code == 401, path
            assert "Sign in first" in refused.text and refused.headers["www-authenticate"].startswith("Bearer")
        assert c.get("/healthz").status_code == 200  # the load balancer's check names nobody


def test_the_trusted_proxy_without_the_header_gets_401(site):
    c = site.as_(None)
    assert c.get("/decisions").status_code == 401
    assert "did not say who you are" in c.get("/").text
    assert site.as_(PRACTITIONER).get("/decisions").status_code == 200


def test_who_decided_comes_from_the_identity_even_when_by_is_posted(site, register_target):
    c = site.as_(PRACTITIONER)
    page = c.post("/check", data={"text": yaml.safe_dump(scenario())}).text
    assert 'name="by"' not in page and "Recorded as:" in page and PRACTITIONER in page
    done = c.post("/record", data=record_form(by="Somebody Else"), follow_redirects=False)
    assert done.status_code == 303
    api = c.post("/v1/decisions", json={"scenario": scenario(), "record": {"case_reference": "CS-2", "by": "Nobody"}},
                 params={"by": "Another"})
    assert api.status_code == 201, api.text
    assert [r.by for r in open_register(register_target).records()] == [PRACTITIONER, PRACTITIONER]


def test_local_mode_keeps_the_typed_name(client, register_target):
    page = client.post("/check", data={"text": yaml.safe_dump(scenario())}).text
    assert 'name="by"' in page and "Recorded as:" not in page
    assert client.post("/record", data=record_form(by="J. Smith, DSL"), follow_redirects=False).status_code == 303
    assert [r.by for r in open_register(register_target).records()] == ["J. Smith, DSL"]


# --- roles ----------------------------------------------------------------------------------


def test_the_full_register_and_verify_need_an_administrator(site, register_target):
    record_one(register_target)
    c = site.as_(PRACTITIONER)
    for path in ("/decisions.csv", "/decisions/verify", "/v1/decisions/verify", "/v1/decisions?full=true"):
        refused = c.get(path)
        assert refused.status_code == 403, path
        assert "administrator role" in refused.text, path
    assert c.get("/v1/decisions").status_code == 200  # reading the list is everyone's
    assert 'href="/decisions.csv"' not in c.get("/decisions").text
    admin = site.as_(ADMIN)
    for path in ("/decisions.csv", "/decisions/verify", "/v1/decisions/verify", "/v1/decisions?full=true"):
        assert admin.get(path).status_code == 200, path
    assert 'href="/decisions.csv"' in admin.get("/decisions").text


def test_sign_off_needs_an_approver(site, register_target):
    seq = record_one(register_target)
    c = site.as_(PRACTITIONER)
    page = c.get(f"/decisions/{seq}").text
    assert "Approve" not in page and "not signed off yet" in page
    refused = c.post(f"/decisions/{seq}/sign-off", data={"verdict": "approved", "note": "fine"})
    assert refused.status_code == 403 and "approver role" in refused.text
    api = c.post(f"/v1/decisions/{seq}/sign-off", json={"verdict": "approved", "note": "fine"})
    assert api.status_code == 403 and "approver role" in api.json()["detail"][0]["msg"]
    assert len(list(open_register(register_target).records())) == 1


# --- API tokens -------------------------------------------------------------------------------


def test_tokens_valid_revoked_and_unknown(site, register_target):
    register = open_register(register_target)
    seq = record_one(register_target)
    machine = create_token(register, "case-system", "practitioner").token
    approver = create_token(register, "dpo-script", "approver").token
    c = site.as_(None)  # no signed-in identity: the token alone
    bearer = {"Authorization": f"Bearer {machine}"}
    made = c.post("/v1/decisions", json={"scenario": scenario(), "record": {"case_reference": "CS-3", "by": "x"}},
                  headers=bearer)
    assert made.status_code == 201, made.text
    assert made.json()["record"]["by"] == "case-system"
    assert c.post("/v1/assess", json=scenario(), headers={"Authorization": f"Bearer {approver}"}).status_code == 403
    signed = c.post(f"/v1/decisions/{seq}/sign-off", json={"verdict": "rejected", "note": "No case reference"},
                    headers={"Authorization": f"Bearer {approver}"})
    assert signed.status_code == 201, signed.text
    assert signed.json()["by"] == "dpo-script" and signed.json()["identified"] == "token dpo-script"
    revoke_token(register, "case-system")
    for token in (machine, "isp_" + "x" * 43, "not-a-token"):
        refused = c.get("/v1/decisions", headers={"Authorization": f"Bearer {token}"})
        assert refused.status_code == 401 and "not accepted" in refused.text
    assert c.get("/v1/decisions").status_code == 401  # neither token nor identity


def test_a_token_works_in_local_mode_with_its_own_role_only(client, register_target):
    token = create_token(open_register(register_target), "reader", "practitioner").token
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/v1/decisions", headers=bearer).status_code == 200
    assert client.get("/v1/decisions/verify", headers=bearer).status_code == 403
    assert client.get("/v1/decisions/verify").status_code == 200  # the machine's own user may
    assert client.get("/v1/decisions", headers={"Authorization": "Bearer isp_unknown"}).status_code == 401


# --- sign-off ---------------------------------------------------------------------------------


def test_sign_off_on_the_page_shows_status_list_and_csv(site, register_target):
    seq = record_one(register_target, by=PRACTITIONER)
    own = site.as_(PRACTITIONER)
    dpo = site.as_(DPO)  # DPO is an approver, and like everyone signed in a practitioner
    page = dpo.get(f"/decisions/{seq}").text
    assert 'value="approved"' in page and 'value="rejected"' in page and 'name="note"' in page
    assert 'name="signed_by"' not in page and 'name="form_token"' in page
    done = dpo.post(f"/decisions/{seq}/sign-off", data={"verdict": "approved", "note": "Proportionate",
                                                        "signed_by": "Someone Else"}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].startswith(f"/decisions/{seq}#sign-off-")
    again = dpo.post(f"/decisions/{seq}/sign-off", data={"verdict": "rejected", "note": "On reflection, no"})
    assert again.status_code == 200
    shown = dpo.get(f"/decisions/{seq}").text
    assert "rejected" in shown and "On reflection, no" in shown and "Earlier sign-offs" in shown
    assert "Proportionate" in shown and DPO in shown
    sign_off_seq = seq + 2
    moved = dpo.get(f"/decisions/{sign_off_seq}", follow_redirects=False)
    assert moved.status_code == 303 and moved.headers["location"] == f"/decisions/{seq}#sign-off-{sign_off_seq}"
    listing = dpo.get("/decisions").text
    assert "1 decision recorded" in listing and "Decision 3" not in listing and "rejected by " + DPO in listing
    rows = list(csv.DictReader(io.StringIO(site.as_(ADMIN).get("/decisions.csv").text)))
    assert len(rows) == 1 and rows[0]["Status"] == "rejected" and rows[0]["Signed off by"] == DPO
    assert "approved by" in rows[0]["Earlier sign-offs"]
    own_try = own.post(f"/decisions/{seq}/sign-off", data={"verdict": "approved", "note": "x"})
    assert own_try.status_code == 403  # a practitioner only


def test_nobody_signs_off_their_own_decision(site, register_target):
    seq = record_one(register_target, by=DPO)
    page = site.as_(DPO).post(f"/decisions/{seq}/sign-off", data={"verdict": "approved", "note": "mine"})
    assert page.status_code == 409 and "signed off by someone else" in page.text
    api = site.as_(DPO).post(f"/v1/decisions/{seq}/sign-off", json={"verdict": "approved", "note": "mine"})
    assert api.status_code == 409


def test_sign_off_api_answers(site, register_target):
    seq = record_one(register_target)
    c = site.as_(DPO)
    made = c.post(f"/v1/decisions/{seq}/sign-off", json={"verdict": "approved", "note": "Necessary", "by": "X"})
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["decision"] == seq and body["verdict"] == "approved" and body["by"] == DPO
    assert body["identified"] == "proxy header" and body["note"] == "Necessary"
    assert c.post(f"/v1/decisions/{body['seq']}/sign-off", json={"verdict": "approved", "note": "x"}).status_code == 409
    assert c.post("/v1/decisions/99/sign-off", json={"verdict": "approved", "note": "x"}).status_code == 404
    assert c.post(f"/v1/decisions/{seq}/sign-off", json={"verdict": "maybe", "note": "x"}).status_code == 422
    assert c.post(f"/v1/decisions/{seq}/sign-off", json={"verdict": "approved", "note": ""}).status_code == 422
    listed = c.get("/v1/decisions").json()["records"]
    assert listed[0]["status"] == "approved" and listed[0]["sign_offs"][0]["by"] == DPO


def test_local_mode_signs_off_with_a_typed_name(client, register_target):
    seq = record_one(register_target)
    page = client.get(f"/decisions/{seq}").text
    assert 'name="signed_by"' in page and 'value="approved"' in page
    missing = client.post(f"/decisions/{seq}/sign-off", data={"verdict": "approved", "note": "ok"})
    assert missing.status_code == 422 and "Not signed off" in missing.text
    own = client.post(f"/decisions/{seq}/sign-off", data={"verdict": "approved", "note": "ok",
                                                          "signed_by": "j. smith,  DSL"})
    assert own.status_code == 409
    done = client.post(f"/decisions/{seq}/sign-off", data={"verdict": "approved", "note": "Proportionate",
                                                           "signed_by": "A. Patel, DPO"}, follow_redirects=False)
    assert done.status_code == 303
    shown = client.get(f"/decisions/{seq}").text
    assert "A. Patel, DPO" in shown and "Proportionate" in shown
    api = client.post(f"/v1/decisions/{seq}/sign-off", json={"verdict": "rejected", "note": "no"})
    assert api.status_code == 422  # no token, no identity, no name
    api = client.post(f"/v1/decisions/{seq}/sign-off", json={"verdict": "rejected", "note": "no", "by": "C. Guardian"})
    assert api.status_code == 201 and api.json()["by"] == "C. Guardian"


# --- found by a review that tried to break sign-in --------------------------------------------

def test_a_sign_in_header_sent_twice_is_believed_neither_time(site):
    """A proxy that adds its own header but passes the client's on would let the client choose
    who they are: with two names, nobody is signed in."""
    site.as_(None)
    both = [(HEADER, PRACTITIONER), (HEADER, ADMIN)]
    assert site.get("/decisions.csv", headers=both).status_code == 401
    assert site.get("/decisions.csv", headers=list(reversed(both))).status_code == 401
    assert site.get("/decisions.csv", headers=[(HEADER, ADMIN)]).status_code == 200


def test_an_ipv4_proxy_seen_over_a_dual_stack_socket_is_the_same_proxy(register_target):
    """`isp serve --host ::` sees an IPv4 proxy as ::ffff:10.0.0.2; either spelling trusts it."""
    from webutil import browser_client

    from isp_rules.web import create_app

    for given in ("10.0.0.2", "::ffff:10.0.0.2"):
        sign_in = sign_in_from(HEADER, [given], None)
        assert sign_in is not None and sign_in.proxies == frozenset({"10.0.0.2"})
        for peer in ("10.0.0.2", "::ffff:10.0.0.2"):
            app = create_app(database_url=register_target, sign_in=sign_in)
            with browser_client(app, raise_server_exceptions=False, client=(peer, 1)) as c:
                assert c.get("/decisions", headers={HEADER: ADMIN}).status_code == 200, (given, peer)
            with browser_client(app, raise_server_exceptions=False, client=("10.0.0.3", 1)) as c:
                assert c.get("/decisions", headers={HEADER: ADMIN}).status_code == 401


def test_roles_are_looked_up_under_the_name_recorded(site):
    """A proxy's extra spaces are tidied in the register; the role listed for the name still holds."""
    site.as_(None)
    spaced = "  " + ADMIN + " "
    assert site.get("/decisions.csv", headers={HEADER: spaced}).status_code == 200


def test_a_file_sent_where_a_name_or_note_is_asked_is_not_written_into_the_register(register_target):
    """A multipart upload in a text field would be stored as its Python description."""
    from webutil import browser_client

    from isp_rules.register import EmptyRegisterError, open_register
    from isp_rules.web import create_app

    with browser_client(create_app(database_url=register_target), raise_server_exceptions=False) as c:
        form = record_form()
        form.pop("by", None)
        response = c.post("/record", data=form, files={"by": ("x.txt", b"Jane")})
        assert response.status_code in (400, 422)
    try:
        records = list(open_register(register_target).records())
    except EmptyRegisterError:  # nothing recorded at all: the other good outcome
        records = []
    assert not any("UploadFile" in r.by for r in records)
