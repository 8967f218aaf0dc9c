import datetime
import time

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from certificates import batches, choices, services
from certificates.models import Cohort, IssueBatch

BAR_WIDTH = 40


class Command(BaseCommand):
    help = ("Issue the diplomas of a cohort in one batch: print the validation report (who can be issued, who "
            "cannot and why), then, with --yes, issue them through the task queue and show the progress. "
            "With --here the chunks run in this process instead of on the workers.")

    def add_arguments(self, parser):
        parser.add_argument("--cohort", type=int, required=True, help="cohort id")
        parser.add_argument("--user", required=True, help="username of the school staff member who issues")
        parser.add_argument("--issued-on", type=datetime.date.fromisoformat, help="issue date, YYYY-MM-DD")
        parser.add_argument("--yes", action="store_true", help="issue after the report (otherwise only report)")
        parser.add_argument("--here", action="store_true", help="run the chunks in this process, not on workers")
        parser.add_argument("--timeout", type=float, default=3600, help="seconds to wait for the workers")

    def handle(self, *args, cohort, user, issued_on=None, yes=False, here=False, timeout=3600, **options):
        actor = get_user_model().objects.filter(username=user).first()
        if actor is None:
            raise CommandError(f"No user {user!r}.")
        cohort_obj = Cohort.objects.select_related("curriculum_version__curriculum__institution").filter(
            pk=cohort).first()
        if cohort_obj is None:
            raise CommandError(f"No cohort with id {cohort}.")
        try:
            batch = batches.prepare_batch(user=actor, cohort=cohort_obj, issued_on=issued_on)
        except (PermissionDenied, ValidationError) as error:
            raise CommandError(_message(error)) from error
        self._report(batch)
        if not yes:
            self.stdout.write(f"Batch {batch.pk} checked; run again with --yes to issue.")
            return
        try:
            batch = batches.start_batch(user=actor, batch=batch, enqueue=not here)
        except (PermissionDenied, ValidationError) as error:
            raise CommandError(_message(error)) from error
        if here:
            for chunk in batches.pending_chunks(batch):
                batches.run_chunk(batch.pk, chunk, assemble_here=True)
                self._progress(IssueBatch.objects.get(pk=batch.pk))
        batch = self._wait(batch.pk, timeout)
        self.stdout.write("")
        summary = batches.batch_summary(batch)
        self.stdout.write(f"Issued {summary['issued']}, failed {summary['failed']}; status: {batch.status}.")
        if batch.archive:
            self.stdout.write(f"ZIP: {batch.archive.name}")
        if batch.print_pdf:
            self.stdout.write(f"Print-ready PDF: {batch.print_pdf.name}")
        if batch.status == choices.BatchStatus.FAILED or summary["failed"]:
            raise CommandError(batch.error or "Some diplomas could not be issued; see the batch in the admin.")

    def _report(self, batch: IssueBatch) -> None:
        items = batch.items.select_related("enrolment__learner").order_by("pk")
        summary = batches.batch_summary(batch)
        self.stdout.write(f"Batch {batch.pk} for {batch.cohort}: {summary['ready']} can be issued, "
                          f"{summary['refused']} cannot, {summary['already_issued']} already issued.")
        for item in items:
            if item.outcome == choices.BatchItemOutcome.REFUSED:
                reasons = "; ".join(services.refusal_message(r["code"], r["message"]) for r in item.reasons)
                self.stdout.write(f"  cannot: {item.enrolment.learner.full_name}: {reasons}")

    def _progress(self, batch: IssueBatch) -> None:
        done = batch.issued + batch.failed
        filled = BAR_WIDTH * batch.percent // 100
        self.stdout.write(f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {batch.percent:3d}% "
                          f"{done}/{batch.total} {batch.get_status_display()}", ending="")
        self.stdout.flush()

    def _wait(self, batch_id: int, timeout: float) -> IssueBatch:
        deadline, last_done, quiet_since = time.monotonic() + timeout, -1, time.monotonic()
        while True:
            batch = IssueBatch.objects.get(pk=batch_id)
            self._progress(batch)
            if batch.status in (choices.BatchStatus.DONE, choices.BatchStatus.FAILED):
                return batch
            done = batch.issued + batch.failed
            if done != last_done:
                last_done, quiet_since = done, time.monotonic()
            elif time.monotonic() - quiet_since > 15:
                self.stdout.write("\n(no progress for 15 s: is a worker running? `manage.py db_worker`, or "
                                  "`manage.py rqworker default` with TASKS_BACKEND=rq)")
                quiet_since = time.monotonic()
            if time.monotonic() > deadline:
                raise CommandError(f"Gave up waiting after {timeout:.0f} s; the batch goes on in the background.")
            time.sleep(0.5)


def _message(error) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(error.messages)
    return str(error) or "Permission denied."
