"""Public site pages: the home page, the program catalogue, school pages, news and plain content pages.

Program and school pages are generated from the registry (`cms.services.sync_public_pages`); editors write news
and content pages and translate them in Wagtail."""

from .catalogue import ProgramIndexPage, ProgramPage
from .pages import ContentPage, HomePage, NewsIndexPage, NewsPage
from .schools import SchoolIndexPage, SchoolPage

__all__ = [
    "ContentPage", "HomePage", "NewsIndexPage", "NewsPage", "ProgramIndexPage", "ProgramPage", "SchoolIndexPage",
    "SchoolPage",
]
