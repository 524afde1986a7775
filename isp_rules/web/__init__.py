"""isp serve: the web pages and JSON API over the same library (assess, agreement drafts, register).

No law and no verdict logic lives here: every answer comes from `assess()`.
"""

from .app import create_app

__all__ = ["create_app"]
