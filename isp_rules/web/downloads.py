"""Files the pages and API hand back: the scenario YAML and the agreement draft (Markdown, Word)."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from fastapi.responses import Response

from ..agreement import agreement_markdown, write_docx
from ..decision import Decision
from ..guided.answers import scenario_yaml
from ..loader import scenario_id
from ..scenario import Scenario

__all__ = ["agreement_response", "scenario_data", "scenario_response"]

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _name(scenario: Scenario) -> str:
    return re.sub(r"[^a-z0-9-]", "", scenario_id(scenario.id or scenario.title or "share"))[:80] or "share"


def _attachment(body: bytes, kind: str, filename: str) -> Response:
    return Response(body, media_type=kind, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def scenario_data(scenario: Scenario) -> dict:
    """What the user stated, in the public format (defaults they did not state stay out)."""
    return scenario.model_dump(mode="json", by_alias=True, exclude_unset=True, exclude_none=True)


def scenario_response(scenario: Scenario) -> Response:
    data = scenario_data(scenario)
    data = {"id": data.get("id") or _name(scenario), **{k: v for k, v in data.items() if k != "id"}}
    return _attachment(scenario_yaml(data).encode(), "application/yaml; charset=utf-8", f"{_name(scenario)}.yaml")


def agreement_response(scenario: Scenario, decision: Decision, fmt: str) -> Response:
    if fmt == "docx":
        with tempfile.TemporaryDirectory() as folder:
            target = Path(folder) / "agreement.docx"
            write_docx(scenario, decision, target)
            body = target.read_bytes()
        return _attachment(body, DOCX, f"{_name(scenario)}-agreement.docx")
    return _attachment(agreement_markdown(scenario, decision).encode(), "text/markdown; charset=utf-8",
                       f"{_name(scenario)}-agreement.md")
