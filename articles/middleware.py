from http import HTTPStatus

from django.http import Http404, HttpResponsePermanentRedirect, JsonResponse, QueryDict
from django.shortcuts import render

from articles.models import ArticleRedirect

API_PREFIX = "/api/"


class OldAddressRedirectMiddleware:
    """Send readers from a story's old address (changed slug or date, or a migrated site's
    permalink) to where it lives now.

    Looked up only on a 404, plus on the front page with a query string, where WordPress's
    plain permalinks (`/?p=123`) land, so ordinary requests pay nothing.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/" and request.META.get("QUERY_STRING"):
            response = self.redirect(request, [request.get_full_path()])
            if response is not None:
                return response
        response = self.get_response(request)
        if response.status_code == HTTPStatus.NOT_FOUND:
            return self.redirect(request, [request.get_full_path(), request.path]) or response
        return response

    def redirect(self, request, paths):
        found = ArticleRedirect.objects.filter(old_path__in=paths).select_related("article").first()
        if found is None:
            return None
        article = found.article
        if article.is_live:
            return HttpResponsePermanentRedirect(article.get_absolute_url())
        if article.is_withdrawn:
            return render(request, "articles/article_gone.html", {"article": article}, status=410)
        return None


class RejectNullBytesMiddleware:
    """No address of this site holds a NUL byte (%00): answer 404 with the site's page (the
    API: a JSON 422) before any view hands one to the database, and drop NUL bytes from the
    query's values, which then read as their text around them (PostgreSQL refuses NUL in
    text: either would otherwise be a 500)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            if request.path.startswith(API_PREFIX):
                # The API's own kind of answer for input it cannot take: JSON, 422.
                detail = "A NUL byte is not allowed in the address."
                return JsonResponse({"detail": detail}, status=HTTPStatus.UNPROCESSABLE_ENTITY)
            raise Http404("No such page.")
        query = request.META.get("QUERY_STRING", "")
        if "%00" in query or "\x00" in query:
            cleaned = QueryDict(mutable=True)
            for key, values in request.GET.lists():
                cleaned.setlist(key.replace("\x00", ""), [v.replace("\x00", "") for v in values])
            cleaned._mutable = False
            request.GET = cleaned
        return self.get_response(request)


class MethodNotAllowedMiddleware:
    """A 405 in the site's words: the site's page for readers, JSON for the API (Django's
    views and django-ninja answer it with an empty or plain-text body). The Allow header
    stays."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != HTTPStatus.METHOD_NOT_ALLOWED:
            return response
        if request.path.startswith(API_PREFIX):
            page = JsonResponse({"detail": "Method not allowed."}, status=405)
        else:
            page = render(request, "405.html", status=405)
        if "Allow" in response:
            page["Allow"] = response["Allow"]
        return page
