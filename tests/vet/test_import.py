"""`manage.py import_occupations` and `manage.py load_reference_data`: a bad row rejects the whole file."""

import csv
from io import StringIO

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from tests import factories
from vet import choices
from vet.models import LegalDocument, Occupation, OccupationField

pytestmark = pytest.mark.django_db

HEADER = ["code", "name_vi", "name_en"]
GOOD = [
    ["6520227", "Điện công nghiệp", "Industrial electricity"],
    ["5520227", "Điện công nghiệp", "Industrial electricity"],
    ["6480202", "Công nghệ thông tin (ứng dụng phần mềm)", "Information technology (software applications)"],
]


@pytest.fixture(autouse=True)
def english():
    """Error messages are asserted in English whatever LANGUAGE_CODE says."""
    with translation.override("en"):
        yield


def write_csv(path, rows, header=HEADER):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path, rows, header=HEADER):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def run_import(path, *args) -> str:
    out = StringIO()
    call_command("import_occupations", str(path), *args, stdout=out)
    return out.getvalue()


def snapshot():
    return sorted(Occupation.objects.values_list("code", "name_vi", "name_en", "field_id"))


# ------------------------------------------------------------------------------------------- valid files


def test_import_occupations_csv_creates_rows(tmp_path):
    output = run_import(write_csv(tmp_path / "catalogue.csv", GOOD))

    assert "3 rows: 3 created, 0 updated, 0 unchanged" in output
    assert Occupation.objects.count() == 3
    occupation = Occupation.objects.get(code="6480202")
    assert occupation.name_vi == "Công nghệ thông tin (ứng dụng phần mềm)"
    assert occupation.name_en == "Information technology (software applications)"
    assert occupation.stem == "480202"
    assert occupation.level == choices.Level.COLLEGE
    assert Occupation.objects.get(code="5520227").level == choices.Level.INTERMEDIATE


def test_import_occupations_xlsx_reads_numeric_and_text_cells(tmp_path):
    rows = [[6520227, "Điện công nghiệp", "Industrial electricity"], ["5810207", "Kỹ thuật chế biến món ăn", None]]

    output = run_import(write_xlsx(tmp_path / "catalogue.xlsx", rows))

    assert "2 rows: 2 created" in output
    assert snapshot() == [
        ("5810207", "Kỹ thuật chế biến món ăn", "", None),
        ("6520227", "Điện công nghiệp", "Industrial electricity", None),
    ]


def test_import_occupations_links_field_from_digits_2_and_3(tmp_path):
    engineering = factories.OccupationFieldFactory(code="52", name_vi="Kỹ thuật", name_en="Engineering")
    it = factories.OccupationFieldFactory(code="48", name_vi="Máy tính và công nghệ thông tin", name_en="IT")

    run_import(write_csv(tmp_path / "catalogue.csv", GOOD))

    assert Occupation.objects.get(code="6520227").field == engineering
    assert Occupation.objects.get(code="5520227").field == engineering
    assert Occupation.objects.get(code="6480202").field == it


def test_import_occupations_reimport_updates_names_without_duplicates(tmp_path):
    run_import(write_csv(tmp_path / "v1.csv", GOOD))
    renamed = [["6520227", "Điện công nghiệp (hệ thống điện)", "Industrial electricity (power systems)"], *GOOD[1:]]

    output = run_import(write_csv(tmp_path / "v2.csv", renamed))

    assert "3 rows: 0 created, 1 updated, 2 unchanged" in output
    assert Occupation.objects.count() == 3
    occupation = Occupation.objects.get(code="6520227")
    assert occupation.name_vi == "Điện công nghiệp (hệ thống điện)"
    assert occupation.name_en == "Industrial electricity (power systems)"
    assert occupation.history.count() == 2  # created, then renamed once; the unchanged rows were not saved


def test_import_occupations_links_catalogue_document(tmp_path):
    document = factories.LegalDocumentFactory(number="26/2020/TT-BLĐTBXH", kind=choices.LegalDocumentKind.CIRCULAR)

    run_import(write_csv(tmp_path / "catalogue.csv", GOOD), "--document", "26/2020/TT-BLĐTBXH")

    assert set(Occupation.objects.values_list("catalogue_document", flat=True)) == {document.pk}


def test_import_occupations_unknown_document_is_refused(tmp_path):
    with pytest.raises(CommandError, match="No legal document numbered"):
        run_import(write_csv(tmp_path / "catalogue.csv", GOOD), "--document", "99/2099/TT-X")
    assert Occupation.objects.count() == 0


