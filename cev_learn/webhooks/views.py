"""Users → Webhooks (the admins' pages): register endpoints (a new secret is shown once), the
setting that allows private addresses, and each endpoint's page: change it, enable or disable
it, replace its secret, remove it, and its delivery log with "Send again"."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from cev_learn.accounts.decorators import role_required
from cev_learn.accounts.models import Role
from cev_learn.platform.db import db, utcnow
from cev_learn.platform.forms import form_status, show_error
from cev_learn.platform.observability import security_event
from cev_learn.platform.outbox import EVENT_TYPES
from cev_learn.webhooks import endpoints as services
from cev_learn.webhooks import queries
from cev_learn.webhooks.forms import (ConfirmForm, EndpointForm, NewEndpointForm, RemoveForm,
                                      SettingsForm)
from cev_learn.webhooks.models import DeliveryStatus, WebhookEndpoint

admin_only = role_required(Role.ADMIN)


@admin_only
def index():
    form = NewEndpointForm()
    if request.method == "GET":
        form.event_types.data = list(EVENT_TYPES)
    if form.validate_on_submit():
        try:
            endpoint = services.register(
                url=form.url.data, description=form.description.data,
                event_types=form.event_types.data, secret=form.secret.data,
                actor=current_user, now=utcnow())
        except services.EndpointError as exc:
            db.session.rollback()
            show_error(form, exc.field, str(exc))
        else:
            pasted = bool((form.secret.data or "").strip())
            db.session.commit()
            security_event("webhook_endpoint_created", endpoint_id=endpoint.id)
            flash(f"Endpoint {endpoint.url} registered: it receives events from now on.",
                  "success")
            return _endpoint_page(endpoint, secret=None if pasted else endpoint.secret)
    settings_form = SettingsForm(formdata=None,
                                 allow_private=services.allows_private_addresses())
    return render_template("webhooks/index.html", form=form, settings_form=settings_form,
                           summaries=queries.endpoint_summaries(),
                           event_types=EVENT_TYPES), form_status(form)


@admin_only
def save_settings():
    form = SettingsForm()
    if form.validate_on_submit():
        services.save_settings(allow_private_addresses=form.allow_private.data,
                               actor=current_user, now=utcnow())
        db.session.commit()
        security_event("webhook_settings_changed",
                       allow_private_addresses=int(form.allow_private.data))
        flash("Endpoints on private and loopback addresses are now "
              + ("allowed." if form.allow_private.data else "refused."), "success")
    return redirect(url_for("webhooks.index"))


@admin_only
def endpoint(endpoint_id: int):
    found = _endpoint(endpoint_id)
    form = EndpointForm(obj=found if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.update(found, url=form.url.data, description=form.description.data,
                            event_types=form.event_types.data, now=utcnow())
        except services.EndpointError as exc:
            db.session.rollback()
            found = _endpoint(endpoint_id)
            show_error(form, exc.field, str(exc))
        else:
            db.session.commit()
            security_event("webhook_endpoint_changed", endpoint_id=found.id)
            flash("Changes saved.", "success")
            return redirect(url_for("webhooks.endpoint", endpoint_id=found.id))
    return _endpoint_page(found, form=form, status=form_status(form))


@admin_only
def enable_endpoint(endpoint_id: int):
    found = _endpoint(endpoint_id)
    if ConfirmForm().validate_on_submit() and not found.enabled:
        services.enable(found, utcnow())
        db.session.commit()
        flash("Endpoint enabled: deliveries waiting for it go out again.", "success")
    return redirect(url_for("webhooks.endpoint", endpoint_id=found.id))


@admin_only
def disable_endpoint(endpoint_id: int):
    found = _endpoint(endpoint_id)
    if ConfirmForm().validate_on_submit() and found.enabled:
        services.disable(found, utcnow(), f"Disabled by {current_user.email}.")
        db.session.commit()
        flash("Endpoint disabled: nothing is sent to it, and no new event is queued for it, "
              "until it is enabled again.", "success")
    return redirect(url_for("webhooks.endpoint", endpoint_id=found.id))


@admin_only
def replace_secret(endpoint_id: int):
    found = _endpoint(endpoint_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("webhooks.endpoint", endpoint_id=found.id))
    secret = services.replace_secret(found, utcnow())
    db.session.commit()
    security_event("webhook_secret_replaced", endpoint_id=found.id)
    flash("New secret made. Messages carry signatures with both secrets for 24 hours.",
          "success")
    return _endpoint_page(found, secret=secret)


@admin_only
def remove_endpoint(endpoint_id: int):
    found = _endpoint(endpoint_id)
    if not RemoveForm().validate_on_submit():
        flash("Tick “Yes, remove this endpoint and its delivery log” to remove it.", "error")
        return redirect(url_for("webhooks.endpoint", endpoint_id=found.id))
    url = found.url
    services.remove(found)
    db.session.commit()
    security_event("webhook_endpoint_removed", endpoint_id=endpoint_id)
    flash(f"Endpoint {url} removed.", "success")
    return redirect(url_for("webhooks.index"))


@admin_only
def send_again(endpoint_id: int, delivery_id: int):
    found = _endpoint(endpoint_id)
    delivery = services.delivery_of(found.id, delivery_id) or abort(404)
    if ConfirmForm().validate_on_submit():
        try:
            services.send_again(delivery, utcnow())
        except services.SendAgainRefused as exc:
            flash(str(exc), "warning")
        else:
            db.session.commit()
            if found.enabled:
                flash(f"{delivery.event.type} {delivery.event.public_id} queued again: the "
                      "worker sends it within seconds.", "success")
            else:
                flash(f"{delivery.event.type} {delivery.event.public_id} queued again; the "
                      "endpoint is disabled, so it goes out once it is enabled.", "warning")
    return redirect(url_for("webhooks.endpoint", endpoint_id=found.id,
                            status=request.args.get("status") or None))


def _endpoint(endpoint_id: int) -> WebhookEndpoint:
    return db.get_or_404(WebhookEndpoint, endpoint_id)


def _endpoint_page(found: WebhookEndpoint, *, form: EndpointForm | None = None,
                   secret: str | None = None, status: int = 200):
    shown = request.args.get("status", "")
    filter_status = next((s for s in DeliveryStatus if s.value == shown), None)
    page = request.args.get("page", 1, type=int)
    return render_template(
        "webhooks/endpoint.html", endpoint=found, secret=secret,
        form=form or EndpointForm(formdata=None, obj=found),
        summary=queries.endpoint_summary(found),
        log=queries.delivery_log(found.id, filter_status, page), status_filter=filter_status,
        statuses=list(DeliveryStatus), event_types=EVENT_TYPES, button=ConfirmForm(),
        remove_form=RemoveForm(formdata=None),
        signing=services.signing_secrets(found, utcnow())), status
