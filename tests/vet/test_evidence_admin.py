"""The evidence library in the back-office: scoped list with search and expiry filter (bounded queries), create
form with a file or a link, evidence page with every version and the next-version form, and its refusals."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from vet import services_evidence
from vet.models import Evidence

PDF = b"%PDF-1.4 plan\n" * 50


@pytest.fixture(autouse=True)
def _setup(client, english, settings, tmp_path):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")


def url(view: str, obj=None) -> str:
    args = () if view in ("list", "add") else (obj.pk,)
    return reverse(Evidence.snippet_viewset.get_url_name(view), args=args)


def add(world, code, school=None, user=None, **kwargs):
    kwargs.setdefault("file", SimpleUploadedFile(f"{code}.pdf", PDF))
    return services_evidence.add_evidence(
        user or world.staff_a, institution=school or world.school_a, code=code, title=f"Evidence {code}", **kwargs
    )


@pytest.mark.django_db
class TestList:
    def test_scoped_and_bounded(self, client, world, django_assert_max_num_queries):
        for n in range(8):
            add(world, f"A{n}")
        add(world, "B1", school=world.school_b, user=world.staff_b)
        client.force_login(world.staff_a)
        client.get(url("list"))
        with django_assert_max_num_queries(30):
            response = client.get(url("list"))
        content = response.content.decode()
        assert response.status_code == 200
        assert "A7" in content and "B1" not in content
        client.force_login(world.officer_a)
        content = client.get(url("list")).content.decode()
        assert "A0" in content and "B1" not in content

    def test_query_count_does_not_grow(self, client, world, django_assert_max_num_queries):
        add(world, "A0")
        client.force_login(world.staff_a)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as one:
            client.get(url("list"))
        for n in range(1, 10):
            add(world, f"A{n}")
        with CaptureQueriesContext(connection) as ten:
            client.get(url("list"))
        assert len(ten) <= len(one) + 1

    def test_search_and_expiry_filter(self, client, world):
        today = timezone.localdate()
        add(world, "OLD", expires_on=today - datetime.timedelta(days=1))
        add(world, "SOON", expires_on=today + datetime.timedelta(days=30))
        add(world, "LATER", expires_on=today + datetime.timedelta(days=200))
        client.force_login(world.staff_a)
        expired = client.get(url("list"), {"expiry": "expired"}).content.decode()
        assert "Evidence OLD" in expired and "Evidence SOON" not in expired
        expiring = client.get(url("list"), {"expiry": "expiring"}).content.decode()
        assert "Evidence SOON" in expiring and "Evidence OLD" not in expiring and "Evidence LATER" not in expiring
        found = client.get(url("list"), {"q": "soon"}).content.decode()
        assert "Evidence SOON" in found and "Evidence LATER" not in found

    def test_menu_entry(self, client, world):
        client.force_login(world.staff_a)
        assert url("list") in client.get(reverse("wagtailadmin_home")).content.decode()


@pytest.mark.django_db
class TestCreate:
    def data(self, world, **extra):
        return {"institution": world.school_a.pk, "code": "H1.01", "title": "Plan", "owner": "", **extra}

    def test_create_with_file(self, client, world):
        client.force_login(world.staff_a)
        response = client.post(url("add"), self.data(world, file=SimpleUploadedFile("plan.pdf", PDF)))
        assert response.status_code == 302, response.content.decode()[:3000]
        version = Evidence.objects.get(code="H1.01").versions.get()
        assert version.original_name == "plan.pdf" and version.size == len(PDF)

    def test_create_with_link(self, client, world):
        client.force_login(world.staff_a)
        response = client.post(url("add"), self.data(world, url="https://example.org/plan"))
        assert response.status_code == 302
        assert Evidence.objects.get(code="H1.01").versions.get().url == "https://example.org/plan"

    def test_refusals_on_the_form(self, client, world):
        client.force_login(world.staff_a)
        content = client.post(url("add"), self.data(world)).content.decode()
        assert "Give a file or a link." in content
        content = client.post(url("add"), self.data(world, file=SimpleUploadedFile("scan.exe", b"MZ"))).content
        assert "scan.exe: type .exe is not allowed" in content.decode()
        add(world, "H1.01")
        content = client.post(url("add"), self.data(world, url="https://example.org")).content.decode()
        assert "already has evidence with" in content
        assert Evidence.objects.count() == 1

    def test_officer_cannot_open_the_form(self, client, world):
        client.force_login(world.officer_a)
        assert client.get(url("add")).status_code in (302, 403)


@pytest.mark.django_db
class TestEvidencePage:
    def test_versions_and_form(self, client, world, django_assert_max_num_queries):
        evidence = add(world, "H1.01", owner="Training office")
        services_evidence.add_evidence_version(world.staff_a, evidence, url="https://example.org/v2", note="Scan")
        client.force_login(world.staff_a)
        client.get(url("inspect", evidence))
        with django_assert_max_num_queries(40):
            response = client.get(url("inspect", evidence))
        content = response.content.decode()
        sha = evidence.versions.get(number=1).sha256
        assert response.status_code == 200
        assert f'title="{sha}"' in content and f"{sha[:12]}…" in content
        assert "H1.01.pdf" in content and "https://example.org/v2" in content
        assert "data-add-version" in content
        assert "No self-assessment cites this evidence yet." in content

    def test_officer_reads_without_upload_form(self, client, world):
        evidence = add(world, "H1.01")
        client.force_login(world.officer_a)
        response = client.get(url("inspect", evidence))
        assert response.status_code == 200 and "data-add-version" not in response.content.decode()

    @pytest.mark.parametrize("who", ["staff_b", "officer_b"])
    def test_other_schools_refused(self, client, world, who):
        evidence = add(world, "H1.01")
        client.force_login(getattr(world, who))
        assert client.get(url("inspect", evidence)).status_code in (403, 404)

    def test_upload_new_version(self, client, world):
        evidence = add(world, "H1.01")
        client.force_login(world.staff_a)
        add_version = reverse(Evidence.snippet_viewset.get_url_name("add_version"), args=(evidence.pk,))
        response = client.post(add_version, {"file": SimpleUploadedFile("v2.pdf", b"second"), "note": "Signed"},
                               follow=True)
        assert "Version 2 added." in response.content.decode()
        assert list(evidence.versions.values_list("number", flat=True)) == [1, 2]
        response = client.post(add_version, {"file": SimpleUploadedFile("v3.exe", b"x")}, follow=True)
        assert "v3.exe: type .exe is not allowed" in response.content.decode()
        client.force_login(world.officer_a)
        assert client.post(add_version, {"url": "https://example.org"}).status_code == 403
        assert evidence.versions.count() == 2

    def test_edit_metadata(self, client, world):
        evidence = add(world, "H1.01")
        client.force_login(world.staff_a)
        response = client.post(url("edit", evidence), {"code": "H1.02", "title": "Renamed", "owner": "Dean"})
        assert response.status_code == 302, response.content.decode()[:2000]
        evidence.refresh_from_db()
        assert (evidence.code, evidence.title, evidence.institution) == ("H1.02", "Renamed", world.school_a)


@pytest.mark.django_db
def test_page_lists_the_standards_citing_it(client, world):
    from vet import choices
    from vet.models import SelfAssessment, SelfAssessmentRating

    from .. import factories

    evidence = add(world, "H1.01")
    standard = factories.StandardFactory(code="1.1", text_vi="Có kế hoạch đào tạo")
    assessment = SelfAssessment.objects.create(institution=world.school_a, framework=standard.criterion.framework,
                                               year=2025, status=choices.AssessmentStatus.SUBMITTED)
    SelfAssessmentRating.objects.create(self_assessment=assessment, standard=standard, met=True).evidence.add(evidence)
    client.force_login(world.officer_a)
    content = client.get(url("inspect", evidence)).content.decode()
    assert "Cited by (1)" in content and "Có kế hoạch đào tạo" in content and "Submitted" in content
    client.force_login(world.staff_a)
    response = client.post(url("delete", evidence), follow=True)
    assert "is cited by a submitted self-assessment" in response.content.decode()
    assert Evidence.objects.filter(pk=evidence.pk).exists()
