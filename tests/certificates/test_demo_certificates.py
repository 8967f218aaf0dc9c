"""`manage.py load_demo_certificates`: a cohort issued in one batch, one diploma revoked and one re-issued; the QR
codes of the printed PDFs open verification pages with the right status; the PDFs are PDF/A and read back in
Vietnamese."""

import io
import shutil
import subprocess
import zipfile
from io import StringIO
from urllib.parse import urlparse

import pikepdf
import pytest
import zxingcpp
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import translation
from PIL import Image

from certificates import choices, services
from certificates.demo import demo_diplomas
from certificates.models import Cohort, Diploma, IssueBatch, RegisterEntry

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils is not installed (make system-deps)"),
]
COMMANDS = ("load_demo_data", "load_curriculum_rules", "load_classification_rules", "load_sample_frameworks",
            "load_demo_curricula", "load_demo_certificates")


def run(command: str) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command(command, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), override_settings(VETTRACK_DEMO=True), transaction.atomic():
        outputs = {command: run(command) for command in COMMANDS}
        yield outputs
        transaction.set_rollback(True)


@pytest.fixture
def demo(loaded, settings):
    settings.VETTRACK_DEMO = True
    return loaded


def _pdf_bytes(diploma: Diploma) -> bytes:
    with diploma.pdf.open("rb") as f:
        return f.read()


def _scan(pdf: bytes, tmp_path) -> str:
    """Print the page at 200 dpi and read its QR code, as a phone camera would."""
    path = tmp_path / "scan.pdf"
    path.write_bytes(pdf)
    png = subprocess.run(["pdftoppm", "-r", "200", "-png", "-singlefile", str(path)], check=True,
                         capture_output=True).stdout
    codes = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(codes) == 1 and codes[0].format == zxingcpp.BarcodeFormat.QRCode
    return codes[0].text


def test_a_cohort_was_issued_in_one_batch_with_its_downloads(demo):
    cohort = Cohort.objects.get(code="CĐ-ĐCN-K45")
    batch = IssueBatch.objects.get(cohort=cohort)
    assert (batch.status, batch.issued, batch.failed) == (choices.BatchStatus.DONE, 14, 0)
    refused = batch.items.filter(outcome=choices.BatchItemOutcome.REFUSED)
    assert sorted(i.enrolment.learner.full_name for i in refused) == ["Lý Thị Thu Hà", "Nguyễn Hữu Thắng"]
    with batch.archive.open("rb") as f:
        assert len(zipfile.ZipFile(io.BytesIO(f.read())).namelist()) == 14
    with batch.print_pdf.open("rb") as f:
        assert len(pikepdf.open(io.BytesIO(f.read())).pages) == 14
    # The second cohort is left for the visitor to issue in the admin.
    other = Cohort.objects.get(code="TC-ĐCN-K46")
    assert other.enrolments.filter(graduated=True).count() == 4 and not other.batches.exists()


def test_one_diploma_was_revoked_and_one_re_issued_in_the_register(demo):
    found = demo_diplomas()
    assert set(found) == {"valid", "revoked", "re-issued (old)", "re-issued (new)"}
    assert found["re-issued (new)"].replaces == found["re-issued (old)"]
    actions = list(RegisterEntry.objects.filter(institution__code="DEMO-TG-CD01").values_list("action", flat=True))
    assert actions.count("issue") == 14 and actions.count("revoke") == 1 and actions.count("reissue") == 1
    assert services.verify_register() == []


@pytest.mark.parametrize("label, status_text", [
    ("valid", "Valid: this diploma was issued and is in force."), ("revoked", "REVOKED: this diploma has been revoked"),
    ("re-issued (old)", "Re-issued: this diploma was replaced"), ("re-issued (new)", "Valid: this diploma was issued"),
])
def test_scanning_the_qr_code_opens_the_verification_page_with_its_status(demo, client, tmp_path, label,
                                                                          status_text):
    diploma = demo_diplomas()[label]
    url = _scan(_pdf_bytes(diploma), tmp_path)
    assert url.endswith(f"/verify/{diploma.code}/")
    page = client.get(f"/en{urlparse(url).path}")
    text = page.content.decode()
    assert page.status_code == 200 and status_text in text and diploma.snapshot["holder"]["full_name"] in text
    if label == "re-issued (old)":
        assert demo_diplomas()["re-issued (new)"].code in text  # a link to the current diploma


def test_the_demo_pdfs_are_pdf_a_and_read_back_in_vietnamese(demo, tmp_path):
    for label, diploma in demo_diplomas().items():
        pdf = pikepdf.open(io.BytesIO(_pdf_bytes(diploma)))
        assert pdf.open_metadata().pdfa_status == "3B", label
        assert "/OutputIntents" in pdf.Root, label
        path = tmp_path / f"{diploma.code}.pdf"
        path.write_bytes(_pdf_bytes(diploma))
        text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
        assert "BẰNG TỐT NGHIỆP CAO ĐẲNG" in text
        assert diploma.snapshot["holder"]["full_name"] in text
        assert "Điện công nghiệp" in text
    assert "REVOKED" in subprocess.run(
        ["pdftotext", str(tmp_path / f"{demo_diplomas()['revoked'].code}.pdf"), "-"],
        check=True, capture_output=True, text=True).stdout


def test_loading_again_creates_nothing(demo):
    counts = (Diploma.objects.count(), RegisterEntry.objects.count(), IssueBatch.objects.count())
    assert "(already loaded)" in run("load_demo_certificates")
    assert (Diploma.objects.count(), RegisterEntry.objects.count(), IssueBatch.objects.count()) == counts


def test_the_demo_learner_files_are_rejected_then_imported(demo):
    """The walk-through of docs/guides/imports.md: the file with errors is refused with each problem named, and
    nothing is written; the clean file enrols 30 new learners and leaves the one already enrolled as she is."""
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile

    from certificates.models import Enrolment, Learner
    from vet.imports import jobs
    from vet.models import ImportJob, Institution

    admin = get_user_model().objects.get(username="admin")
    school = Institution.objects.get(code="DEMO-TG-CD01")
    folder = __import__("pathlib").Path(__file__).resolve().parents[2] / "certificates/data/demo/imports"
    before = (Learner.objects.count(), Enrolment.objects.count())

    def start(name):
        upload = SimpleUploadedFile(name, (folder / name).read_bytes())
        with translation.override("en"):
            return jobs.start(user=admin, kind="learners", upload=upload, institution=school)

    job = start("learners-with-errors.csv")
    assert job.status == ImportJob.Status.REJECTED
    assert [(e["row"], e["column"]) for e in job.errors] == [
        (4, "Số định danh cá nhân"), (7, "Ngày sinh"), (10, "Giới tính"), (13, "Mã lớp"), (16, "Số định danh cá nhân"),
        (22, "Nơi sinh"), (32, "Số định danh cá nhân")]
    job = start("learners-clean.csv")
    assert job.counts == {"rows": 31, "enrolled": 30, "learners_new": 30, "already_enrolled": 1}
    with translation.override("en"):
        assert jobs.confirm(user=admin, job=job).status == ImportJob.Status.DONE
    assert (Learner.objects.count(), Enrolment.objects.count()) == (before[0] + 30, before[1] + 30)
