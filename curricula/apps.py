from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CurriculaConfig(AppConfig):
    name = "curricula"
    verbose_name = _("Curricula")

    def ready(self) -> None:
        from django.db.models import Q

        from vet import permissions

        from . import choices
        from .models import Curriculum, CurriculumComponent, CurriculumVersion

        approved = choices.VersionStatus.APPROVED
        everything = (permissions.VIEW, permissions.ADD, permissions.CHANGE, permissions.DELETE)
        # Officers read (and comment on) the curricula of their province; school staff keep their own.
        # The public sees approved versions only, and the curricula that have one.
        permissions.register_institution_model(
            Curriculum,
            institution_path="institution_id",
            province_path="institution__province_id",
            officer_actions={permissions.VIEW},
            staff_actions=everything,
            public_rows=Q(pk__in=CurriculumVersion.objects.filter(status=approved).values("curriculum_id")),
        )
        permissions.register_institution_model(
            CurriculumVersion,
            institution_path="curriculum__institution_id",
            province_path="curriculum__institution__province_id",
            officer_actions={permissions.VIEW},
            staff_actions=everything,
            public_rows=Q(status=approved),
        )
        permissions.register_institution_model(
            CurriculumComponent,
            institution_path="version__curriculum__institution_id",
            province_path="version__curriculum__institution__province_id",
            officer_actions={permissions.VIEW},
            staff_actions=everything,
            public_rows=Q(version__status=approved),
        )
