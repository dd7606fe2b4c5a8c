"""One module per resource; each exports ``routes(container)``."""
