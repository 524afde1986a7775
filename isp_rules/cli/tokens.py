"""API tokens for machines: `isp token create`, `isp token list`, `isp token revoke`. The tokens
are kept in the register's database as hashes only (register/tokens.py; docs/access.md)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .errors import library_errors
from .options import format_option, register_option

__all__ = ["token_group"]

BY_HELP = "Who is doing this, for the token's history (default: your user name)."


def _register(register_path: str | None, key_file: str | None = None):
    from ..register import open_register

    register = open_register(register_path)
    if key_file:
        from ..register.signing import load_signing_key

        register.use_key(load_signing_key(Path(key_file)))
    return register


@click.group(name="token")
def token_group() -> None:
    """API tokens, for machines that use the web API (see docs/access.md).

    Each token has a name and one role: practitioner (decide and record), approver (sign off
    decisions) or administrator (tokens, directory, verify, export). The token is shown once,
    when it is made; only a hash of it is kept, in the register's database.

    \b
    Example:
        isp token create --role practitioner --name case-system
        isp token list
        isp token revoke case-system
    """


@token_group.command(name="create")
@click.option("--role", required=True, metavar="ROLE", help="practitioner, approver or administrator.")
@click.option("--name", "name", required=True, metavar="NAME",
              help="What uses the token (letters, digits, dots, dashes, underscores), such as case-system.")
@click.option("--by", "by", metavar="NAME", help=BY_HELP)
@click.option("--key", "key_file", type=click.Path(dir_okay=False), metavar="FILE",
              help="The register's private key file, which signs the token (default: ISP_REGISTER_KEY_FILE).")
@register_option
@library_errors
def token_create(role: str, name: str, by: str | None, key_file: str | None, register_path: str | None) -> None:
    """Make an API token, and print it once.

    The token goes to standard output, on its own line, and the notes about it to standard
    error, so `TOKEN=$(isp token create ...)` keeps just the token. Store it in the client's
    secret store: it cannot be shown again (make a new one if it is lost). With the register's
    signing key set, the token is signed by it, and the server (holding the same key) refuses
    tokens it did not sign.
    """
    from ..register import create_token

    register = _register(register_path, key_file)
    made = create_token(register, name, role, by)
    click.echo(f"{register.where}: token '{made.info.name}' ({made.info.role}) made"
               + ("" if made.info.signed else ", not signed: no key is set")
               + ". It is shown this once: keep it secret, in the client's secret store.", err=True)
    click.echo(made.token)


@token_group.command(name="list")
@format_option("text", "json")
@register_option
@library_errors
def token_list(fmt: str, register_path: str | None) -> None:
    """List the API tokens (never the tokens themselves): name, role, who made them and when,
    and whether they were revoked."""
    from ..register import list_tokens, uk_time
    from ..register.listing import shown

    tokens = list_tokens(_register(register_path))
    if fmt == "json":
        click.echo(json.dumps([t.to_json() for t in tokens], indent=2, ensure_ascii=False))
        return
    for t in tokens:
        line = f"{shown(t.name)}  {t.role}  made {uk_time(t.created_at)} by {shown(t.created_by)}"
        if not t.signed:
            line += "  (not signed)"
        if t.revoked_at is not None:
            line += f"  REVOKED {uk_time(t.revoked_at)} by {shown(t.revoked_by or '')}"
        click.echo(line)
    live = sum(1 for t in tokens if not t.revoked)
    click.echo(f"{len(tokens)} token(s), {live} in use")


@token_group.command(name="revoke")
@click.argument("name", metavar="NAME")
@click.option("--by", "by", metavar="NAME", help=BY_HELP)
@register_option
@library_errors
def token_revoke(name: str, by: str | None, register_path: str | None) -> None:
    """Revoke the API token NAME: it is refused from now on. This cannot be undone."""
    from ..register import revoke_token

    register = _register(register_path)
    done = revoke_token(register, name, by)
    click.echo(f"{register.where}: token '{done.name}' revoked; it is refused from now on")
