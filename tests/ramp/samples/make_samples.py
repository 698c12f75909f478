"""Sample CRM exports for tests/ramp/test_crm_import.py, written byte for byte as each vendor
(or Excel, re-saving a vendor's export) writes them, and what importing each must store.

    python tests/ramp/samples/make_samples.py

writes them next to this file again; a test checks that this reproduces the files here exactly.
Standard library only, one fixed seed, no cev_learn code: the expectations are worked out here
from the "truth" each sample is drawn from (the CRM events of the reps in REPS) and from what
the vendors' columns mean, never by the importer.

For every sample this writes the export, `expected-<sample>.csv` (the rows a native
activities.csv would hold for it: external_id,rep_email,occurred_on,type,quantity,amount) and
an entry of manifest.json (the reps, and what the import must detect and leave out).

The samples, each at least 1,000 data rows and under 200 KB:

- salesforce-activities.csv: Salesforce's report export "Details Only" as CSV in the
  Western European encoding (Windows-1252): every cell quoted, CRLF line ends, people by full name
  (`Zoë Müller`, `Rosa Ibáñez`, `Nora O'Brien`), dates `M/D/YYYY`, types `Logged Call`,
  `Event`, `Task`..., no Activity ID column, and the report's footer after a blank line.
- hubspot-activities.csv: HubSpot's activities export, CSV UTF-8 with a byte order mark:
  `Record ID,Activity date,Activity type,Activity assigned to,...`, dates with a time
  (`2026-11-20 14:03`), owners by full name, newest first.
- salesforce-opportunities.csv: Salesforce's opportunity report, "Details Only" as CSV in
  UTF-8: every cell quoted, amounts `"12,500.00"` (some blank), a `Type` column of its own,
  Created Date and Opportunity ID, the report's footer.
- hubspot-deals.txt: HubSpot's deals export saved by Excel (United States) as "Unicode Text":
  UTF-16 little-endian with a byte order mark, tab-separated, amounts `$12500`, dates
  `M/D/YYYY`, a cell quoted only when it holds a quote.
- hubspot-deals-excel-de.csv: HubSpot's deals export saved by Excel (Germany) as "CSV
  (Trennzeichen-getrennt)": Windows-1252, semicolon-separated, amounts `12.500,00 €`, dates
  `DD.MM.YYYY`.

What each row counts as, worked out by hand: in Salesforce, a call or logged call is a call,
an email an email, an event or meeting a meeting, a demo a demo and a task nothing; in HubSpot,
a call, email or meeting is one, a LinkedIn message an email, and a task, note or incoming or
forwarded email nothing. Every deal with a created date is an opportunity on that date (id: the
CRM's record id); a won one is also a deal won on its close date, of its amount (id: the record
id and ":won"). A Salesforce activity report without an Activity ID column identifies a row by
its Assigned, Date, Activity Type and Subject cells as written, joined by U+001F:
"salesforce:row-" and the first 20 hex digits of their SHA-256, then "-2", "-3"... for the
second, third... counted row with the same cells.
"""
import csv
import datetime as dt
import hashlib
import io
import json
import random
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 20261120
FIRST_DAY, LAST_DAY = dt.date(2026, 1, 5), dt.date(2026, 11, 27)
EXPECTED_COLUMNS = ("external_id", "rep_email", "occurred_on", "type", "quantity", "amount")

# The reps: the name the CRMs show and the email of their cev_learn account.
REPS = (
    ("Ava Thompson", "ava.thompson@example.com"),
    ("Ben Okafor", "ben.okafor@example.com"),
    ("Carla Ruiz", "carla.ruiz@example.com"),
    ("Dmitri Volkov", "dmitri.volkov@example.com"),
    ("Elena Rossi", "elena.rossi@example.com"),
    ("Farah Haddad", "farah.haddad@example.com"),
    ("Gus Lindqvist", "gus.lindqvist@example.com"),
    ("Hana Kobayashi", "hana.kobayashi@example.com"),
    ("Isaac Mensah", "isaac.mensah@example.com"),
    ("Jade Nguyen", "jade.nguyen@example.com"),
    ("Kofi Boateng", "kofi.boateng@example.com"),
    ("Lena Fischer", "lena.fischer@example.com"),
    ("Marco De Luca", "marco.deluca@example.com"),
    ("Nora O'Brien", "nora.obrien@example.com"),
    ("Omar Shaikh", "omar.shaikh@example.com"),
    ("Priya Raman", "priya.raman@example.com"),
    ("Quinn Walsh", "quinn.walsh@example.com"),
    ("Rosa Ibáñez", "rosa.ibanez@example.com"),
    ("Sam Carter", "sam.carter@example.com"),
    ("Zoë Müller", "zoe.mueller@example.com"),
)

