"""What a practitioner must never read (issue 13, point 3): the patterns the plain-words tests
of the decision pages, the text output and the drafts all look for."""

from __future__ import annotations

import re

from isp_rules.facts import FIELDS

# A rule id such as SG-URGENT-001 (checked against the ruleset's ids by each test).
RULE_TOKEN = re.compile(r"(?<![\w-])[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+(?![\w-])")
# A snake_case id or raw value: breach_handling, serious_or_imminent, one_off.
SNAKE = re.compile(r"(?<![\w./-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w-])")
# A field path: share.basis.article_6, or one written from its block (basis.article_6).
DOTTED = re.compile(r"\b(?:share|" + "|".join(sorted({p.split(".")[1] for p in FIELDS if p.startswith("share.")
                                                         and p.count(".") >= 2})) + r")\.[a-z][a-z0-9_]*")
# A line that starts `key:` as a YAML file does (a sentence starts with a capital). Text is read
# unwrapped, so a wrapped sentence never puts a word with a colon at the start of a line.
YAML_KEY = re.compile(r"^\s*(?:- )?[a-z_]+:(?: |$)", re.MULTILINE)
