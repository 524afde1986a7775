"""Who is acting: roles and what each may do, and API tokens kept as hashes only.

Token tests run on a SQLite file and on PostgreSQL (the `store` fixture)."""

import hashlib
import re

import pytest
from click.testing import CliRunner
from conftest import build

from isp_rules import assess
from isp_rules.cli import cli
from isp_rules.register import (
    AccessError,
    Actor,
    NotAllowedError,
    TokenError,
    actor_for_token,
    create_token,
    list_tokens,
    local_actor,
    may,
    open_register,
    proxy_actor,
    require,
    revoke_token,
)
from isp_rules.register.access import ACTIONS, PERMISSIONS, ROLES, parse_role
from isp_rules.register.signing import create_key

KEY_ENV = "ISP_REGISTER_KEY_FILE"
TOKENS = {"sqlite": "tokens", "postgres": "isp_register_tokens"}


@pytest.fixture(autouse=True)
def no_key(monkeypatch):
    for name in (KEY_ENV, "ISP_REGISTER_KEY", "ISP_REGISTER_STATE"):
        monkeypatch.delenv(name, raising=False)


def token_rows(store):
    return store.sql(f"SELECT * FROM {TOKENS[store.kind]}")


# --- roles -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "allowed"), [
    ("practitioner", {"decide", "record", "read"}),
    ("approver", {"sign-off", "read"}),
    ("administrator", {"tokens", "directory", "verify", "export", "read"}),
])
def test_each_role_may_do_what_the_partnership_gives_it_and_nothing_else(role, allowed):
    actor = Actor("someone", (role,), "local user")
    assert {action for action in ACTIONS if may(actor, action)} == allowed
    assert {action for action in ACTIONS if actor.may(action)} == allowed


def test_several_roles_add_up_and_nobody_may_do_anything():
    both = local_actor("A. Patel", ["approver", "practitioner"])
    assert both.roles == ("practitioner", "approver")  # in ROLES order
    assert may(both, "sign-off") and may(both, "record") and not may(both, "tokens")
    assert not any(may(None, action) for action in ACTIONS)
    assert set(PERMISSIONS) == set(ROLES)
    with pytest.raises(ValueError, match="no action"):
        may(both, "delete")


def test_a_refusal_names_the_role_needed():
    with pytest.raises(NotAllowedError) as refused:
        require(local_actor("K. Jones", ["practitioner"]), "sign-off")
    assert str(refused.value) == "K. Jones (practitioner) may not sign off decisions: that needs the approver role"
    require(local_actor("A. Patel", ["approver"]), "sign-off")  # allowed: no error


def test_an_unknown_role_lists_the_roles_with_a_did_you_mean():
    assert parse_role(" Approver ") == "approver"
    with pytest.raises(AccessError) as bad:
        parse_role("aprover")
    assert str(bad.value) == ("no role 'aprover': one of practitioner, approver, administrator; "
                              "did you mean 'approver'?")


def test_how_an_actor_was_identified_is_kept():
    assert local_actor("A. Patel", ["approver"], "apatel").identified == "local user apatel"
    assert proxy_actor(" a.patel@council.example ", ["approver"]) == Actor(
        "a.patel@council.example", ("approver",), "proxy header")


@pytest.mark.parametrize("name", ["", "   ", "A\x1b[2JB", "A\u202eB", "A\u2067B", "A\u200bB", "A\x00B", "x" * 201])
def test_a_name_that_could_forge_a_line_or_is_empty_is_refused(name):
    with pytest.raises(AccessError):
        local_actor(name, ["approver"])
    assert local_actor(" A.\n\tPatel ", ["approver"]).name == "A. Patel"  # line breaks are only spaces


# --- tokens, on both stores ------------------------------------------------------------------


def test_a_token_is_stored_only_as_its_hash_and_acts_with_its_role(store):
    register = open_register(store.target)
    made = create_token(register, "case-system", "practitioner", by="admin")
    assert re.fullmatch(r"isp_[A-Za-z0-9_-]{43}", made.token)
    rows = token_rows(store)
    assert len(rows) == 1
    assert hashlib.sha256(made.token.encode()).hexdigest() in rows[0]
    assert not any(made.token in str(cell) or made.token[4:] in str(cell) for cell in rows[0])
    if store.kind == "sqlite":
        with open(store.target, "rb") as file:
            assert made.token[4:].encode() not in file.read()
    actor = actor_for_token(open_register(store.target), made.token)
    assert actor == Actor("case-system", ("practitioner",), "token case-system")
    assert may(actor, "record") and not may(actor, "sign-off")
    [info] = list_tokens(register)
    assert (info.name, info.role, info.created_by, info.revoked) == ("case-system", "practitioner", "admin", False)
    assert made.token not in str(info.to_json())


def test_only_a_live_token_of_this_register_is_accepted(store):
    register = open_register(store.target)
    made = create_token(register, "exporter", "administrator")
    other = create_token(register, "scanner", "approver")
    for wrong in ["", "isp_", made.token[:-1], made.token + "x", made.token[4:], "Bearer " + made.token,
                  "isp_" + "A" * 43, "isp_" + "x" * 5000, None, 42]:
        assert actor_for_token(register, wrong) is None, wrong
    revoked = revoke_token(register, "exporter", by="admin")
    assert revoked.revoked and revoked.revoked_by == "admin"
    assert actor_for_token(register, made.token) is None
    assert actor_for_token(register, other.token).name == "scanner"  # the others still work
    assert [t.revoked for t in list_tokens(register)] == [True, False]


