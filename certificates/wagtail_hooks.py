"""Certificates in the Wagtail back-office.

The "Certificates" submenu is defined in admin_views.main; every module below registers its own admin URLs and
adds its menu items through the hook ``register_certificates_menu_item``."""

from .admin_views import batches, imports, main, register_book  # noqa: F401
