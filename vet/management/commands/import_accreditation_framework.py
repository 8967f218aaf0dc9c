from django.core.management.base import BaseCommand

from vet.data_services import import_framework
from vet.importers import parse_framework

from ._spreadsheet import actor, rejected_as_command_error


class Command(BaseCommand):
    help = ("Create or update an accreditation framework from an XLSX workbook (sheets framework, criteria, "
            "standards, as written by export_accreditation_framework). All or nothing.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", help="Act as this user (must be an administrator; recorded in the history).")

    def handle(self, *args, file, user=None, **options):
        acting = actor(user)
        with rejected_as_command_error(file):
            workbook = parse_framework(file)
            framework, summary = import_framework(user=acting, workbook=workbook)
        self.stdout.write(self.style.SUCCESS(
            f"{framework.code}: {summary.created} created, {summary.updated} updated, {summary.unchanged} unchanged, "
            f"{summary.removed} removed."))
