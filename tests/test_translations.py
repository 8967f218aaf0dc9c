"""Vietnamese is the default language and every user-facing string has its translation."""

import shutil
import subprocess
import sys
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


SOURCE_DIRS = ("config", "vet", "curricula", "certificates", "cms")


def test_every_string_in_the_source_is_in_the_catalogue(tmp_path):
    """The catalogue is up to date: extracting the strings again (`make translations`) finds none missing."""
    if shutil.which("xgettext") is None:
        pytest.fail("gettext is not installed: run `make system-deps` (Debian package gettext)")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo", "locale_wagtail")
    for name in SOURCE_DIRS:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=ignore)
    shutil.copytree(ROOT / "locale", tmp_path / "locale", ignore=ignore)
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    env = {"DJANGO_SETTINGS_MODULE": "config.settings.test", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(tmp_path)}
    subprocess.run([sys.executable, "manage.py", "makemessages", "-l", "vi", "--no-location", "-v0"],
                   cwd=tmp_path, check=True, env=env)
    extracted = _entries((tmp_path / "locale/vi/LC_MESSAGES/django.po").read_text(encoding="utf-8"))
    catalogue = {msgid: msgstr for msgid, msgstr, fuzzy in _entries(PO.read_text(encoding="utf-8")) if not fuzzy}
    missing = sorted(msgid for msgid, _msgstr, _fuzzy in extracted if msgid and not catalogue.get(msgid))
    assert not missing, f"{len(missing)} strings not in locale/vi (run `make translations`): {missing[:10]}"


@pytest.mark.parametrize(("language", "expected"), [("vi", "Cơ sở giáo dục nghề nghiệp"), ("en", "Institution")])
def test_model_names_follow_the_active_language(language, expected):
    from vet.models import Institution

    with translation.override(language):
        assert str(Institution._meta.verbose_name).lower() == expected.lower()


def test_vietnamese_is_the_default_language(settings):
    assert settings.LANGUAGE_CODE == "vi"
    assert [code for code, _ in settings.LANGUAGES] == ["vi", "en"]
