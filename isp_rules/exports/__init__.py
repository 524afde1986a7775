"""Exports for the records people already keep (issue 16): a decision as W3C Data Privacy
Vocabulary JSON-LD (dpv.py, with the vocabularies' DPV concepts in concepts.py), and the
partnership's agreements with the register's decisions as a record-of-processing CSV (ropa.py).
Both read a decision's share as it was decided, directory facts included (share.py)."""
