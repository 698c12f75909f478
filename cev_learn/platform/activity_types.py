"""The CRM activity types every installation knows, and the rule for the names of the ones an
installation adds (the EXTRA_ACTIVITY_TYPES setting). Shared vocabulary: the course files'
milestones and weekly targets, CRM imports and the API all name activities by these."""
import re

ACTIVITY_TYPES = ("call", "email", "meeting", "demo", "opportunity", "deal_won")
TYPE_SLUG = re.compile(r"[a-z][a-z0-9_]{0,31}")
