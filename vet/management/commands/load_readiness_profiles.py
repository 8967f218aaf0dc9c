from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from vet.loaders import load_readiness_profiles


class Command(BaseCommand):
    help = (
        "Load the default readiness profiles of key occupations (one per tier) and their indicators from "
        "vet/data/readiness/, with the legal documents they rest on. Idempotent: rows are matched on their natural "
        "key, and unchanged rows are left alone."
    )

    def handle(self, *args, **options):
        try:
            summary = load_readiness_profiles()
        except (ValidationError, KeyError, ValueError) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [repr(exc)]
            raise CommandError("Readiness profiles rejected, nothing was written:\n" + "\n".join(messages))
        for line in summary.lines():
            self.stdout.write(line)
        self.stdout.write(
            self.style.SUCCESS(
                f"Readiness profiles loaded: {summary.total('created')} created, {summary.total('updated')} updated."
            )
        )
