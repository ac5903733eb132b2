"""cada: track requests for administrative documents (CRPA, Livre III)."""

__version__ = "0.1.0"
