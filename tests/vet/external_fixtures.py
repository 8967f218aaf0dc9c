"""A framework of two criteria (2 + 1 standards) and a submitted self-assessment of school_a, made with the ORM."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from tests import factories
from vet import choices
from vet.models import Evidence, SelfAssessment, SelfAssessmentRating


def make_framework():
    framework = factories.AccreditationFrameworkFactory(code="EXT-FW", points_per_standard=Decimal(2),
                                                        min_total_points=Decimal(4))
    c1 = factories.CriterionFactory(framework=framework, number=1, name_vi="Sứ mạng")
    c2 = factories.CriterionFactory(framework=framework, number=2, name_vi="Tổ chức")
    standards = [factories.StandardFactory(criterion=c1, code="1.1"),
                 factories.StandardFactory(criterion=c1, code="1.2"),
                 factories.StandardFactory(criterion=c2, code="2.1")]
    return framework, standards


def make_submitted(institution, framework, standards, year=2025, met=(True, True, False)):
    sa = SelfAssessment.objects.create(
        institution=institution, framework=framework, year=year, status=choices.AssessmentStatus.SUBMITTED,
        submitted_at=timezone.make_aware(datetime.datetime(year, 5, 1, 10)))
    evidence = Evidence.objects.create(institution=institution, code=f"E-{year}-{institution.pk}",
                                       title="Quyết định thành lập")
    for standard, value in zip(standards, met, strict=True):
        rating = SelfAssessmentRating.objects.create(self_assessment=sa, standard=standard, met=value,
                                                     narrative=f"Narrative {standard.code}")
        rating.evidence.add(evidence)
    return sa


@pytest.fixture
def framework(db):
    return make_framework()


@pytest.fixture
def submitted(world, framework):
    fw, standards = framework
    return make_submitted(world.school_a, fw, standards)
