"""Background work of the registry, through django-tasks (docs/decisions/0001-task-queue.md)."""

from django_tasks import task


@task()
def build_province_report(report_id: int) -> str:
    """Build a province's yearly report (vet.province_reports.build_report); progress lives on the row."""
    from .province_reports import build_report

    return build_report(report_id).status


@task()
def check_import(job_id: int) -> str:
    """Check an uploaded import file (vet.imports.jobs.check); progress lives on the job."""
    from .imports import jobs

    return jobs.check(job_id).status


@task()
def write_import(job_id: int) -> str:
    """Write a confirmed import, all rows or none (vet.imports.jobs.write)."""
    from .imports import jobs

    return jobs.write(job_id).status
