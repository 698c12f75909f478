"""The pure parts of reading CRM exports (crm_mappings, csv_files): amounts, months and dates as
CRMs and spreadsheets write them, the encodings and delimiters exports come in, finding the
header row and the mapping of a file, and the message of a file that matches none."""
import datetime as dt
import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cev_learn.platform.csv_files import ImportFileError, decode_any, sniff_delimiter
from cev_learn.ramp.crm_mappings import (HEADER_LINES, PRESETS, QUOTAS, CrmMapping, NoMatch,
                                         Problem, Reader, closest, date_format_of, find_header,
                                         parse_amount, parse_date, parse_month, person_key)
from cev_learn.ramp.csv_imports import ACTIVITY_COLUMNS, QUOTA_COLUMNS

MAPPINGS = list(PRESETS.values())
TYPES = ("call", "email", "meeting", "demo", "opportunity", "deal_won")


# --- Amounts ------------------------------------------------------------------------------

@pytest.mark.parametrize("cell,amount", [
    ("12,500.00", "12500.00"),          # Salesforce, United States
    ("$12500", "12500"),                # Excel (US), a currency format without decimals
    ("12.500,00 €", "12500.00"),        # Excel, Germany
    ("EUR 1 234,50", "1234.50"),        # a currency code first, a space between thousands
    ("1 234,50 EUR", "1234.50"),
    ("USD 12,500.00", "12500.00"),      # Salesforce, multi-currency
    ("12\u00a0500,00\u00a0€", "12500.00"),  # France: no-break spaces
    ("1'234.50", "1234.50"),            # Switzerland
    ("1,250,000.00", "1250000.00"),
    ("1.250.000,00 €", "1250000.00"),
    ("950", "950"),
    ("950.5", "950.5"),
    ("12,5", "12.5"),                   # one or two digits after the only mark: decimals
    ("12,500", "12500"),                # three digits after the only mark: thousands
    ("12.500", "12500"),
    ("0", "0"),
    ("", ""),                           # blank stays blank: the native default applies
    ("   ", ""),
])
def test_amounts_read_as_the_native_format_writes_them(cell, amount):
    assert parse_amount(cell) == amount


@pytest.mark.parametrize("cell,decimal,amount", [
    ("12.500", ",", "12500"), ("12.500", ".", "12.500"), ("12,500", ".", "12500"),
    ("12,500", ",", "12.500"), ("1.234,5", ",", "1234.5"), ("1,234.5", ".", "1234.5"),
])
def test_a_mapping_may_say_which_mark_is_the_decimal_one(cell, decimal, amount):
    assert parse_amount(cell, decimal) == amount


@pytest.mark.parametrize("cell", ["abc", "twelve", "12..5", "1,2,3", "12,50,00", "12.50.0",
                                  "€", "$", "(500)", "1e5", "12 5OO", "1.2345,00", "n/a"])
def test_what_is_not_an_amount_reads_as_none(cell):
    assert parse_amount(cell) is None


def _us(cents: int) -> str:
    return f"{cents // 100:,}.{cents % 100:02d}"


def _dollars(cents: int) -> str:
    return f"${cents // 100}.{cents % 100:02d}"


def _euros(cents: int) -> str:
    return f"{cents // 100:,}".replace(",", ".") + f",{cents % 100:02d} €"


@given(cents=st.integers(0, 10**14), style=st.sampled_from([_us, _dollars, _euros]))
def test_an_amount_in_any_of_the_three_styles_reads_back_the_same(cents, style):
    assert parse_amount(style(cents)) == f"{cents // 100}.{cents % 100:02d}"


@given(units=st.integers(0, 10**12))
def test_whole_dollars_read_back_the_same(units):
    assert parse_amount(f"${units}") == str(units)


# --- Months and dates ---------------------------------------------------------------------

@pytest.mark.parametrize("cell,month", [
    ("Nov 2026", "2026-11"), ("November 2026", "2026-11"), ("Nov. 2026", "2026-11"),
    ("nov-2026", "2026-11"), ("Sept 2026", "2026-09"), ("11/2026", "2026-11"),
    ("1/2026", "2026-01"), ("2026-11", "2026-11"), ("2026-1", "2026-01"),
    ("2026-11-20", "2026-11"), ("11/20/2026", "2026-11"), ("20.11.2026", "2026-11"),
    (" 2026-11 ", "2026-11"),
])
def test_months_as_exports_write_them(cell, month):
    assert parse_month(cell) == month


