"""Building blocks shared by every context: ids, errors, secrets, time."""
