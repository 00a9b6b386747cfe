"""rectrack's Datasette plugin: hooks, the route list and thin views.

Logic lives in the ``loader`` package (tracking rules, SQL builders); the views here parse
the request, call it, and render.
"""
from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response

# ---------------------------------------------------------------- tracking (issue 4)


async def recommendation_page(request, datasette):
    raise NotFound("Not implemented yet")


async def recommendation_json(request, datasette):
    raise NotFound("Not implemented yet")


# ---------------------------------------------------------------- browsing (issue 5)


async def dashboard(request, datasette):
    raise NotFound("Not implemented yet")


async def summary_json(request, datasette):
    raise NotFound("Not implemented yet")


async def document_page(request, datasette):
    raise NotFound("Not implemented yet")


# ---------------------------------------------------------------- hooks


@hookimpl
def register_routes():
    return [
        (r"^/-/rectrack/recommendations/(?P<id>[^/]+)\.json$", recommendation_json),
        (r"^/-/rectrack/recommendations/(?P<id>[^/.]+)$", recommendation_page),
        (r"^/-/rectrack/documents/(?P<id>[^/]+)$", document_page),
        (r"^/-/rectrack/dashboard$", dashboard),
        (r"^/-/rectrack/summary\.json$", summary_json),
    ]