@pytest.mark.parametrize("cell", ["", "2026", "13/2026", "0/2026", "2026-13", "2026-00",
                                  "Foo 2026", "Q4 2026", "FY2026", "Mai 2026", "11/31/2026"])
def test_what_is_not_a_month_reads_as_none(cell):
    assert parse_month(cell) is None


@pytest.mark.parametrize("cell,fmt,day", [
    ("11/20/2026", "MM/DD/YYYY", dt.date(2026, 11, 20)),
    ("1/5/2026", "MM/DD/YYYY", dt.date(2026, 1, 5)),
    ("11/20/2026 3:14 PM", "MM/DD/YYYY", dt.date(2026, 11, 20)),
    ("20/11/2026", "DD/MM/YYYY", dt.date(2026, 11, 20)),
    ("20.11.2026", "DD.MM.YYYY", dt.date(2026, 11, 20)),
    ("2026-11-20 14:03", "YYYY-MM-DD", dt.date(2026, 11, 20)),
    ("2026-11-20T14:03:00.000Z", "YYYY-MM-DD", dt.date(2026, 11, 20)),
    ("2026-11-20 14:03:00+01:00", "YYYY-MM-DD", dt.date(2026, 11, 20)),
    ("2/30/2026", "MM/DD/YYYY", None),
    ("20/11/2026", "MM/DD/YYYY", None),
    ("2026-11-20", "MM/DD/YYYY", None),
    ("2026-11-20 noon", "YYYY-MM-DD", None),
])
def test_dates_read_in_the_format_of_their_column(cell, fmt, day):
    assert parse_date(cell, fmt) == day


@pytest.mark.parametrize("values,fmt", [
    (["2026-11-20", "2026-01-02 09:00"], "YYYY-MM-DD"),
    (["11/20/2026", "1/5/2026"], "MM/DD/YYYY"),
    (["1/5/2026", "2/3/2026"], "MM/DD/YYYY"),     # either could read them: month first
    (["1/5/2026", "20/3/2026"], "DD/MM/YYYY"),    # a day above 12 settles it
    (["20/3/2026", "1/5/2026", "3/12/2026"], "DD/MM/YYYY"),
    (["20.11.2026", "01.02.2026"], "DD.MM.YYYY"),
    (["2026-11-20", "2026-11-21", "11/20/2026"], "YYYY-MM-DD"),  # none reads all: the most
    (["2026-11-20", "11/20/2026"], "YYYY-MM-DD"),  # a tie: ISO first
    (["", "  "], "YYYY-MM-DD"),
])
def test_the_date_format_of_a_column(values, fmt):
    assert date_format_of(values) == fmt


def test_a_mapping_s_date_format_is_taken_as_it_is():
    assert date_format_of(["11/20/2026"], "DD.MM.YYYY") == "DD.MM.YYYY"


# --- Encodings and delimiters ------------------------------------------------------------

TEXT = 'Assigned,Date,Amount\r\nZoë Müller,11/20/2026,"12.500,00 €"\r\n'


@pytest.mark.parametrize("data,encoding", [
    (TEXT.encode("utf-8"), "UTF-8"),
    (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "UTF-8 with byte order mark"),
    (b"\xff\xfe" + TEXT.encode("utf-16-le"), "UTF-16 (little-endian)"),
    (b"\xfe\xff" + TEXT.encode("utf-16-be"), "UTF-16 (big-endian)"),
    (TEXT.encode("utf-16-le"), "UTF-16 (little-endian)"),
    (TEXT.encode("utf-16-be"), "UTF-16 (big-endian)"),
    (TEXT.encode("cp1252"), "Windows-1252"),
])
def test_exports_decode_in_the_encoding_they_were_saved_in(data, encoding):
    assert decode_any(data) == (TEXT, encoding)


def test_a_file_that_is_not_text_in_any_encoding_is_refused():
    with pytest.raises(ImportFileError, match=r"not readable as Windows-1252 text \(byte 0x81"):
        decode_any("Zoë,".encode("cp1252") + b"\x81\x8d")
    with pytest.raises(ImportFileError, match="not readable as UTF-16"):
        decode_any(b"\xff\xfe" + "ab".encode("utf-16-le") + b"\x00\xd8")  # a lone surrogate


