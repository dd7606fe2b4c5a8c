"""Event log writers: OCEL 2.0 JSON."""
