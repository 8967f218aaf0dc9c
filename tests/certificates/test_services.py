"""Learners, graduation, issuing, revocation, re-issue and the hash-chained register, against a real database."""

import datetime
import subprocess
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from certificates import choices, services
from certificates.classification import Band, classify
from certificates.loaders import load_classification_rules
from certificates.models import Diploma, Enrolment, Learner, RegisterEntry
from tests import factories
from tests.certificates.conftest import graduate

D = Decimal
CREDIT_BANDS = [
    Band("excellent", D("3.50"), D("4.00"), True, True),
    Band("very_good", D("3.00"), D("3.49"), True, True),
    Band("good", D("2.50"), D("2.99"), True, False),
    Band("average", D("2.00"), D("2.49"), True, False),
    Band("weak", D("0.00"), D("1.99"), False, False),
]


def test_classify_bands_bounds_inclusive():
    grade = lambda s: classify(CREDIT_BANDS, score=D(s), all_credits_completed=True, disciplined=False,  # noqa: E731
                               retaken=False).classification
    assert [grade(s) for s in ("4.00", "3.50", "3.49", "3.00", "2.50", "2.00")] == [
        "excellent", "excellent", "very_good", "very_good", "good", "average"]


def test_classify_downgrades_one_step_for_discipline_or_retakes():
    r = classify(CREDIT_BANDS, score=D("3.60"), all_credits_completed=True, disciplined=True, retaken=False)
    assert (r.classification, r.downgraded, r.graduates) == ("very_good", True, True)
    r = classify(CREDIT_BANDS, score=D("3.10"), all_credits_completed=True, disciplined=False, retaken=True)
    assert r.classification == "good"
    # Good does not drop (the band says so), and a drop never makes a graduate fail.
    r = classify(CREDIT_BANDS, score=D("2.60"), all_credits_completed=True, disciplined=True, retaken=True)
    assert (r.classification, r.downgraded) == ("good", False)


def test_classify_refuses_low_score_and_missing_credits():
    assert classify(CREDIT_BANDS, score=D("1.99"), all_credits_completed=True, disciplined=False,
                    retaken=False).reason == "score_too_low"
    assert classify(CREDIT_BANDS, score=D("3.00"), all_credits_completed=False, disciplined=False,
                    retaken=False).reason == "credits_missing"


def test_load_classification_rules_idempotent_with_source(rules):
    summary = load_classification_rules()
    assert summary.total("created") == 0 and summary.total("updated") == 0
    from certificates.models import ClassificationRule
    assert ClassificationRule.objects.count() == 10
    assert set(ClassificationRule.objects.values_list("source__number", flat=True)) == {"04/2022/TT-BLĐTBXH"}


def test_save_learner_same_citizen_id_never_two_learners(world):
    kwargs = {"citizen_id": "082204001234", "full_name": "Lê Văn Hùng", "date_of_birth": datetime.date(2003, 1, 2),
                  "sex": "male", "place_of_birth": "Tiền Giang"}
    first = services.save_learner(user=world.staff_a, **kwargs)
    again = services.save_learner(user=world.staff_b, **kwargs)
    assert first.pk == again.pk and Learner.objects.count() == 1
    with pytest.raises(ValidationError) as exc:
        services.save_learner(user=world.staff_b, **{**kwargs, "full_name": "Lê Văn Khác"})
    assert "citizen_id" in exc.value.message_dict


@pytest.mark.parametrize("citizen_id", ["08220400123", "0822040012345", "08220400123A"])
def test_save_learner_citizen_id_has_12_digits(world, citizen_id):
    with pytest.raises(ValidationError) as exc:
        services.save_learner(user=world.staff_a, citizen_id=citizen_id, full_name="A", sex="male",
                              date_of_birth=datetime.date(2003, 1, 2), place_of_birth="X")
    assert "citizen_id" in exc.value.message_dict


def test_save_learner_refused_for_the_public_and_officers(world):
    for user in (None, world.officer_a):
        with pytest.raises(PermissionDenied):
            services.save_learner(user=user, citizen_id="082204001234", full_name="A", sex="male",
                                  date_of_birth=datetime.date(2003, 1, 2), place_of_birth="X")


def test_record_graduation_classifies_from_rules_with_downgrade(world, rules, cohort):
    learner = factories.LearnerFactory()
    enrolment = services.enrol_learner(user=world.staff_a, cohort=cohort, learner=learner)
    services.record_result(user=world.staff_a, enrolment=enrolment, final_score=D("3.55"),
                           all_credits_completed=True, retaken_modules=True)
    services.record_graduation(user=world.staff_a, enrolment=enrolment, decision_number="9/QĐ",
                               decision_date=datetime.date(2026, 6, 30))
    enrolment.refresh_from_db()
    assert enrolment.graduated and enrolment.classification == "very_good"


