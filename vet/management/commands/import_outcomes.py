from django.core.management.base import BaseCommand

from vet.data_services import import_outcomes
from vet.importers import parse_outcomes

from ._spreadsheet import actor, rejected_as_command_error


class Command(BaseCommand):
    help = ("Import yearly outcomes from a CSV or XLSX file (columns: institution_code, occupation_code, level, "
            "year, enrolment, graduates, employed_6m, skill_level_1..5, source). All or nothing; existing rows "
            "(same institution, occupation, level, year) are updated.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", help="Act as this user (their scope applies; recorded in the history).")

    def handle(self, *args, file, user=None, **options):
        acting = actor(user)
        with rejected_as_command_error(file):
            rows = parse_outcomes(file, user=acting)
            summary = import_outcomes(user=acting, rows=rows)
        self.stdout.write(self.style.SUCCESS(
            f"{len(rows)} rows: {summary.created} created, {summary.updated} updated, {summary.unchanged} unchanged."))
