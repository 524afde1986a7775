"""Dotted paths ("share.data.categories") into nested scenario data: get, set, unset."""

from __future__ import annotations

from typing import Any

__all__ = ["get_path", "set_path", "unset_path"]


def get_path(data: dict, path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def set_path(data: dict, path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node = data
    for part in parents:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise TypeError(f"cannot set {path}: {part} is not a mapping")
    node[last] = value


def unset_path(data: dict, path: str) -> None:
    *parents, last = path.split(".")
    node = data
    for part in parents:
        node = node.get(part)
        if not isinstance(node, dict):
            return
    node.pop(last, None)
