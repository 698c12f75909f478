"""What the ramp pages show: numbers, charts and the tables behind them (also served as CSV).

Each builder reads through analytics.queries and cohorts.queries, so a page costs a fixed
number of statements whatever the number of reps; the rest is arithmetic on loaded data.
"""
import datetime as dt
from collections import defaultdict
from dataclasses import asdict, dataclass, field

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import aliased, joinedload

from cev_learn.accounts.models import User
from cev_learn.analytics import charts, metrics, readiness_data, reports
from cev_learn.analytics.readiness import TREND_DAYS, Readiness
from cev_learn.analytics.queries import RampData, load_outcomes, load_ramp, weekly_activity
from cev_learn.cohorts.access import visible_cohorts
from cev_learn.cohorts.models import Cohort, Membership
from cev_learn.cohorts.schedule import Standing
from cev_learn.content.track_data import track_data
from cev_learn.platform import caching
from cev_learn.platform.csv_safety import csv_text
from cev_learn.platform.db import db, no_cyclic_gc
from cev_learn.ramp import standing

COMPARED_COHORTS = 6     # series on one Kaplan–Meier chart (the palette has six colours)
HEAT_MAP_WEEKS = 26
REPS_PER_PAGE = 20       # reps per page of a cohort (its list, pace chart and table)
NEEDS_HELP = (Standing.BEHIND, Standing.AT_RISK)


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = "text"  # text | int | pct | num | date | rho


@dataclass(frozen=True)
class Table:
    """A chart's data or a list, shown as an HTML table and downloadable as CSV."""

    name: str
    caption: str
    columns: list[Column]
    rows: list[list]

    def csv(self) -> str:
        return csv_text([c.label for c in self.columns], self.rows)


def _pct_columns(prefix: str = "Productive by day ") -> list[Column]:
    return [Column(f"{prefix}{day}", "pct") for day in metrics.REPORT_DAYS]


# --- Dashboard ------------------------------------------------------------------------------

@dataclass(frozen=True)
class CohortBlock:
    """What the dashboard shows of one cohort: built from that cohort's data only, so it is
    cached under the cohort's version and built again only when one of its reps changes."""

    report: dict
    observations: list[metrics.Observation]   # TTP of its reps, for the pooled curves
    km: list[tuple[int, float]]
    ramping: int
    needs_help: list[standing.HelpNeeded]
    paces: list[tuple[dict, int | None]]       # early pace and TTP per rep (correlations)


@dataclass
class Dashboard:
    as_of: dt.date
    cohorts: list[Cohort]
    reports: dict[int, dict]
    ramping: int
    latest: tuple[Cohort, int] | None        # newest cohort with a median, and the median
    previous: tuple[Cohort, int] | None      # the one before it, for the trend
    productive_by_90: float | None
    needs_help: list[standing.HelpNeeded]  # neediest first
    territories: list[reports.GroupSummary]
    correlations: dict[str, dict]
    correlation_reps: int
    charts: dict[str, Markup] = field(default_factory=dict)
    tables: dict[str, Table] = field(default_factory=dict)

    @property
    def median_change(self) -> int | None:
        """Days the newest median moved against the one before (negative: shorter ramp)."""
        if self.latest is None or self.previous is None:
            return None
        return self.latest[1] - self.previous[1]