@pytest.mark.parametrize("text,delimiter", [
    ("Assigned,Date,Subject\nAna,11/20/2026,Call\n", ","),
    ("Assigned;Date;Subject\nAna;20.11.2026;Anruf\n", ";"),
    ("Assigned\tDate\tSubject\nAna\t11/20/2026\tCall\n", "\t"),
    # Commas inside the cells of a semicolon file: quoted ones and decimal ones.
    ('Deal Name;Amount;Deal owner\n"Fabrikam, Inc.";12.500,00 €;Ana\n'
     '"Contoso, Ltd";1.234,50 €;Ben\n', ";"),
    ("Deal Name;Amount\nA;12,50\nB;13,75\nC;0,99\n", ";"),
    # Semicolons inside a comma file's quoted cells.
    ('Subject,Assigned,Date\n"Call; left voicemail",Ana,11/20/2026\n', ","),
    ('Subject\tAmount\n"Fabrikam ""Pilot"""\t12,500.00\n', "\t"),
    ("just one column\nand its value\n", ","),
    ("", ","),
])
def test_the_delimiter_is_the_one_that_splits_lines_evenly(text, delimiter):
    assert sniff_delimiter(text) == delimiter


# --- Header and mapping ------------------------------------------------------------------

SF_ACTIVITIES = ["Assigned", "Activity Type", "Date", "Subject", "Company / Account"]
HUBSPOT_ACTIVITIES = ["Record ID", "Activity date", "Activity type", "Activity assigned to"]


def test_the_header_may_come_after_a_report_s_title_lines():
    rows = [["Team activities 2026"], ["Filtered By:"], ["  Date equals THIS YEAR"], [],
            SF_ACTIVITIES, ["Ana Lima", "Call", "11/20/2026", "x", "Acme"]]
    found = find_header(rows, MAPPINGS, ACTIVITY_COLUMNS)
    assert (found.mapping.name, found.index) == ("salesforce-activities", 4)


def test_a_header_further_down_than_the_first_lines_is_not_looked_for():
    rows = [["title"]] * HEADER_LINES + [SF_ACTIVITIES]
    assert find_header(rows, MAPPINGS, ACTIVITY_COLUMNS) is None
    assert find_header(rows[1:], MAPPINGS, ACTIVITY_COLUMNS).index == HEADER_LINES - 1


@pytest.mark.parametrize("header,name", [
    (SF_ACTIVITIES, "salesforce-activities"),
    ([" assigned to ", "DUE DATE", "Activity Type"], "salesforce-activities"),
    (HUBSPOT_ACTIVITIES, "hubspot-activities"),
    (["Activity date", "Activity type", "Activity owner"], "hubspot-activities"),
])
def test_the_mapping_is_the_one_whose_columns_the_header_has(header, name):
    found = find_header([header], MAPPINGS, ACTIVITY_COLUMNS)
    assert (found.mapping.name, found.index) == (name, 0)


def test_a_header_fitting_several_mappings_takes_the_one_matching_most_columns():
    both = HUBSPOT_ACTIVITIES + ["Assigned", "Date", "Activity Type", "Subject",
                                 "Activity subject"]
    assert find_header([both], MAPPINGS, ACTIVITY_COLUMNS).mapping.name == "hubspot-activities"
    assert find_header([both[4:]], MAPPINGS, ACTIVITY_COLUMNS).mapping.name == \
        "salesforce-activities"


def test_the_native_header_is_cev_learn_s_own_format():
    assert find_header([list(ACTIVITY_COLUMNS)], MAPPINGS, ACTIVITY_COLUMNS) == \
        find_header([["rep_email", "occurred_on"]], MAPPINGS, ACTIVITY_COLUMNS)
    assert find_header([list(ACTIVITY_COLUMNS)], MAPPINGS, ACTIVITY_COLUMNS).mapping is None