def test_import_occupations_missing_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match="File not found"):
        run_import(tmp_path / "missing.csv")


# ------------------------------------------------------------------------------------------- bad files


@pytest.fixture
def existing():
    """An occupation already in the catalogue, which the good first row of each bad file tries to rename."""
    occupation = factories.OccupationFactory(code="6520227", name_vi="Điện công nghiệp", name_en="")
    return snapshot(), occupation


def assert_rejected(path, *fragments, before):
    with pytest.raises(CommandError) as info:
        run_import(path)
    message = str(info.value)
    assert "rejected, nothing was written" in message
    for fragment in fragments:
        assert fragment in message
    assert snapshot() == before
    return message


RENAME = ["6520227", "Điện công nghiệp – đã đổi tên", "Renamed"]


@pytest.mark.parametrize("code", ["4520227", "652022", "65A0227", "75202270", " "])
@pytest.mark.parametrize("writer,suffix", [(write_csv, "csv"), (write_xlsx, "xlsx")])
def test_import_occupations_rejects_bad_code(tmp_path, existing, code, writer, suffix):
    before, _occupation = existing
    path = writer(tmp_path / f"bad.{suffix}", [RENAME, GOOD[1], [code, "Nghề sai mã", "Bad code"]])

    assert_rejected(path, "row 4, column code", "7-digit code", before=before)
    assert Occupation.objects.count() == 1


def test_import_occupations_rejects_duplicate_code(tmp_path, existing):
    before, _occupation = existing
    path = write_csv(tmp_path / "bad.csv", [RENAME, GOOD[1], GOOD[2], ["6520227", "Điện công nghiệp", ""]])

    assert_rejected(path, "row 5, column code: duplicate of row 2", before=before)


def test_import_occupations_rejects_missing_vietnamese_name(tmp_path, existing):
    before, _occupation = existing
    path = write_csv(tmp_path / "bad.csv", [RENAME, ["5520227", "", "Industrial electricity"]])

    assert_rejected(path, "row 3, column name_vi", "Vietnamese name is missing", before=before)


def test_import_occupations_lists_every_bad_cell(tmp_path, existing):
    before, _occupation = existing
    path = write_csv(tmp_path / "bad.csv", [RENAME, ["652022", "", ""], GOOD[1], ["5520227", "Trùng", ""]])

    message = assert_rejected(path, before=before)

    assert "row 3, column code" in message
    assert "row 3, column name_vi" in message
    assert "row 5, column code: duplicate of row 4" in message


@pytest.mark.parametrize("header,missing", [(["code", "name_en"], "name_vi"), (["ten", "name_en"], "code")])
def test_import_occupations_rejects_missing_required_column(tmp_path, existing, header, missing):
    before, _occupation = existing
    path = write_csv(tmp_path / "bad.csv", [["6520227", "Industrial electricity"]], header=header)

    assert_rejected(path, f"row 1, column {missing}: required column is missing", before=before)


@pytest.mark.parametrize("name", ["catalogue.txt", "catalogue.xls", "catalogue"])
def test_import_occupations_rejects_unsupported_extension(tmp_path, existing, name):
    before, _occupation = existing
    path = tmp_path / name
    path.write_text("code,name_vi\n6520227,Điện công nghiệp\n", encoding="utf-8")

    assert_rejected(path, "Unsupported file type", "use .csv or .xlsx", before=before)


def test_import_occupations_rejects_empty_file(tmp_path, existing):
    before, _occupation = existing

    assert_rejected(write_csv(tmp_path / "empty.csv", []), "no data rows", before=before)


def test_import_occupations_rolls_back_rows_saved_before_a_failing_row(tmp_path, existing, monkeypatch):
    """A row that passes the file checks but fails validation in the service undoes the rows before it."""
    before, _occupation = existing
    original = Occupation.full_clean

    def full_clean(self, *args, **kwargs):
        if self.code == "6480202":
            raise ValidationError({"name_vi": ["refused for the test"]})
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Occupation, "full_clean", full_clean)
    path = write_csv(tmp_path / "catalogue.csv", [RENAME, GOOD[1], GOOD[2]])

    assert_rejected(path, "row 4", "refused for the test", before=before)
    assert not Occupation.objects.filter(code="5520227").exists()
    assert Occupation.history.filter(code="5520227").count() == 0


def test_import_occupations_unprivileged_user_is_refused(tmp_path):
    factories.UserFactory(username="nobody")

    with pytest.raises(CommandError, match="may not"):
        run_import(write_csv(tmp_path / "catalogue.csv", GOOD), "--user", "nobody")
    assert Occupation.objects.count() == 0


