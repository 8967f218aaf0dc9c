from django.urls import path

from . import views

app_name = "certificates"
urlpatterns = [
    path("", views.verify_lookup, name="lookup"),  # codes are 16 characters: never empty
    path("<str:code>/", views.verify_page, name="verify"),
    path("<str:code>/pdf/", views.verify_pdf, name="verify-pdf"),
]
