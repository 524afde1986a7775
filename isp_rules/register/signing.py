"""Signed checkpoints: the register's head signed with an Ed25519 key kept outside the database.

The hash chain alone only shows that records fit together: anyone who can write the database
can rewrite a record and recompute every later hash. A signature over the head (its sequence
number, hash, record count, the register's identity and the time) can only be made with the
private key, so whoever can write the database but does not hold the key cannot make a
rewritten, shortened, forged or replaced register verify. The public key is enough to check.

This is the only module that imports `cryptography`.

Where the key comes from (settings.py names the variables):
- ISP_REGISTER_KEY_FILE names a key file (PEM, as `isp log key create` writes it). It must be
  readable by its owner only (mode 0600): a key others can read is no secret, so it is refused.
- ISP_REGISTER_KEY holds the key itself (PEM, or `ed25519:` and the base64 of the 32-byte
  private key), for a service that receives its secrets in the environment.

Beside the key, a small state file remembers each register the key has signed (where it is,
its identity, the last record signed), so a register that is later deleted or emptied is never
silently started again: `<key file>.registers`, or the file ISP_REGISTER_STATE names (which an
ISP_REGISTER_KEY in the environment needs). It holds no personal data.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import os
import stat
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .. import settings
from .chain import RegisterError

__all__ = ["CHECKPOINT_FORMAT", "KEY_ENV", "KEY_FILE_ENV", "STATE_ENV", "Checkpoint", "KeyProblem", "Ledger",
           "PublicKey", "Signed", "SigningKey", "configured_key", "create_key", "load_public_key", "load_signing_key",
           "read_checkpoint"]

CHECKPOINT_FORMAT = "isp-rules register checkpoint v1"
LEDGER_FORMAT = "isp-rules signed registers v1"
KEY_FILE_ENV = settings.REGISTER_KEY_FILE_ENV
KEY_ENV = settings.REGISTER_KEY_ENV
STATE_ENV = settings.REGISTER_STATE_ENV
RAW_PREFIX = "ed25519:"
PRIVATE_MODE = 0o600


class KeyProblem(RegisterError):
    """A key, a checkpoint or the key's state file cannot be used; the message says why in one line."""


# --- keys ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicKey:
    """A public key: checks signatures, cannot make them."""

    key: Ed25519PublicKey

    @property
    def hex(self) -> str:
        """The raw 32-byte key in hex, as checkpoints name their key."""
        return self.key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()

    @property
    def short(self) -> str:
        """The key's first 16 hex digits, to name it in messages."""
        return self.hex[:16]

    def pem(self) -> str:
        return self.key.public_bytes(serialization.Encoding.PEM,
                                     serialization.PublicFormat.SubjectPublicKeyInfo).decode()

    def signed(self, statement: str, signature: str) -> bool:
        """True when `signature` (base64) is this key's signature of `statement`."""
        try:
            self.key.verify(base64.b64decode(signature, validate=True), statement.encode())
        except (InvalidSignature, binascii.Error, ValueError):
            return False
        return True


@dataclass(frozen=True)
class SigningKey:
    """The private key a register is signed with, and where its state file is."""

    private: Ed25519PrivateKey
    source: str  # the file it came from, or the variable's name (never the key)
    state: Path

    @property
    def public(self) -> PublicKey:
        return PublicKey(self.private.public_key())

    def sign(self, statement: str) -> str:
        return base64.b64encode(self.private.sign(statement.encode())).decode()

    @property
    def ledger(self) -> Ledger:
        return Ledger(self.state)


