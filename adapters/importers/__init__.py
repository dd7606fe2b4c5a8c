"""Event log readers: XES and OCEL 2.0 JSON, streamed, hostile input refused before use."""
