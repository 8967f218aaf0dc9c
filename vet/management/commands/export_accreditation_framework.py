from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from vet.exports import framework_xlsx
from vet.models import AccreditationFramework


class Command(BaseCommand):
    help = "Write an accreditation framework (criteria and standards) to an XLSX workbook that imports back unchanged."

    def add_arguments(self, parser):
        parser.add_argument("code")
        parser.add_argument("file")

    def handle(self, *args, code, file, **options):
        framework = AccreditationFramework.objects.select_related("document").filter(code=code).first()
        if framework is None:
            raise CommandError(f"No accreditation framework with the code {code!r}.")
        Path(file).write_bytes(framework_xlsx(framework))
        self.stdout.write(self.style.SUCCESS(f"{framework.code} written to {file}."))
