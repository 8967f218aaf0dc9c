from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from vet.loaders import load_accreditation_frameworks


class Command(BaseCommand):
    help = (
        "Load the accreditation frameworks of vet/data/accreditation/ (Circulars 15/2017 and 14/2024) and the legal "
        "documents they rest on. Idempotent: rows are matched on their natural key, and unchanged rows are left alone."
    )

    def handle(self, *args, **options):
        try:
            summary = load_accreditation_frameworks()
        except (ValidationError, KeyError, ValueError) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [repr(exc)]
            raise CommandError("Accreditation frameworks rejected, nothing was written:\n" + "\n".join(messages))
        for line in summary.lines():
            self.stdout.write(line)
        self.stdout.write(
            self.style.SUCCESS(
                f"Accreditation frameworks loaded: {summary.total('created')} created, "
                f"{summary.total('updated')} updated."
            )
        )
