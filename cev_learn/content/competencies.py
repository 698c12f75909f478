"""track.yaml's `competencies:`: what a rep's readiness score is built from.

Each competency is a weighted set of measures:
- `{quiz_tag: TAG}`: mastery of the track's quiz questions tagged TAG;
- `{signoff: RUBRIC, criteria: [...]}`: the latest sign-off's scores on some criteria
  (all of them when criteria is left out);
- `{modules: [...]}`: the share of those modules completed (`all`: every module);
- `{pace: TYPE}`: the weekly pace of an activity type of `activity_targets`.
Every measure, and every competency in the overall score, takes `weight:` (a number above 0,
1 when left out).

Pure: the schema checks the shape and what track.yaml itself names; `resolve_tags` checks the
tags against the questions once the quiz files are read.
"""
from dataclasses import dataclass

MEASURE_KINDS = ("quiz_tag", "signoff", "modules", "pace")
MAX_WEIGHT = 100


@dataclass(frozen=True)
class MeasureSource:
    kind: str                       # one of MEASURE_KINDS
    target: str                     # the tag, rubric or activity type ("" for modules)
    items: tuple[str, ...]          # a sign-off's criteria, or the modules
    weight: float
    question_keys: tuple[str, ...] = ()  # quiz_tag: the keys of the tagged questions

    def to_json(self) -> dict:
        return {"kind": self.kind, "target": self.target, "items": list(self.items),
                "weight": self.weight, "question_keys": list(self.question_keys)}


@dataclass(frozen=True)
class CompetencySource:
    slug: str
    title: str
    measures: tuple[MeasureSource, ...]
    weight: float = 1.0  # in the overall score

    def to_json(self) -> dict:
        return {"slug": self.slug, "title": self.title, "weight": self.weight,
                "measures": [m.to_json() for m in self.measures]}


