from django.urls import path

from . import views

app_name = "certificates"
urlpatterns = [
    path("<str:code>/", views.verify_page, name="verify"),
    path("<str:code>/pdf/", views.verify_pdf, name="verify-pdf"),
]
