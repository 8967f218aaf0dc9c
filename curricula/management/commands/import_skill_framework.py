from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from curricula import services
from curricula.choices import FrameworkKind
from curricula.importers import ImportRejected, parse_skill_framework
from curricula.models import SkillFramework
from vet.permissions import SYSTEM
from vet.services import save_registry_object


class Command(BaseCommand):
    help = ("Import the competency units and performance criteria of a skill framework from an XLSX file with "
            "sheets 'units' and 'criteria'. A file with any bad row is rejected whole.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--framework", required=True, help="Code of the skill framework.")
        parser.add_argument("--create", action="store_true", help="Create the framework when it does not exist.")
        parser.add_argument("--kind", choices=FrameworkKind.values)
        parser.add_argument("--name-vi", dest="name_vi")
        parser.add_argument("--name-en", dest="name_en", default="")

    def handle(self, *args, file, framework, create=False, kind=None, name_vi=None, name_en="", **options):
        existing = SkillFramework.objects.filter(code=framework).first()
        if existing is None and not create:
            raise CommandError(f"No skill framework {framework!r}; add it first or pass --create --kind --name-vi.")
        if existing is None and not (kind and name_vi):
            raise CommandError("--create needs --kind and --name-vi.")
        try:
            units, criteria = parse_skill_framework(file)
            with transaction.atomic():
                if existing is None:
                    existing = save_registry_object(user=SYSTEM, instance=SkillFramework(
                        code=framework, kind=kind, name_vi=name_vi, name_en=name_en))
                summary = services.import_skill_units(user=SYSTEM, framework=existing, units=units,
                                                      criteria=criteria)
        except FileNotFoundError:
            raise CommandError(f"File not found: {file}") from None
        except ImportRejected as exc:
            raise CommandError(f"{file} rejected, nothing was written:\n{exc}") from None
        except (PermissionDenied, ValidationError) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            raise CommandError(f"{file} rejected, nothing was written:\n" + "\n".join(messages)) from None
        self.stdout.write(self.style.SUCCESS(
            f"{len(units)} units ({summary.units_created} created, {summary.units_updated} updated), "
            f"{len(criteria)} criteria ({summary.criteria_created} created, {summary.criteria_updated} updated)."))
