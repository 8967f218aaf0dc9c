"""Background work of the registry, through django-tasks (docs/decisions/0001-task-queue.md)."""

from django_tasks import task


@task()
def build_province_report(report_id: int) -> str:
    """Build a province's yearly report (vet.province_reports.build_report); progress lives on the row."""
    from .province_reports import build_report

    return build_report(report_id).status