@no_cyclic_gc()  # tens of thousands of rows and figures, none of them in a cycle
def dashboard(viewer: User, as_of: dt.date, today: dt.date) -> Dashboard:
    cohorts = list(db.session.scalars(visible_cohorts(viewer).options(joinedload(Cohort.track))
                                      .order_by(Cohort.start_on, Cohort.name)))
    by_id = {c.id: c for c in cohorts}
    blocks = caching.cached_each(
        "ramp-cohort-block", (as_of,), {c.id: caching.cohort_scope(c.id) for c in cohorts},
        lambda ids: cohort_blocks([by_id[i] for i in ids], as_of, today), today=today)
    by_cohort = {c.id: blocks[c.id].report for c in cohorts}
    with_median = [(c, by_cohort[c.id]["median_days_to_productivity"]) for c in cohorts
                   if by_cohort[c.id]["median_days_to_productivity"] is not None]
    pooled = metrics.kaplan_meier(o for c in cohorts for o in blocks[c.id].observations)
    needs_help = sorted((row for c in cohorts for row in blocks[c.id].needs_help),
                        key=lambda r: (-r.standing.rank, -r.overdue, r.rep_name))
    by_territory = defaultdict(list)
    for cohort in cohorts:
        by_territory[cohort.territory or reports.NO_TERRITORY] += blocks[cohort.id].observations
    page = Dashboard(
        as_of, cohorts, by_cohort, sum(blocks[c.id].ramping for c in cohorts),
        with_median[-1] if with_median else None,
        with_median[-2] if len(with_median) > 1 else None,
        1 - metrics.survival_at(pooled, 90) if pooled else None, needs_help,
        reports.group_summaries(by_territory),
        metrics.activity_correlations(p for c in cohorts for p in blocks[c.id].paces),
        sum(by_cohort[c.id]["productive"] for c in cohorts))
    km = {c.id: blocks[c.id].km for c in _recent(cohorts, by_cohort)}
    page.tables = _dashboard_tables(page, km)
    page.charts = _dashboard_charts(page, km)
    return page


def cohort_blocks(cohorts: list[Cohort], as_of: dt.date, today: dt.date) -> dict[int, CohortBlock]:
    """The dashboard's part of each cohort, built together (a fixed number of statements)."""
    data = load_outcomes(cohorts, as_of, early_weeks=True)
    needs_help = defaultdict(list)
    for need in standing.needing_help(cohorts, today):
        needs_help[need.cohort_id].append(need)
    blocks = {}
    for cohort in cohorts:
        observed = reports.observed_reps(data, cohort)
        observations = [observation for _, observation in observed]
        curve = metrics.kaplan_meier(observations)
        blocks[cohort.id] = CohortBlock(
            asdict(metrics.observed_summary(observations, curve)), observations,
            reports.km_points(curve), _ramping(data, cohort),
            needs_help[cohort.id], reports.cohort_early_paces(data, cohort, observed))
    return blocks


def _ramping(data: RampData, cohort: Cohort) -> int:
    """Reps started by as_of, still with the company and not yet productive."""
    milestone = data.productivity_milestone(cohort)
    reached = data.achieved.get(milestone.id, {}) if milestone else {}
    return sum(1 for m in data.members[cohort.id]
               if m.effective_start_on <= data.as_of and m.user_id not in reached
               and (m.end_on is None or m.end_on > data.as_of))


def _dashboard_tables(page: Dashboard, km: dict[int, list]) -> dict[str, Table]:
    cohort_rows = []
    for cohort in page.cohorts:
        report = page.reports[cohort.id]
        cohort_rows.append([cohort.name, cohort.start_on, cohort.territory or "", report["reps"],
                            report["productive"], report["censored"],
                            report["median_days_to_productivity"],
                            *report["pct_productive_by_day"].values()])
    km_rows = [[c.name, day, share] for c in page.cohorts if c.id in km
               for day, share in km[c.id]]
    return {
        "cohorts": Table("cohorts", "Time to productivity by cohort", [
            Column("Cohort"), Column("Start", "date"), Column("Territory"), Column("Reps", "int"),
            Column("Productive", "int"), Column("Still ramping or left", "int"),
            Column("Median days to productivity", "int"), *_pct_columns()], cohort_rows),
        "km": Table("km", "% productive by day, by cohort",
                    [Column("Cohort"), Column("Day", "int"), Column("Productive", "pct")], km_rows),
        "territories": Table("territories", "Time to productivity by territory", [
            Column("Territory"), Column("Reps", "int"), Column("Productive", "int"),
            Column("Median days to productivity", "int"), *_pct_columns()],
            [[t.label, t.reps, t.productive, t.median_days, *t.pct_by_day.values()]
             for t in page.territories]),
        "needs-help": Table("needs-help", "Reps behind or at risk now", [
            Column("Rep"), Column("Cohort"), Column("Status"), Column("Day", "int"),
            Column("Overdue", "int"), Column("Next milestone"), Column("Due", "date")],
            [[r.rep_name, r.cohort_name, r.standing.label, r.tenure, r.overdue,
              r.next_title or "", r.next_due] for r in page.needs_help]),
        "correlations": _correlation_table(page.correlations),
    }


