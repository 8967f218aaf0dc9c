"""Views of the certificates API: learners, cohorts, results, diplomas and issuing batches."""

from .batches import IssueBatchViewSet
from .diplomas import DiplomaViewSet
from .records import CohortViewSet, EnrolmentViewSet, LearnerViewSet

__all__ = ["CohortViewSet", "DiplomaViewSet", "EnrolmentViewSet", "IssueBatchViewSet", "LearnerViewSet"]
