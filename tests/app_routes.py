"""Every route the web app serves, read from its routers (so a test that walks them misses none)."""

from collections.abc import Iterator

from fastapi.routing import APIRoute


def api_routes(routes, prefix: str = "") -> Iterator[tuple[str, APIRoute]]:
    """Every route with its full path, through the included routers."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix + route.path, route
        elif hasattr(route, "original_router"):  # an included router (FastAPI 0.150)
            yield from api_routes(route.original_router.routes, prefix + route.include_context.prefix)