def test_record_graduation_refuses_and_says_why(world, rules, cohort):
    enrolment = services.enrol_learner(user=world.staff_a, cohort=cohort, learner=factories.LearnerFactory())
    services.record_result(user=world.staff_a, enrolment=enrolment, final_score=D("1.80"),
                           all_credits_completed=True)
    with pytest.raises(ValidationError) as exc:
        services.record_graduation(user=world.staff_a, enrolment=enrolment, decision_number="9/QĐ",
                                   decision_date=datetime.date(2026, 6, 30))
    assert exc.value.error_list[0].code == "score_too_low"
    enrolment.refresh_from_db()
    assert not enrolment.graduated


def test_record_result_refuses_a_score_off_the_scale(world, cohort):
    enrolment = services.enrol_learner(user=world.staff_a, cohort=cohort, learner=factories.LearnerFactory())
    with pytest.raises(ValidationError) as exc:
        services.record_result(user=world.staff_a, enrolment=enrolment, final_score=D("7.5"),
                               all_credits_completed=True)
    assert "final_score" in exc.value.message_dict


def test_enrol_learner_refuses_a_draft_version(world):
    draft = factories.CurriculumVersionFactory(curriculum=factories.CurriculumFactory(institution=world.school_a))
    cohort = factories.CohortFactory(curriculum_version=draft)
    with pytest.raises(ValidationError):
        services.enrol_learner(user=world.staff_a, cohort=cohort, learner=factories.LearnerFactory())


def test_issue_diploma_numbers_formats_and_freezes(world, cohort):
    enrolment = graduate(cohort, full_name="Nguyễn Thị Ánh Tuyết")
    diploma = services.issue_diploma(user=world.staff_a, enrolment=enrolment, issued_on=datetime.date(2026, 7, 15))
    assert diploma.serial == "CĐA/2026/00001" and diploma.register_number == "0001/2026/SG"
    assert diploma.kind == choices.DiplomaKind.COLLEGE_DIPLOMA
    assert len(diploma.code) == 16 and diploma.code != str(diploma.pk)
    assert diploma.snapshot["holder"]["full_name"] == "Nguyễn Thị Ánh Tuyết"
    assert diploma.snapshot["title_vi"] == "Kỹ sư thực hành"
    assert diploma.snapshot["classification_vi"] == "Giỏi"
    assert diploma.pdf_sha256 and len(diploma.pdf_sha256) == 64
    # Later edits to the learner, the school or the template never change the issued diploma.
    enrolment.learner.full_name = "Tên Đã Sửa"
    enrolment.learner.save()
    world.school_a.name_vi = "Trường Đổi Tên"
    world.school_a.save()
    template = diploma.template
    template.signer_name = "Người Khác"
    template.save()
    diploma.refresh_from_db()
    assert diploma.snapshot["holder"]["full_name"] == "Nguyễn Thị Ánh Tuyết"
    assert diploma.snapshot["institution"]["name_vi"] == "Trường Cao đẳng Điện lực A"
    assert diploma.snapshot["signer"]["name"] == "Trần Văn Bình"


def test_issue_diploma_is_idempotent(world, cohort):
    enrolment = graduate(cohort)
    first = services.issue_diploma(user=world.staff_a, enrolment=enrolment)
    again = services.issue_diploma(user=world.staff_a, enrolment=enrolment)
    assert first.pk == again.pk
    assert Diploma.objects.count() == 1 and RegisterEntry.objects.count() == 1


def test_issue_diploma_refuses_with_reasons(world, cohort):
    enrolment = factories.EnrolmentFactory(cohort=cohort, graduated=False, classification="",
                                           graduation_date=None)
    with pytest.raises(ValidationError) as exc:
        services.issue_diploma(user=world.staff_a, enrolment=enrolment)
    assert [e.code for e in exc.value.error_list] == ["not_graduated"]
    assert not Diploma.objects.exists()


def test_issue_diploma_only_by_the_school(world, cohort):
    enrolment = graduate(cohort)
    for user in (None, world.staff_b, world.officer_a):
        with pytest.raises(PermissionDenied):
            services.issue_diploma(user=user, enrolment=enrolment)


def test_issue_serials_without_gaps(world, cohort):
    diplomas = [services.issue_diploma(user=world.staff_a, enrolment=graduate(cohort),
                                       issued_on=datetime.date(2026, 7, 1)) for _ in range(4)]
    assert [d.sequence for d in diplomas] == [1, 2, 3, 4]
    next_year = services.issue_diploma(user=world.staff_a, enrolment=graduate(cohort),
                                       issued_on=datetime.date(2027, 1, 5))
    assert next_year.serial == "CĐA/2027/00001"


def test_revoke_and_reissue_are_register_entries(world, cohort):
    a = services.issue_diploma(user=world.staff_a, enrolment=graduate(cohort))
    b = services.issue_diploma(user=world.staff_a, enrolment=graduate(cohort))
    services.revoke_diploma(user=world.staff_a, diploma=a, reason="Hồ sơ giả mạo")
    new = services.reissue_diploma(user=world.staff_a, diploma=b, reason="Bằng bị mất")
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.status == choices.DiplomaStatus.REVOKED
    assert b.status == choices.DiplomaStatus.REISSUED and b.replaced_by == new
    assert new.snapshot["is_reissue"] and new.snapshot["reissue_of_serial"] == b.serial
    assert new.sequence == 3
    entries = list(RegisterEntry.objects.order_by("position").values_list("action", "reason", "actor_name"))
    assert entries == [("issue", "", "staff_a"), ("issue", "", "staff_a"), ("revoke", "Hồ sơ giả mạo", "staff_a"),
                       ("reissue", "Bằng bị mất", "staff_a")]
    with pytest.raises(ValidationError):
        services.revoke_diploma(user=world.staff_a, diploma=a, reason="again")
    with pytest.raises(ValidationError):
        services.revoke_diploma(user=world.staff_a, diploma=new, reason=" ")
    with pytest.raises(PermissionDenied):
        services.revoke_diploma(user=world.staff_b, diploma=new, reason="x")


