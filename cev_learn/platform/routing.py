"""Blueprints from URL lists: each domain's routes.py lists (path, view, methods[, endpoint])."""
from collections.abc import Iterable

from flask import Blueprint


def add_routes(bp: Blueprint, routes: Iterable[tuple]) -> Blueprint:
    """Add each (path, view, methods) to the blueprint, under the view's name or the endpoint
    given as a fourth item."""
    for path, view, methods, *endpoint in routes:
        bp.add_url_rule(path, endpoint=(endpoint or [view.__name__])[0], view_func=view,
                        methods=methods)
    return bp
