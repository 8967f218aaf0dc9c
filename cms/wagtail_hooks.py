"""Admin hooks of the public site."""

from wagtail import hooks


@hooks.register("after_publish_page")
def resync_generated_page(request, page):
    """A program or school page an editor publishes (an SEO description, a profile) gets the registry's facts back
    at once: a revision drafted before the last sync must not bring old facts back to the public."""
    from cms import services
    from cms.models import ProgramPage, SchoolPage

    specific = page.specific
    if isinstance(specific, ProgramPage) and specific.curriculum_id:
        services.sync_program_pages([specific.curriculum_id])
    elif isinstance(specific, SchoolPage) and specific.institution_id:
        services.sync_school_pages([specific.institution_id])
