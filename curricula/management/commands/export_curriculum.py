from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from curricula.exports import export_version_xlsx
from curricula.models import CurriculumVersion


class Command(BaseCommand):
    help = ("Export a curriculum version to XLSX: sheets 'components' (imports back with import_curriculum), "
            "'version' and 'instructions'.")

    def add_arguments(self, parser):
        parser.add_argument("version_id", type=int)
        parser.add_argument("-o", "--output", help="File to write; curriculum-version-<id>.xlsx by default.")

    def handle(self, *args, version_id, output=None, **options):
        version = CurriculumVersion.objects.filter(pk=version_id).select_related(
            "curriculum__institution", "curriculum__occupation").first()
        if version is None:
            raise CommandError(f"No curriculum version {version_id}.")
        path = Path(output or f"curriculum-version-{version_id}.xlsx")
        path.write_bytes(export_version_xlsx(version))
        self.stdout.write(self.style.SUCCESS(f"Version {version_id} written to {path}."))