COMPANIES = ("Northwind Traders", "Contoso Ltd", "Fabrikam, Inc.", "Adventure Works",
             "Tailspin Toys", "Wide World Importers", "Litware", "Proseware", "Café Müller",
             "Blue Yonder Airlines", "Coho Winery", "Lucerne Publishing", "Margie's Travel",
             "Woodgrove Bank", "Alpine Ski House", "Bäckerei Schön", "Trey Research",
             "Humongous Insurance", "Fourth Coffee", "Graphic Design Institute")
CONTACTS = ("Maria Garcia", "John Smith", "Wei Chen", "Aisha Bello", "Tom Becker",
            "Lucía Fernández", "Peter Novak", "Chloé Martin", "Olga Ivanova", "Raj Patel",
            "Emma Wilson", "Jonas Berg", "Fatima Zahra", "Luca Bianchi", "Sara Lund")


def day_between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randrange((last - first).days + 1))


def rep_of(rng: random.Random) -> tuple[str, str]:
    """A rep, some busier than others, every one of them in every sample."""
    return rng.choices(REPS, weights=[3 + (n * 7) % 5 for n in range(len(REPS))])[0]


def us_date(day: dt.date) -> str:
    """How Salesforce (locale English, United States) and Excel (US) write a date."""
    return f"{day.month}/{day.day}/{day.year}"


def csv_text(rows, *, delimiter=",", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n") -> str:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, quoting=quoting,
               lineterminator=lineterminator).writerows(rows)
    return out.getvalue()


def expected_csv(rows) -> bytes:
    return csv_text([EXPECTED_COLUMNS, *rows], lineterminator="\n").encode("utf-8")


# --- Salesforce activity report -----------------------------------------------------------

SF_ACTIVITY_TYPES = {  # Activity Type -> what it counts as (None: not counted), how often
    "Logged Call": ("call", 30), "Call": ("call", 8), "Email": ("email", 24),
    "Event": ("meeting", 12), "Meeting": ("meeting", 7), "Demo": ("demo", 5), "Task": (None, 11),
}
SF_SUBJECTS = {
    "Logged Call": ("Call", "Discovery call", "Left voicemail", "Follow-up call, pricing"),
    "Call": ("Call", "Cold call", "Call back re: renewal"),
    "Email": ("Email: Intro", "Email: Re: pricing, next steps", 'Email: "Pro" plan quote'),
    "Event": ("Onsite visit", "QBR – Q3 review", "Lunch & learn"),
    "Meeting": ("Meeting", "Stakeholder meeting", "Kick-off"),
    "Demo": ("Product demo", "Demo: reporting module"),
    "Task": ("Send contract", "Update opportunity", "Prepare proposal"),
}
SF_FOOTER = ("Team activities 2026",
             "Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.",
             "Confidential Information - Do Not Distribute",
             "Generated By:  Dana Whitfield  11/27/2026 5:42 PM",
             "Northwind Sales Inc.")


def salesforce_row_id(identity: list[str], seen: Counter) -> str:
    """The id of a Salesforce activity row without an Activity ID (the rule in the docstring)."""
    key = "\x1f".join(cell.strip() for cell in identity)
    seen[key] += 1
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]
    return f"salesforce:row-{digest}" + (f"-{seen[key]}" if seen[key] > 1 else "")


