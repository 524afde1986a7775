"""A per-user cache of validated rulesets, so `isp check` does not re-validate unchanged rules.

The key is the ruleset's sha256 plus a hash of the code that defines the rule model,
so an edited rule file or an upgraded isp-rules never reads a stale entry. The cache
is an optimisation only: any problem reading or writing it falls back to a full load.
Set ISP_NO_CACHE=1 to turn it off, or XDG_CACHE_HOME to move it.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path

from .loader import load_ruleset, ruleset_digest
from .ruleset import Ruleset

__all__ = ["cache_dir", "load_ruleset_cached"]

_MODEL_SOURCES = ("ruleset.py", "loader.py", "scenario.py", "vocabulary.py", "cache.py")


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "isp-rules"


def _code_hash() -> str:
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256(sys.version.encode())
    for name in _MODEL_SOURCES:
        digest.update((here / name).read_bytes())
    return digest.hexdigest()[:16]


def load_ruleset_cached(directory: Path) -> Ruleset:
    if os.environ.get("ISP_NO_CACHE"):
        return load_ruleset(directory)
    sha = ruleset_digest(directory)
    path = cache_dir() / f"ruleset-{sha[:32]}-{_code_hash()}.pickle"
    try:
        # Only a file this user owns is trusted: unpickling runs code.
        if path.is_file() and path.stat().st_uid == os.getuid():
            with open(path, "rb") as handle:
                cached = pickle.load(handle)
            if isinstance(cached, Ruleset) and cached.sha256 == sha and cached.source == str(directory):
                return cached
    except Exception:  # noqa: BLE001, S110  (a corrupt or foreign entry: ignore it and rebuild)
        pass
    ruleset = load_ruleset(directory)  # raises RulesetError on bad rules; nothing is cached then
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as handle:
            pickle.dump(ruleset, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(handle.name, path)  # atomic: readers see the old entry or the new one
    except OSError:
        pass
    return ruleset
