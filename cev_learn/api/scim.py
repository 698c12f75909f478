"""SCIM 2.0 provisioning (RFC 7643, RFC 7644): an identity provider creates, updates and
deactivates cev_learn's people.

The protocol is scim2-server's (routing, discovery, filters, sorting, paging, PATCH, errors)
over scim2-models' resources; this module stores them. Each provisioned person is a `ScimUser`
row: the SCIM document as the provider last wrote it (so it reads back exactly as sent) and
the cev_learn user it manages, kept in step on every write:

- email: the primary email, else the first, else `userName` when it is an address;
- name: `displayName`, else `name.formatted`, else given and family name, else `userName`;
- territory: the enterprise extension's `division`;
- `active: false` deactivates the person: their sessions and API tokens end at once;
  `active: true` reactivates them;
- DELETE deactivates the person and ends the provisioning (the SCIM resource is gone; the
  person's history stays, as cev_learn never deletes people).

A person created by SCIM is a rep; someone already in cev_learn with the same email is taken
over rather than duplicated.

Groups carry roles. A group is stored as sent; the four named "cev_learn reps", "cev_learn
coaches", "cev_learn managers" and "cev_learn admins" (any case, singular too) give their
members that role: whenever such a group changes, each member it gained or lost gets the
highest role of the role groups they are still in, or rep in none. Other groups change nothing
(cohorts need a track and a start date no directory holds). The token's own admin keeps their
role.
"""
from collections.abc import Generator
from contextlib import contextmanager
from typing import Annotated, Any

from email_validator import EmailNotValidError, validate_email
from scim2_models import (AuthenticationScheme, Bulk, ChangePassword, Email, EnterpriseUser,
                          ETag, Filter, Group, InvalidValueException, Patch, Required,
                          ResourceType, ScimProvider, ServiceProviderConfig, Sort,
                          UniquenessException, User)
from scim2_server.applications.wsgi import WSGIApplication
from scim2_server.memory import InMemoryStorage
from sqlalchemy import delete, select

from cev_learn.accounts import services
from cev_learn.accounts.models import Role, User as Person
from cev_learn.api.scim_models import ScimGroup, ScimUser
from cev_learn.platform.db import db, utcnow

MAX_RESULTS = 200


class CevEmail(Email):
    value: Annotated[str | None, Required.true] = None


class CevUser(User):
    """The standard User, published with `emails` (and an email's `value`) required: a person
    signs in, and hears from cev_learn, at an email address."""

    __schema__ = User.__schema__
    emails: Annotated[list[CevEmail] | None, Required.true] = None


ROLE_GROUPS = {f"cev_learn {name}": role for role in Role
               for name in (role.value, role.value + "s", role.value + "es")}
RANK = {Role.REP: 0, Role.COACH: 1, Role.MANAGER: 2, Role.ADMIN: 3}


def group_role(group: Any) -> Role | None:
    """The role a group gives its members, if it is one of the role groups."""
    return ROLE_GROUPS.get(" ".join(str(group.display_name or "").split()).lower())


def provider() -> ScimProvider:
    """What the service publishes at /ServiceProviderConfig, /ResourceTypes and /Schemas."""
    return ScimProvider(
        models=[CevUser, EnterpriseUser, Group],
        resource_types=[ResourceType.from_resource(CevUser[EnterpriseUser]),
                        ResourceType.from_resource(Group)],
        config=ServiceProviderConfig(
            documentation_uri=None,
            patch=Patch(supported=True), bulk=Bulk(supported=False, max_operations=0,
                                                   max_payload_size=0),
            filter=Filter(supported=True, max_results=MAX_RESULTS),
            change_password=ChangePassword(supported=False), sort=Sort(supported=True),
            etag=ETag(supported=False),
            authentication_schemes=[AuthenticationScheme(
                type="oauthbearertoken", name="Bearer token",
                description="A SCIM provisioning token: an admin creates one under Users → "
                            "API tokens (or `cev-learn tokens create --scim`)",
                primary=True)]))


