"""Pure model of Atlas: ids, entities, value objects, rules and errors (stdlib and msgspec only)."""
