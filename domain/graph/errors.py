"""Errors of the graph context."""

from __future__ import annotations

from domain.shared.errors import Conflict, DomainError, Invalid, NotFound, TooLarge, Unavailable


class GraphError(DomainError):
    code = "graph.error"


class InvalidRecord(GraphError, Invalid):
    code = "graph.invalid_record"
    default_message = "A record in the batch is not valid."


class UnknownEntity(GraphError, Invalid):
    code = "graph.unknown_entity"
    default_message = "An activity or relationship refers to an entity that does not exist."


class EntityTypeChanged(GraphError, Conflict):
    code = "graph.entity_type_changed"
    default_message = "An entity cannot change its type; deliver it under its original type."


class EntityNotFound(GraphError, NotFound):
    code = "graph.entity_not_found"
    default_message = "No such entity."


class MergeNotFound(GraphError, NotFound):
    code = "graph.merge_not_found"
    default_message = "No such merge, or it was already undone."


class InvalidWindow(GraphError, Invalid):
    code = "graph.invalid_window"
    default_message = (
        "The time window must have from < to, both with a time zone, within the years 1 to 9999."
    )


class InvalidVariant(GraphError, Invalid):
    code = "graph.invalid_variant"
    default_message = (
        "Each variant must be a JSON array of 1 to 500 activity names (each at most 200 "
        "characters), and at most 20 variants may be given."
    )


class InvalidCaseSelector(GraphError, Invalid):
    code = "graph.invalid_case_selector"
    default_message = "Give either activity (a node) or both source and target (an edge)."


class InvalidCursor(GraphError, Invalid):
    code = "graph.invalid_cursor"
    default_message = "The pagination cursor is not valid."


class ImportRefused(GraphError, Invalid):
    """A file that cannot be imported; ``details`` carry the line or element at fault."""

    code = "graph.import_invalid"
    default_message = "The file is not a valid event log."


class ImportMalformed(ImportRefused):
    code = "graph.import_malformed"
    default_message = "The file is truncated or is not well-formed."


class ImportForbiddenMarkup(ImportRefused):
    code = "graph.import_forbidden_markup"
    default_message = "Document type declarations and entities are not accepted in imports."


class ImportInvalidValue(ImportRefused):
    code = "graph.import_invalid_value"
    default_message = "A value in the file is missing or has the wrong type."


class ImportOverLimit(ImportRefused):
    """The file is valid, but one of its parts holds more than an import keeps in memory."""

    code = "graph.import_over_limit"
    default_message = "A part of the file is larger than an import accepts (see the limit)."


class ImportTooLarge(GraphError, TooLarge):
    code = "graph.import_too_large"
    default_message = "The file is larger than the import limit."


class UnsupportedFormat(GraphError, Invalid):
    code = "graph.import_unsupported_format"
    default_message = "Only OCEL 2.0 JSON (.jsonocel, .json) and XES (.xes, .xes.gz) are accepted."


class InvalidImportId(GraphError, Invalid):
    code = "graph.invalid_import_id"
    default_message = "X-Import-Id must be a UUID."


class ImportNotFound(GraphError, NotFound):
    code = "graph.import_not_found"
    default_message = "No import with this id is known to this server (recently)."


class ImportsBusy(GraphError, Unavailable):
    code = "graph.imports_busy"
    default_message = "As many imports as this server runs at once are running; retry later."


class ExportsBusy(GraphError, Unavailable):
    code = "graph.exports_busy"
    default_message = "As many exports as this server runs at once are running; retry later."


class ActivityNotFound(GraphError, NotFound):
    code = "graph.activity_not_found"
    default_message = "No such activity."


# -- originals fetched on demand (``originals``) -------------------------------------------------


class OriginalUnavailable(GraphError, Conflict):
    """The record is visible but has no original to fetch: an import, or a record the source
    only mentions (a person known by an address), or a connection that is gone."""

    code = "graph.original_unavailable"
    default_message = "This record has no original Atlas can fetch from its source."


class OriginalGone(GraphError, NotFound):
    code = "graph.original_gone"
    default_message = "The source no longer has this record."


class OriginalNeedsReauth(GraphError, Conflict):
    """``reconnect`` in the details is where the connection's owner reconnects it."""

    code = "graph.original_needs_reauth"
    default_message = "The connection that brought this record must be reconnected by its owner."


class OriginalRefused(GraphError, Conflict):
    code = "graph.original_refused"
    default_message = "The source refused to hand out this record."


class OriginalSourceUnavailable(GraphError, Unavailable):
    code = "graph.original_source_unavailable"
    default_message = "The source could not be reached; try again later."
