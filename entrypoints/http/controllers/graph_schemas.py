"""What the graph endpoints document beyond their types: the raw import upload and its headers.

``POST imports`` reads the file from the raw request body (it streams to a spool; it is never
decoded by the framework), so the request body is described here, and the two optional
headers are declared as parameters: generated clients can then call it, and schemathesis
sends it bodies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import msgspec
from litestar.openapi.spec import OpenAPIMediaType, Operation, RequestBody, Schema
from litestar.openapi.spec.enums import OpenAPIFormat, OpenAPIType
from litestar.params import HeaderParameter, QueryParameter

# The format is recognised from the first bytes, whatever the declared type says.
UPLOAD_MEDIA_TYPES = ("application/octet-stream", "application/gzip", "application/json",
                      "application/xml")  # fmt: skip

# What an XES trace becomes: a type name, stored with the import (at most 200 characters there).
ImportObjectType = Annotated[
    str, QueryParameter(name="object_type", required=False, min_length=1, max_length=200)
]
ImportIdHeader = Annotated[
    str | None,
    HeaderParameter(
        name="X-Import-Id", required=False,
        description="A UUID naming the import: its progress is then at GET imports/{id}.",
    ),
]  # fmt: skip
FileNameHeader = Annotated[
    str | None,
    HeaderParameter(
        name="X-File-Name", required=False, description="The file's name, for display."
    ),
]


@dataclass
class ImportUpload(Operation):
    """The operation of ``POST imports``, with its raw request body."""

    def __post_init__(self) -> None:
        binary = OpenAPIMediaType(
            schema=Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
        )
        self.request_body = RequestBody(
            required=True,
            description="The event log as the raw body: OCEL 2.0 JSON or XES, optionally gzipped "
            "(at most 512 MiB, and 1 GiB once inflated).",
            content=dict.fromkeys(UPLOAD_MEDIA_TYPES, binary),
        )


class VariantsView(msgspec.Struct, frozen=True, kw_only=True):
    object_type: str
    objects: int
    variant_count: int
    variants: tuple[Any, ...]


class HandoffsView(msgspec.Struct, frozen=True, kw_only=True):
    object_type: str
    handoffs: tuple[Any, ...]
    actors: tuple[Any, ...]
