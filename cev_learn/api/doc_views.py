"""The API's own description: the OpenAPI document and a reference page made from it."""
from flask import current_app, jsonify, render_template

from cev_learn.accounts.decorators import public
from cev_learn.api.spec import openapi_document


@public
def openapi():
    return jsonify(openapi_document(current_app))


@public
def reference():
    document = openapi_document(current_app)
    tags = list(dict.fromkeys(tag for operations in document["paths"].values()
                              for op in operations.values() for tag in op["tags"]))
    return render_template("api/reference.html", document=document, tags=tags)
