"""`isp map`: the data-flow map written to an SVG file, whole; bad input is one line and exit 1."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from click.testing import CliRunner
from conftest import RULES, SCENARIOS

from isp_rules.cli import cli
from isp_rules.directory import load_directory

SVG = "{http://www.w3.org/2000/svg}"
DIRECTORY = load_directory(RULES)


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def flows(path: Path, kind: str) -> list[ET.Element]:
    root = ET.parse(path).getroot()
    return [g for g in root.iter(SVG + "g") if {"flow", kind} <= set((g.get("class") or "").split())]


def test_map_writes_an_svg_file_with_the_recorded_decisions(tmp_path):
    register = tmp_path / "register.sqlite"
    scenario = SCENARIOS / "directory" / "hospital-discharge-list-named-from-the-directory.yaml"
    recorded = run("check", scenario, "--record", "--by", "Tester", "--no-case-ref", "--register", register)
    assert recorded.exit_code == 0, recorded.output
    out = tmp_path / "map.svg"
    result = run("map", "-o", out, "--register", register)
    assert result.exit_code == 0, result.output
    assert f"Wrote {out}" in result.output
    root = ET.parse(out).getroot()
    nodes = [g for g in root.iter(SVG + "g") if "partner" in (g.get("class") or "").split()]
    assert len(nodes) == len(DIRECTORY.partners)
    assert len(flows(out, "agreement")) == len(DIRECTORY.agreements)
    (decision,) = flows(out, "decision")
    assert decision.get("data-count") == "1"
    assert not list(tmp_path.glob("*.tmp"))  # no temporary file left behind


def test_map_filters_by_purpose(tmp_path):
    out = tmp_path / "care.svg"
    result = run("map", "-o", out, "--purpose", "direct_care", "--register", tmp_path / "empty.sqlite")
    assert result.exit_code == 0, result.output
    expected = [a for a in DIRECTORY.agreements if "direct_care" in a.purposes]
    assert 0 < len(flows(out, "agreement")) == len(expected) < len(DIRECTORY.agreements)
    assert "No decisions recorded yet for this purpose" in out.read_text(encoding="utf-8")
    assert not (tmp_path / "empty.sqlite").exists()  # reading an absent register creates nothing


def test_map_to_standard_output(tmp_path):
    result = run("map", "--register", tmp_path / "none.sqlite")
    assert result.exit_code == 0
    assert result.output.startswith("<?xml") and "</svg>" in result.output


def test_an_unknown_purpose_is_one_line_with_a_did_you_mean(tmp_path):
    out = tmp_path / "map.svg"
    result = run("map", "-o", out, "--purpose", "safegarding_child", "--register", tmp_path / "r.sqlite")
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "did you mean 'safeguarding_child'?" in lines[0]
    assert "Traceback" not in result.output and not out.exists()


def test_an_output_that_is_not_svg_is_refused(tmp_path):
    result = run("map", "-o", tmp_path / "map.png", "--register", tmp_path / "r.sqlite")
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [f"isp: -o must name an .svg file, not '{tmp_path / 'map.png'}'"]


def test_a_folder_that_does_not_exist_is_one_line(tmp_path):
    result = run("map", "-o", tmp_path / "no" / "such" / "map.svg", "--register", tmp_path / "r.sqlite")
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1 and "cannot write" in result.output


def test_a_directory_is_invalid_input_not_a_usage_error(tmp_path):
    folder = tmp_path / "pictures.svg"
    folder.mkdir()
    result = run("map", "-o", folder, "--register", tmp_path / "r.sqlite")
    assert result.exit_code == 1
    assert result.output.strip() == f"{folder}: is a directory, expected an .svg file"
