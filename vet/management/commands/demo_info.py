from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import DatabaseError

from vet.demo import list_demo_users, login_lines


class Command(BaseCommand):
    help = "Print the demo site's addresses and the demo logins (loaded by load_demo_data)."

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default="http://127.0.0.1:8000", help="Where the site is served.")

    def handle(self, *args, base_url, **options):
        base = base_url.rstrip("/")
        users = list_demo_users()
        try:
            existing = set(
                get_user_model()
                .objects.filter(username__in=[u.username for u in users])
                .values_list("username", flat=True)
            )
        except DatabaseError:  # not migrated yet
            existing = set()
        self.stdout.write(self.style.SUCCESS("VETtrack demo"))
        for label, path in (("Site", "/"), ("English", "/en/"), ("Programs", "/chuong-trinh/"),
                            ("Admin", "/admin/"), ("API root", "/api/v1/"), ("API docs", "/api/docs/")):
            self.stdout.write(f"  {label + ':':<10} {base}{path}")
        self.stdout.write("\nTo try (docs/guides/targets.md, docs/guides/imports.md):")
        for label, path in (("Targets dashboard, reports (admin, officers)", "/admin/targets/"),
                            ("Data imports (admin, school staff)", "/admin/imports/")):
            self.stdout.write(f"  {label + ':':<46} {base}{path}")
        self.stdout.write("  Demo learner files, with errors then clean: certificates/data/demo/imports/")
        try:
            from certificates.demo import demo_diplomas

            diplomas = demo_diplomas()
        except DatabaseError:
            diplomas = {}
        if diplomas:
            self.stdout.write("\nDemo diplomas to verify (or scan the QR code of their PDFs):")
            for label, diploma in diplomas.items():
                self.stdout.write(f"  {label + ':':<17} {base}/verify/{diploma.code}/  ({diploma.serial})")
        self.stdout.write("\nDemo logins (username, password, role):")
        for line in login_lines(users, existing):
            self.stdout.write(line)
