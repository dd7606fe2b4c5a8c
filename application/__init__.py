"""Use cases of Atlas and the ports they need."""
