from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = _("Certificates")

    def ready(self) -> None:
        from vet import permissions

        from .models import ClassificationRule, Cohort, Diploma, DiplomaTemplate, Enrolment, IssueBatch, IssuingProfile

        everything = (permissions.VIEW, permissions.ADD, permissions.CHANGE, permissions.DELETE)
        # School staff keep their own learners' records and issue their diplomas; officers of the province read
        # them. The public sees a diploma only through its verification code (certificates.views).
        for model, path in (
            (Cohort, "curriculum_version__curriculum__institution_id"),
            (Enrolment, "cohort__curriculum_version__curriculum__institution_id"),
            (DiplomaTemplate, "institution_id"),
            (IssuingProfile, "institution_id"),
            (IssueBatch, "institution_id"),
        ):
            permissions.register_institution_model(
                model, institution_path=path, province_path=path.removesuffix("_id") + "__province_id",
                officer_actions={permissions.VIEW}, staff_actions=everything,
            )
        # Diplomas are never deleted or edited: issue (ADD), revoke and re-issue (CHANGE) go through the register.
        permissions.register_institution_model(
            Diploma, institution_path="institution_id", province_path="institution__province_id",
            officer_actions={permissions.VIEW}, staff_actions={permissions.VIEW, permissions.ADD, permissions.CHANGE},
        )
        # The classification bands are published law (Circular 04/2022): everyone reads them, administrators edit.
        permissions.register_public_model(ClassificationRule)
