"""track.yaml: its fields, their rules, and the plain data they become."""
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from cev_learn.content.competencies import CompetencySchema
from cev_learn.content.exercise_schema import parse_exercises
from cev_learn.content.yaml_source import YamlDocument

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# A trillion per record: no won deal or monthly quota comes near it, yet a sum over the
# 5,000,000 rows a file may hold stays finite (5e18, against 1.8e308 for a float) and within a
# part in a billion of exact. Two amounts near 1e308 would already sum to infinity. Imports
# and the API refuse larger amounts; a bookings milestone cannot ask for more either.
MAX_AMOUNT = 1_000_000_000_000
TRACK_KEYS = ("title", "summary", "schedule", "quizzes", "milestones", "rubrics",
              "productivity_milestone", "activity_targets", "checklists_required",
              "competencies", "exercises", "certifications")
QUIZ_KEYS = ("title", "file", "pass_mark", "max_attempts", "time_limit_minutes", "draw", "shuffle",
             "review", "covers")
QUIZ_SUFFIXES = (".gift", ".txt", ".quiz.yaml")
REVIEW_POLICIES = ("after_each_attempt", "after_passing", "never")
MEASURE_SHAPES = {
    frozenset({"activity", "at_least"}): "activity",
    frozenset({"bookings"}): "bookings",
    frozenset({"attainment", "consecutive_months"}): "attainment",
    frozenset({"quiz", "min_score"}): "quiz",
    frozenset({"modules"}): "modules",
    frozenset({"signoff"}): "signoff",
}
MAX_DAY = 3650
RUBRIC_LEVELS = 5  # a sign-off scores each criterion from 1 to 5
CERTIFICATION_KEYS = ("title", "requires", "valid_for_days", "remind_days_before")
# What a certification can require, each by name: a quiz passed at its pass mark, a passing
# sign-off against a rubric, a practice exercise passed in a coach's review.
REQUIREMENT_KINDS = ("quiz", "signoff", "exercise")
REQUIREMENT_SHAPES = "{quiz: SLUG}, {signoff: RUBRIC} or {exercise: SLUG}"
REQUIREMENT_PLACES = {"quiz": "quizzes:", "signoff": "rubrics:", "exercise": "exercises:"}
DEFAULT_REMIND_DAYS = 30


@dataclass(frozen=True)
class ScheduleEntry:
    kind: str  # module | quiz | milestone
    slug: str
    due_day: int | None


@dataclass(frozen=True)
class QuizSettings:
    slug: str
    title: str
    file: str
    pass_mark: float
    max_attempts: int | None
    time_limit_minutes: int | None
    draw: int | None
    shuffle: bool
    review: str
    covers: tuple[str, ...] = ()  # modules whose booster questions come from this quiz


@dataclass(frozen=True)
class MilestoneSource:
    slug: str
    title: str
    due_day: int
    measure: dict = field(hash=False)


@dataclass(frozen=True)
class CertificationSource:
    slug: str
    title: str
    # ("quiz", slug) and ("signoff", rubric slug) pairs, in the order track.yaml lists them
    requires: tuple[tuple[str, str], ...]
    valid_for_days: int
    remind_days_before: int


@dataclass(frozen=True)
class RubricSource:
    slug: str
    title: str
    pass_mark: float
    criteria: tuple[str, ...]
    # Per criterion (in the order of criteria), what each level 1-5 looks like: a tuple of
    # five texts or None where track.yaml describes none.
    levels: tuple[tuple[str | None, ...], ...] = ()


def _is_int(value) -> bool:
    return type(value) is int


def _is_number(value) -> bool:
    """A finite int or float (YAML's .inf and .nan are floats too)."""
    return type(value) in (int, float) and math.isfinite(value)


def _is_slug(value) -> bool:
    return isinstance(value, str) and bool(SLUG.match(value))


