"""In-memory adapters for every port: the whole app runs on them with no database or network."""