def create_key(out: Path) -> tuple[Path, Path, PublicKey]:
    """A new private key in `out` (mode 0600, never over an existing file) and its public key
    in `out`.pub. Returns both paths and the public key."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    public = PublicKey(key.public_key())
    pub_path = out.with_name(out.name + ".pub")
    for path in (out, pub_path):
        if path.exists():
            raise KeyProblem(f"{path}: already exists; a key is never overwritten (choose another name)")
    try:
        out.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # a key's folder is the owner's only
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE)
        with os.fdopen(fd, "wb") as f:
            f.write(pem)
        os.chmod(out, PRIVATE_MODE)  # whatever the umask
        pub_path.write_text(public.pem(), encoding="ascii")
    except OSError as exc:
        raise KeyProblem(f"{out}: cannot write the key ({exc.strerror or exc})") from None
    return out, pub_path, public


def _private_from_text(text: str, where: str) -> Ed25519PrivateKey:
    text = text.strip()
    try:
        if text.startswith(RAW_PREFIX):
            return Ed25519PrivateKey.from_private_bytes(base64.b64decode(text[len(RAW_PREFIX):], validate=True))
        key = serialization.load_pem_private_key(text.encode(), password=None)
    except (ValueError, TypeError, binascii.Error, UnicodeError):
        raise KeyProblem(f"{where}: not an Ed25519 private key (isp log key create makes one)") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyProblem(f"{where}: not an Ed25519 private key (isp log key create makes one)")
    return key


def load_signing_key(path: Path, state: Path | None = None) -> SigningKey:
    """The private key in the file at `path`, refused when others than its owner may read it; its
    state file is `state`, else ISP_REGISTER_STATE's, else `path`.registers."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise KeyProblem(f"{path}: not a key file")
        if info.st_mode & 0o077:
            # A key others can read is no secret: whoever reads it can sign a rewritten register.
            raise KeyProblem(f"{path}: the key file can be read by other users (mode "
                            f"{stat.S_IMODE(info.st_mode):04o}); make it private with: chmod 600 {path}")
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KeyProblem(f"{path}: cannot read the key file ({exc.strerror or exc})") from None
    except UnicodeError:
        raise KeyProblem(f"{path}: not an Ed25519 private key (isp log key create makes one)") from None
    if state is None:
        state = settings.register_state_file() or path.with_name(path.name + ".registers")
    return SigningKey(_private_from_text(text, str(path)), str(path), state)


def configured_key() -> SigningKey | None:
    """The key this process signs with (ISP_REGISTER_KEY_FILE or ISP_REGISTER_KEY), or None."""
    state = settings.register_state_file()
    file = settings.register_key_file()
    text = settings.register_key()
    if file and text:
        raise KeyProblem(f"both {KEY_FILE_ENV} and {KEY_ENV} are set: set one of them")
    if file:
        return load_signing_key(Path(file), Path(state) if state else None)
    if text:
        if not state:
            raise KeyProblem(f"{KEY_ENV} is set but {STATE_ENV} is not: name a file where isp-rules may keep "
                            "which registers this key has signed")
        return SigningKey(_private_from_text(text, KEY_ENV), KEY_ENV, Path(state))
    return None


