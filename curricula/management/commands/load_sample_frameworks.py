from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.management.base import BaseCommand, CommandError

from curricula.loaders import load_sample_frameworks


class Command(BaseCommand):
    help = (
        "Load the sample skill frameworks of curricula/data/frameworks/ (ACCSTP front office, a German-style "
        "mechatronics qualification, a national standard for industrial electricity) with their units and "
        "criteria. They are illustrative samples, not the official texts. Idempotent."
    )

    def handle(self, *args, **options):
        try:
            summary = load_sample_frameworks()
        except (ValidationError, ObjectDoesNotExist, KeyError, ValueError) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [repr(exc)]
            raise CommandError("Sample frameworks rejected, nothing was written:\n" + "\n".join(messages))
        for line in summary.lines():
            self.stdout.write(line)
        self.stdout.write(
            self.style.SUCCESS(
                f"Sample frameworks loaded: {summary.total('created')} created, {summary.total('updated')} updated."
            )
        )