class DatabaseStorage(InMemoryStorage):
    """scim2-server's storage, loaded from the `ScimUser` rows at the start of each request
    (one statement) and writing every change through to them and to the people they manage.
    Flushes only: the view commits a request's changes once, or rolls them back."""

    def __init__(self, actor: Person, hash_method: str) -> None:
        super().__init__(clock=utcnow)
        self.actor, self.hash_method = actor, hash_method
        self.rows: dict[str, ScimUser] = {}
        self.people: dict[int, Person] = {}
        self.groups: dict[str, ScimGroup] = {}

    @contextmanager
    def operation(self) -> Generator[None]:
        # With the people they manage, in the same statement (kept here: the session holds
        # them only while something does): no lookup of them afterwards.
        loaded = db.session.execute(
            select(ScimUser, Person).join(Person, Person.id == ScimUser.user_id)).all()
        self.rows = {row.id: row for row, _ in loaded}
        self.people = {person.id: person for _, person in loaded}
        self.groups = {row.id: row for row in db.session.scalars(select(ScimGroup))}
        self.resources = [*(CevUser[EnterpriseUser].model_validate(row.document)
                            for row in self.rows.values()),
                          *(Group.model_validate(row.document) for row in self.groups.values())]
        with super().operation():
            yield

    def create(self, resource_type: ResourceType, resource: Any) -> Any:
        created = super().create(resource_type, resource)
        if isinstance(created, Group):
            self.groups[created.id] = row = ScimGroup(id=created.id, document=_document(created))
            db.session.add(row)
            self._apply_roles(_member_ids(created) if group_role(created) else set())
            db.session.flush()
            return created
        person = self._person_for(created, existing=None)
        row = ScimUser(id=created.id, user_id=person.id, document=_document(created))
        db.session.add(row)
        self.rows[row.id] = row
        db.session.flush()
        return created

    def update(self, resource_type: ResourceType, resource: Any, *,
               expected_version: str | None = None) -> Any:
        before = self._stored(resource_type, resource.id) if isinstance(resource, Group) else None
        before_members = _member_ids(before) if before is not None and group_role(before) else set()
        updated = super().update(resource_type, resource, expected_version=expected_version)
        if isinstance(updated, Group):
            row = self.groups[updated.id]
            row.document, row.updated_at = _document(updated), utcnow()
            after = _member_ids(updated) if group_role(updated) else set()
            self._apply_roles(before_members | after)
            db.session.flush()
            return updated
        row = self.rows[updated.id]
        self._person_for(updated, existing=self.people[row.user_id])
        row.document, row.updated_at = _document(updated), utcnow()
        db.session.flush()
        return updated

    def delete(self, resource_type: ResourceType, resource_id: str, *,
               expected_version: str | None = None) -> None:
        stored = self._stored(resource_type, resource_id)
        super().delete(resource_type, resource_id, expected_version=expected_version)
        if isinstance(stored, Group):
            del self.groups[resource_id]
            db.session.execute(delete(ScimGroup).where(ScimGroup.id == resource_id))
            self._apply_roles(_member_ids(stored) if group_role(stored) else set())
            db.session.flush()
            return
        row = self.rows.pop(resource_id)
        person = self.people[row.user_id]
        if person.active and person.id != self.actor.id:
            services.deactivate_user(person, actor=self.actor)
        db.session.execute(delete(ScimUser).where(ScimUser.id == resource_id))
        db.session.flush()

    def _apply_roles(self, user_ids: set[str]) -> None:
        """Give each of these SCIM users the highest role of the role groups they are in now,
        rep in none (the token's own admin excepted)."""
        groups = [g for g in self.resources if isinstance(g, Group) and group_role(g)]
        for user_id in user_ids:
            row = self.rows.get(user_id)
            person = self.people.get(row.user_id) if row else None
            if person is None or person.id == self.actor.id:
                continue
            roles = [group_role(g) for g in groups if user_id in _member_ids(g)]
            person.role = max(roles, key=RANK.__getitem__, default=Role.REP)

    def _person_for(self, resource: Any, existing: Person | None) -> Person:
        """Create or update the person a SCIM user manages, as the module docstring says."""
        email, name, territory = _email(resource), _name(resource), _territory(resource)
        if existing is None:
            try:
                existing = services.create_user(email=email, name=name, role=Role.REP,
                                                territory=territory, password=None,
                                                hash_method=self.hash_method)
            except services.DuplicateEmail:
                existing = services.find_user_by_email(email)
                if existing.id in {row.user_id for row in self.rows.values()}:
                    raise UniquenessException(detail=f"{email} is already provisioned") from None
        try:
            services.update_user(existing, actor=self.actor, email=email, name=name,
                                 role=existing.role,
                                 territory=territory if territory is not None
                                 else existing.territory, start_on=existing.start_on)
        except services.AccountError as exc:
            raise UniquenessException(detail=str(exc)) from None
        if resource.active is False and existing.active:
            if existing.id == self.actor.id:
                raise InvalidValueException(detail="a SCIM token cannot deactivate the admin "
                                                   "it acts as")
            services.deactivate_user(existing, actor=self.actor)
        elif resource.active is not False and not existing.active:
            services.activate_user(existing)
        return existing


def _member_ids(group: Any) -> set[str]:
    return {member.value for member in (group.members or []) if member.value}


def _document(resource: Any) -> dict:
    return resource.model_dump(mode="json", by_alias=True, exclude_none=True)


def _email(resource: Any) -> str:
    emails = resource.emails or []
    chosen = next((e for e in emails if e.primary and e.value), None) or next(
        (e for e in emails if e.value), None)
    candidate = chosen.value if chosen else resource.user_name
    try:
        return validate_email(str(candidate or ""), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise InvalidValueException(
            detail="a user needs an email address: in emails, or as userName") from None


def _name(resource: Any) -> str:
    name = resource.name
    parts = [resource.display_name, name.formatted if name else None,
             " ".join(p for p in (name.given_name, name.family_name) if p) if name else None,
             resource.user_name]
    chosen = next((" ".join(str(p).split()) for p in parts if p and str(p).strip()), "")
    return chosen[:120]


def _territory(resource: Any) -> str | None:
    """The enterprise extension's division (None: not given, the territory stays)."""
    enterprise = resource[EnterpriseUser]
    division = " ".join(str(enterprise.division or "").split())[:80] if enterprise else ""
    return division or None


def application(actor: Person, hash_method: str) -> WSGIApplication:
    """scim2-server over this request's storage, acting for the token's admin."""
    return WSGIApplication(DatabaseStorage(actor, hash_method), _PROVIDER)


_PROVIDER = provider()