def salesforce_activities(rng: random.Random):
    labels = list(SF_ACTIVITY_TYPES)
    weights = [SF_ACTIVITY_TYPES[label][1] for label in labels]
    events = []
    while len(events) < 1100:
        name, email = rep_of(rng)
        day = day_between(rng, FIRST_DAY, LAST_DAY)
        label = rng.choices(labels, weights)[0]
        subject = rng.choice(SF_SUBJECTS[label])
        events.append([name, email, day, label, subject, rng.choice(COMPANIES),
                       rng.choice(CONTACTS), "Completed", rng.choice(("Normal", "High"))])
        if rng.random() < 0.06:  # the same call again that day, to another contact
            events.append([name, email, day, label, subject, rng.choice(COMPANIES),
                           rng.choice(CONTACTS), "Completed", "Normal"])
    events.sort(key=lambda event: (event[2], event[0]))  # the report sorts by Date
    header = ["Assigned", "Activity Type", "Date", "Subject", "Company / Account", "Contact",
              "Status", "Priority"]
    rows, expected, seen, skipped = [], [], Counter(), Counter()
    for name, email, day, label, subject, company, contact, status, priority in events:
        row = [name, label, us_date(day), subject, company, contact, status, priority]
        rows.append(row)
        kind = SF_ACTIVITY_TYPES[label][0]
        if kind is None:
            skipped[label] += 1
            continue
        external_id = salesforce_row_id([row[0], row[2], row[1], row[3]], seen)
        expected.append([external_id, email, day.isoformat(), kind, "1", "0"])
    text = (csv_text([header, *rows], quoting=csv.QUOTE_ALL) + "\r\n"
            + csv_text([[line] for line in SF_FOOTER], quoting=csv.QUOTE_ALL))
    shape = {"encoding": "Windows-1252", "delimiter": "comma", "header_line": 1,
             "footer_lines": len(SF_FOOTER), "dates": "MM/DD/YYYY",
             "skipped_column": "Activity Type"}
    return text.encode("cp1252"), expected, rows, skipped, shape


# --- HubSpot activities export ------------------------------------------------------------

HUBSPOT_ACTIVITY_TYPES = {
    "Call": ("call", 30), "Email": ("email", 26), "Meeting": ("meeting", 13),
    "LinkedIn Message": ("email", 4), "Task": (None, 9), "Note": (None, 9),
    "Incoming Email": (None, 6), "Forwarded Email": (None, 2),
}
HUBSPOT_SUBJECTS = {
    "Call": ("Call with {contact}", "Discovery call", ""), "Email": ("Re: {company} proposal",
    "Following up, as promised", "Intro – {company}"), "Meeting": ("Demo with {company}",
    "Intro meeting"), "LinkedIn Message": ("",), "Task": ("Send quote to {contact}",),
    "Note": ("",), "Incoming Email": ("Re: pricing",), "Forwarded Email": ("Fwd: contract",),
}


def hubspot_activities(rng: random.Random):
    labels = list(HUBSPOT_ACTIVITY_TYPES)
    weights = [HUBSPOT_ACTIVITY_TYPES[label][1] for label in labels]
    events = []
    for _ in range(1150):
        name, email = rep_of(rng)
        when = dt.datetime.combine(day_between(rng, FIRST_DAY, LAST_DAY),
                                   dt.time(rng.randrange(7, 20), rng.randrange(60)))
        label = rng.choices(labels, weights)[0]
        company, contact = rng.choice(COMPANIES), rng.choice(CONTACTS)
        subject = rng.choice(HUBSPOT_SUBJECTS[label]).format(company=company, contact=contact)
        events.append((when, name, email, label, subject, contact, company))
    events.sort(key=lambda event: event[0], reverse=True)  # newest first, as HubSpot lists them
    ids = sorted(rng.sample(range(31_000_000_000, 31_900_000_000), len(events)), reverse=True)
    header = ["Record ID", "Activity date", "Activity type", "Activity assigned to",
              "Activity subject", "Associated Contact", "Associated Company"]
    rows, expected, skipped = [], [], Counter()
    for record_id, (when, name, email, label, subject, contact, company) in zip(ids, events):
        rows.append([str(record_id), f"{when:%Y-%m-%d %H:%M}", label, name, subject, contact,
                     company])
        kind = HUBSPOT_ACTIVITY_TYPES[label][0]
        if kind is None:
            skipped[label] += 1
        else:
            expected.append([f"hubspot-activity:{record_id}", email, when.date().isoformat(), kind,
                             "1", "0"])
    text = "\ufeff" + csv_text([header, *rows], lineterminator="\n")
    shape = {"encoding": "UTF-8 with byte order mark", "delimiter": "comma", "header_line": 1,
             "footer_lines": 0, "dates": "YYYY-MM-DD", "skipped_column": "Activity type"}
    return text.encode("utf-8"), expected, rows, skipped, shape


# --- Deals --------------------------------------------------------------------------------

