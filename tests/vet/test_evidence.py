"""The evidence library's services: versions appended and kept, SHA-256, type and size limits with their exact
messages, duplicate codes, who may write and read, deletion refused while a submitted self-assessment cites it,
private storage and the permission-checked admin download."""

import datetime
import hashlib
import pathlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from vet import choices, services_evidence
from vet.models import Evidence, EvidenceVersion, SelfAssessment, SelfAssessmentRating

from .. import factories

PDF = b"%PDF-1.4 evidence of teacher training\n" * 100


@pytest.fixture(autouse=True)
def _private(settings, tmp_path, english):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.VET_EVIDENCE_MAX_BYTES = 20 * 1024 * 1024
    return tmp_path


def upload(name="report.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def make(world, user=None, code="H1.01", **kwargs):
    kwargs.setdefault("file", upload())
    return services_evidence.add_evidence(
        user or world.staff_a, institution=world.school_a, code=code, title="Teacher training plan", **kwargs
    )


def messages(exc: ValidationError) -> list[str]:
    return [m for ms in exc.message_dict.values() for m in ms] if hasattr(exc, "error_dict") else exc.messages


@pytest.mark.django_db
class TestAddEvidence:
    def test_version_one_with_hash_size_type(self, world, _private):
        evidence = make(world, owner="Training office", expires_on=datetime.date(2027, 6, 30))
        version = evidence.versions.get()
        assert version.number == 1
        assert version.sha256 == hashlib.sha256(PDF).hexdigest()
        assert version.size == len(PDF)
        assert version.original_name == "report.pdf"
        assert version.content_type == "application/pdf"
        assert version.uploaded_by == world.staff_a
        assert version.file.path.startswith(str(_private / "private"))
        assert not (_private / "media").exists()
        assert services_evidence.verify_evidence_file(version)

    def test_link_version(self, world):
        evidence = make(world, file=None, url="https://example.org/plan")
        version = evidence.versions.get()
        assert version.url == "https://example.org/plan" and not version.file and version.sha256 == ""

    def test_file_xor_link(self, world):
        with pytest.raises(ValidationError, match="Give either a file or a link, not both."):
            make(world, url="https://example.org/plan")
        with pytest.raises(ValidationError, match="Give a file or a link."):
            make(world, file=None)
        assert not Evidence.objects.exists()

    def test_type_refused_with_the_file_named(self, world, _private):
        with pytest.raises(ValidationError) as caught:
            make(world, file=upload("scan.exe", b"MZ"))
        assert messages(caught.value) == [
            "scan.exe: type .exe is not allowed; allowed: pdf, doc, docx, xls, xlsx, odt, ods, ppt, pptx, jpg, "
            "jpeg, png, zip."
        ]
        assert not Evidence.objects.exists()
        assert not (_private / "private").exists()

    def test_size_refused_before_writing(self, world, settings, _private):
        settings.VET_EVIDENCE_MAX_BYTES = 20 * 1024 * 1024
        big = upload("report.pdf", b"0" * int(31.2 * 1024 * 1024))
        with pytest.raises(ValidationError) as caught:
            make(world, file=big)
        assert messages(caught.value) == ["report.pdf is 31.2 MB; the limit is 20 MB."]
        assert not (_private / "private").exists()

    def test_duplicate_code_per_institution(self, world):
        make(world)
        with pytest.raises(ValidationError) as caught:
            make(world)
        assert caught.value.message_dict["code"] == ["This institution already has evidence with the code H1.01."]
        services_evidence.add_evidence(
            world.staff_b, institution=world.school_b, code="H1.01", title="Other school", url="https://example.org"
        )

    def test_failed_row_leaves_no_file(self, world, _private):
        with pytest.raises(ValidationError):
            make(world, period_start=datetime.date(2025, 1, 1), period_end=datetime.date(2024, 1, 1))
        assert not Evidence.objects.exists()
        stored = _private / "private"
        assert not stored.exists() or not any(p.is_file() for p in stored.rglob("*"))

    @pytest.mark.parametrize("who", ["officer_a", "staff_b", "officer_b"])
    def test_only_staff_of_the_school_add(self, world, who):
        with pytest.raises(PermissionDenied):
            make(world, user=getattr(world, who))

    def test_anonymous_cannot_add(self, world):
        with pytest.raises(PermissionDenied):
            services_evidence.add_evidence(None, institution=world.school_a, code="X", title="X", url="https://a.b")


@pytest.mark.django_db
class TestVersions:
    def test_new_versions_appended_old_kept(self, world):
        evidence = make(world)
        first = evidence.versions.get()
        second = services_evidence.add_evidence_version(world.staff_a, evidence, file=upload(content=b"v2"),
                                                        note="Signed copy")
        third = services_evidence.add_evidence_version(world.head_a, evidence, url="https://example.org/v3")
        assert [v.number for v in evidence.versions.order_by("number")] == [1, 2, 3]
        first.refresh_from_db()
        assert first.file.name != second.file.name
        assert first.file.open("rb").read() == PDF
        assert second.file.open("rb").read() == b"v2" and second.note == "Signed copy"
        assert third.uploaded_by == world.head_a

    @pytest.mark.parametrize("who", ["officer_a", "staff_b"])
    def test_others_cannot_add_versions(self, world, who):
        evidence = make(world)
        with pytest.raises(PermissionDenied):
            services_evidence.add_evidence_version(getattr(world, who), evidence, url="https://example.org")
        assert evidence.versions.count() == 1

    def test_limits_apply_to_versions(self, world):
        evidence = make(world)
        with pytest.raises(ValidationError, match=r"scan\.exe: type \.exe is not allowed"):
            services_evidence.add_evidence_version(world.staff_a, evidence, file=upload("scan.exe", b"MZ"))
        assert evidence.versions.count() == 1

    def test_verify_detects_a_changed_file(self, world):
        version = make(world).versions.get()
        with open(version.file.path, "ab") as stored:
            stored.write(b"tampered")
        assert not services_evidence.verify_evidence_file(version)


@pytest.mark.django_db
class TestUpdateAndDelete:
    def test_update_metadata_only(self, world):
        evidence = make(world)
        services_evidence.update_evidence(world.staff_a, evidence, title="New title", owner="Dean")
        evidence.refresh_from_db()
        assert (evidence.title, evidence.owner) == ("New title", "Dean")
        assert evidence.history.first().history_user == world.staff_a
        with pytest.raises(ValidationError) as caught:
            services_evidence.update_evidence(world.staff_a, evidence, institution=world.school_b)
        assert "institution" in caught.value.message_dict

    def test_update_refused_to_officer(self, world):
        evidence = make(world)
        with pytest.raises(PermissionDenied):
            services_evidence.update_evidence(world.officer_a, evidence, title="x")

    def test_update_duplicate_code(self, world):
        make(world)
        other = make(world, code="H1.02")
        with pytest.raises(ValidationError) as caught:
            services_evidence.update_evidence(world.staff_a, other, code="H1.01")
        assert "code" in caught.value.message_dict

    def test_delete_removes_files(self, world, django_capture_on_commit_callbacks):
        evidence = make(world)
        path = pathlib.Path(evidence.versions.get().file.path)
        with pytest.raises(PermissionDenied):
            services_evidence.delete_evidence(world.officer_a, evidence)
        with django_capture_on_commit_callbacks(execute=True):
            services_evidence.delete_evidence(world.staff_a, evidence)
        assert not Evidence.objects.exists() and not EvidenceVersion.objects.exists()
        assert not path.exists()

    def test_delete_refused_when_cited_by_submitted_self_assessment(self, world):
        evidence = make(world)
        standard = factories.StandardFactory()
        assessment = SelfAssessment.objects.create(
            institution=world.school_a, framework=standard.criterion.framework, year=2025,
            status=choices.AssessmentStatus.IN_PROGRESS,
        )
        rating = SelfAssessmentRating.objects.create(self_assessment=assessment, standard=standard, met=True)
        rating.evidence.add(evidence)
        assessment.status = choices.AssessmentStatus.SUBMITTED
        assessment.save()
        with pytest.raises(ValidationError, match="is cited by a submitted self-assessment"):
            services_evidence.delete_evidence(world.staff_a, evidence)
        assert Evidence.objects.filter(pk=evidence.pk).exists()


@pytest.mark.django_db
class TestAdminDownload:
    def url(self, evidence, number=1):
        return reverse(Evidence.snippet_viewset.get_url_name("download"), args=(evidence.pk, number))

    @pytest.mark.parametrize("who", ["staff_a", "officer_a", "head_a", "admin"])
    def test_allowed(self, client, world, who):
        evidence = make(world)
        client.force_login(getattr(world, who))
        response = client.get(self.url(evidence))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == 'attachment; filename="report.pdf"'

    @pytest.mark.parametrize("who", ["staff_b", "officer_b"])
    def test_refused_to_other_schools_and_provinces(self, client, world, who):
        evidence = make(world)
        client.force_login(getattr(world, who))
        assert client.get(self.url(evidence)).status_code in (403, 404)

    def test_refused_to_anonymous(self, client, world):
        evidence = make(world)
        response = client.get(self.url(evidence))
        assert response.status_code == 302 and "login" in response["Location"]

    def test_no_public_media_url(self, world):
        version = make(world).versions.get()
        with pytest.raises(ValueError):
            _ = version.file.url