@pytest.mark.parametrize("header,name", [
    (["Opportunity Owner", "Stage", "Amount", "Close Date", "Created Date"],
     "salesforce-opportunities"),
    (["Record ID", "Deal Name", "Deal Stage", "Close Date", "Deal owner", "Amount"],
     "hubspot-deals"),
    (["Assigned", "Type", "Date", "Subject"], "salesforce-activities"),
])
def test_a_crm_header_with_a_column_named_like_a_native_one_is_the_crm_s(header, name):
    found = find_header([header], MAPPINGS, ACTIVITY_COLUMNS)
    assert found.mapping is not None and found.mapping.name == name


@pytest.mark.parametrize("header,mappings,native,name", [
    (["Opportunity Owner", "Account Name", "Stage", "Amount", "Type", "Close Date",
      "Created Date", "Opportunity ID"], MAPPINGS, ACTIVITY_COLUMNS,
     "salesforce-opportunities"),
    (["Owner", "Month", "Amount"],
     [CrmMapping("Quotas", "Quotas", QUOTAS, "crm",
                 {"rep": ("owner",), "month": ("month",), "amount": ("amount",)})],
     QUOTA_COLUMNS, "Quotas"),
])
def test_a_crm_header_with_two_columns_named_like_native_ones_is_the_crm_s(
        header, mappings, native, name):
    found = find_header([header], mappings, native)
    assert found.mapping is not None and found.mapping.name == name


def test_nothing_matches_a_header_without_every_required_column():
    assert find_header([["Assigned", "Date", "Subject"]], MAPPINGS, ACTIVITY_COLUMNS) is None
    assert find_header([], MAPPINGS, ACTIVITY_COLUMNS) is None


def test_the_closest_mapping_and_the_columns_it_lacks():
    mapping, missing = closest([["Report"], ["Assigned", "Date", "Subject", "Status"]], MAPPINGS)
    assert (mapping.name, missing) == ("salesforce-activities", ["Activity Type"])
    mapping, missing = closest([["Activity date", "Owner", "Activity type"]], MAPPINGS)
    assert (mapping.name, missing) == ("hubspot-activities", ["Activity assigned to"])
    mapping, missing = closest([["Opportunity Owner", "Stage", "Expected Revenue"]], MAPPINGS)
    assert (mapping.name, missing) == ("salesforce-opportunities", ["Close Date", "Amount"])


def test_no_mapping_is_closest_to_a_header_with_none_of_their_columns():
    assert closest([["foo", "bar"], ["baz"]], MAPPINGS) is None
    assert closest([], MAPPINGS) is None


# --- People and rows ----------------------------------------------------------------------

@pytest.mark.parametrize("cell,person,key", [
    ("Ana.Lima@Example.com", "auto", "ana.lima@example.com"),
    ("Ana Lima <Ana.Lima@Example.com>", "auto", "ana.lima@example.com"),
    ("Ana Lima (ana@example.com)", "auto", "ana@example.com"),
    ("  Zoë   MÜLLER ", "auto", "zoë müller"),
    ("Zoë Müller", "name", "zoë müller"),
    ("005Ab000001XyZq", "crm_id", "005ab000001xyzq"),  # ids compared without case, as names
    (" Ana@Example.com ", "email", "ana@example.com"),
    ("", "auto", ""),
])
def test_how_a_rep_cell_is_looked_up(cell, person, key):
    assert person_key(cell, person) == key


def test_a_row_without_an_id_gets_one_made_of_its_identifying_cells():
    header = ["Assigned", "Activity Type", "Date", "Subject"]
    rows = [(2, ["Ana Lima", "Logged Call", "11/20/2026", "Call"]),
            (3, ["Ana Lima", "Task", "11/20/2026", "Call"]),           # not counted
            (4, [" Ana Lima ", "Logged Call", "11/20/2026", "Call "]),  # the same, spaced
            (5, ["Ana Lima", "Logged Call", "11/21/2026", "Call"])]
    reader = Reader(PRESETS["salesforce-activities"], header, TYPES, "MM/DD/YYYY")
    mapped = reader.read(rows, {"ana lima": "ana@example.com"})
    first = "salesforce:row-" + hashlib.sha256(
        "Ana Lima\x1f11/20/2026\x1fLogged Call\x1fCall".encode()).hexdigest()[:20]
    other = "salesforce:row-" + hashlib.sha256(
        "Ana Lima\x1f11/21/2026\x1fLogged Call\x1fCall".encode()).hexdigest()[:20]
    assert mapped.rows == [
        (2, [first, "ana@example.com", "2026-11-20", "call", "", ""]),
        (4, [f"{first}-2", "ana@example.com", "2026-11-20", "call", "", ""]),
        (5, [other, "ana@example.com", "2026-11-21", "call", "", ""])]
    assert mapped.skipped == {"Activity Type: Task (not counted)": 1}


