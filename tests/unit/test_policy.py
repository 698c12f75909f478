from cev_learn.accounts import policy
from cev_learn.accounts.models import Role, User
from cev_learn.navigation import home_endpoint, nav_items


def user(uid, role, active=True):
    return User(id=uid, email=f"u{uid}@example.com", name="U", role=role, active=active)


def test_only_admins_manage_users():
    assert policy.can_manage_users(user(1, Role.ADMIN))
    for role in (Role.REP, Role.COACH, Role.MANAGER):
        assert not policy.can_manage_users(user(1, role))


def test_admin_cannot_deactivate_or_demote_themselves():
    admin = user(1, Role.ADMIN)
    assert not policy.can_deactivate_user(admin, admin)
    assert not policy.can_change_role_or_status(admin, admin)
    assert policy.can_deactivate_user(admin, user(2, Role.ADMIN))


def test_activation_depends_on_current_status():
    admin = user(1, Role.ADMIN)
    inactive = user(2, Role.REP, active=False)
    assert policy.can_activate_user(admin, inactive)
    assert not policy.can_deactivate_user(admin, inactive)


def test_every_role_has_a_home_and_at_most_five_menu_items():
    for role in Role:
        assert home_endpoint(role)
        assert 1 <= len(nav_items(role)) <= 5
        assert home_endpoint(role) in {item.endpoint for item in nav_items(role)}
