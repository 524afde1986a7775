"""Output files written whole or not at all, and only over a regular file: guided.answers.replace_file.

Every command that writes a file (isp fix --write, isp agreement -o, isp dpia -o, isp map -o,
isp ropa -o, isp test --junit, isp ask --save) goes through replace_file, which renames a finished
temporary file over the target. Renaming over a device, a pipe or a folder would destroy it (as
root, /dev/null became a regular file), and renaming over a symbolic link replaces the link: both
are refused with a typed error that every command reports in one line with exit code 1.
"""

from __future__ import annotations

import os
import stat

import pytest
from click.testing import CliRunner
from conftest import SCENARIOS

from isp_rules.cli import cli
from isp_rules.errors import IspError
from isp_rules.guided.answers import OutputFileError, check_output_file, replace_file

SHARE = SCENARIOS / "children-education" / "secondary-school-emails-child-protection-file-to-college-unencrypted.yaml"


def write_text(text: str):
    return lambda tmp: tmp.write_text(text, encoding="utf-8")


def test_a_new_file_and_a_regular_file_are_written(tmp_path):
    target = tmp_path / "out.txt"
    replace_file(target, write_text("one"))
    assert target.read_text(encoding="utf-8") == "one"
    replace_file(target, write_text("two"))
    assert target.read_text(encoding="utf-8") == "two"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_a_pipe_is_refused_and_left_as_it_was(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(OutputFileError, match="not a regular file"):
        replace_file(fifo, write_text("x"))
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]  # no temporary file left behind


def test_a_folder_is_refused(tmp_path):
    with pytest.raises(OutputFileError, match="it is a folder; give a file name"):
        replace_file(tmp_path, write_text("x"))
    assert tmp_path.is_dir()


@pytest.mark.parametrize("dangling", [True, False])
def test_a_symbolic_link_is_refused_and_left_as_it_was(tmp_path, dangling):
    real = tmp_path / "real.txt"
    if not dangling:
        real.write_text("kept", encoding="utf-8")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    with pytest.raises(OutputFileError, match="symbolic link"):
        replace_file(link, write_text("x"))
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.exists() != dangling and (dangling or real.read_text(encoding="utf-8") == "kept")


def test_a_missing_folder_is_refused_in_words(tmp_path):
    with pytest.raises(OutputFileError, match="no such folder"):
        check_output_file(tmp_path / "no" / "such" / "out.txt")


def test_the_error_is_typed_for_the_library_and_for_callers_catching_os_errors(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(OutputFileError) as caught:
        replace_file(fifo, write_text("x"))
    assert isinstance(caught.value, IspError) and isinstance(caught.value, OSError)
    assert caught.value.strerror == "it is not a regular file"
    assert str(caught.value) == f"cannot write {fifo}: it is not a regular file"


@pytest.mark.parametrize("args", [
    ["agreement", "--annex-b", str(SHARE), "-o", "{target}.md"],
    ["dpia", str(SHARE), "-o", "{target}.md"],
    ["map", "-o", "{target}.svg"],
    ["fix", str(SHARE), "--write", "{target}.yaml"],
])
def test_every_command_refuses_a_pipe_in_one_line_with_exit_1(tmp_path, args):
    fifo = tmp_path / "pipe"
    target = {"md": fifo.with_suffix(".md"), "svg": fifo.with_suffix(".svg"), "yaml": fifo.with_suffix(".yaml")}
    for path in target.values():
        os.mkfifo(path)
    argv = [a.replace("{target}", str(fifo)) for a in args]
    result = CliRunner().invoke(cli, argv, catch_exceptions=False)
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "not a regular file" in lines[0], lines
    assert all(stat.S_ISFIFO(os.lstat(p).st_mode) for p in target.values())


# A folder, "-" or "" as the file to write: the command's own one line (exit 1), never click's
# three-line usage error, and never a file called "-" (which most tools read as standard input).
# (`ropa -o -` writes to standard output, as documented; `agreement -o -` is a usage error, since
# -o must name a .md or .docx file.)
NO_FILE = [(args, kind) for args in (
    ["agreement", str(SHARE), "-o", "{target}"],
    ["dpia", str(SHARE), "-o", "{target}"],
    ["fix", str(SHARE), "--write", "{target}"],
    ["test", str(SHARE), "--junit", "{target}"],
    ["ropa", "--register", "{register}", "-o", "{target}"],
) for kind in ("folder", "dash", "empty") if kind == "folder" or args[0] not in ("ropa", "agreement")]


@pytest.mark.parametrize(("args", "kind"), NO_FILE)
def test_every_command_refuses_a_folder_or_no_file_name_in_one_line(tmp_path, monkeypatch, args, kind):
    monkeypatch.chdir(tmp_path)
    target = {"folder": str(tmp_path / "out.md"), "dash": "-", "empty": ""}[kind]
    if kind == "folder":
        (tmp_path / "out.md").mkdir()
    argv = [a.replace("{target}", target).replace("{register}", str(tmp_path / "r.sqlite")) for a in args]
    result = CliRunner().invoke(cli, argv, catch_exceptions=False)
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.strip().splitlines() if not line.startswith(("PASS", "FAIL"))]
    assert len(lines) == 1 and ("it is a folder" in lines[0] or "give a file name" in lines[0]), lines
    assert not (tmp_path / "-").exists()