def _correlation_table(correlations: dict[str, dict]) -> Table:
    return Table("correlations", "Early activity pace and time to productivity (correlation)",
                 [Column("Activity"), Column("Spearman's rho", "rho"), Column("Reps", "int")],
                 [[kind, value["rho"], value["n"]] for kind, value in correlations.items()])


def _dashboard_charts(page: Dashboard, km: dict[int, list]) -> dict[str, Markup]:
    return {
        "trend": charts.for_screens(
            charts.line_chart,
            [(f"{c.start_on:%b %Y}", page.reports[c.id]["median_days_to_productivity"])
             for c in page.cohorts],
            id="ttp-trend", title="Median days to productivity, by cohort start",
            x_label="Cohort start", y_label="Median days to productivity"),
        "km": _km_chart([(c.name, km[c.id]) for c in page.cohorts if c.id in km], "km-cohorts"),
        "territories": charts.for_screens(
            charts.bar_chart, [(t.label, t.pct_by_day["90"]) for t in page.territories],
            id="territories", title="Productive by day 90, by territory",
            x_label="Territory", value_label="Share of reps productive by day 90",
            value_max=1.0, value_format="percent"),
    }


def _recent(cohorts: list[Cohort], by_cohort: dict[int, dict]) -> list[Cohort]:
    """The newest cohorts with reps, oldest first, as many as one chart can tell apart."""
    return [c for c in cohorts if by_cohort[c.id]["reps"]][-COMPARED_COHORTS:]


def _km(data: RampData, cohort: Cohort) -> list[tuple[int, float]]:
    return reports.km_points(metrics.kaplan_meier(reports.observations(data, [cohort])))


def _km_chart(series: list[tuple[str, list[tuple[int, float]]]], chart_id: str) -> Markup:
    return charts.for_screens(charts.step_chart, series, id=chart_id,
                              title="% of reps productive by day of tenure",
                              x_label="Days since start", y_label="Reps productive")


# --- Cohort page ----------------------------------------------------------------------------

@dataclass
class CohortPage:
    cohort: Cohort
    as_of: dt.date
    report: dict
    compared: list[Cohort]
    candidates: list[Cohort]
    activities: list[str]
    activity: str | None
    reps: list["RepRow"]             # this page of reps
    page: int
    pages: int
    rep_count: int
    correlations: dict[str, dict]
    charts: dict[str, Markup] = field(default_factory=dict)
    tables: dict[str, Table] = field(default_factory=dict)
    forecast: object | None = None   # forecasts.CohortForecastView, set by the view


@dataclass(frozen=True)
class RepRow:
    membership: Membership
    summary: object | None           # RepSummary; None once the rep has left
    productive_on: dt.date | None

    @property
    def days_to_productivity(self) -> int | None:
        if self.productive_on is None:
            return None
        return metrics.tenure_day(self.membership.effective_start_on, self.productive_on)


def comparable_cohorts(viewer: User, cohort: Cohort) -> list[Cohort]:
    """Other cohorts on the same track the viewer may see, newest first."""
    return list(db.session.scalars(
        visible_cohorts(viewer).options(joinedload(Cohort.track))
        .where(Cohort.track_id == cohort.track_id, Cohort.id != cohort.id)
        .order_by(Cohort.start_on.desc(), Cohort.name)))


def cohort_and_comparable(viewer: User, cohort_id: int) -> tuple[Cohort | None, list[Cohort]]:
    """The cohort if the viewer works with it, and `comparable_cohorts`, in one statement."""
    this = aliased(Cohort)
    same_track = select(this.track_id).where(this.id == cohort_id).scalar_subquery()
    found = list(db.session.scalars(
        visible_cohorts(viewer).options(joinedload(Cohort.track))
        .where(Cohort.track_id == same_track).order_by(Cohort.start_on.desc(), Cohort.name)))
    cohort = next((c for c in found if c.id == cohort_id), None)
    return cohort, [c for c in found if c.id != cohort_id]