class CompetencySchema:
    """Checks `competencies:` against what the rest of track.yaml declares."""

    def __init__(self, schema, modules: set[str], rubrics: dict[str, tuple[str, ...]],
                 targets: dict[str, list[int]]):
        self.schema = schema  # the TrackSchema: problems are reported through it
        self.modules, self.rubrics, self.targets = modules, rubrics, targets

    def parse(self, value) -> list[CompetencySource]:
        competencies, seen = [], set()
        for i, spec in enumerate(self.schema._list(value, ("competencies",), "competencies")):
            path = ("competencies", i)
            if not isinstance(spec, dict) or set(spec) - {"slug", "title", "weight", "measures"}:
                self.schema.problem(path, "a competency is {slug, title, weight, measures: [...]}")
                continue
            slug, title = spec.get("slug"), spec.get("title")
            if not isinstance(slug, str) or not self.schema.is_slug(slug) or slug in seen:
                self.schema.problem(path + ("slug",), "each competency needs its own slug "
                                    "(lower-case letters, digits, hyphens)")
                continue
            seen.add(slug)
            if not isinstance(title, str) or not title.strip() or len(title) > 200:
                self.schema.problem(path, f"competency {slug!r} needs a title of at most 200 "
                                    "characters")
                continue
            weight = self._weight(spec, path)
            listed = self.schema._list(spec.get("measures"), path + ("measures",), "measures")
            measures = [m for j, item in enumerate(listed)
                        if (m := self._measure(item, path + ("measures", j), slug)) is not None]
            if not listed:
                self.schema.problem(path, f"competency {slug!r} needs at least one measure")
            elif len(measures) == len(listed) and weight is not None:
                competencies.append(CompetencySource(slug, title.strip(), tuple(measures), weight))
        return competencies

    def _measure(self, item, path: tuple, competency: str) -> MeasureSource | None:
        kinds = [k for k in MEASURE_KINDS if isinstance(item, dict) and k in item]
        if len(kinds) != 1:
            self.schema.problem(path, f"a measure of {competency!r} names one of "
                                + ", ".join(MEASURE_KINDS) + ", with an optional weight")
            return None
        kind = kinds[0]
        extra = set(item) - {kind, "weight"} - ({"criteria"} if kind == "signoff" else set())
        if extra:
            self.schema.problem(path, f"unknown key {sorted(extra)[0]!r} in a {kind} measure")
            return None
        weight = self._weight(item, path)
        if weight is None:
            return None
        read = {"quiz_tag": self._tag, "signoff": self._signoff, "modules": self._modules,
                "pace": self._pace}[kind]
        found = read(item, path)
        return None if found is None else MeasureSource(kind, found[0], found[1], weight)

    def _weight(self, item: dict, path: tuple) -> float | None:
        weight = item.get("weight", 1)
        if type(weight) not in (int, float) or not 0 < weight <= MAX_WEIGHT:
            self.schema.problem(path + ("weight",), f"weight must be a number above 0 and at "
                                f"most {MAX_WEIGHT}")
            return None
        return float(weight)

    def _tag(self, item: dict, path: tuple):
        tag = item["quiz_tag"]
        if not isinstance(tag, str) or not tag.strip():
            self.schema.problem(path + ("quiz_tag",), "quiz_tag must name a question tag")
            return None
        return tag.strip(), ()

    def _signoff(self, item: dict, path: tuple):
        rubric = item["signoff"]
        if rubric not in self.rubrics:
            self.schema.problem(path + ("signoff",), f"unknown rubric {rubric!r} "
                                "(not under rubrics:)")
            return None
        criteria = item.get("criteria", list(self.rubrics[rubric]))
        if not isinstance(criteria, list) or not criteria:
            self.schema.problem(path + ("criteria",), "criteria must be a list of the "
                                f"rubric's criteria ({', '.join(self.rubrics[rubric])})")
            return None
        for j, name in enumerate(criteria):
            if name not in self.rubrics[rubric]:
                self.schema.problem(path + ("criteria", j), f"{name!r} is not a criterion of "
                                    f"rubric {rubric!r} ({', '.join(self.rubrics[rubric])})")
                return None
        return rubric, tuple(dict.fromkeys(criteria))

    def _modules(self, item: dict, path: tuple):
        listed = item["modules"]
        if listed == "all":
            return "", tuple(sorted(self.modules))
        if not isinstance(listed, list) or not listed:
            self.schema.problem(path + ("modules",), "modules must be all or a list of "
                                "module slugs")
            return None
        for j, slug in enumerate(listed):
            if slug not in self.modules:
                self.schema.problem(path + ("modules", j), f"unknown module {slug!r} "
                                    f"(no modules/NN-{slug}.md)")
                return None
        return "", tuple(dict.fromkeys(listed))

    def _pace(self, item: dict, path: tuple):
        kind = item["pace"]
        if kind not in self.targets:
            known = ", ".join(self.targets) or "none"
            self.schema.problem(path + ("pace",), f"pace {kind!r} has no weekly target under "
                                f"activity_targets: (targets: {known})")
            return None
        return kind, ()


def resolve_tags(competencies, quizzes, problem) -> tuple[CompetencySource, ...]:
    """The competencies with each quiz_tag measure's question keys; `problem(path, message)`
    for a tag no question of the track's quizzes carries."""
    tagged: dict[str, list[str]] = {}
    for quiz in quizzes:
        for key, question in quiz.questions:
            for tag in question.tags:
                tagged.setdefault(tag, []).append(key)
    resolved = []
    for i, competency in enumerate(competencies):
        measures = []
        for j, measure in enumerate(competency.measures):
            if measure.kind == "quiz_tag":
                keys = tagged.get(measure.target)
                if not keys:
                    known = ", ".join(sorted(tagged)) or "no question has a tag"
                    problem(("competencies", i, "measures", j, "quiz_tag"),
                            f"no quiz question is tagged {measure.target!r} ({known})")
                    continue
                measure = MeasureSource(measure.kind, measure.target, measure.items,
                                        measure.weight, tuple(dict.fromkeys(keys)))
            measures.append(measure)
        resolved.append(CompetencySource(competency.slug, competency.title, tuple(measures),
                                         competency.weight))
    return tuple(resolved)