def load_public_key(path: Path) -> PublicKey:
    """The public key in `path` (PEM, as `isp log key create` writes FILE.pub; or `ed25519:` and
    the base64 of the raw 32 bytes)."""
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise KeyProblem(f"{path}: cannot read the public key ({exc.strerror or exc})") from None
    except UnicodeError:
        raise KeyProblem(f"{path}: not an Ed25519 public key") from None
    try:
        if text.startswith(RAW_PREFIX):
            return PublicKey(Ed25519PublicKey.from_public_bytes(base64.b64decode(text[len(RAW_PREFIX):], validate=True)))
        key = serialization.load_pem_public_key(text.encode())
    except (ValueError, TypeError, binascii.Error):
        hint = " (that is the private key: give the .pub file)" if "PRIVATE KEY" in text else ""
        raise KeyProblem(f"{path}: not an Ed25519 public key{hint}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise KeyProblem(f"{path}: not an Ed25519 public key")
    return PublicKey(key)


# --- checkpoints ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    """A signed head: the register `register` ended at record `seq` with hash `hash`, holding
    `count` records (purged ones not counted), at time `at` (UTC); signed by the key `key`."""

    register: str
    seq: int
    hash: str
    count: int
    at: str
    key: str  # the public key, raw, in hex
    signature: str  # base64

    def statement(self) -> str:
        """Exactly what is signed: every field but the signature, as canonical JSON."""
        fields = {k: v for k, v in asdict(self).items() if k != "signature"}
        return json.dumps({"format": CHECKPOINT_FORMAT, **fields}, sort_keys=True, separators=(",", ":"))

    def to_json(self) -> dict[str, Any]:
        return {"format": CHECKPOINT_FORMAT, **asdict(self)}

    def signed_by(self, public: PublicKey) -> bool:
        return self.key == public.hex and public.signed(self.statement(), self.signature)

    @classmethod
    def make(cls, key: SigningKey, register: str, seq: int, hash: str, count: int, at: str) -> Checkpoint:
        unsigned = cls(register, seq, hash, count, at, key.public.hex, "")
        return cls(register, seq, hash, count, at, key.public.hex, key.sign(unsigned.statement()))

    @classmethod
    def from_json(cls, data: Any) -> Checkpoint:
        """A checkpoint from its JSON data; ValueError with a plain sentence when it is not one."""
        if not isinstance(data, dict) or data.get("format") != CHECKPOINT_FORMAT:
            raise ValueError("not an isp-rules checkpoint (isp log checkpoint makes one)")
        types = {"register": str, "seq": int, "hash": str, "count": int, "at": str, "key": str, "signature": str}
        bad = [k for k, t in types.items() if not isinstance(data.get(k), t) or isinstance(data.get(k), bool)]
        if bad:
            raise ValueError(f"a checkpoint with {', '.join(bad)} missing or of the wrong type")
        return cls(**{k: data[k] for k in types})


def read_checkpoint(path: Path) -> Checkpoint:
    """A checkpoint saved by `isp log checkpoint`."""
    try:
        return Checkpoint.from_json(json.loads(path.read_text(encoding="utf-8")))
    except OSError as exc:
        raise KeyProblem(f"{path}: cannot read the checkpoint ({exc.strerror or exc})") from None
    except (ValueError, UnicodeError) as exc:
        words = str(exc) if isinstance(exc, ValueError) and "checkpoint" in str(exc) else "not JSON"
        raise KeyProblem(f"{path}: {words}") from None


# --- the key's state: the registers it has signed ------------------------------------------


@dataclass(frozen=True)
class Signed:
    """What the state file remembers of one register the key signed."""

    register: str
    seq: int
    hash: str


class Ledger:
    """The key's state file: {location: the register's identity and the last record signed}.
    Written whole to a new file that then replaces the old, under a lock, so writers in
    several processes never lose each other's updates and a crash never leaves half a file."""

    def __init__(self, path: Path):
        self.path = path

    def _read(self) -> dict[str, Signed]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, UnicodeError) as exc:
            raise KeyProblem(f"{self.path}: the key's record of signed registers cannot be read "
                            f"({getattr(exc, 'strerror', None) or exc})") from None
        try:
            assert data["format"] == LEDGER_FORMAT
            return {where: Signed(v["register"], int(v["seq"]), v["hash"]) for where, v in data["registers"].items()}
        except (AssertionError, KeyError, TypeError, ValueError, AttributeError):
            raise KeyProblem(f"{self.path}: the key's record of signed registers is damaged") from None

    def get(self, location: str) -> Signed | None:
        return self._read().get(location)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        lock_path = self.path.with_name(self.path.name + ".lock")
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, PRIVATE_MODE)
        except OSError as exc:
            raise KeyProblem(f"{self.path}: cannot keep the key's record of signed registers "
                            f"({exc.strerror or exc})") from None
        try:
            try:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_EX)
            except ImportError:  # no flock here (Windows): one writer at a time is then the operator's to keep
                pass
            yield
        finally:
            os.close(fd)

    def remember(self, location: str, signed: Signed, replace: bool = False) -> None:
        """Remember the last record signed at `location`; never goes back to an earlier record
        of the same register (another writer may have signed a later one meanwhile), unless
        `replace` (a new register started deliberately)."""
        with self._locked():
            known = self._read()
            old = known.get(location)
            if not replace and old is not None and old.register == signed.register and old.seq >= signed.seq:
                return
            known[location] = signed
            data = {"format": LEDGER_FORMAT, "registers": {k: asdict(v) for k, v in sorted(known.items())}}
            tmp = self.path.with_name(self.path.name + f".{os.getpid()}.tmp")
            try:
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_MODE)
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    json.dump(data, f, indent=1)
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, self.path)
            except OSError as exc:
                raise KeyProblem(f"{self.path}: cannot keep the key's record of signed registers "
                                f"({exc.strerror or exc})") from None
