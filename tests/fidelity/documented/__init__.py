"""The response shapes Salesforce, HubSpot, Zendesk and Jira document, as JSON Schema.

None of these four publishes a machine-readable spec that could be kept here
(``reference/specs/README.md``), so each shape is written by hand from the provider's
documentation, named beside it; the fields are those the connectors rely on and the envelopes
around them. Objects are closed (``additionalProperties: false``) unless the documentation
says they are open: a record's property bag (Salesforce sObject fields, HubSpot
``properties``, Jira ``fields``), a Salesforce resource directory, a Zendesk child event.
"""