def deals(rng: random.Random, count: int, stages: dict[str, int], won: str, lost: str,
          whole: bool = False):
    """Deals: (rep, stage, created, closed, cents or None, company); closed deals close after
    they were created, open ones some time ahead. `whole`: amounts in whole units."""
    names, weights = list(stages), list(stages.values())
    found = []
    for _ in range(count):
        name, email = rep_of(rng)
        stage = rng.choices(names, weights)[0]
        created = day_between(rng, FIRST_DAY, LAST_DAY - dt.timedelta(days=10))
        if stage in (won, lost):
            closed = day_between(rng, created, min(created + dt.timedelta(days=120), LAST_DAY))
        else:
            closed = day_between(rng, LAST_DAY, dt.date(2027, 3, 31))
        cents = rng.choice((rng.randrange(5, 900) * 50_000, rng.randrange(10_000, 10_000_000),
                            rng.randrange(10, 150) * 1_000_000))
        if whole:
            cents -= cents % 100
        if rng.random() < 0.07:
            cents = None  # no amount entered (a won one then counts with none)
        found.append((name, email, stage, created, closed, cents, rng.choice(COMPANIES)))
    return found


def deal_records(external_id: str, email: str, created: dt.date, closed: dt.date, won: bool,
                 cents: int | None) -> list[list[str]]:
    records = [[external_id, email, created.isoformat(), "opportunity", "1", "0"]]
    if won:
        amount = "0" if cents is None else f"{cents // 100}.{cents % 100:02d}"
        records.append([f"{external_id}:won", email, closed.isoformat(), "deal_won", "1",
                        amount])
    return records


def grouped(cents: int, thousands: str, decimal: str) -> str:
    whole = f"{cents // 100:,}".replace(",", thousands)
    return f"{whole}{decimal}{cents % 100:02d}"


SF_STAGES = {"Prospecting": 7, "Qualification": 7, "Needs Analysis": 5, "Value Proposition": 4,
             "Id. Decision Makers": 3, "Perception Analysis": 3, "Proposal/Price Quote": 5,
             "Negotiation/Review": 4, "Closed Won": 34, "Closed Lost": 28}
SF_PROBABILITY = {"Prospecting": 10, "Qualification": 10, "Needs Analysis": 20,
                  "Value Proposition": 50, "Id. Decision Makers": 60, "Perception Analysis": 70,
                  "Proposal/Price Quote": 75, "Negotiation/Review": 90, "Closed Won": 100,
                  "Closed Lost": 0}
SF_OPPORTUNITY_FOOTER = ("Opportunity Pipeline 2026",) + SF_FOOTER[1:]
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def salesforce_id(prefix: str, n: int) -> str:
    """A 15-character Salesforce record id."""
    digits = ""
    for _ in range(5):
        n, digit = divmod(n, 62)
        digits = BASE62[digit] + digits
    return f"{prefix}5e00000{digits}"


def salesforce_opportunities(rng: random.Random):
    header = ["Opportunity Owner", "Account Name", "Opportunity Name", "Stage", "Fiscal Period",
              "Amount", "Probability (%)", "Type", "Lead Source", "Close Date", "Created Date",
              "Opportunity ID"]
    rows, expected = [], []
    found = deals(rng, 1000, SF_STAGES, "Closed Won", "Closed Lost")
    found.sort(key=lambda deal: (deal[0], deal[4]))  # grouped by owner, then close date
    numbers = rng.sample(range(40_000, 900_000), len(found))
    for n, (name, email, stage, created, closed, cents, company) in zip(numbers, found):
        record_id = salesforce_id("006", n)
        what = rng.choice(("New Business", "Existing Business", "Renewal"))
        rows.append([name, company, f"{company} - {what} {created.year}", stage,
                     f"Q{(closed.month - 1) // 3 + 1}-{closed.year}",
                     "" if cents is None else grouped(cents, ",", "."),
                     f"{SF_PROBABILITY[stage]}%", what,
                     rng.choice(("Web", "Partner Referral", "Trade Show", "")),
                     us_date(closed), us_date(created), record_id])
        expected += deal_records(f"salesforce:{record_id}", email, created, closed,
                                 stage == "Closed Won", cents)
    text = (csv_text([header, *rows], quoting=csv.QUOTE_ALL) + "\r\n"
            + csv_text([[line] for line in SF_OPPORTUNITY_FOOTER], quoting=csv.QUOTE_ALL))
    shape = {"encoding": "UTF-8", "delimiter": "comma", "header_line": 1,
             "footer_lines": len(SF_OPPORTUNITY_FOOTER), "dates": "MM/DD/YYYY"}
    return text.encode("utf-8"), expected, rows, Counter(), shape


