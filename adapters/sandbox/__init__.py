"""Provider sandbox: a strict OAuth server and API emulator for every provider Atlas connects."""
