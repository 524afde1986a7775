"""Only isp_rules/cli/ imports click: the library (guided/ included) serves any front end."""

import ast
from pathlib import Path

import isp_rules

PACKAGE = Path(isp_rules.__file__).parent


def test_only_the_cli_imports_click():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.relative_to(PACKAGE).parts[0] == "cli":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else []
            if any(n == "click" or n.startswith("click.") for n in names):
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert offenders == []