def default_compared(cohort: Cohort, candidates: list[Cohort]) -> list[Cohort]:
    """Without a choice: the cohorts that started before this one, the newest three."""
    return [c for c in candidates if c.start_on < cohort.start_on][:3]


def cohort_page(cohort: Cohort, compared: list[Cohort], candidates: list[Cohort],
                activity: str | None, page: int, as_of: dt.date, today: dt.date) -> CohortPage:
    data = load_ramp([cohort, *compared], as_of, weekly_until=HEAT_MAP_WEEKS)
    report = reports.cohort_report(data, cohort)
    counted = sorted((m for m in data.members[cohort.id] if m.effective_start_on <= as_of),
                     key=lambda m: (m.user.name, m.user_id))
    pages = max(1, -(-len(counted) // REPS_PER_PAGE))
    page = min(max(page, 1), pages)
    shown = counted[(page - 1) * REPS_PER_PAGE:page * REPS_PER_PAGE]
    summaries = {s.rep.id: s for s in standing.summaries(shown, today)}
    milestone = data.productivity_milestone(cohort)
    reached = data.achieved.get(milestone.id, {}) if milestone else {}
    activities = list((cohort.track.activity_targets or {}).keys())
    result = CohortPage(cohort, as_of, report, compared, candidates, activities,
                        activity if activity in activities else (activities or [None])[0],
                        [RepRow(m, summaries.get(m.user_id), reached.get(m.user_id))
                         for m in shown], page, pages, len(counted),
                        reports.correlations(data, [cohort]))
    result.tables = _cohort_tables(result, data, shown)
    result.charts = _cohort_charts(result, data, shown)
    return result


def _cohort_tables(page: CohortPage, data: RampData, shown: list[Membership]) -> dict[str, Table]:
    reps = page.report["reps"]
    funnel = [[m["slug"], title, m["achieved"], reps, m["achieved"] / reps if reps else None,
               m["median_days"]]
              for m, title in zip(page.report["milestones"],
                                  (m.title for m in data.milestones[page.cohort.track_id]))]
    series = [page.cohort, *page.compared]
    return {
        "km": Table("km", "% productive by day", [Column("Cohort"), Column("Day", "int"),
                                                    Column("Productive", "pct")],
                    [[c.name, day, share] for c in series for day, share in _km(data, c)]),
        "funnel": Table("funnel", "Milestones reached", [
            Column("Milestone slug"), Column("Milestone"), Column("Reached", "int"),
            Column("Reps", "int"), Column("Share", "pct"), Column("Median days", "int")], funnel),
        "ramp-curve": Table("ramp-curve", "Quota attainment by month of tenure", [
            Column("Month", "int"), Column("Reps with a quota", "int"), Column("p25", "pct"),
            Column("Median", "pct"), Column("p75", "pct")],
            [[p["month"], p["n"], p["p25"], p["median"], p["p75"]]
             for p in page.report["ramp_curve"]]),
        "pace": _pace_table(page, data, shown),
        "reps": Table("reps", "Reps", [
            Column("Rep"), Column("Email"), Column("Start", "date"), Column("Left", "date"),
            Column("Productive on", "date"), Column("Days to productivity", "int")],
            [[row.membership.user.name, row.membership.user.email,
              row.membership.effective_start_on, row.membership.end_on, row.productive_on,
              row.days_to_productivity] for row in page.reps]),
        "correlations": _correlation_table(page.correlations),
    }


def _pace_rows(page: CohortPage, data: RampData, shown: list[Membership]):
    """(rep, week, actual, target, pace) for the chosen activity, weeks that are over."""
    targets = (page.cohort.track.activity_targets or {}).get(page.activity, [])
    for membership in shown:
        weeks = min(HEAT_MAP_WEEKS, reports.completed_weeks(membership.effective_start_on,
                                                            page.as_of))
        actuals = data.weekly.get(membership.user_id, {}).get(page.activity, {})
        for week in range(1, weeks + 1):
            target = metrics.weekly_target(targets, week)
            actual = actuals.get(week, 0)
            yield membership, week, actual, target, metrics.pace(actual, target)


def _pace_table(page: CohortPage, data: RampData, shown: list[Membership]) -> Table:
    return Table("pace", f"Weekly {page.activity or 'activity'} pace by rep", [
        Column("Rep"), Column("Week", "int"), Column("Actual", "int"), Column("Target", "num"),
        Column("Pace", "pct")],
        [[m.user.name, week, actual, target, pace]
         for m, week, actual, target, pace in _pace_rows(page, data, shown)])


def _cohort_charts(page: CohortPage, data: RampData, shown: list[Membership]) -> dict[str, Markup]:
    weeks = max((reports.completed_weeks(m.effective_start_on, page.as_of) for m in shown),
                default=0)
    columns = list(range(1, min(weeks, HEAT_MAP_WEEKS) + 1))
    grid = {m.user_id: [None] * len(columns) for m in shown}
    for membership, week, _actual, _target, pace in _pace_rows(page, data, shown):
        grid[membership.user_id][week - 1] = pace
    titles = [m.title for m in data.milestones[page.cohort.track_id]]
    return {
        "km": _km_chart([(c.name, _km(data, c)) for c in [page.cohort, *page.compared]],
                        "km-cohort"),
        "funnel": charts.for_screens(
            charts.bar_chart,
            [(title, entry["achieved"]) for title, entry in zip(titles, page.report["milestones"])],
            id="funnel", title="Reps who reached each milestone", x_label="Milestone",
            value_label="Reps", value_max=page.report["reps"] or None),
        "ramp-curve": charts.for_screens(
            charts.band_chart, page.report["ramp_curve"], id="ramp-curve",
            title="Quota attainment by month of tenure (median, p25–p75)",
            x_label="Month of tenure", y_label="Attainment"),
        "pace": charts.heat_map(
            [(m.user.name, grid[m.user_id]) for m in shown], [str(c) for c in columns],
            id="pace", title=f"Weekly {page.activity or 'activity'} pace (actual ÷ target)",
            x_label="Week of tenure", y_label="Rep"),
    }


# --- Rep ramp page --------------------------------------------------------------------------

@dataclass(frozen=True)
class MilestoneRow:
    milestone: object                # Milestone
    due_on: dt.date
    achieved_on: dt.date | None
    achieved_day: int | None
    standing: Standing | None        # today; None while it cannot be measured

    @property
    def late_by(self) -> int:
        return max(0, (self.achieved_day or 0) - self.milestone.due_day)


@dataclass
class RepRampPage:
    rep: User
    membership: Membership
    as_of: dt.date
    summary: object | None           # RepSummary (status today); None once the rep has left
    milestones: list[MilestoneRow]
    this_week: list[reports.PaceLine]
    week: int
    readiness: Readiness | None = None  # None: the track declares no competencies
    charts: dict[str, Markup] = field(default_factory=dict)
    tables: dict[str, Table] = field(default_factory=dict)


def rep_ramp_page(membership: Membership, as_of: dt.date, today: dt.date) -> RepRampPage:
    cohort, start_on = membership.cohort, membership.effective_start_on
    data = load_ramp([cohort], as_of, rep_id=membership.user_id, members=[membership])
    weekly = weekly_activity([cohort.id], as_of, rep_id=membership.user_id).get(
        membership.user_id, {})
    summary = next(iter(standing.summaries([membership], today)), None)
    standings = {line.milestone.id: line.standing for line in summary.milestones} if summary else {}
    milestones = []
    for milestone in data.milestones[cohort.track_id]:
        achieved_on = data.achieved[milestone.id].get(membership.user_id)
        milestones.append(MilestoneRow(
            milestone, start_on + dt.timedelta(days=milestone.due_day), achieved_on,
            metrics.tenure_day(start_on, achieved_on) if achieved_on else None,
            standings.get(milestone.id)))
    targets = cohort.track.activity_targets or {}
    week = metrics.tenure_week(start_on, as_of) if as_of >= start_on else 0
    page = RepRampPage(membership.user, membership, as_of, summary, milestones,
                       reports.week_pace(targets, weekly, week) if week else [], week,
                       readiness_data.scores([membership], track_data([cohort.track]),
                                             as_of).get(membership.user_id))
    weeks = min(HEAT_MAP_WEEKS, reports.completed_weeks(start_on, as_of))
    paces = {kind: reports.pace_by_week(weekly.get(kind, {}), values, weeks)
             for kind, values in targets.items()}
    attainment = reports.rep_attainment(data, membership)
    page.tables = {
        "milestones": Table("milestones", "Milestones: due day and day reached", [
            Column("Milestone"), Column("Due day", "int"), Column("Due", "date"),
            Column("Reached on", "date"), Column("Day reached", "int")],
            [[m.milestone.title, m.milestone.due_day, m.due_on, m.achieved_on, m.achieved_day]
             for m in milestones]),
        "weekly": Table("weekly", "Weekly activity against target", [
            Column("Activity"), Column("Week", "int"), Column("Actual", "int"),
            Column("Target", "num"), Column("Pace", "pct")],
            [[kind, w, weekly.get(kind, {}).get(w, 0), metrics.weekly_target(values, w),
              paces[kind][w - 1]] for kind, values in targets.items() for w in range(1, weeks + 1)]),
        "attainment": Table("attainment", "Quota attainment by month", [
            Column("Month of tenure", "int"), Column("Calendar month"), Column("Quota", "num"),
            Column("Bookings", "num"), Column("Attainment", "pct")],
            [[a["month"], f"{a['calendar']:%Y-%m}", a["quota"], a["bookings"], a["attainment"]]
             for a in attainment]),
        "readiness": _readiness_table(page.readiness),
    }
    page.charts = {
        "milestones": charts.for_screens(
            charts.bar_chart,
            [(f"{m.milestone.title} (due day {m.milestone.due_day})", m.achieved_day)
             for m in milestones if m.achieved_day is not None],
            id="rep-milestones", title="Day each milestone was reached",
            x_label="Milestone", value_label="Days since start"),
        "weekly": charts.heat_map(
            list(paces.items()), [str(w) for w in range(1, weeks + 1)], id="rep-weekly",
            title="Weekly activity pace (actual ÷ target)", x_label="Week of tenure",
            y_label="Activity"),
        "attainment": charts.for_screens(
            charts.bar_chart,
            [(f"Month {a['month']} · {a['calendar']:%b %Y}", a["attainment"])
             for a in attainment if a["attainment"] is not None],
            id="rep-attainment", title="Quota attainment by month", x_label="Month",
            value_label="Bookings ÷ quota", value_format="percent"),
    }
    return page


def _readiness_table(shown: Readiness | None) -> Table:
    def points(value):
        return None if value is None else round(100 * value, 1)
    rows = [[c.title, points(c.score), *(points(c.trend[d]) for d in TREND_DAYS)]
            for c in shown.competencies] if shown else []
    if shown:
        rows.append(["Overall", *(None if v is None else round(v, 1)
                                  for v in (shown.score, *(shown.trend[d] for d in TREND_DAYS)))])
    return Table("readiness", "Readiness by competency (0-100), now and before", [
        Column("Competency"), Column("Score", "num"),
        *(Column(f"{d} days before", "num") for d in TREND_DAYS)], rows)


def this_week(membership: Membership, today: dt.date) -> tuple[int, list[reports.PaceLine]]:
    """The rep's tenure week today and their pace against each weekly target (one statement)."""
    targets = membership.cohort.track.activity_targets or {}
    start_on = membership.effective_start_on
    if not targets or today < start_on:
        return 0, []
    weekly = weekly_activity([membership.cohort_id], today, rep_id=membership.user_id)
    week = metrics.tenure_week(start_on, today)
    return week, reports.week_pace(targets, weekly.get(membership.user_id, {}), week)
