"""Background work of the certificates app, through django-tasks (docs/decisions/0001-task-queue.md).

Task functions take ids and call a service; progress lives on the IssueBatch row."""

from django_tasks import task


@task()
def issue_batch_chunk(batch_id: int, item_ids: list[int]) -> int:
    """Issue one chunk of a batch (certificates.batches.run_chunk)."""
    from .batches import run_chunk

    return run_chunk(batch_id, item_ids)


@task()
def assemble_batch(batch_id: int) -> str:
    """Build a finished batch's ZIP of single PDFs (then the batch is done)."""
    from .batches import assemble

    return assemble(batch_id).status


@task()
def build_batch_print_pdf(batch_id: int) -> str:
    """Build a finished batch's print-ready PDF."""
    from .batches import build_print_pdf

    return build_print_pdf(batch_id).print_pdf.name
