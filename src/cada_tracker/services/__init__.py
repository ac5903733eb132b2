"""Use cases: each takes an explicit session and keyword-only arguments, and raises CadaError."""
