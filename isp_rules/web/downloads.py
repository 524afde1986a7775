"""Files the pages and API hand back: the scenario YAML, the agreement draft and the ICO Annex B
request and decision record (Markdown, Word)."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from fastapi.responses import Response

from ..agreement import Document, agreement_document, document_markdown, write_document_docx
from ..decision import Decision
from ..guided.answers import scenario_yaml
from ..loader import scenario_id
from ..request_record import build_record
from ..ruleset import Ruleset
from ..scenario import Scenario

__all__ = ["agreement_response", "record_response", "scenario_data", "scenario_response"]

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


def _document_response(doc: Document, fmt: str, filename: str) -> Response:
    if fmt == "docx":
        with tempfile.TemporaryDirectory() as folder:
            target = Path(folder) / "document.docx"
            write_document_docx(doc, target)
            body = target.read_bytes()
        return _attachment(body, DOCX, f"{filename}.docx")
    return _attachment(document_markdown(doc).encode(), "text/markdown; charset=utf-8", f"{filename}.md")


def agreement_response(scenario: Scenario, decision: Decision, fmt: str, ruleset: Ruleset | None = None) -> Response:
    """The agreement draft (Markdown or Word) as a download."""
    return _document_response(agreement_document(scenario, decision, ruleset), fmt, f"{_name(scenario)}-agreement")


def record_response(scenario: Scenario, decision: Decision, fmt: str, ruleset: Ruleset | None = None) -> Response:
    """The ICO Annex B request and decision record (Markdown or Word) as a download. A routine
    share has none: RecordNotNeededError, which the app answers with 422 and the reason."""
    return _document_response(build_record(scenario, decision, ruleset), fmt, f"{_name(scenario)}-annex-b-record")
