"""The RQ worker of VETtrack (TASKS_BACKEND=rq): readies the diploma renderer once, before it forks the work
horses that run the jobs."""

from rq import Worker as RQWorker


class Worker(RQWorker):
    """Every work horse is forked from this process, so it inherits WeasyPrint, the fonts and the parsed stylesheet
    instead of loading them again for each chunk (about half a second of CPU each time)."""

    def work(self, *args, **kwargs):
        from certificates.rendering import warm_up

        warm_up()
        return super().work(*args, **kwargs)
