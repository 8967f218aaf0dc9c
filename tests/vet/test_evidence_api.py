"""/api/v1/evidence/: scoped reads, create by multipart file or JSON link, metadata updates, guarded deletes,
the versions/ action (list, append) and the permission-checked download/ of the stored file."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from vet import services_evidence
from vet.models import Evidence

from ..conftest import client_for

LIST = "/api/v1/evidence/"
PDF = b"%PDF-1.4 evidence\n" * 40


@pytest.fixture(autouse=True)
def _private(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")


def en(client):
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    return client


def add(world, code="H1.01", school=None, user=None, **kwargs):
    if "url" not in kwargs:
        kwargs.setdefault("file", SimpleUploadedFile(f"{code}.pdf", PDF))
    return services_evidence.add_evidence(
        user or world.staff_a, institution=school or world.school_a, code=code, title=f"Evidence {code}", **kwargs
    )


@pytest.mark.django_db
class TestRead:
    def test_scoped_list(self, world, django_assert_max_num_queries):
        for n in range(6):
            add(world, f"A{n}")
        add(world, "B1", school=world.school_b, user=world.staff_b)
        client = client_for(world.staff_a)
        with django_assert_max_num_queries(10):
            response = client.get(LIST)
        codes = [row["code"] for row in response.json()["results"]]
        assert codes == [f"A{n}" for n in range(6)]
        row = response.json()["results"][0]
        assert row["institution"] == "SCH-A" and row["version_count"] == 1
        assert row["latest_version"]["sha256"] == hashlib.sha256(PDF).hexdigest()
        assert row["latest_version"]["has_file"] is True and "file" not in row["latest_version"]
        assert [r["code"] for r in client_for(world.officer_a).get(LIST).json()["results"]] == codes
        assert [r["code"] for r in client_for(world.officer_b).get(LIST).json()["results"]] == ["B1"]

    def test_not_public(self, world):
        add(world)
        assert client_for(None).get(LIST).status_code in (401, 403)

    def test_filters(self, world):
        add(world, "A1")
        add(world, "B1", school=world.school_b, user=world.staff_b)
        client = client_for(world.admin)
        assert [r["code"] for r in client.get(LIST, {"institution": "SCH-B"}).json()["results"]] == ["B1"]
        assert client.get(LIST, {"expiry": "expired"}).json()["results"] == []
        assert client.get(LIST, {"expiry": "bogus"}).status_code == 400


@pytest.mark.django_db
class TestWrite:
    def test_create_multipart_file(self, world):
        response = client_for(world.staff_a).post(
            LIST, {"institution": "SCH-A", "code": "H1.01", "title": "Plan",
                   "file": SimpleUploadedFile("plan.pdf", PDF)}, format="multipart")
        assert response.status_code == 201, response.json()
        assert response.json()["latest_version"]["original_name"] == "plan.pdf"

    def test_create_json_link(self, world):
        response = client_for(world.staff_a).post(
            LIST, {"institution": "SCH-A", "code": "H1.01", "title": "Plan", "url": "https://example.org/p"},
            format="json")
        assert response.status_code == 201, response.json()
        assert response.json()["latest_version"]["url"] == "https://example.org/p"

    def test_refusals_with_messages(self, world):
        client = en(client_for(world.staff_a))
        response = client.post(LIST, {"institution": "SCH-A", "code": "X", "title": "T",
                                      "file": SimpleUploadedFile("scan.exe", b"MZ")}, format="multipart")
        assert response.status_code == 400
        assert response.json()["file"][0].startswith("scan.exe: type .exe is not allowed; allowed: pdf")
        response = client.post(LIST, {"institution": "SCH-A", "code": "X", "title": "T"}, format="json")
        assert response.json() == {"file": ["Give a file or a link."]}
        add(world, "X")
        response = client.post(LIST, {"institution": "SCH-A", "code": "X", "title": "T", "url": "https://example.org/x"},
                               format="json")
        assert response.json() == {"code": ["This institution already has evidence with the code X."]}
        response = client.post(LIST, {"institution": "SCH-B", "code": "Y", "title": "T", "url": "https://example.org/x"},
                               format="json")
        assert response.status_code == 403
        response = en(client_for(world.officer_a)).post(
            LIST, {"institution": "SCH-A", "code": "Y", "title": "T", "url": "https://example.org/x"}, format="json")
        assert response.status_code == 403
        assert Evidence.objects.count() == 1

    def test_update_metadata_and_delete(self, world):
        evidence = add(world)
        client = client_for(world.staff_a)
        response = client.patch(f"{LIST}{evidence.pk}/", {"title": "New", "institution": "SCH-B"}, format="json")
        assert response.status_code == 200 and response.json()["title"] == "New"
        assert response.json()["institution"] == "SCH-A"
        assert client_for(world.officer_a).patch(f"{LIST}{evidence.pk}/", {"title": "x"}).status_code == 403
        assert client.delete(f"{LIST}{evidence.pk}/").status_code == 204
        assert not Evidence.objects.exists()


@pytest.mark.django_db
class TestVersionsAndDownload:
    def test_versions_append_and_list(self, world):
        evidence = add(world)
        client = client_for(world.staff_a)
        url = f"{LIST}{evidence.pk}/versions/"
        response = client.post(url, {"file": SimpleUploadedFile("v2.pdf", b"second"), "note": "signed"},
                               format="multipart")
        assert response.status_code == 201 and response.json()["number"] == 2
        response = client.post(url, {"url": "https://example.org/v3"}, format="json")
        assert response.status_code == 201 and response.json()["number"] == 3
        numbers = [v["number"] for v in client_for(world.officer_a).get(url).json()["results"]]
        assert numbers == [1, 2, 3]
        assert client_for(world.officer_a).post(url, {"url": "https://example.org/x"}, format="json").status_code == 403
        assert client_for(world.staff_b).get(url).status_code == 404

    @pytest.mark.parametrize("who", ["staff_a", "officer_a", "admin"])
    def test_download_allowed(self, world, who):
        evidence = add(world)
        services_evidence.add_evidence_version(world.staff_a, evidence, file=SimpleUploadedFile("v2.pdf", b"v2"))
        client = client_for(getattr(world, who))
        latest = client.get(f"{LIST}{evidence.pk}/download/")
        assert latest.status_code == 200 and b"".join(latest.streaming_content) == b"v2"
        assert latest["Content-Disposition"] == 'attachment; filename="v2.pdf"'
        first = client.get(f"{LIST}{evidence.pk}/download/", {"version": 1})
        assert b"".join(first.streaming_content) == PDF and first["Content-Type"] == "application/pdf"
        assert client.get(f"{LIST}{evidence.pk}/download/", {"version": 9}).status_code == 404
        assert client.get(f"{LIST}{evidence.pk}/download/", {"version": "x"}).status_code == 400

    @pytest.mark.parametrize("who", [None, "staff_b", "officer_b"])
    def test_download_refused(self, world, who):
        evidence = add(world)
        client = client_for(getattr(world, who) if who else None)
        assert client.get(f"{LIST}{evidence.pk}/download/").status_code in (401, 403, 404)

    def test_link_version_redirects(self, world):
        evidence = add(world, url="https://example.org/plan")
        response = client_for(world.staff_a).get(f"{LIST}{evidence.pk}/download/")
        assert response.status_code == 302 and response["Location"] == "https://example.org/plan"
