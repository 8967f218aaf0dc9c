"""Demo certificates (certificates/data/demo/): My Tho College's diploma template and numbering, two cohorts with
learners and results, one cohort issued in a batch, one diploma revoked and one re-issued.

Everything goes through the services as the school's staff member would do it in the admin, so the demo shows
the real register, snapshots and PDFs. Idempotent: a second run finds what the first made and changes nothing."""

from __future__ import annotations

import contextlib
import csv
import datetime
import io
import math
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, ImageDraw, ImageFont

from curricula.models import CurriculumVersion
from vet.models import Institution

from . import batches, choices, services
from .models import Cohort, Diploma, DiplomaTemplate, IssuingProfile

DEMO_DIR = Path(__file__).resolve().parent / "data" / "demo"
CURRICULA_DEMO_DIR = Path(__file__).resolve().parent.parent / "curricula" / "data" / "demo"
INSTITUTION = "DEMO-TG-CD01"
STAFF = "staff.mythotech"
YES = {"yes", "true", "1", "x", "có"}


@dataclass
class DemoCertificates:
    created: list[str] = field(default_factory=list)
    diplomas: dict[str, Diploma] = field(default_factory=dict)  # valid / revoked / reissued / replacement

    def lines(self) -> list[str]:
        return [f"  {line}" for line in self.created] or ["  (already loaded)"]


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _font(size: int):
    for path in ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", "DejaVuSans-Bold.ttf"):
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default()


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def demo_logo(primary=(138, 28, 28)) -> bytes:
    """A round school emblem with a gear and the initials (drawn, not a real school's mark)."""
    size = 240
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((6, 6, size - 6, size - 6), fill=(255, 255, 255, 255), outline=primary, width=10)
    centre, teeth = size / 2, 12
    for i in range(teeth):
        angle = 2 * math.pi * i / teeth
        x, y = centre + 70 * math.cos(angle), centre + 70 * math.sin(angle)
        draw.ellipse((x - 12, y - 12, x + 12, y + 12), fill=(176, 141, 47, 255))
    draw.ellipse((centre - 68, centre - 68, centre + 68, centre + 68), fill=(176, 141, 47, 255))
    draw.ellipse((centre - 52, centre - 52, centre + 52, centre + 52), fill=primary)
    draw.text((centre, centre), "MT", font=_font(52), fill=(255, 255, 255, 255), anchor="mm")
    return _png(image)


def demo_seal() -> bytes:
    """A red round seal, translucent as stamped ink."""
    size, red = 260, (200, 24, 24, 200)
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, size - 8, size - 8), outline=red, width=9)
    draw.ellipse((34, 34, size - 34, size - 34), outline=red, width=3)
    draw.regular_polygon((size / 2, size / 2, 36), 5, fill=red, rotation=0)
    for text, y in (("TRƯỜNG CAO ĐẲNG", 62), ("MỸ THO", 196)):
        draw.text((size / 2, y), text, font=_font(19), fill=red, anchor="mm")
    return _png(image)


def demo_signature() -> bytes:
    """A handwritten-looking stroke in blue ink."""
    width, height, ink = 360, 120, (24, 44, 140, 255)
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    points = [(20 + t * 3.2, 70 - 28 * math.sin(t / 9) * math.cos(t / 23) - t * 0.12) for t in range(0, 100)]
    draw.line(points, fill=ink, width=5, joint="curve")
    draw.line([(70, 92), (300, 80)], fill=ink, width=3)
    return _png(image)


def _version(curriculum_key: str, version_key: str) -> CurriculumVersion:
    """The demo curriculum version by its keys in curricula/data/demo (matched on its decision number)."""
    row = next(r for r in _rows(CURRICULA_DEMO_DIR / "versions.csv")
               if r["curriculum"] == curriculum_key and r["key"] == version_key)
    return CurriculumVersion.objects.select_related("curriculum__institution").get(
        decision_number=row["decision_number"], curriculum__institution__code=INSTITUTION)


def _template(institution: Institution, result: DemoCertificates) -> None:
    if DiplomaTemplate.objects.filter(institution=institution, is_active=True).exists():
        return
    template = DiplomaTemplate(
        institution=institution, kind="", name="Mẫu văn bằng 2026", signer_name="Đặng Văn Lộc",
        signer_title_vi="HIỆU TRƯỞNG", signer_title_en="RECTOR", primary_color="#8a1c1c", accent_color="#b08d2f",
    )
    for name, content in (("logo", demo_logo()), ("signature", demo_signature()), ("seal", demo_seal())):
        getattr(template, name).save(f"demo-{name}.png", ContentFile(content), save=False)
    template.full_clean()
    template.save()
    result.created.append(f"diploma template of {institution.code}")


def _cohort(row: dict[str, str], user, result: DemoCertificates) -> Cohort:
    version = _version(row["curriculum"], row["version"])
    cohort = Cohort.objects.filter(curriculum_version=version, code=row["code"]).first()
    if cohort is None:
        cohort = services.save_cohort(user=user, cohort=Cohort(
            curriculum_version=version, code=row["code"], intake_year=int(row["intake_year"]),
            grading_scale=row["grading_scale"], college_title=row["college_title"],
        ))
        result.created.append(f"cohort {cohort.code}")
    return cohort


