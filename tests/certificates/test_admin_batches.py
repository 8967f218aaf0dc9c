"""Batch issuing in the Wagtail admin: check a cohort, issue, follow the progress, download; scoped by school."""

import io
import zipfile

import pytest
from django.urls import reverse

from certificates import choices
from certificates.models import Diploma, IssueBatch
from tests import factories
from tests.certificates.conftest import graduate


@pytest.fixture(autouse=True)
def _english(english):
    """The admin in English here; the Vietnamese catalogue is checked by tests/test_translations.py."""


@pytest.fixture
def graduates(cohort):
    ready = [graduate(cohort, full_name=n) for n in ("Nguyễn Văn An", "Trần Thị Bình", "Lê Hoàng Cường")]
    factories.EnrolmentFactory(cohort=cohort, learner=factories.LearnerFactory(full_name="Võ Minh Em"),
                               graduated=False, graduation_decision_number="", graduation_date=None)
    return ready


def _prepare(client, world, cohort):
    client.force_login(world.staff_a)
    response = client.post(reverse("certificates_batch_prepare"), {"cohort": cohort.pk, "issued_on": "2026-07-15"})
    assert response.status_code == 302, response.content.decode()[:2000]
    return IssueBatch.objects.get()


def test_staff_check_a_cohort_then_issue_and_download(client, world, cohort, graduates,
                                                      django_capture_on_commit_callbacks):
    client.force_login(world.staff_a)
    form = client.get(reverse("certificates_batch_prepare"), {"cohort": cohort.pk})
    assert form.status_code == 200 and str(cohort) in form.content.decode()
    batch = _prepare(client, world, cohort)
    page = client.get(reverse("certificates_batch", args=[batch.pk])).content.decode()
    assert "Võ Minh Em" in page and "The learner has no graduation decision." in page
    assert "Issue 3 diplomas" in page and Diploma.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("certificates_batch_start", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert (batch.status, batch.issued) == (choices.BatchStatus.DONE, 3)
    response = client.post(reverse("certificates_batch_resume", args=[batch.pk]), follow=True)
    assert "This batch has nothing left to do." in response.content.decode()
    progress = client.get(reverse("certificates_batch_progress", args=[batch.pk])).json()
    assert (progress["percent"], progress["issued"], progress["finished"]) == (100, 3, True)
    page = client.get(reverse("certificates_batch", args=[batch.pk])).content.decode()
    assert "Download the PDFs (ZIP)" in page and Diploma.objects.first().serial in page
    response = client.get(reverse("certificates_batch_download", args=[batch.pk, "zip"]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert len(archive.namelist()) == 3
    response = client.get(reverse("certificates_batch_download", args=[batch.pk, "print"]))
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert client.get(reverse("certificates_batch_download", args=[batch.pk, "other"])).status_code == 404
    listing = client.get(reverse("certificates_batches")).content.decode()
    assert str(batch.cohort) in listing


def test_the_cohort_choice_offers_only_the_users_school(client, world, cohort, graduates):
    other = factories.CohortFactory(code="OTHER-B",
                                    curriculum_version__curriculum__institution=world.school_b,
                                    curriculum_version__status="approved")
    client.force_login(world.staff_a)
    page = client.get(reverse("certificates_batch_prepare")).content.decode()
    assert cohort.code in page and "OTHER-B" not in page
    response = client.post(reverse("certificates_batch_prepare"), {"cohort": other.pk, "issued_on": "2026-07-15"})
    assert response.status_code == 200 and IssueBatch.objects.count() == 0


def test_another_school_sees_nothing_and_an_officer_only_reads(client, world, cohort, graduates):
    batch = _prepare(client, world, cohort)
    client.force_login(world.staff_b)
    assert client.get(reverse("certificates_batch", args=[batch.pk])).status_code == 404
    assert client.post(reverse("certificates_batch_start", args=[batch.pk])).status_code == 404
    assert client.get(reverse("certificates_batch_progress", args=[batch.pk])).status_code == 404
    assert client.post(reverse("certificates_batch_resume", args=[batch.pk])).status_code == 404
    client.force_login(world.officer_a)
    page = client.get(reverse("certificates_batch", args=[batch.pk]))
    assert page.status_code == 200 and "Issue 3 diplomas" not in page.content.decode()
    assert client.post(reverse("certificates_batch_start", args=[batch.pk])).status_code == 403
    assert client.post(reverse("certificates_batch_resume", args=[batch.pk])).status_code == 403
    assert client.get(reverse("certificates_batch_prepare")).status_code == 403
    client.force_login(world.officer_b)
    assert client.get(reverse("certificates_batch", args=[batch.pk])).status_code == 404
    batch.refresh_from_db()
    assert batch.status == choices.BatchStatus.VALIDATED


def test_batch_pages_queries_do_not_grow_with_the_cohort(client, world, cohort, django_assert_max_num_queries):
    for _ in range(15):
        graduate(cohort)
    batch = _prepare(client, world, cohort)
    with django_assert_max_num_queries(40):
        assert client.get(reverse("certificates_batch", args=[batch.pk])).status_code == 200
    with django_assert_max_num_queries(40):
        assert client.get(reverse("certificates_batches")).status_code == 200
