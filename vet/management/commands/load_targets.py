from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from vet.loaders import load_targets


class Command(BaseCommand):
    help = (
        "Load the plan targets of vet/data/targets.csv (Decision 2239/QĐ-TTg and the provincial plans), each with its "
        "source document. Idempotent. A province's targets wait until the province is in the registry."
    )

    def handle(self, *args, **options):
        try:
            summary = load_targets()
        except (ValidationError, KeyError, ValueError) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [repr(exc)]
            raise CommandError("Targets rejected, nothing was written:\n" + "\n".join(messages))
        for line in summary.lines():
            self.stdout.write(line)
