"""Dotted paths ("share.data.categories") into nested scenario data: get, set, unset."""

from __future__ import annotations

from typing import Any

__all__ = ["get_path", "set_path", "unset_path"]


def get_path(data: dict[str, Any], path: str) -> Any:
    """The value at `path`, or None when any step of it is missing (or not a mapping)."""
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Set the value at `path`, creating the mappings on the way; TypeError if a step is not one."""
    *parents, last = path.split(".")
    node = data
    for part in parents:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise TypeError(f"cannot set {path}: {part} is not a mapping")
    node[last] = value


def unset_path(data: dict[str, Any], path: str) -> None:
    """Remove the value at `path`, if it is there."""
    *parents, last = path.split(".")
    node: Any = data
    for part in parents:
        node = node.get(part)
        if not isinstance(node, dict):
            return
    node.pop(last, None)
