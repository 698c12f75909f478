"""`exercises:` in track.yaml: practice pitches a rep records and a coach scores against one of
the track's rubrics. Pure: checked by the track schema, stored by `content sync`."""
from dataclasses import dataclass

EXERCISE_KEYS = ("title", "prompt", "rubric", "max_seconds", "peer_review", "completes_signoff")
MAX_SECONDS = 1800  # half an hour: a pitch, not a meeting
DEFAULT_SECONDS = 180


@dataclass(frozen=True)
class ExerciseSource:
    slug: str
    title: str
    prompt: str  # markdown
    rubric: str  # slug of one of the track's rubrics
    max_seconds: int
    peer_review: bool
    # A passing review records the rubric's sign-off, which a {signoff: rubric} milestone reads.
    completes_signoff: bool


def parse_exercises(schema, value, rubrics: set[str], is_slug) -> list[ExerciseSource]:
    """Check each exercise of `value` (reporting through `schema.problem`) and return those
    that are sound."""
    exercises = []
    for slug, spec in schema._mapping(value, ("exercises",), "exercises").items():
        path = ("exercises", slug)
        if not is_slug(slug) or not isinstance(spec, dict):
            schema.problem(path, "an exercise is name: {title, prompt, rubric}", key=True)
            continue
        exercise = _exercise(schema, slug, spec, path, rubrics)
        if exercise is not None:
            exercises.append(exercise)
    return exercises


def _exercise(schema, slug: str, spec: dict, path: tuple, rubrics: set[str]):
    problems_before = schema.failed
    schema.failed = False
    for key in spec:
        if key not in EXERCISE_KEYS:
            schema.problem(path + (key,), f"unknown exercise setting {key!r} "
                                          f"(expected one of {', '.join(EXERCISE_KEYS)})", key=True)
    title, prompt, rubric = spec.get("title"), spec.get("prompt"), spec.get("rubric")
    if not isinstance(title, str) or not title.strip() or len(title) > 200:
        schema.problem(path, f"exercise {slug!r} needs a title of at most 200 characters")
    if not isinstance(prompt, str) or not prompt.strip() or len(prompt) > 10_000:
        schema.problem(path + ("prompt",) if "prompt" in spec else path,
                       f"exercise {slug!r} needs a prompt: markdown of at most 10,000 characters")
    if rubric not in rubrics:
        schema.problem(path + ("rubric",) if "rubric" in spec else path,
                       f"exercise {slug!r}: unknown rubric {rubric!r} (not under rubrics:)")
    seconds = spec.get("max_seconds", DEFAULT_SECONDS)
    if type(seconds) is not int or not 10 <= seconds <= MAX_SECONDS:
        schema.problem(path + ("max_seconds",),
                       f"max_seconds must be a whole number of seconds from 10 to {MAX_SECONDS}")
    flags = {}
    for key in ("peer_review", "completes_signoff"):
        flags[key] = spec.get(key, False)
        if not isinstance(flags[key], bool):
            schema.problem(path + (key,), f"{key} must be true or false")
    ok = not schema.failed
    schema.failed = schema.failed or problems_before
    if not ok:
        return None
    return ExerciseSource(slug, title.strip(), prompt.strip(), rubric, seconds, **flags)
