from django.urls import path

from certificates.views import DiplomaVerifyView

urlpatterns = [
    path("verify/<str:code>/", DiplomaVerifyView.as_view(), name="diploma-verify"),
]
