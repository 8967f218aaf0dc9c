from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from certificates.loaders import load_classification_rules


class Command(BaseCommand):
    help = ("Load the graduation classification bands (Circular 04/2022) from certificates/data/, with their legal "
            "source and confirmed flag. Idempotent.")

    def handle(self, *args, **options):
        try:
            summary = load_classification_rules()
        except (ValidationError, KeyError, ValueError) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [repr(exc)]
            raise CommandError("Classification rules rejected, nothing was written:\n" + "\n".join(messages))
        self.stdout.write(self.style.SUCCESS(
            f"Classification rules loaded: {summary.total('created')} created, {summary.total('updated')} updated."))
