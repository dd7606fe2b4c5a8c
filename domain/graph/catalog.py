"""Declared types: which object and activity types exist and which attributes they carry.

OCEL 2.0 declares its types up front, with a value type per attribute; keeping the
declarations lets an export say exactly what the import said.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import msgspec

from domain.graph.content import is_content, named_metadata_only

if TYPE_CHECKING:
    from domain.graph.model import GraphBatch

TypeKind = Literal["object", "activity"]


class AttributeDeclaration(msgspec.Struct, frozen=True, kw_only=True, order=True):
    name: str
    type: str  # OCEL: string, integer, float, boolean, time


class TypeDeclaration(msgspec.Struct, frozen=True, kw_only=True):
    kind: TypeKind
    name: str
    attributes: tuple[AttributeDeclaration, ...] = ()

    def extended(self, other: TypeDeclaration) -> TypeDeclaration:
        """This declaration with the attributes only ``other`` declares added: the first
        declaration of an attribute stands (a file's own declaration over a later guess)."""
        merged = {a.name: a for a in other.attributes} | {a.name: a for a in self.attributes}
        return msgspec.structs.replace(self, attributes=tuple(sorted(merged.values())))

    def metadata_only(self) -> TypeDeclaration:
        """This declaration without the attributes whose names denote content: a declared
        ``subject`` or ``body`` would put the name of content in the catalog and the export."""
        kept, dropped = named_metadata_only(self.attributes)
        return msgspec.structs.replace(self, attributes=kept) if dropped else self


_VALUE_TYPES = {str: "string", bool: "boolean", int: "integer", float: "float"}


def observed_types(batch: GraphBatch) -> list[TypeDeclaration]:
    """The batch's own declarations, after the types and attributes its records show: an
    export can then say what every type carries, whatever the source declared. Attributes
    whose names denote content are left out, as they are left out of every record."""
    seen: dict[tuple[TypeKind, str], dict[str, str]] = {}
    for entity in batch.entities:
        slot = seen.setdefault(("object", entity.type), {})
        for attribute in entity.attributes:
            if attribute.value is not None and not is_content(attribute.name):
                slot.setdefault(attribute.name, _VALUE_TYPES[type(attribute.value)])
    shapes: set[tuple[str, tuple[tuple[str, type], ...]]] = set()
    for activity in batch.activities:
        shape = tuple((k, type(v)) for k, v in activity.attributes.items())
        shapes.add((activity.type, shape))
    for kind, shape in shapes:
        slot = seen.setdefault(("activity", kind), {})
        for name, value_type in shape:
            if value_type in _VALUE_TYPES and not is_content(name):
                slot.setdefault(name, _VALUE_TYPES[value_type])
    inferred = [
        TypeDeclaration(
            kind=kind,
            name=name,
            attributes=tuple(
                sorted(AttributeDeclaration(name=a, type=t) for a, t in attributes.items())
            ),
        )
        for (kind, name), attributes in seen.items()
    ]
    declared = [declaration.metadata_only() for declaration in batch.types]
    return declared + inferred  # the first declaration of an attribute wins
