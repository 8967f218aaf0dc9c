from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from vet.demo import load_demo_data
from vet.importers import ImportRejected


class Command(BaseCommand):
    help = (
        "Load the reference data and a fictitious demo registry (Tiền Giang / Đồng Tháp, Hải Phòng / Hải Dương) "
        "with one login per role. Idempotent: a second run creates nothing. Needs VETTRACK_DEMO=True."
    )

    def handle(self, *args, **options):
        if not settings.VETTRACK_DEMO:
            raise CommandError(
                "Demo data is loaded only in demo mode: set VETTRACK_DEMO=True (the development settings do)."
            )
        try:
            result = load_demo_data()
        except ImportRejected as exc:
            raise CommandError(f"Reference data rejected, nothing was written:\n{exc}")
        except ValidationError as exc:
            raise CommandError("Demo data rejected, nothing was written:\n" + "\n".join(exc.messages))
        for line in result.summary.lines():
            self.stdout.write(line)
        created, updated = result.summary.total("created"), result.summary.total("updated")
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded: {created} created, {updated} updated."))
        self.stdout.write("The demo logins: manage.py demo_info")
        for username in result.password_changed:
            self.stdout.write(
                self.style.WARNING(f"{username} already existed with another password; it was left unchanged.")
            )
