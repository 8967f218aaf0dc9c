from pathlib import Path

from django.core.management.base import BaseCommand

from curricula.exports import component_template_xlsx


class Command(BaseCommand):
    help = "Write the empty XLSX template of curriculum components, with its instructions sheet."

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", required=True, help="File to write.")

    def handle(self, *args, output, **options):
        Path(output).write_bytes(component_template_xlsx())
        self.stdout.write(self.style.SUCCESS(f"Template written to {output}."))
