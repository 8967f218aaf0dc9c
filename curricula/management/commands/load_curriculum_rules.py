from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from curricula.loaders import load_curriculum_rules


class Command(BaseCommand):
    help = (
        "Load the curriculum rule sets of curricula/data/ (Circulars 03/2017 and 01/2024) and the legal documents "
        "they cite. Idempotent: rows are matched on their natural key, and unchanged rows are left alone."
    )

    def handle(self, *args, **options):
        try:
            summary = load_curriculum_rules()
        except (ValidationError, KeyError, ValueError) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [repr(exc)]
            raise CommandError("Curriculum rules rejected, nothing was written:\n" + "\n".join(messages))
        for line in summary.lines():
            self.stdout.write(line)
        self.stdout.write(
            self.style.SUCCESS(
                f"Curriculum rules loaded: {summary.total('created')} created, {summary.total('updated')} updated."
            )
        )
