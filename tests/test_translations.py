"""Vietnamese is the default language and every user-facing string has its translation."""

from pathlib import Path

import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "vi" / "LC_MESSAGES" / "django.po"


def _entries(text: str):
    """(msgid, msgstr, fuzzy) of each entry of a .po file, plurals joined."""
    entries, block = [], []
    for line in [*text.splitlines(), ""]:
        if line.strip():
            block.append(line)
            continue
        if block:
            entries.append(block)
        block = []
    for block in entries:
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in block)
        msgid, msgstr, current = [], [], None
        for line in block:
            if line.startswith("msgid ") or line.startswith("msgid_plural "):
                current = msgid
            elif line.startswith("msgstr"):
                current = msgstr
            elif line.startswith("#"):
                continue
            if current is not None and '"' in line:
                current.append(line[line.index('"') + 1 : line.rindex('"')])
        yield "".join(msgid), "".join(msgstr), fuzzy


def test_every_message_is_translated_to_vietnamese():
    entries = [e for e in _entries(PO.read_text(encoding="utf-8")) if e[0]]
    assert len(entries) > 100
    missing = [msgid for msgid, msgstr, fuzzy in entries if not msgstr or fuzzy]
    assert not missing, f"{len(missing)} untranslated or fuzzy: {missing[:10]}"


@pytest.mark.parametrize(("language", "expected"), [("vi", "Cơ sở giáo dục nghề nghiệp"), ("en", "Institution")])
def test_model_names_follow_the_active_language(language, expected):
    from vet.models import Institution

    with translation.override(language):
        assert str(Institution._meta.verbose_name).lower() == expected.lower()


def test_vietnamese_is_the_default_language(settings):
    assert settings.LANGUAGE_CODE == "vi"
    assert [code for code, _ in settings.LANGUAGES] == ["vi", "en"]