class TrackSchema:
    """Validates one track.yaml document, reporting each problem with its line."""

    def __init__(self, doc: YamlDocument, activity_types, report: Callable[[str, int, str], None]):
        self.doc = doc
        self.activity_types = tuple(activity_types)
        self._report = report
        self.failed = False

    def problem(self, path: tuple, message: str, key: bool = False) -> None:
        line = self.doc.key_line(*path) if key and path else self.doc.line(*path)
        self.failed = True
        self._report("track.yaml", line, message)

    def parse(self, module_slugs: set[str], file_exists: Callable[[str], str | None]) -> dict | None:
        data = self.doc.data
        if not isinstance(data, dict):
            self.problem((), "track.yaml must be a mapping with at least a title")
            return None
        for key in data:
            if key not in TRACK_KEYS:
                self.problem((key,), f"unknown key {key!r} (expected one of {', '.join(TRACK_KEYS)})",
                             key=True)
        title = data.get("title")
        if not isinstance(title, str) or not title.strip() or len(title) > 200:
            self.problem(("title",), "title is required: text of at most 200 characters")
        summary = data.get("summary")
        if summary is not None and (not isinstance(summary, str) or len(summary) > 1000):
            self.problem(("summary",), "summary must be text of at most 1000 characters")
        quizzes = self._quizzes(data.get("quizzes"), file_exists, module_slugs)
        rubrics = self._rubrics(data.get("rubrics"))
        milestones = self._milestones(data.get("milestones"), module_slugs,
                                      {q.slug for q in quizzes}, {r.slug for r in rubrics})
        schedule = self._schedule(data.get("schedule"), module_slugs, {q.slug for q in quizzes},
                                  {m.slug: m for m in milestones})
        productivity = data.get("productivity_milestone")
        if productivity is not None and productivity not in {m.slug for m in milestones}:
            self.problem(("productivity_milestone",),
                         f"productivity_milestone {productivity!r} is not a milestone of this track")
        targets = self._activity_targets(data.get("activity_targets"))
        checklists_required = data.get("checklists_required", False)
        if type(checklists_required) is not bool:
            self.problem(("checklists_required",),
                         f"checklists_required must be true or false, not {checklists_required!r}")
        competencies = CompetencySchema(
            self, module_slugs, {r.slug: r.criteria for r in rubrics}, targets
        ).parse(data.get("competencies"))
        exercises = parse_exercises(self, data.get("exercises"), {r.slug for r in rubrics},
                                    _is_slug)
        certifications = self._certifications(data.get("certifications"),
                                              {"quiz": {q.slug for q in quizzes},
                                               "signoff": {r.slug for r in rubrics},
                                               "exercise": {e.slug for e in exercises}})
        if self.failed:
            return None
        return {"title": title.strip(), "summary": summary.strip() if summary else None,
                "schedule": tuple(schedule), "quizzes": tuple(quizzes),
                "milestones": tuple(milestones), "rubrics": tuple(rubrics),
                "productivity_milestone": productivity, "activity_targets": targets,
                "checklists_required": checklists_required,
                "competencies": tuple(competencies),
                "exercises": tuple(exercises),
                "certifications": tuple(certifications)}

    @staticmethod
    def is_slug(value) -> bool:
        return _is_slug(value)

    def _mapping(self, value, path: tuple, what: str) -> dict:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.problem(path, f"{what} must be a mapping")
            return {}
        return value

    def _list(self, value, path: tuple, what: str) -> list:
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(path, f"{what} must be a list")
            return []
        return value

    def _due_day(self, value, path: tuple, required: bool) -> int | None:
        if value is None and not required:
            return None
        if not _is_int(value) or not 0 <= value <= MAX_DAY:
            self.problem(path, f"due_day must be a whole number of days from 0 to {MAX_DAY}")
            return None
        return value

    def _schedule(self, value, modules, quizzes, milestones) -> list[ScheduleEntry]:
        entries, seen = [], set()
        known = {"module": modules, "quiz": quizzes, "milestone": set(milestones)}
        for i, item in enumerate(self._list(value, ("schedule",), "schedule")):
            path = ("schedule", i)
            kinds = [k for k in known if isinstance(item, dict) and k in item]
            if len(kinds) != 1:
                self.problem(path, "each schedule entry names exactly one of module, quiz or milestone")
                continue
            kind = kinds[0]
            extra = set(item) - {kind, "due_day"}
            if extra:
                self.problem(path, f"unknown key {sorted(extra)[0]!r} in schedule entry")
            slug = item[kind]
            if slug not in known[kind]:
                hint = {"module": " (no modules/NN-{0}.md)", "quiz": " (not listed under quizzes:)",
                        "milestone": " (not listed under milestones:)"}[kind].format(slug)
                self.problem(path + (kind,), f"unknown {kind} {slug!r}{hint}")
                continue
            if (kind, slug) in seen:
                self.problem(path, f"{kind} {slug!r} is scheduled twice")
                continue
            seen.add((kind, slug))
            if kind == "milestone":
                due = self._due_day(item.get("due_day"), path + ("due_day",), required=False)
                due = milestones[slug].due_day if due is None else due
            else:
                due = self._due_day(item.get("due_day"), path + ("due_day",), required=True)
            entries.append(ScheduleEntry(kind, slug, due))
        return entries

    def _quizzes(self, value, file_exists, modules) -> list[QuizSettings]:
        quizzes = []
        for slug, spec in self._mapping(value, ("quizzes",), "quizzes").items():
            path = ("quizzes", slug)
            if not _is_slug(slug):
                self.problem(path, f"quiz name {slug!r} is not a slug", key=True)
                continue
            if not isinstance(spec, dict):
                self.problem(path, "a quiz needs at least file: quizzes/<name>.gift")
                continue
            for key in spec:
                if key not in QUIZ_KEYS:
                    self.problem(path + (key,), f"unknown quiz setting {key!r}", key=True)
            title = spec.get("title", slug.replace("-", " ").capitalize())
            if not isinstance(title, str) or not title.strip() or len(title) > 200:
                self.problem(path + ("title",), "title must be text of at most 200 characters")
            file = spec.get("file")
            if not isinstance(file, str) or not file.endswith(QUIZ_SUFFIXES):
                self.problem(path + ("file",), "file must name a .gift, .txt (Aiken) or .quiz.yaml file")
            elif (why := file_exists(file)) is not None:
                self.problem(path + ("file",), why)
            pass_mark = spec.get("pass_mark", 0.8)
            if not _is_number(pass_mark) or not 0 < pass_mark <= 1:
                self.problem(path + ("pass_mark",), "pass_mark must be a fraction above 0, at most 1")
            for key, low in (("max_attempts", 1), ("time_limit_minutes", 1), ("draw", 1)):
                number = spec.get(key)
                if number is not None and (not _is_int(number) or number < low or number > 10_000):
                    self.problem(path + (key,), f"{key} must be a whole number of at least {low}")
            shuffle = spec.get("shuffle", True)
            if not isinstance(shuffle, bool):
                self.problem(path + ("shuffle",), "shuffle must be true or false")
            review = spec.get("review", "after_each_attempt")
            if review not in REVIEW_POLICIES:
                self.problem(path + ("review",), f"review must be one of {', '.join(REVIEW_POLICIES)}")
            quizzes.append(QuizSettings(slug, str(title).strip(), file, pass_mark, spec.get("max_attempts"),
                                        spec.get("time_limit_minutes"), spec.get("draw"),
                                        shuffle, review,
                                        self._covers(spec.get("covers", []), path, modules)))
        return quizzes

    def _covers(self, value, path, modules) -> tuple[str, ...]:
        """The modules a quiz gives booster questions for: a list of module slugs."""
        if not isinstance(value, list) or not all(isinstance(slug, str) for slug in value):
            self.problem(path + ("covers",), "covers must be a list of module slugs")
            return ()
        for j, slug in enumerate(value):
            if slug not in modules:
                self.problem(path + ("covers", j), f"unknown module {slug!r} (no modules/NN-{slug}.md)")
        return tuple(dict.fromkeys(value))

    def _rubrics(self, value) -> list[RubricSource]:
        rubrics = []
        for slug, spec in self._mapping(value, ("rubrics",), "rubrics").items():
            path = ("rubrics", slug)
            if not _is_slug(slug) or not isinstance(spec, dict):
                self.problem(path, "a rubric is name: {title, pass_mark, criteria: [...]}", key=True)
                continue
            title, pass_mark, criteria = spec.get("title"), spec.get("pass_mark"), spec.get("criteria")
            if not isinstance(title, str) or not title.strip() or len(title) > 200:
                self.problem(path, "a rubric needs a title of at most 200 characters")
            if not _is_number(pass_mark) or not 0 < pass_mark <= 1:
                self.problem(path + ("pass_mark",), "pass_mark must be a fraction above 0, at most 1")
            if (not isinstance(criteria, list) or not criteria
                    or not all(isinstance(c, str) and c.strip() for c in criteria)):
                self.problem(path + ("criteria",), "criteria must be a non-empty list of texts")
                continue
            if len(set(criteria)) != len(criteria):
                self.problem(path + ("criteria",), "criteria must be different from each other")
            names = tuple(c.strip() for c in criteria)
            levels = self._rubric_levels(spec.get("levels"), path + ("levels",), names)
            if isinstance(title, str) and _is_number(pass_mark):
                rubrics.append(RubricSource(slug, title.strip(), float(pass_mark), names, levels))
        return rubrics

    def _rubric_levels(self, value, path: tuple, criteria: tuple[str, ...]) -> tuple:
        """levels: {criterion: {level 1-5: what that level looks like}}, every part optional;
        one tuple of five texts (None where undescribed) per criterion."""
        described = {name: [None] * RUBRIC_LEVELS for name in criteria}
        for name, spec in self._mapping(value, path, "levels").items():
            where = path + (name,)
            if name not in described:
                self.problem(where, f"levels names {name!r}, which is not one of the rubric's "
                                    f"criteria ({', '.join(criteria)})", key=True)
                continue
            for level, text in self._mapping(spec, where, f"levels of {name!r}").items():
                if not _is_int(level) or not 1 <= level <= RUBRIC_LEVELS:
                    self.problem(where + (level,), f"levels of {name!r}: a level is a whole "
                                                   f"number from 1 to {RUBRIC_LEVELS}, not {level!r}",
                                 key=True)
                elif not isinstance(text, str) or not text.strip() or len(text) > 300:
                    self.problem(where + (level,), f"level {level} of {name!r} must be a "
                                                   "description of at most 300 characters")
                else:
                    described[name][level - 1] = " ".join(text.split())
        if not any(any(texts) for texts in described.values()):
            return ()
        return tuple(tuple(described[name]) for name in criteria)

    def _milestones(self, value, modules, quizzes, rubrics) -> list[MilestoneSource]:
        milestones, seen = [], set()
        for i, spec in enumerate(self._list(value, ("milestones",), "milestones")):
            path = ("milestones", i)
            if not isinstance(spec, dict):
                self.problem(path, "a milestone is {slug, title, due_day, measure}")
                continue
            unknown = set(spec) - {"slug", "title", "due_day", "measure"}
            if unknown:
                self.problem(path, f"unknown milestone key {sorted(unknown)[0]!r}")
            slug, title = spec.get("slug"), spec.get("title")
            if not _is_slug(slug):
                self.problem(path + ("slug",), "slug is required (lower-case letters, digits, hyphens)")
                continue
            if slug in seen:
                self.problem(path + ("slug",), f"duplicate milestone slug {slug!r}")
                continue
            seen.add(slug)
            if not isinstance(title, str) or not title.strip() or len(title) > 200:
                self.problem(path, f"milestone {slug!r} needs a title of at most 200 characters")
            due = self._due_day(spec.get("due_day"), path + ("due_day",), required=True)
            measure = self._measure(spec.get("measure"), path + ("measure",), modules, quizzes,
                                    rubrics)
            if isinstance(title, str) and due is not None and measure is not None:
                milestones.append(MilestoneSource(slug, title.strip(), due, measure))
        return milestones

    def _measure(self, measure, path, modules, quizzes, rubrics) -> dict | None:
        shape = MEASURE_SHAPES.get(frozenset(measure)) if isinstance(measure, dict) else None
        if shape is None:
            self.problem(path, "measure must be one of {activity, at_least}, {bookings}, "
                         "{attainment, consecutive_months}, {quiz, min_score}, {modules}, {signoff}")
            return None
        failures_before = self.failed
        self.failed = False
        if shape == "activity":
            if measure["activity"] not in self.activity_types:
                self.problem(path + ("activity",), f"unknown activity type {measure['activity']!r} "
                             f"(known: {', '.join(self.activity_types)})")
            if not _is_int(measure["at_least"]) or measure["at_least"] < 1:
                self.problem(path + ("at_least",), "at_least must be a whole number of at least 1")
        elif shape == "bookings":
            if not _is_number(measure["bookings"]) or not 0 < measure["bookings"] <= MAX_AMOUNT:
                self.problem(path + ("bookings",),
                             f"bookings must be an amount above 0 and at most {MAX_AMOUNT:,}")
        elif shape == "attainment":
            if not _is_number(measure["attainment"]) or measure["attainment"] <= 0:
                self.problem(path + ("attainment",), "attainment must be a fraction above 0 (1.0 = quota)")
            if not _is_int(measure["consecutive_months"]) or not 1 <= measure["consecutive_months"] <= 36:
                self.problem(path + ("consecutive_months",), "consecutive_months must be 1 to 36")
        elif shape == "quiz":
            if measure["quiz"] not in quizzes:
                self.problem(path + ("quiz",), f"unknown quiz {measure['quiz']!r} (not under quizzes:)")
            if not _is_number(measure["min_score"]) or not 0 <= measure["min_score"] <= 1:
                self.problem(path + ("min_score",), "min_score must be a fraction from 0 to 1")
        elif shape == "modules":
            listed = measure["modules"]
            if listed != "all":
                if not isinstance(listed, list) or not listed:
                    self.problem(path + ("modules",), "modules must be all or a list of module slugs")
                else:
                    for j, slug in enumerate(listed):
                        if slug not in modules:
                            self.problem(path + ("modules", j), f"unknown module {slug!r}")
        elif shape == "signoff":
            if measure["signoff"] not in rubrics:
                self.problem(path + ("signoff",), f"unknown rubric {measure['signoff']!r} (not under rubrics:)")
        ok = not self.failed
        self.failed = self.failed or failures_before
        return dict(measure) if ok else None

    def _activity_targets(self, value) -> dict[str, list[int]]:
        targets = {}
        for kind, weekly in self._mapping(value, ("activity_targets",), "activity_targets").items():
            path = ("activity_targets", kind)
            if kind not in self.activity_types:
                self.problem(path, f"unknown activity type {kind!r} "
                             f"(known: {', '.join(self.activity_types)})", key=True)
            elif (not isinstance(weekly, list) or not weekly
                  or not all(_is_int(n) and 0 <= n <= 100_000 for n in weekly)):
                self.problem(path, "weekly targets are a list of whole numbers, one per tenure week")
            else:
                targets[kind] = list(weekly)
        return targets

    def _certifications(self, value, known: dict[str, set[str]]) -> list[CertificationSource]:
        certifications = []
        for slug, spec in self._mapping(value, ("certifications",), "certifications").items():
            path = ("certifications", slug)
            if not _is_slug(slug) or not isinstance(spec, dict):
                self.problem(path, "a certification is name: {title, requires: [...], "
                                   "valid_for_days}", key=True)
                continue
            for key in spec:
                if key not in CERTIFICATION_KEYS:
                    self.problem(path + (key,), f"certification {slug!r}: unknown key {key!r} "
                                 f"(expected one of {', '.join(CERTIFICATION_KEYS)})", key=True)
            title = spec.get("title")
            if not isinstance(title, str) or not title.strip() or len(title) > 200:
                self.problem(path, f"certification {slug!r} needs a title of at most 200 characters")
            requires = self._requirements(spec.get("requires"), path + ("requires",), slug, known)
            valid, remind = self._validity(spec, path, slug)
            if isinstance(title, str) and title.strip() and requires and valid and remind is not None:
                certifications.append(CertificationSource(slug, title.strip(), requires, valid,
                                                          remind))
        return certifications

    def _requirements(self, value, path: tuple, slug: str,
                      known: dict[str, set[str]]) -> tuple[tuple[str, str], ...]:
        if not isinstance(value, list) or not value:
            self.problem(path, f"certification {slug!r}: requires must be a non-empty list of "
                               f"{REQUIREMENT_SHAPES}")
            return ()
        found = []
        for i, item in enumerate(value):
            kind = next(iter(item)) if isinstance(item, dict) and len(item) == 1 else None
            if kind not in REQUIREMENT_KINDS:
                self.problem(path + (i,), f"certification {slug!r}: each requirement is "
                                          f"{REQUIREMENT_SHAPES}")
            elif item[kind] not in known[kind]:
                self.problem(path + (i, kind), f"certification {slug!r}: unknown {kind} "
                                               f"{item[kind]!r} (not under "
                                               f"{REQUIREMENT_PLACES[kind]})")
            elif (kind, item[kind]) in found:
                self.problem(path + (i,), f"certification {slug!r}: {kind} {item[kind]!r} "
                                          "is required twice")
            else:
                found.append((kind, item[kind]))
        return tuple(found) if len(found) == len(value) else ()

    def _validity(self, spec: dict, path: tuple, slug: str) -> tuple[int | None, int | None]:
        valid = spec.get("valid_for_days")
        if not _is_int(valid) or not 1 <= valid <= MAX_DAY:
            self.problem(path + ("valid_for_days",), f"certification {slug!r}: valid_for_days "
                         f"must be a whole number of days from 1 to {MAX_DAY}")
            return None, None
        remind = spec.get("remind_days_before", min(DEFAULT_REMIND_DAYS, valid // 2))
        if not _is_int(remind) or not 0 <= remind < valid:
            self.problem(path + ("remind_days_before",), f"certification {slug!r}: "
                         f"remind_days_before must be a whole number of days from 0 to {valid - 1} "
                         "(less than valid_for_days)")
            return valid, None
        return valid, remind