HUBSPOT_STAGES = {"Appointment scheduled": 6, "Qualified to buy": 6, "Presentation scheduled": 5,
                  "Decision maker bought-in": 4, "Contract sent": 5, "Closed won": 40,
                  "Closed lost": 34}
HUBSPOT_DEAL_NAMES = ("{company} – {seats} seats", "{company} renewal", '{company} "Pilot"',
                      "{company} expansion")


def hubspot_deal_rows(rng: random.Random, first_id: int, amount, day, whole: bool = False):
    """HubSpot's deals export, as Excel shows it: rows, expected records."""
    header = ["Record ID", "Deal Name", "Deal Stage", "Close Date", "Deal owner", "Amount",
              "Create Date"]
    rows, expected = [header], []
    found = deals(rng, 1000, HUBSPOT_STAGES, "Closed won", "Closed lost", whole)
    found.sort(key=lambda deal: deal[3])  # by create date
    record_id = first_id
    for name, email, stage, created, closed, cents, company in found:
        record_id += rng.randrange(1, 400)
        deal_name = rng.choice(HUBSPOT_DEAL_NAMES).format(company=company,
                                                          seats=rng.randrange(5, 80))
        rows.append([str(record_id), deal_name, stage, day(closed), name,
                     "" if cents is None else amount(cents), day(created)])
        expected += deal_records(f"hubspot-deal:{record_id}", email, created, closed,
                                 stage == "Closed won", cents)
    return rows, expected


def hubspot_deals(rng: random.Random):
    """Excel (US) "Unicode Text": UTF-16 with a byte order mark, tabs, amounts in a currency
    format without decimals ($12500), a cell quoted only when it holds a quote."""
    rows, expected = hubspot_deal_rows(
        rng, 9_800_000_000, lambda cents: f"${cents // 100}", us_date, whole=True)
    text = csv_text(rows, delimiter="\t")
    shape = {"encoding": "UTF-16 (little-endian)", "delimiter": "tab", "header_line": 1,
             "footer_lines": 0, "dates": "MM/DD/YYYY"}
    return "\ufeff".encode("utf-16-le") + text.encode("utf-16-le"), expected, rows[1:], \
        Counter(), shape


def hubspot_deals_excel_de(rng: random.Random):
    """Excel (Germany) "CSV (Trennzeichen-getrennt)": Windows-1252, semicolons, amounts in the
    euro format (12.500,00 €), dates 20.11.2026."""
    rows, expected = hubspot_deal_rows(
        rng, 7_400_000_000, lambda cents: f"{grouped(cents, '.', ',')} €",
        lambda day: f"{day:%d.%m.%Y}")
    text = csv_text(rows, delimiter=";")
    shape = {"encoding": "Windows-1252", "delimiter": "semicolon", "header_line": 1,
             "footer_lines": 0, "dates": "DD.MM.YYYY"}
    return text.encode("cp1252"), expected, rows[1:], Counter(), shape


SAMPLES = (  # file, preset, builder
    ("salesforce-activities.csv", "salesforce-activities", salesforce_activities),
    ("hubspot-activities.csv", "hubspot-activities", hubspot_activities),
    ("salesforce-opportunities.csv", "salesforce-opportunities", salesforce_opportunities),
    ("hubspot-deals.txt", "hubspot-deals", hubspot_deals),
    ("hubspot-deals-excel-de.csv", "hubspot-deals", hubspot_deals_excel_de),
)


def build() -> dict[str, bytes]:
    """Every file this writes: name -> bytes."""
    files, manifest = {}, {"reps": dict(REPS), "samples": []}
    for n, (name, preset, builder) in enumerate(SAMPLES):
        data, expected, rows, skipped, shape = builder(random.Random(SEED + n))
        stem = name.rsplit(".", 1)[0]
        files[name] = data
        files[f"expected-{stem}.csv"] = expected_csv(expected)
        manifest["samples"].append({
            "file": name, "preset": preset, "expected": f"expected-{stem}.csv",
            "data_rows": len(rows), "records": len(expected),
            "skipped": dict(sorted(skipped.items())), **shape})
    files["manifest.json"] = (json.dumps(manifest, indent=1, ensure_ascii=False) + "\n").encode()
    return files


def main(folder: Path = HERE) -> None:
    for name, data in build().items():
        (folder / name).write_bytes(data)
        print(f"{name:<40}{len(data):>10,} bytes", file=sys.stderr)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