# --------------------------------------------------------------------------------------- reference data


def reference_counts():
    return {
        "documents": LegalDocument.objects.count(),
        "fields": OccupationField.objects.count(),
        "occupations": Occupation.objects.count(),
        "history": (LegalDocument.history.count(), OccupationField.history.count(), Occupation.history.count()),
    }


def test_load_reference_data_loads_the_files():
    call_command("load_reference_data", stdout=StringIO())

    assert OccupationField.objects.count() == 8
    assert not OccupationField.objects.filter(confirmed=True).exists()  # the digit 2–3 mapping is unconfirmed
    assert 25 <= Occupation.objects.count() <= 40
    assert not Occupation.objects.filter(field__isnull=True).exists()
    for occupation in Occupation.objects.all():
        assert occupation.field.code == occupation.code[1:3]
        assert occupation.name_en
        twin = ("5" if occupation.code[0] == "6" else "6") + occupation.stem
        assert Occupation.objects.filter(code=twin, name_vi=occupation.name_vi).exists()
    catalogue = LegalDocument.objects.get(number="26/2020/TT-BLĐTBXH")
    assert set(Occupation.objects.values_list("catalogue_document", flat=True)) == {catalogue.pk}
    assert not catalogue.confirmed


def test_load_reference_data_legal_documents():
    call_command("load_reference_data", stdout=StringIO())

    numbers = set(LegalDocument.objects.values_list("number", flat=True))
    for number in (
        "74/2014/QH13",
        "124/2025/QH15",
        "1982/QĐ-TTg",
        "761/QĐ-TTg",
        "1363/QĐ-TTg",
        "2239/QĐ-TTg",
        "15/2017/TT-BLĐTBXH",
        "14/2024/TT-BLĐTBXH",
        "03/2017/TT-BLĐTBXH",
        "01/2024/TT-BLĐTBXH",
        "09/2017/TT-BLĐTBXH",
        "04/2022/TT-BLĐTBXH",
        "28/2017/TT-BLĐTBXH",
        "10/2017/TT-BLĐTBXH",
        "21/2018/TT-BLĐTBXH",
        "34/2018/TT-BLĐTBXH",
        "56/2015/TT-BLĐTBXH",
        "29/2013/TT-BLĐTBXH",
        "49/2018/NĐ-CP",
        "26/2020/TT-BLĐTBXH",
        "202/2025/QH15",
    ):
        assert number in numbers
    accreditation_2024 = LegalDocument.objects.get(number="14/2024/TT-BLĐTBXH")
    accreditation_2017 = LegalDocument.objects.get(number="15/2017/TT-BLĐTBXH")
    assert accreditation_2024.effective_from.isoformat() == "2025-02-15"
    assert accreditation_2017.replaced_by == accreditation_2024
    assert accreditation_2017.effective_to.isoformat() == "2025-02-14"
    assert LegalDocument.objects.get(number="03/2017/TT-BLĐTBXH").replaced_by.number == "01/2024/TT-BLĐTBXH"
    assert LegalDocument.objects.get(number="09/2017/TT-BLĐTBXH").replaced_by.number == "04/2022/TT-BLĐTBXH"
    assert LegalDocument.objects.get(number="74/2014/QH13").replaced_by.number == "124/2025/QH15"
    assert LegalDocument.objects.get(number="124/2025/QH15").issued_on.isoformat() == "2025-12-10"
    assert LegalDocument.objects.get(number="01/2024/TT-BLĐTBXH").effective_from.isoformat() == "2024-04-05"
    merger = LegalDocument.objects.get(number="202/2025/QH15")
    assert merger.kind == choices.LegalDocumentKind.RESOLUTION
    assert not merger.confirmed


def test_load_reference_data_is_idempotent():
    call_command("load_reference_data", stdout=StringIO())
    first = reference_counts()
    out = StringIO()

    call_command("load_reference_data", stdout=out)

    assert reference_counts() == first
    assert "0 created, 0 updated" in out.getvalue()


def test_load_reference_data_restores_edited_rows():
    call_command("load_reference_data", stdout=StringIO())
    Occupation.objects.filter(code="6520227").update(name_vi="Sửa tay")
    out = StringIO()

    call_command("load_reference_data", stdout=out)

    assert Occupation.objects.get(code="6520227").name_vi == "Điện công nghiệp"
    assert "0 created, 1 updated" in out.getvalue()
