from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from vet.importers import ImportRejected
from vet.loaders import DATA_DIR, load_reference_data


class Command(BaseCommand):
    help = (
        "Load the reference data of vet/data/ (legal documents, occupation fields, occupation catalogue). "
        "Idempotent: rows are matched on number or code, and unchanged rows are left alone."
    )

    def handle(self, *args, **options):
        try:
            summary = load_reference_data()
        except ImportRejected as exc:
            raise CommandError(f"{DATA_DIR / 'occupations.csv'} rejected, nothing was written:\n{exc}")
        except ValidationError as exc:
            raise CommandError("Reference data rejected, nothing was written:\n" + "\n".join(exc.messages))
        for line in summary.lines():
            self.stdout.write(line)
        self.stdout.write(
            self.style.SUCCESS(
                f"Reference data loaded: {summary.total('created')} created, {summary.total('updated')} updated."
            )
        )