def test_a_deal_is_an_opportunity_when_created_and_a_deal_won_when_won():
    header = ["Opportunity Owner", "Stage", "Amount", "Close Date", "Created Date",
              "Opportunity ID"]
    rows = [(2, ["Ana Lima", "Closed Won", "12,500.00", "11/20/2026", "10/1/2026", "006A"]),
            (3, ["Ana Lima", "Closed Lost", "", "11/21/2026", "10/2/2026", "006B"]),
            (4, ["Ana Lima", "Prospecting", "9,000.00", "1/5/2027", "", "006C"]),
            (5, ["Ana Lima", "Closed Won", "", "11/22/2026", "", "006D"])]
    reader = Reader(PRESETS["salesforce-opportunities"], header, TYPES, "MM/DD/YYYY")
    mapped = reader.read(rows, {"ana lima": "ana@example.com"})
    assert mapped.rows == [
        (2, ["salesforce:006A", "ana@example.com", "2026-10-01", "opportunity", "1", "0"]),
        (2, ["salesforce:006A:won", "ana@example.com", "2026-11-20", "deal_won", "1",
             "12500.00"]),
        (3, ["salesforce:006B", "ana@example.com", "2026-10-02", "opportunity", "1", "0"]),
        (5, ["salesforce:006D:won", "ana@example.com", "2026-11-22", "deal_won", "1", ""])]
    assert mapped.skipped == {"Prospecting, no created date (not counted)": 1}
    assert not mapped.problems


def test_bad_cells_are_problems_naming_the_file_s_column():
    header = ["Assigned", "Activity Type", "Date", "Subject"]
    rows = [(2, ["Ghost", "Call", "2/30/2026", "x"]), (3, ["", "Webinar", "1/5/2026", "x"])]
    reader = Reader(PRESETS["salesforce-activities"], header, TYPES, "MM/DD/YYYY")
    mapped = reader.read(rows, {"ghost": NoMatch("no account has this name")})
    assert mapped.problems == [
        Problem(2, "Assigned 'Ghost': no account has this name", "rep_email"),
        Problem(2, "Date '2/30/2026' is not a date written MM/DD/YYYY (11/20/2026)",
                "occurred_on"),
        Problem(3, "Assigned is blank", "rep_email"),
        Problem(3, "Activity Type 'Webinar' is not an activity type cev_learn counts; map it "
                   "to one in a custom mapping", "type")]
    assert mapped.rows == []


UK_QUOTAS = CrmMapping("UK quotas", "UK quotas", QUOTAS, "uk",
                       {"rep": ("owner",), "month": ("period",), "amount": ("target",)},
                       dates="DD/MM/YYYY")


def test_quota_months_are_read_from_months_and_dates():
    reader = Reader(UK_QUOTAS, ["Owner", "Period", "Target"], TYPES, "DD/MM/YYYY")
    mapped = reader.read([(2, ["ana@example.com", "Nov 2026", "£5,000"]),
                          (3, ["ana@example.com", "2026-12", "5.000,50"])], {})
    assert mapped.rows == [(2, ["ana@example.com", "2026-11", "5000"]),
                           (3, ["ana@example.com", "2026-12", "5000.50"])]


def test_a_quota_month_written_as_a_day_first_date_reads_in_the_mapping_s_format():
    reader = Reader(UK_QUOTAS, ["Owner", "Period", "Target"], TYPES, "DD/MM/YYYY")
    mapped = reader.read([(2, ["ana@example.com", "01/11/2026", "5000"])], {})
    assert mapped.rows == [(2, ["ana@example.com", "2026-11", "5000"])]


def test_native_quota_columns_are_the_native_format():
    assert find_header([list(QUOTA_COLUMNS)], [UK_QUOTAS], QUOTA_COLUMNS).mapping is None

