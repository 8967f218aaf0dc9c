"""VET models: the registry, accreditation (frameworks, self- and external assessment, action items, campaigns)
and tier readiness (profiles, outcomes, equipment), plan targets and entered actuals."""

from .accreditation import (
    AccreditationFramework,
    ActionItem,
    Campaign,
    CouncilMember,
    Criterion,
    Evidence,
    EvidenceVersion,
    ExternalAssessment,
    ExternalRating,
    Finding,
    SelfAssessment,
    SelfAssessmentRating,
    SelfAssessmentRule,
    Standard,
    evidence_upload_to,
)
from .imports import ImportJob
from .registry import (
    Authority,
    BilingualNameMixin,
    EnterprisePartner,
    Institution,
    KeyOccupationDesignation,
    LegalDocument,
    Membership,
    Occupation,
    OccupationField,
    Province,
    RegistryModel,
    ScopeEntry,
    SearchableModel,
    Teacher,
    ValidityMixin,
    institution_code_validator,
    occupation_code_validator,
)
from .targets import ActualValue, ProvinceReport, TargetIndicator
from .tiers import EquipmentChecklist, EquipmentItem, OccupationOutcome, ReadinessIndicator, ReadinessProfile

__all__ = [
    "ImportJob",
    "AccreditationFramework", "ActionItem", "ActualValue", "Authority", "BilingualNameMixin", "Campaign",
    "CouncilMember", "Criterion", "EnterprisePartner", "EquipmentChecklist", "EquipmentItem", "Evidence",
    "EvidenceVersion",
    "ExternalAssessment", "ExternalRating", "Finding", "Institution", "KeyOccupationDesignation", "LegalDocument",
    "Membership", "Occupation", "OccupationField", "OccupationOutcome", "Province", "ProvinceReport",
    "ReadinessIndicator",
    "ReadinessProfile", "RegistryModel", "ScopeEntry", "SearchableModel", "SelfAssessment", "SelfAssessmentRating",
    "SelfAssessmentRule",
    "Standard", "TargetIndicator", "Teacher", "ValidityMixin", "evidence_upload_to", "institution_code_validator",
    "occupation_code_validator",
]
