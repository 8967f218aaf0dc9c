"""One factory per model."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from curricula import choices as curricula_choices
from curricula.models import (
    ComponentUnitMapping,
    Curriculum,
    CurriculumComponent,
    CurriculumVersion,
    PerformanceCriterion,
    SkillFramework,
    SkillUnit,
)
from vet import choices
from vet.models import (
    AccreditationFramework,
    Authority,
    Criterion,
    EnterprisePartner,
    Institution,
    KeyOccupationDesignation,
    LegalDocument,
    Membership,
    Occupation,
    OccupationField,
    Province,
    ScopeEntry,
    Standard,
    Teacher,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("pass-word-123")


class LegalDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LegalDocument

    number = factory.Sequence(lambda n: f"{n + 100}/QĐ-UBND")
    kind = choices.LegalDocumentKind.DECISION
    issuer = "Ủy ban nhân dân tỉnh"
    title_vi = factory.Sequence(lambda n: f"Quyết định số {n}")
    issued_on = datetime.date(2021, 6, 1)
    effective_from = datetime.date(2021, 6, 1)


class ProvinceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Province

    code = factory.Sequence(lambda n: f"{(n % 900) + 100}")
    name_vi = factory.Sequence(lambda n: f"Tỉnh Thử {n}")
    name_en = factory.Sequence(lambda n: f"Test Province {n}")
    region = choices.Region.MEKONG_DELTA


class AuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Authority

    level = choices.AuthorityLevel.PROVINCIAL
    province = factory.SubFactory(ProvinceFactory)
    name_vi = factory.LazyAttribute(lambda a: f"Sở Giáo dục và Đào tạo {a.province.name_vi}")
    name_en = factory.LazyAttribute(lambda a: f"Department of Education and Training of {a.province.name_en}")
    short_name = "DOET"
    valid_from = datetime.date(2025, 3, 1)


class OccupationFieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OccupationField
        django_get_or_create = ("code",)

    code = "52"
    name_vi = "Kỹ thuật"
    name_en = "Engineering"


class OccupationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Occupation
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"652{n:04d}")
    name_vi = factory.Sequence(lambda n: f"Nghề thử {n}")
    name_en = factory.Sequence(lambda n: f"Test occupation {n}")


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    code = factory.Sequence(lambda n: f"INST-{n:03d}")
    name_vi = factory.Sequence(lambda n: f"Trường Cao đẳng Thử {n}")
    name_en = factory.Sequence(lambda n: f"Test College {n}")
    type = choices.InstitutionType.COLLEGE
    ownership = choices.Ownership.PUBLIC
    province = factory.SubFactory(ProvinceFactory)


class ScopeEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScopeEntry

    institution = factory.SubFactory(InstitutionFactory)
    occupation = factory.SubFactory(OccupationFactory)
    level = factory.LazyAttribute(lambda s: s.occupation.level)
    annual_quota = 100


class KeyOccupationDesignationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KeyOccupationDesignation
        skip_postgeneration_save = True

    institution = factory.SubFactory(InstitutionFactory)
    occupation = factory.SubFactory(OccupationFactory)
    level = factory.LazyAttribute(lambda d: d.occupation.level)
    tier = choices.Tier.NATIONAL
    period_start = 2021
    period_end = 2030
    decision = factory.SubFactory(LegalDocumentFactory)

    @factory.post_generation
    def in_scope(self, create, extracted, **kwargs):
        if create and extracted is not False:
            ScopeEntry.objects.get_or_create(
                institution=self.institution, occupation=self.occupation, level=self.level,
                defaults={"annual_quota": 100},
            )


class TeacherFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Teacher

    institution = factory.SubFactory(InstitutionFactory)
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn Thử {n}")
    degree = choices.Degree.BACHELOR
    field_of_study = "Điện công nghiệp"
    has_pedagogy_certificate = True
    foreign_language_level = 3
    industry_years = 2


class EnterprisePartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EnterprisePartner

    institution = factory.SubFactory(InstitutionFactory)
    name = factory.Sequence(lambda n: f"Công ty TNHH Thử {n}")
    sector = "Sản xuất"
    agreement_type = choices.AgreementType.INTERNSHIP
    since = datetime.date(2020, 1, 1)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = choices.Role.SCHOOL_STAFF


class CurriculumFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Curriculum
        skip_postgeneration_save = True

    institution = factory.SubFactory(InstitutionFactory)
    occupation = factory.SubFactory(OccupationFactory)
    level = factory.LazyAttribute(lambda c: c.occupation.level)
    entry_requirement = curricula_choices.EntryRequirement.UPPER_SECONDARY

    @factory.post_generation
    def in_scope(self, create, extracted, **kwargs):
        if create and extracted is not False:
            ScopeEntry.objects.get_or_create(
                institution=self.institution, occupation=self.occupation, level=self.level,
                defaults={"annual_quota": 100},
            )


class CurriculumVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CurriculumVersion

    curriculum = factory.SubFactory(CurriculumFactory)
    decision_number = factory.Sequence(lambda n: f"{n + 1}/QĐ-CĐ")
    decision_date = datetime.date(2025, 6, 1)
    signer = "Hiệu trưởng"


class CurriculumComponentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CurriculumComponent

    version = factory.SubFactory(CurriculumVersionFactory)
    kind = curricula_choices.ComponentKind.MODULE
    code = factory.Sequence(lambda n: f"MĐ{n + 1:02d}")
    name_vi = factory.Sequence(lambda n: f"Mô-đun thử {n}")
    group = curricula_choices.ComponentGroup.SPECIALISED
    credits = Decimal(3)
    theory_hours = 15
    practice_hours = 56
    exam_hours = 4


class SkillFrameworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SkillFramework

    kind = curricula_choices.FrameworkKind.NATIONAL
    code = factory.Sequence(lambda n: f"TCKNN-{n + 1:03d}")
    name_vi = factory.Sequence(lambda n: f"Tiêu chuẩn kỹ năng nghề thử {n}")


class SkillUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SkillUnit

    framework = factory.SubFactory(SkillFrameworkFactory)
    code = factory.Sequence(lambda n: f"U{n + 1:02d}")
    name_vi = factory.Sequence(lambda n: f"Đơn vị năng lực {n}")
    group = curricula_choices.UnitGroup.SPECIALISED
    level = 3
    nominal_hours = 60


class PerformanceCriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PerformanceCriterion

    unit = factory.SubFactory(SkillUnitFactory)
    number = factory.Sequence(lambda n: n + 1)
    text_vi = "Thực hiện đúng quy trình"


class ComponentUnitMappingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ComponentUnitMapping

    component = factory.SubFactory(CurriculumComponentFactory)
    unit = factory.SubFactory(SkillUnitFactory)
    coverage = curricula_choices.Coverage.FULL


class AccreditationFrameworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccreditationFramework

    document = factory.SubFactory(LegalDocumentFactory, kind=choices.LegalDocumentKind.CIRCULAR)
    code = factory.Sequence(lambda n: f"FW-{n + 1:03d}")
    name_vi = factory.Sequence(lambda n: f"Bộ tiêu chí thử {n}")
    target = choices.AccreditationTarget.SCHOOL
    points_per_standard = Decimal(2)


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    framework = factory.SubFactory(AccreditationFrameworkFactory)
    number = factory.Sequence(lambda n: n + 1)
    name_vi = factory.Sequence(lambda n: f"Tiêu chí {n}")


class StandardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Standard

    criterion = factory.SubFactory(CriterionFactory)
    code = factory.Sequence(lambda n: f"1.{n + 1}")
    text_vi = "Tiêu chuẩn thử"


class LearnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "certificates.Learner"

    citizen_id = factory.Sequence(lambda n: f"{82200000000 + n:012d}")
    full_name = factory.Sequence(lambda n: f"Nguyễn Thị Ánh Tuyết {n}")
    date_of_birth = datetime.date(2004, 3, 15)
    sex = "female"
    place_of_birth = "Tiền Giang"
    ethnicity = "Kinh"


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "certificates.Cohort"

    curriculum_version = factory.SubFactory(
        CurriculumVersionFactory, status=curricula_choices.VersionStatus.APPROVED,
        approved_on=datetime.date(2025, 6, 1),
    )
    code = factory.Sequence(lambda n: f"CĐ-ĐCN-K{n}")
    intake_year = 2023
    grading_scale = "credit_4"
    college_title = "practical_engineer"


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "certificates.Enrolment"

    cohort = factory.SubFactory(CohortFactory)
    learner = factory.SubFactory(LearnerFactory)
    final_score = Decimal("3.20")
    all_credits_completed = True
    classification = "very_good"
    graduated = True
    graduation_decision_number = "123/QĐ-CĐ"
    graduation_date = datetime.date(2026, 6, 30)


class DiplomaTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "certificates.DiplomaTemplate"

    institution = factory.SubFactory(InstitutionFactory)
    name = "Mẫu bằng tốt nghiệp"
    signer_name = "Trần Văn Bình"


class ApprovedCurriculumVersionFactory(CurriculumVersionFactory):
    """An approved version written straight to the table, for reads; the workflow itself is tested through
    curricula.services."""

    status = curricula_choices.VersionStatus.APPROVED
    approved_on = datetime.date(2025, 6, 2)


class ChildPageFactory(factory.django.DjangoModelFactory):
    """A Wagtail page added under `parent` (required), in the parent's language."""

    class Meta:
        abstract = True

    parent = None
    title = factory.Sequence(lambda n: f"Trang thử {n}")
    slug = factory.Sequence(lambda n: f"trang-thu-{n}")
    locale = factory.LazyAttribute(lambda p: p.parent.locale)

    @classmethod
    def _create(cls, model_class, *args, parent, **kwargs):
        return parent.add_child(instance=model_class(*args, **kwargs))


class NewsPageFactory(ChildPageFactory):
    class Meta:
        model = "cms.NewsPage"

    title = factory.Sequence(lambda n: f"Tin thử {n}")
    slug = factory.Sequence(lambda n: f"tin-thu-{n}")
    intro = "Tóm tắt tin."
    body = "<p>Nội dung tin.</p>"


class ContentPageFactory(ChildPageFactory):
    class Meta:
        model = "cms.ContentPage"

    body = "<p>Nội dung trang.</p>"
