"""The roles of the contract and the groups of them that endpoints allow."""

from __future__ import annotations

from typing import Literal, get_args

Role = Literal["operator", "supervisor", "qa", "author", "admin"]
ROLES: frozenset[str] = frozenset(get_args(Role))

EVERYONE: frozenset[str] = ROLES
SHOP_FLOOR: frozenset[str] = frozenset({"operator", "supervisor"})
SUPERVISION: frozenset[str] = frozenset({"supervisor"})
QUALITY_OVERSIGHT: frozenset[str] = frozenset({"qa", "supervisor", "admin"})
PROCEDURE_AUTHORS: frozenset[str] = frozenset({"author"})
PROCEDURE_APPROVERS: frozenset[str] = frozenset({"author", "qa"})
ADMINS: frozenset[str] = frozenset({"admin"})
# Remote experts on a live stream: they watch, annotate, snapshot and record.
REMOTE_EXPERTS: frozenset[str] = frozenset({"supervisor", "qa", "author", "admin"})
