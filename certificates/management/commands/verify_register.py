from django.core.management.base import BaseCommand, CommandError

from certificates.services import verify_register
from vet.models import Institution


class Command(BaseCommand):
    help = ("Recompute the hash chain of the diploma register (sổ gốc) of every institution, or of the one given, "
            "and fail naming each entry that was changed, removed or inserted.")

    def add_arguments(self, parser):
        parser.add_argument("--institution", help="institution code (default: every institution)")

    def handle(self, *args, institution=None, **options):
        ids = None
        if institution:
            ids = list(Institution.objects.filter(code=institution).values_list("pk", flat=True))
            if not ids:
                raise CommandError(f"No institution with code {institution!r}.")
        problems = verify_register(ids)
        for p in problems:
            self.stderr.write(f"{p.institution_code} #{p.position}: {p.message}")
        if problems:
            raise CommandError(f"The register chain is broken: {len(problems)} problem(s).")
        self.stdout.write(self.style.SUCCESS("The register chain is intact."))
