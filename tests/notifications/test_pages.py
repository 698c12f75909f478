"""The bell and the notifications page: each person sees, opens and marks only their own; the
count is the header's, fresh on every page, cached bodies or not."""
import datetime as dt
import re

from cev_learn.accounts.models import Role
from cev_learn.platform.db import db, utcnow
from tests.factories import make_cohort
from tests.helpers import csrf_token, make_user, post_form
from tests.notifications.helpers import give, stored

BELL = re.compile(r'<a class="bell[^"]*" href="/notifications"[^>]*>.*?</a>', re.S)


def bell(client, url: str = "/week") -> str:
    """What the bell of a page says: to a screen reader (the badge is hidden from it), then
    the badge shown, if any."""
    response = client.get(url)
    assert response.status_code == 200, url
    link = BELL.search(response.get_data(as_text=True)).group(0)
    said = re.search(r'<span class="visually-hidden">(.*?)</span>', link).group(1)
    badge = re.search(r'<span class="bell__count" aria-hidden="true">(.*?)</span>', link)
    return said + (f" [{badge.group(1)}]" if badge else "")


def test_the_bell_announces_the_unread_count_on_every_page(app, synced_track, signed_in):
    rep = make_user(Role.REP)
    make_cohort(reps=[rep])
    client = signed_in(rep)
    assert bell(client) == "Notifications, none unread"
    give(rep, "One"), give(rep, "Two")
    # the week's body is cached: the count around it is not
    assert bell(client) == "2 unread notifications [2]"
    assert bell(client, "/tracks") == "2 unread notifications [2]"
    give(rep, "Three").read_at = utcnow()
    give(make_user(Role.REP), "Someone else's")
    db.session.commit()
    assert bell(client) == "2 unread notifications [2]"


def test_the_page_lists_ones_own_newest_first_in_pages(app, signed_in):
    rep = make_user(Role.REP)
    start = utcnow() - dt.timedelta(days=1)
    for n in range(30):
        give(rep, f"Item {n:02}", created_at=start + dt.timedelta(minutes=n))
    give(make_user(Role.REP), "Not yours")
    client = signed_in(rep)
    first = client.get("/notifications").get_data(as_text=True)
    assert first.index("Item 29") < first.index("Item 28")
    assert "Item 04" not in first and "Not yours" not in first
    assert "Page 1 of 2 · 30 notifications" in first
    second = client.get("/notifications?page=2").get_data(as_text=True)
    assert "Item 04" in second and "Item 05" not in second
    assert '<span class="visually-hidden">Unread: </span>Item 04' in second  # said, not only shown


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(app, signed_in):
    rep = make_user(Role.REP)
    notification = give(rep, "Read this", "/tracks")
    client = signed_in(rep)
    response = client.get(f"/notifications/{notification.id}")
    assert response.status_code == 302 and response.headers["Location"] == "/tracks"
    [opened] = stored(rep)
    assert opened.read_at is not None
    assert bell(client, "/notifications") == "Notifications, none unread"


def test_someone_elses_notification_is_not_found_and_stays_unread(app, signed_in):
    rep, other = make_user(Role.REP), make_user(Role.COACH)
    theirs = give(other, "Private", "/coach")
    client = signed_in(rep)
    assert client.get(f"/notifications/{theirs.id}").status_code == 404
    assert client.get("/notifications/999999").status_code == 404  # the same as none at all
    assert [n.read_at for n in stored(other)] == [None]


def test_mark_all_as_read_marks_only_ones_own(app, signed_in):
    rep, other = make_user(Role.REP), make_user(Role.REP)
    give(rep, "One"), give(rep, "Two"), give(other, "Theirs")
    client = signed_in(rep)
    page = client.get("/notifications").get_data(as_text=True)
    assert "Mark all as read" in page
    response = post_form(client, "/notifications/read", token_from="/notifications")
    assert response.status_code == 302
    assert "Marked 2 notifications as read." in client.get("/notifications").get_data(
        as_text=True)
    assert all(n.read_at for n in stored(rep)) and [n.read_at for n in stored(other)] == [None]


def test_mark_all_as_read_needs_the_forms_token(app, signed_in):
    rep = make_user(Role.REP)
    give(rep, "One")
    client = signed_in(rep)
    csrf_token(client, "/notifications")
    assert client.post("/notifications/read", data={}).status_code == 400
    assert [n.read_at for n in stored(rep)] == [None]


def test_an_empty_page_says_what_will_appear_there(app, signed_in):
    page = signed_in(Role.COACH).get("/notifications").get_data(as_text=True)
    assert "No notifications yet" in page and "attempts waiting for your grading" in page
    assert "Mark all as read" not in page
