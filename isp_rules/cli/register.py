"""The decision register: `isp log`, `isp log verify`, the approver's sign-off (`isp log approve`,
`isp log reject`), and the commands that keep it trustworthy (`isp log key create`, `isp log init`,
`isp log checkpoint`) and private (`isp log redact`, `isp log purge`). docs/register.md explains
the trust model, docs/access.md the roles."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from .errors import ProblemsError, library_errors
from .options import DAY, format_option, register_option

__all__ = ["log_cmd", "log_verify"]

KEY_HELP = ("The register's private key file (default: ISP_REGISTER_KEY_FILE, or the key in ISP_REGISTER_KEY). "
            "It must be readable by you only (chmod 600).")


def _register(ctx: click.Context, register_path: str | None, key_file: str | None = None):
    from ..register import open_register

    register = open_register(register_path or ctx.obj)
    if key_file:
        from ..register.signing import load_signing_key

        register.use_key(load_signing_key(Path(key_file)))
    return register


key_option = click.option("--key", "key_file", type=click.Path(dir_okay=False), metavar="FILE", help=KEY_HELP)


@click.group(name="log", invoke_without_command=True)
@click.option("--since", type=DAY, metavar="YYYY-MM-DD",
              help="Only records from this date (UK time).")
@format_option("text", "csv", "json")
@register_option
@click.pass_context
@library_errors
def log_cmd(ctx: click.Context, since: dt.datetime | None, fmt: str, register_path: str | None) -> None:
    """List the decisions recorded in the register (see `isp check --record`).

    Each record in plain words: when (UK time, GMT or BST), the case reference, who shared
    with whom, what information, the purpose, whether consent was sought, who decided, the
    verdict and its reasons, and its status: recorded, or approved or rejected by an approver
    (isp log approve), with who signed it off, when and why. CSV gives the same as columns for
    a spreadsheet; JSON gives every record exactly as stored, sign-offs included, with each
    decision's status. Records made before case references were asked for say "not recorded";
    redacted text reads [redacted]; purged records are not listed.

    \b
    Example:
        isp log --since 2026-12-01
        isp log --format csv > decisions.csv
        isp log verify
    """
    ctx.obj = register_path
    if ctx.invoked_subcommand is not None:
        return
    from ..register import open_register, statuses
    from ..register.details import uk_day_start
    from ..register.listing import integrity_warning, render_log

    register = open_register(register_path)
    records = list(register.records(uk_day_start(since.date()) if since else None))
    click.echo(render_log(records, fmt, statuses(register)), nl=False)
    if (warning := integrity_warning(register)) is not None:
        click.echo(warning, err=True)


@log_cmd.command(name="verify")
@click.option("--public-key", "public_key", type=click.Path(dir_okay=False), metavar="FILE",
              help="Also check the register's signatures with this public key (FILE.pub from isp log key create).")
@click.option("--checkpoint", "checkpoint_file", type=click.Path(dir_okay=False), metavar="FILE",
              help="Also check that the register still holds this saved checkpoint (from isp log checkpoint) "
                   "and has not gone back before it. Needs --public-key.")
@register_option
@click.pass_context
@library_errors
def log_verify(ctx: click.Context, public_key: str | None, checkpoint_file: str | None,
               register_path: str | None) -> None:
    """Check that no recorded decision was edited or deleted; name any that was (exit 1).

    Without a public key this checks the hash chain: it finds careless edits, but someone who
    can write the database could rewrite the chain. With the register's public key it also
    checks the signed checkpoints, which only the private key can make: a rewritten, shortened,
    forged, replaced or emptied register is named. With a checkpoint saved elsewhere it also
    finds a register put back to an older copy.

    \b
    Example:
        isp log verify
        isp log verify --public-key register-key.pub --checkpoint checkpoints/2026-12-01.json
        isp log verify --register postgresql://isp@db.example/isp --public-key register-key.pub
    """
    if checkpoint_file and not public_key:
        raise click.UsageError("--checkpoint needs --public-key: a checkpoint is only worth its signature")
    from ..register.signing import load_public_key, read_checkpoint

    register = _register(ctx, register_path)
    key = load_public_key(Path(public_key)) if public_key else None
    saved = read_checkpoint(Path(checkpoint_file)) if checkpoint_file else None
    found = register.check(key, saved)
    if found.problems:
        raise ProblemsError([f"{register.where}: {p}" for p in found.problems])
    words = f"{register.where}: {found.records} record(s)"
    if found.purged:
        words += f" and {found.purged} purged"
    words += ", chain intact"
    if key is not None:
        words += f", signed to record {found.signed_to} by key {found.key}"
    else:
        words += " (signatures not checked: give --public-key)"
    if found.checkpoint is not None:
        words += f", still holds the saved checkpoint at record {found.checkpoint}"
    click.echo(words)


@log_cmd.group(name="key")
def key_group() -> None:
    """The key that signs the register (see docs/register.md).

    \b
    Example:
        isp log key create --out ~/.config/isp-rules/register-key
    """


@key_group.command(name="create")
@click.option("--out", "out", type=click.Path(dir_okay=False), metavar="FILE", required=True,
              help="Where to write the private key (mode 0600); the public key goes to FILE.pub.")
@library_errors
def key_create(out: str) -> None:
    """Make a new key pair for signing the register.

    The private key (FILE, readable by you only) signs the register's head each time a decision
    is recorded: point ISP_REGISTER_KEY_FILE at it for every command and server that records.
    Keep it away from the database's machine where you can, and back it up. The public key
    (FILE.pub) only checks signatures: give it to whoever runs isp log verify. Existing files
    are never overwritten.

    \b
    Example:
        isp log key create --out ~/.config/isp-rules/register-key
        export ISP_REGISTER_KEY_FILE=~/.config/isp-rules/register-key
    """
    from ..register.signing import create_key

    private, public_path, public = create_key(Path(out))
    click.echo(f"Private key: {private} (readable by you only; keep it secret and backed up)")
    click.echo(f"Public key:  {public_path} (key {public.short}; give it to whoever verifies the register)")


@log_cmd.command(name="init")
@click.option("--new", "new", is_flag=True,
              help="Start a new, empty register where the key signed one that is now missing or emptied.")
@key_option
@register_option
@click.pass_context
@library_errors
def log_init(ctx: click.Context, new: bool, key_file: str | None, register_path: str | None) -> None:
    """Start an empty register, signed from its first moment when a key is set.

    Recording a decision starts a register by itself, except where the key has signed a
    register before that is now missing or empty: that register was deleted or emptied, and is
    never silently started again. If that is what you want (after an incident is recorded, or
    to move to a new register), start the new one deliberately with --new. A register that
    holds records is never touched.

    \b
    Example:
        isp log init
        isp log init --new --register /srv/isp/register.sqlite
    """
    register = _register(ctx, register_path, key_file)
    started = register.start(new=new)
    signed = "signed by its key" if started.signed else "not signed: no key is set"
    click.echo(f"{started.where}: started an empty register ({signed})")


@log_cmd.command(name="checkpoint")
@click.option("--out", "out", type=click.Path(dir_okay=False), metavar="FILE",
              help="Write the checkpoint to FILE instead of printing it.")
@key_option
@register_option
@click.pass_context
@library_errors
def log_checkpoint(ctx: click.Context, out: str | None, key_file: str | None, register_path: str | None) -> None:
    """Print the register's head, signed, as JSON: keep it somewhere the database's writers cannot reach.

    With the key set, the head is signed now (only if the register verifies against the key).
    Without it, the checkpoint stored when the last decision was recorded is printed. Later,
    `isp log verify --public-key FILE.pub --checkpoint SAVED.json` shows that the register still
    holds that head and has not gone back to an older copy.

    \b
    Example:
        isp log checkpoint --out checkpoints/$(date +%F).json
    """
    register = _register(ctx, register_path, key_file)
    text = json.dumps(register.checkpoint().to_json(), indent=2) + "\n"
    if out is None:
        click.echo(text, nl=False)
        return
    try:
        Path(out).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ProblemsError([f"isp: {out}: cannot write the checkpoint ({exc.strerror or exc})"]) from None
    click.echo(f"Checkpoint for record {json.loads(text)['seq']} written to {out}")


@log_cmd.command(name="redact")
@click.argument("seq", type=click.IntRange(min=1), metavar="SEQ")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@register_option
@click.pass_context
@library_errors
def log_redact(ctx: click.Context, seq: int, yes: bool, register_path: str | None) -> None:
    """Remove the free text about a person from record SEQ; the register still verifies.

    Redacts the scenario's title and purpose detail, the parties' names, the case reference,
    and any reason or other text of the decision that quotes one of them: each is replaced by a
    commitment (a salted hash) that proves the record was not otherwise changed, and cannot be
    turned back into the text. Who decided, when, the verdict, the coded facts and the rules
    applied stay. This cannot be undone.

    \b
    Example:
        isp log redact 42
    """
    register = _register(ctx, register_path)
    if not yes:
        click.confirm(f"Redact record {seq} in {register.where}? This cannot be undone", abort=True, err=True)
    done = register.redact(seq)
    click.echo(f"{register.where}: record {seq}: {len(done)} text(s) redacted; the register still verifies")


@log_cmd.command(name="purge")
@click.option("--before", type=DAY, metavar="YYYY-MM-DD", required=True,
              help="Purge the records made before this date (UK time).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@key_option
@register_option
@click.pass_context
@library_errors
def log_purge(ctx: click.Context, before: dt.datetime, yes: bool, key_file: str | None,
              register_path: str | None) -> None:
    """Remove the records made before a date, when their retention period has ended.

    Each purged record leaves a tombstone (its number, time and hashes, nothing about the
    decision), so the chain still verifies and the gap shows that records were purged, not
    lost. A signed register needs its key: the new record count is signed. This cannot be
    undone.

    \b
    Example:
        isp log purge --before 2020-04-01
    """
    from ..register.details import uk_day_start

    register = _register(ctx, register_path, key_file)
    if not yes:
        click.confirm(f"Purge every record made before {before.date()} in {register.where}? This cannot be undone",
                      abort=True, err=True)
    purged = register.purge(uk_day_start(before.date()))
    if not purged:
        click.echo(f"{register.where}: no record was made before {before.date()}; nothing purged")
        return
    click.echo(f"{register.where}: purged {len(purged)} record(s) made before {before.date()}; "
               "their tombstones keep the chain verifiable")


def _sign_off(ctx: click.Context, seq: int, verdict: str, note: str, by: str, key_file: str | None,
              register_path: str | None) -> None:
    import getpass

    from ..register import local_actor, sign_off
    from ..register.access import APPROVER

    try:
        user: str | None = getpass.getuser()
    except Exception:  # noqa: BLE001  (no user name in this environment)
        user = None
    # Whoever runs this can write the register's database, so the command trusts them to name the
    # approver they act for; the record keeps both (the name, and the account it came from).
    actor = local_actor(by, [APPROVER], user)
    register = _register(ctx, register_path, key_file)
    done = sign_off(register, seq, verdict, note, actor)
    click.echo(f"{register.where}: decision {done.decision} {done.verdict} by {done.by} (sign-off record {done.seq}); "
               "the sign-off is chained to it")


def _sign_off_help(word: str, verdict: str, example_note: str) -> str:
    return f"""{word.capitalize()} recorded decision SEQ, as an approver (DPO or Caldicott Guardian).

    The sign-off is a new record in the register, chained to the decision and signed like any
    record; the decision's status becomes {verdict} (the latest sign-off counts; earlier ones stay
    as its history). Only a recorded decision can be signed off, and not by whoever decided it.
    The record keeps the approver's name (--by) and this machine's user who entered it.

    \b
    Example:
        isp log {word} 42 --by "A. Patel, DPO" --note "{example_note}"
    """


def _sign_off_command(word: str, verdict: str, example_note: str) -> click.Command:
    @click.command(name=word, help=_sign_off_help(word, verdict, example_note))
    @click.argument("seq", type=click.IntRange(min=1), metavar="SEQ")
    @click.option("--note", required=True, metavar="TEXT", help=f"Why the decision is {verdict} (kept with the sign-off).")
    @click.option("--by", "by", required=True, metavar="NAME",
                  help="The approver (DPO or Caldicott Guardian) signing off: their name or email.")
    @key_option
    @register_option
    @click.pass_context
    @library_errors
    def command(ctx: click.Context, seq: int, note: str, by: str, key_file: str | None,
                register_path: str | None) -> None:
        _sign_off(ctx, seq, verdict, note, by, key_file, register_path)

    return command


log_approve = _sign_off_command("approve", "approved", "Proportionate; lawful basis checked")
log_reject = _sign_off_command("reject", "rejected", "Consent should have been sought first")
log_cmd.add_command(log_approve)
log_cmd.add_command(log_reject)
