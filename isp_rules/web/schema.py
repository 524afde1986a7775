"""The API's response models for a decision, generated from `isp_rules.decision`.

The decision's shape is stated once, in decision.py's dataclasses; these pydantic models are
built from their fields and types for the OpenAPI description, reading the same field metadata
as `Decision.to_json()` (fields marked in_json=False are left out; a field is required when the
JSON always carries it: its type does not admit None, or it is marked always). A field added to
a result dataclass is therefore in the OpenAPI document without any change here.
"""

from __future__ import annotations

import types
from dataclasses import MISSING, Field, is_dataclass
from typing import Any, Union, get_args, get_origin, get_type_hints

from pydantic import BaseModel, ConfigDict, create_model
from pydantic import Field as PydanticField

from .. import decision

__all__ = ["DecisionOut", "response_model"]

# The component names of the OpenAPI document (a nested dataclass not named here is "<Name>Out").
NAMES = {decision.CitationOut: "CitationOut", decision.RulesetInfo: "RulesetOut"}
_MODELS: dict[type, type[BaseModel]] = {}


def _admits_none(tp: Any) -> bool:
    return get_origin(tp) in (Union, types.UnionType) and type(None) in get_args(tp)


def _translate(tp: Any) -> Any:
    """A dataclass field's type with every result dataclass in it replaced by its model."""
    if isinstance(tp, type) and is_dataclass(tp):
        return response_model(tp)
    origin, args = get_origin(tp), get_args(tp)
    if origin in (Union, types.UnionType):
        out: Any = Union[tuple(_translate(a) for a in args)]  # noqa: UP007  (built at run time)
        return out
    if origin is list:
        return list[_translate(args[0])]  # type: ignore[misc]
    return tp


def _description(cls: type) -> str | None:
    text = cls.__doc__ or ""
    if not text or text.startswith(cls.__name__ + "("):  # the signature dataclass writes in
        return None
    return text.strip().split("\n\n")[0].strip()


def _field(f: Field[Any], tp: Any) -> tuple[Any, Any]:
    required = bool(f.metadata.get("always")) or not _admits_none(tp)
    extra: dict[str, Any] = {}
    if f.metadata.get("doc"):
        extra["description"] = f.metadata["doc"]
    if required:
        return _translate(tp), PydanticField(**extra)
    default = None if f.default is MISSING else f.default
    return _translate(tp), PydanticField(default, **extra)


def response_model(cls: type) -> type[BaseModel]:
    """The pydantic model of one result dataclass: its JSON fields, in order, nothing extra."""
    if cls not in _MODELS:
        hints = get_type_hints(cls, vars(decision))
        spec = {f.name: _field(f, hints[f.name]) for f in decision.json_fields(cls)}
        _MODELS[cls] = create_model(  # type: ignore[call-overload]
            NAMES.get(cls, f"{cls.__name__}Out"), __config__=ConfigDict(extra="forbid"),
            __doc__=_description(cls), __module__=__name__, **spec)
    return _MODELS[cls]


DecisionOut = response_model(decision.Decision)
