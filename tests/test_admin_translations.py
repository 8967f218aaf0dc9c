"""The Wagtail admin in Vietnamese: our supplement to Wagtail's incomplete "vi" catalogue.

import datetime
config/locale_wagtail/vi/LC_MESSAGES/django.po translates Wagtail admin messages that Wagtail itself leaves
in English. Its msgids must match Wagtail's exactly, so a Wagtail upgrade that rewords one is caught here.
"""

import ast
import datetime
from pathlib import Path

import django
import pytest
import wagtail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.timesince import timesince

from tests import factories
from vet import choices
from vet.models import Institution

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "config" / "locale_wagtail" / "vi" / "LC_MESSAGES" / "django.po"
WAGTAIL_EN = sorted(Path(wagtail.__file__).resolve().parent.glob("**/locale/en/LC_MESSAGES/django.po"))
# A few of Django's own messages too (its Vietnamese catalogue lacks the current "time since" strings).
DJANGO_EN = Path(django.__file__).resolve().parent / "conf" / "locale" / "en" / "LC_MESSAGES" / "django.po"


def _entries(path: Path) -> list[dict]:
    """The entries of a .po file as dicts: msgctxt, msgid, msgid_plural, msgstr (list), fuzzy."""
    entries, entry, field = [], None, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = line.strip()
        if not line:
            if entry is not None and "msgid" in entry:
                entries.append(entry)
            entry, field = None, None
            continue
        if entry is None:
            entry = {"msgstr": [], "fuzzy": False}
        if line.startswith("#~"):
            continue
        if line.startswith("#,"):
            entry["fuzzy"] = entry["fuzzy"] or "fuzzy" in line
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            value = ast.literal_eval(line)
            if field == "msgstr":
                entry["msgstr"][-1] += value
            else:
                entry[field] += value
            continue
        keyword, _, rest = line.partition(" ")
        value = ast.literal_eval(rest)
        if keyword.startswith("msgstr"):
            field = "msgstr"
            entry["msgstr"].append(value)
        else:
            field = keyword
            entry[keyword] = value
    return entries


def _translations():
    return [e for e in _entries(PO) if e["msgid"]]


def test_the_catalogue_is_complete_and_has_no_fuzzy_entries():
    entries = _translations()
    assert len(entries) >= 250
    header = next(e for e in _entries(PO) if not e["msgid"])["msgstr"][0]
    assert "Language: vi\n" in header
    assert "charset=UTF-8" in header
    assert "Plural-Forms: nplurals=1; plural=0;" in header
    untranslated = [e["msgid"] for e in entries if not e["msgstr"] or not all(e["msgstr"]) or e["fuzzy"]]
    assert not untranslated, f"{len(untranslated)} untranslated or fuzzy: {untranslated[:10]}"
    keys = [(e.get("msgctxt"), e["msgid"]) for e in entries]
    assert len(keys) == len(set(keys)), "duplicate msgids"


def test_every_msgid_still_exists_in_wagtails_english_catalogues():
    assert WAGTAIL_EN, "Wagtail's English catalogues were not found"
    wagtail_messages = {}
    for path in [*WAGTAIL_EN, DJANGO_EN]:
        for entry in _entries(path):
            wagtail_messages.setdefault((entry.get("msgctxt"), entry["msgid"]), entry.get("msgid_plural"))
    missing = [e["msgid"] for e in _translations() if (e.get("msgctxt"), e["msgid"]) not in wagtail_messages]
    assert not missing, f"no longer in Wagtail (reworded upstream?): {missing[:10]}"
    wrong_plural = [
        e["msgid"] for e in _translations() if e.get("msgid_plural") != wagtail_messages[(e.get("msgctxt"), e["msgid"])]
    ]
    assert not wrong_plural, f"msgid_plural differs from Wagtail's: {wrong_plural[:10]}"


@pytest.mark.django_db
def test_the_login_page_is_in_vietnamese(client):
    html = client.get(reverse("wagtailadmin_login"), HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    for vietnamese in ("Đăng nhập vào Wagtail", "Quên mật khẩu?", "Ghi nhớ đăng nhập"):
        assert vietnamese in html
    for english in ("Sign in to Wagtail", "Forgotten password?", "Remember me"):
        assert english not in html


@pytest.mark.django_db
def test_a_snippet_index_is_in_vietnamese(client, admin_user):
    factories.InstitutionFactory()
    factories.InstitutionFactory()
    client.force_login(admin_user)
    url = reverse(Institution.snippet_viewset.get_url_name("list"))

    html = client.get(url, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    for vietnamese in ("Trang 1/1", "Phân trang", "Thao tác hàng loạt", "Tìm kiếm…", "Vừa xong", "Chọn dòng"):
        assert vietnamese in html
    for english in ("Page 1 of", "Bulk actions", "Just now", "Select row"):
        assert english not in html

    filtered = client.get(url, {"type": choices.InstitutionType.COLLEGE}, HTTP_ACCEPT_LANGUAGE="vi")
    html = filtered.content.decode()
    assert "Có 2 kết quả phù hợp" in html
    assert "There is" not in html
    assert "There are" not in html
    assert "Page 1 of" not in html


@pytest.mark.parametrize(("minutes", "expected"), [(13, "13 phút"), (0, "0 phút"), (60 * 26, "1 ngày, 2 giờ")])
def test_time_since_is_in_vietnamese(minutes, expected):
    now = timezone.now()
    with translation.override("vi"):
        assert timesince(now - datetime.timedelta(minutes=minutes), now).replace("\xa0", " ") == expected
