"""Declared types: which object and activity types exist and which attributes they carry.

OCEL 2.0 declares its types up front, with a value type per attribute; keeping the
declarations lets an export say exactly what the import said.
"""

from __future__ import annotations

from typing import Literal

import msgspec

TypeKind = Literal["object", "activity"]


class AttributeDeclaration(msgspec.Struct, frozen=True, kw_only=True, order=True):
    name: str
    type: str  # OCEL: string, integer, float, boolean, time


class TypeDeclaration(msgspec.Struct, frozen=True, kw_only=True):
    kind: TypeKind
    name: str
    attributes: tuple[AttributeDeclaration, ...] = ()

    def extended(self, other: TypeDeclaration) -> TypeDeclaration:
        """This declaration with ``other``'s attributes added (a later declaration wins)."""
        merged = {a.name: a for a in self.attributes} | {a.name: a for a in other.attributes}
        return msgspec.structs.replace(self, attributes=tuple(sorted(merged.values())))
