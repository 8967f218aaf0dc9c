from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from curricula import services
from curricula.importers import ImportRejected, parse_curriculum_components
from curricula.models import CurriculumVersion
from vet.permissions import SYSTEM


class Command(BaseCommand):
    help = ("Replace the components of a draft curriculum version with those of an XLSX (sheet 'components') or "
            "CSV file. A file with any bad row is rejected whole: the report names each row and column.")

    def add_arguments(self, parser):
        parser.add_argument("version_id", type=int)
        parser.add_argument("file")

    def handle(self, *args, version_id, file, **options):
        version = CurriculumVersion.objects.filter(pk=version_id).select_related("curriculum").first()
        if version is None:
            raise CommandError(f"No curriculum version {version_id}.")
        try:
            rows = parse_curriculum_components(Path(file), filename=file,
                                               credit_rules=services.credit_rules_for(version))
            summary = services.import_components(user=SYSTEM, version=version, rows=rows)
        except FileNotFoundError:
            raise CommandError(f"File not found: {file}")
        except ImportRejected as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{file} rejected ({len(exc.errors)} problem(s)), nothing was written.")
        except (PermissionDenied, ValidationError) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            raise CommandError(f"{file} rejected, nothing was written:\n" + "\n".join(messages))
        self.stdout.write(self.style.SUCCESS(
            f"{len(rows)} components: {summary.created} created, {summary.updated} updated, "
            f"{summary.removed} removed, {summary.unchanged} unchanged."))
