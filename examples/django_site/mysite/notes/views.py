"""Notes kept in the site's SQLite database through Django's ORM: a list (filtered, counted and
grouped by date, which Django's SQLite backend computes with SQL functions written in Python), a
form post that creates one, and a post that fails halfway inside a transaction and leaves nothing."""
from django.db import transaction
from django.db.models import Count
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from .models import Note


@csrf_exempt
def notes(request):
    if request.method == "POST":
        note = Note.objects.create(text=request.POST["text"], author=request.POST.get("author", ""))
        return JsonResponse(note.as_dict(), status=201)
    found = Note.objects.order_by("id")
    if "author" in request.GET:
        found = found.filter(author=request.GET["author"])
    by_year = Note.objects.values("created__year").annotate(n=Count("id")).order_by("created__year")
    return JsonResponse({"notes": [n.as_dict() for n in found], "count": found.count(),
                         "this_year": Note.objects.filter(created__year=timezone.now().year).count(),
                         "by_year": {str(row["created__year"]): row["n"] for row in by_year}})


@csrf_exempt
def batch(request):
    """Creates one note per 'text' field, all or none: a text of 'fail' aborts the lot."""
    try:
        with transaction.atomic():
            made = [Note.objects.create(text=t, author="batch") for t in request.POST.getlist("text")]
            if any(n.text == "fail" for n in made):
                raise ValueError("a note said fail")
    except ValueError as e:
        return JsonResponse({"error": str(e), "kept": Note.objects.filter(author="batch").count()}, status=400)
    return JsonResponse({"made": [n.id for n in made]}, status=201)
