"""Text folding for search that ignores Vietnamese diacritics ("dien" finds "Điện")."""

import unicodedata

_EXTRA = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str | None) -> str:
    """Lower-case, strip diacritics (including đ), collapse whitespace."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.translate(_EXTRA))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.lower().split())
