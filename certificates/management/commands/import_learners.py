from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from certificates import importers
from certificates.models import Cohort
from vet.management.commands._spreadsheet import actor


class Command(BaseCommand):
    help = (
        "Import the learners of a cohort from an XLSX file (columns citizen_id, full_name, date_of_birth, sex, "
        "place_of_birth, ethnicity, student_number). All or nothing: a file with any bad row is rejected and every "
        "problem printed by row and column. Importing the same file again changes nothing."
    )
    kind = importers.LEARNERS

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx file")
        parser.add_argument("--cohort", type=int, required=True, help="id of the cohort")
        parser.add_argument("--user", required=True, help="act as this user (their school's permissions apply)")
        parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")

    def handle(self, *args, file, cohort, user, dry_run=False, **options):
        acting = actor(user)
        target = Cohort.objects.select_related("curriculum_version__curriculum__institution").filter(pk=cohort).first()
        if target is None:
            raise CommandError(f"No cohort {cohort}.")
        try:
            summary = importers.import_file(file, user=acting, cohort=target, kind=self.kind, dry_run=dry_run)
        except FileNotFoundError:
            raise CommandError(f"File not found: {file}")
        except PermissionDenied as exc:
            raise CommandError(f"{file} rejected, nothing was written: {exc}")
        except importers.ImportRejected as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{file} rejected ({len(exc.errors)} problem(s)), nothing was written.")
        self.stdout.write(self.style.SUCCESS(summary.describe()))
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
