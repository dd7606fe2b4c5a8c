"""One company's work over several months, generated deterministically from a seed."""
