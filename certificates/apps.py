from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = _("Certificates")

    def ready(self) -> None:
        from vet import permissions

        from . import choices
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

        # Plan targets count the diplomas and certificates issued (re-issues are not new graduates).
        from django.db.models import Count
        from django.db.models.functions import ExtractYear

        from vet import choices as vet_choices
        from vet import target_actuals

        def diplomas_issued_counts(scope, years):
            counts = {}
            for institution_id, year, n in (
                Diploma.objects.filter(institution__in=scope.institutions(), replaces__isnull=True,
                                       issued_on__year__in=years)
                .exclude(status=choices.DiplomaStatus.PENDING)
                .annotate(issue_year=ExtractYear("issued_on")).values_list("institution_id", "issue_year")
                .annotate(n=Count("pk")).values_list("institution_id", "issue_year", "n").order_by()
            ):
                counts.setdefault(institution_id, {})[year] = n
            return counts

        target_actuals.register_count_source(vet_choices.TargetMetric.DIPLOMAS_ISSUED, diplomas_issued_counts)

        # Learners and results in the bulk imports (vet.imports).
        from vet import imports

        imports.register_module("certificates.bulk_importers")
