from .admin_reports import wagtail_hooks  # noqa: F401
