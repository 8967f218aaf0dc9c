"""Fixtures of the certificates tests: a school with an approved college program, a template and a numbering."""

import datetime

import pytest

from certificates.loaders import load_classification_rules
from certificates.models import IssuingProfile
from tests import factories


@pytest.fixture
def rules(db):
    load_classification_rules()


@pytest.fixture
def cohort(world):
    occupation = factories.OccupationFactory(code="6520227", name_vi="Điện công nghiệp",
                                             name_en="Industrial Electricity")
    curriculum = factories.CurriculumFactory(institution=world.school_a, occupation=occupation)
    version = factories.CurriculumVersionFactory(curriculum=curriculum, status="approved",
                                                 approved_on=datetime.date(2025, 6, 1))
    factories.DiplomaTemplateFactory(institution=world.school_a)
    IssuingProfile.objects.create(institution=world.school_a, prefix="CĐA", serial_format="{prefix}/{year}/{seq:05d}",
                                  register_format="{seq:04d}/{year}/SG")
    return factories.CohortFactory(curriculum_version=version)


def graduate(cohort, **learner):
    return factories.EnrolmentFactory(cohort=cohort, learner=factories.LearnerFactory(**learner))
