from django.core.management.base import BaseCommand

from vet.data_services import import_equipment
from vet.importers import parse_equipment

from ._spreadsheet import actor, rejected_as_command_error


class Command(BaseCommand):
    help = ("Import equipment checklists from a CSV or XLSX file, one row per item (columns: institution_code, "
            "occupation_code, level, reference, item, unit, required, held). All or nothing; existing checklists "
            "and items (same name) are updated, items not in the file are left alone.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", help="Act as this user (their scope applies; recorded in the history).")

    def handle(self, *args, file, user=None, **options):
        acting = actor(user)
        with rejected_as_command_error(file):
            rows = parse_equipment(file, user=acting)
            lists, items = import_equipment(user=acting, rows=rows)
        self.stdout.write(self.style.SUCCESS(
            f"{len(rows)} rows: checklists {lists.created} created, {lists.updated} updated; items {items.created} "
            f"created, {items.updated} updated, {items.unchanged} unchanged."))
