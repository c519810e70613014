from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST


def home(request):
    return render(request, "home.html", {"name": request.GET.get("name", "world"), "items": ["routing", "templates", "JSON"]})


def item(request, item_id):
    if item_id == 0:
        raise Http404("no such item")
    return JsonResponse({"item": item_id, "method": request.method})


@require_POST
def echo(request):
    # A form post, without CSRF protection (no session here): an example only.
    return JsonResponse({"form": request.POST.dict(), "content_type": request.content_type})


echo.csrf_exempt = True