def test_register_is_append_only(world, cohort):
    services.issue_diploma(user=world.staff_a, enrolment=graduate(cohort))
    entry = RegisterEntry.objects.get()
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()


def test_verify_register_detects_tampering(world, cohort, english):
    for _ in range(3):
        services.issue_diploma(user=world.staff_a, enrolment=graduate(cohort))
    assert services.verify_register() == []
    # Someone edits a row behind the application's back (queryset update skips save()).
    RegisterEntry.objects.filter(position=2).update(reason="sửa lén")
    problems = services.verify_register()
    assert [(p.position, p.message) for p in problems] == [(2, "The entry's content does not match its hash.")]
    RegisterEntry.objects.filter(position=2).update(reason="")
    assert services.verify_register() == []
    RegisterEntry.objects.filter(position=2)._raw_delete(RegisterEntry.objects.db)
    positions = [p.position for p in services.verify_register()]
    assert positions == [3, 3]  # entry 2 missing, and entry 3's link to it broken


def test_verify_register_command_fails_on_a_broken_chain(world, cohort):
    services.issue_diploma(user=world.staff_a, enrolment=graduate(cohort))
    call_command("verify_register")
    RegisterEntry.objects.update(actor_name="mallory")
    from django.core.management.base import CommandError
    with pytest.raises(CommandError):
        call_command("verify_register")


def test_issued_pdf_is_stored_with_its_hash(world, cohort):
    import hashlib
    diploma = services.issue_diploma(user=world.staff_a, enrolment=graduate(cohort, full_name="Phạm Thị Hằng"))
    with diploma.pdf.open("rb") as handle:
        content = handle.read()
    assert content.startswith(b"%PDF") and hashlib.sha256(content).hexdigest() == diploma.pdf_sha256
    try:
        text = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True).stdout
    except FileNotFoundError:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    assert "Phạm Thị Hằng" in text.decode()


def test_enrolment_is_unique_per_cohort(world, cohort):
    learner = factories.LearnerFactory()
    a = services.enrol_learner(user=world.staff_a, cohort=cohort, learner=learner)
    b = services.enrol_learner(user=world.staff_a, cohort=cohort, learner=learner)
    assert a.pk == b.pk and Enrolment.objects.count() == 1


def test_issued_pdf_is_pdfa_with_embedded_fonts(world, cohort, tmp_path):
    import re
    import shutil
    diploma = services.issue_diploma(user=world.staff_a, enrolment=graduate(cohort))
    with diploma.pdf.open("rb") as handle:
        content = handle.read()
    if not shutil.which("pdffonts"):
        pytest.skip("pdffonts (poppler-utils) is not installed")
    (tmp_path / "d.pdf").write_bytes(content)
    # PDF/A identification: the XMP metadata declares part 3, conformance B.
    xmp = subprocess.run(["pdfinfo", "-meta", str(tmp_path / "d.pdf")], capture_output=True, text=True).stdout
    assert re.search(r"pdfaid:part[^0-9]{1,4}3", xmp) and re.search(r"pdfaid:conformance[^A-Z]{1,4}B", xmp)
    lines = subprocess.run(["pdffonts", str(tmp_path / "d.pdf")], capture_output=True, check=True,
                           text=True).stdout.splitlines()[2:]
    assert lines and all(line.split()[-5] == "yes" for line in lines)  # the "emb" column
    info = subprocess.run(["pdfinfo", str(tmp_path / "d.pdf")], capture_output=True, text=True).stdout
    assert "Pages:           1" in info and "841.89 x 595.276" in info


def test_field_errors_keep_their_codes_for_the_api(cohort, world):
    """A code given with a field's error reaches the API's error body (Django drops the code of a plain dict)."""
    enrolment = factories.EnrolmentFactory(cohort=cohort, final_score=None, graduated=False, classification="",
                                           graduation_decision_number="", graduation_date=None)
    with pytest.raises(ValidationError) as error:
        services.record_result(user=world.staff_a, enrolment=enrolment, final_score=Decimal("4.5"),
                               all_credits_completed=True)
    assert error.value.error_dict["final_score"][0].code == "score_out_of_scale"
    with pytest.raises(ValidationError) as error:
        services.record_graduation(user=world.staff_a, enrolment=enrolment, decision_number="1/QĐ",
                                   decision_date=datetime.date(2026, 6, 30))
    assert error.value.error_dict["final_score"][0].code == "no_score"
