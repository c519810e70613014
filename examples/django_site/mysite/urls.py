from django.urls import path

from . import views
from .notes import views as notes

urlpatterns = [
    path("", views.home),
    path("items/<int:item_id>/", views.item),
    path("echo/", views.echo),
    path("notes/", notes.notes),
    path("notes/batch/", notes.batch),
]
