"""NumPy implementations of the concepts in the vault's notes, importable as `snippets.*`
from the notes' executable blocks."""