def _learners(cohort: Cohort, cohort_row: dict[str, str], rows: list[dict[str, str]], user) -> None:
    decision_date = datetime.date.fromisoformat(cohort_row["graduation_date"])
    for row in rows:
        enrolment = services.register_learner(
            user=user, cohort=cohort, citizen_id=row["citizen_id"], full_name=row["full_name"],
            date_of_birth=datetime.date.fromisoformat(row["date_of_birth"]), sex=row["sex"],
            place_of_birth=row["place_of_birth"], ethnicity=row["ethnicity"], student_number=row["student_number"],
        )
        if enrolment.final_score is not None or enrolment.diplomas.exists():
            continue
        enrolment = services.record_result(
            user=user, enrolment=enrolment, final_score=Decimal(row["final_score"]),
            all_credits_completed=row["all_credits_completed"] in YES, disciplined=row["disciplined"] in YES,
            retaken_modules=row["retaken_modules"] in YES,
        )
        # Below the graduation score or credits missing: no graduation, and the batch report shows why.
        with contextlib.suppress(ValidationError):
            services.record_graduation(user=user, enrolment=enrolment,
                                       decision_number=cohort_row["graduation_decision"], decision_date=decision_date)


def _issue(cohort: Cohort, row: dict[str, str], user, result: DemoCertificates) -> None:
    if row["batch"] != "issue" or cohort.batches.exists():
        return
    batch = batches.prepare_batch(user=user, cohort=cohort, issued_on=datetime.date.fromisoformat(row["issued_on"]))
    batches.start_batch(user=user, batch=batch, enqueue=False)
    for chunk in batches.pending_chunks(batch):
        batches.run_chunk(batch.pk, chunk, assemble_here=True)
    batch.refresh_from_db()
    result.created.append(f"batch of {cohort.code}: {batch.issued} diplomas issued")


def _events(cohort: Cohort, rows: list[dict[str, str]], user, result: DemoCertificates) -> None:
    for row in rows:
        diploma = Diploma.objects.filter(enrolment__cohort=cohort, enrolment__learner__citizen_id=row["citizen_id"],
                                         replaces__isnull=True).first()
        if diploma is None or diploma.status != choices.DiplomaStatus.VALID:
            continue
        if row["action"] == "revoke":
            services.revoke_diploma(user=user, diploma=diploma, reason=row["reason"])
        else:
            services.reissue_diploma(user=user, diploma=diploma, reason=row["reason"],
                                     issued_on=diploma.issued_on + datetime.timedelta(days=120))
        result.created.append(f"{row['action']} of {diploma.serial}")


def load_demo_certificates(demo_dir: Path = DEMO_DIR) -> DemoCertificates:
    """Load the demo certificates (run load_demo_data, load_classification_rules and load_demo_curricula first)."""
    result = DemoCertificates()
    user = get_user_model().objects.get(username=STAFF)
    institution = Institution.objects.get(code=INSTITUTION)
    with transaction.atomic():
        if not IssuingProfile.objects.filter(institution=institution).exists():
            profile = IssuingProfile(institution=institution, prefix="MT", serial_format="{prefix}/{year}/{seq:05d}",
                                     register_format="{seq:04d}/{year}/SG", place_vi="Tiền Giang",
                                     place_en="Tien Giang")
            profile.full_clean()
            profile.save()
            result.created.append(f"issuing profile of {institution.code}")
        _template(institution, result)
        learners = _rows(demo_dir / "learners.csv")
        cohorts = {}
        for row in _rows(demo_dir / "cohorts.csv"):
            cohort = cohorts[row["code"]] = _cohort(row, user, result)
            _learners(cohort, row, [r for r in learners if r["cohort"] == row["code"]], user)
    for row in _rows(demo_dir / "cohorts.csv"):
        _issue(cohorts[row["code"]], row, user, result)
    events = _rows(demo_dir / "events.csv")
    for code, cohort in cohorts.items():
        _events(cohort, [r for r in events if r["cohort"] == code], user, result)
    result.diplomas = demo_diplomas()
    return result


def demo_diplomas() -> dict[str, Diploma]:
    """One demo diploma of each status, for the demo's printed addresses."""
    diplomas = Diploma.objects.filter(institution__code=INSTITUTION).order_by("sequence")
    found = {}
    for label, status in (("valid", choices.DiplomaStatus.VALID), ("revoked", choices.DiplomaStatus.REVOKED),
                          ("re-issued (old)", choices.DiplomaStatus.REISSUED)):
        if (d := diplomas.filter(status=status, replaces__isnull=True).first()) is not None:
            found[label] = d
    if (d := diplomas.filter(replaces__isnull=False).first()) is not None:
        found["re-issued (new)"] = d
    return found
