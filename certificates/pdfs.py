"""Joining PDF/A files (pikepdf): the print-ready PDF of a large batch is laid out in parts and joined here."""

from __future__ import annotations

import io
from collections.abc import Sequence


def merge_pdfs(parts: Sequence[bytes], *, title: str) -> bytes:
    """The pages of the parts, in order, in one file that keeps the first part's PDF/A identification and output
    intent; every part's fonts stay embedded with its pages. The title is set in both the XMP and the info."""
    import pikepdf

    if not parts:
        raise ValueError("no PDF to join")
    base = pikepdf.open(io.BytesIO(parts[0]))
    for part in parts[1:]:
        with pikepdf.open(io.BytesIO(part)) as other:
            base.pages.extend(other.pages)
    with base.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:title"] = title
    out = io.BytesIO()
    base.save(out, deterministic_id=True)
    return out.getvalue()
