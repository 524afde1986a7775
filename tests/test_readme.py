"""The README's console transcripts are real: each `$ isp ...` block is run and compared.

    python tests/test_readme.py --update    # rewrite the transcripts from real runs
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
BLOCK = re.compile(r"```console\n\$ (?P<cmd>[^\n]+)\n(?P<out>.*?)```", re.DOTALL)


def run(cmd: str) -> str:
    args = shlex.split(cmd)
    assert args[0] == "isp", f"README transcripts run isp only, not {args[0]}"
    env = {k: v for k, v in os.environ.items() if k != "ISP_RULES_DIR"} | {"COLUMNS": "100"}
    proc = subprocess.run([sys.executable, "-m", "isp_rules", *args[1:]], cwd=ROOT, env=env,
                          check=False, capture_output=True, text=True)
    return proc.stdout + proc.stderr


def test_readme_transcripts_are_current():
    blocks = list(BLOCK.finditer(README.read_text()))
    assert len(blocks) >= 5
    for block in blocks:
        expected = block.group("out")
        actual = run(block.group("cmd"))
        assert actual == expected, f"README transcript for `{block.group('cmd')}` is stale: python tests/test_readme.py --update"


def update() -> None:
    text = README.read_text()
    text = BLOCK.sub(lambda m: f"```console\n$ {m.group('cmd')}\n{run(m.group('cmd'))}```", text)
    README.write_text(text)


if __name__ == "__main__":
    if sys.argv[1:] == ["--update"]:
        update()
    else:
        sys.exit("usage: python tests/test_readme.py --update")
