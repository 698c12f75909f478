"""Notifications: what a person should hear about (work assigned, an essay graded, a note
shared, a module updated, an attempt to grade, a rep falling behind), shown behind the bell of
the top bar and emailed as each person chooses (at once, in a daily digest, or not at all)."""