def test_token_names_are_unique_and_valid(store):
    register = open_register(store.target)
    create_token(register, "case-system", "practitioner")
    revoke_token(register, "case-system")
    with pytest.raises(TokenError, match="already a token called 'case-system'"):
        create_token(register, "case-system", "approver")  # a name always means one token, revoked or not
    for bad in ["", "has space", "-leading", "a/b", "x" * 65, "line\nbreak"]:
        with pytest.raises(TokenError, match="a token's name is"):
            create_token(register, bad, "practitioner")
    with pytest.raises(AccessError, match="did you mean 'administrator'"):
        create_token(register, "ops", "admin")
    with pytest.raises(TokenError, match="no token called 'case-sys'; did you mean 'case-system'"):
        revoke_token(register, "case-sys")
    with pytest.raises(TokenError, match="revoked already"):
        revoke_token(register, "case-system")
    assert [t.name for t in list_tokens(register)] == ["case-system"]


def test_no_register_means_no_tokens_and_none_is_created(tmp_path):
    register = open_register(tmp_path / "none.sqlite")
    assert list_tokens(register) == [] and actor_for_token(register, "isp_" + "a" * 43) is None
    with pytest.raises(TokenError, match="no token called 'x'"):
        revoke_token(register, "x")
    assert not (tmp_path / "none.sqlite").exists()


def test_with_the_key_a_token_added_behind_its_back_is_refused(store, tmp_path, monkeypatch):
    """Someone who can write the database but lacks the key adds a token of their own (its hash,
    as the library would store it): the server, holding the key, refuses it."""
    key_path = tmp_path / "keys" / "register-key"
    create_key(key_path)
    monkeypatch.setenv(KEY_ENV, str(key_path))
    register = open_register(store.target)
    register.append(assess(build()), build(), by="DSL")
    made = create_token(register, "case-system", "practitioner")
    assert list_tokens(register)[0].signed
    forged = "isp_" + "F" * 43
    store.sql(f"INSERT INTO {TOKENS[store.kind]} (name, role, hash, created_at, created_by) VALUES (?, ?, ?, ?, ?)",
              "intruder", "administrator", hashlib.sha256(forged.encode()).hexdigest(), "2026-01-01T00:00:00+00:00",
              "admin")
    # A real token's row altered (its role raised) no longer matches its signature either.
    store.sql(f"UPDATE {TOKENS[store.kind]} SET role = 'administrator' WHERE name = 'case-system'")
    assert actor_for_token(open_register(store.target), forged) is None
    assert actor_for_token(open_register(store.target), made.token) is None
    monkeypatch.delenv(KEY_ENV)  # without the key nothing can be checked: the forged row is accepted
    assert actor_for_token(open_register(store.target), forged).name == "intruder"


# --- the command line --------------------------------------------------------------------------


def run(*args):
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.output
    return result


def test_isp_token_create_prints_the_token_once_and_list_never_shows_it(tmp_path):
    reg = str(tmp_path / "r.sqlite")
    made = run("token", "create", "--role", "approver", "--name", "dpo-tool", "--by", "IG admin", "--register", reg)
    assert made.exit_code == 0, made.output
    token = made.stdout.strip()
    assert re.fullmatch(r"isp_\S{43}", token) and "shown this once" in made.stderr
    assert actor_for_token(open_register(reg), token).roles == ("approver",)
    listed = run("token", "list", "--register", reg)
    assert listed.exit_code == 0 and token not in listed.output and token[4:] not in listed.output
    assert re.match(r"dpo-tool  approver  made .* by IG admin  \(not signed\)", listed.stdout)
    assert listed.stdout.endswith("1 token(s), 1 in use\n")
    assert token not in run("token", "list", "--format", "json", "--register", reg).output
    revoked = run("token", "revoke", "dpo-tool", "--register", reg)
    assert revoked.exit_code == 0 and "revoked" in revoked.stdout
    assert "REVOKED" in run("token", "list", "--register", reg).stdout
    assert actor_for_token(open_register(reg), token) is None


@pytest.mark.parametrize(("args", "says"), [
    (["create", "--role", "aprover", "--name", "x"], ("no role 'aprover': one of practitioner, approver, "
                                                      "administrator; did you mean 'approver'?")),
    (["create", "--role", "approver", "--name", "dup"], "already a token called 'dup'"),
    (["create", "--role", "approver", "--name", "no spaces"], "a token's name is 1 to 64"),
    (["create", "--role", "approver", "--name", "ok", "--by", "a\x1bb"], "control character"),
    (["revoke", "dpu"], "no token called 'dpu'; did you mean 'dup'?"),
])
def test_each_bad_token_command_is_one_line_and_exit_1(tmp_path, args, says):
    reg = str(tmp_path / "r.sqlite")
    assert run("token", "create", "--role", "approver", "--name", "dup", "--register", reg).exit_code == 0
    result = run("token", *args, "--register", reg)
    assert result.exit_code == 1
    assert says in result.stderr and len(result.stderr.splitlines()) == 1 and result.stdout == ""
