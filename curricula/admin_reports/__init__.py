"""Wagtail back-office for skill standards, rule sets, the mapping and coverage of a version, and the
authority's reports. Permissions come from `vet.permissions`, writes go through the services."""
