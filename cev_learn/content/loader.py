"""The course loader: a courses/ tree in, plain data out, or every problem as path:line.

Pure code: no Flask, no database. `load_tree` raises ContentError listing every problem it
found, so one run of `cev-learn content check` shows an author everything to fix.
"""
import hashlib
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from cev_learn.content import schema
from cev_learn.content.competencies import CompetencySource, resolve_tags
from cev_learn.content.placeholders import (NEUTRAL, PLACEHOLDER, placeholder_name,
                                            unknown_placeholders)
from cev_learn.content.problems import ContentError, Problem
from cev_learn.content.questions import Question, question_key
from cev_learn.content.quiz_formats.errors import QuizFormatError
from cev_learn.content.quiz_formats.files import read_quiz_file
from cev_learn.content.symlinks import symlink_problems
from cev_learn.content.yaml_source import YamlDocument, yaml_error_line, yaml_error_message
from cev_learn.platform.activity_types import ACTIVITY_TYPES

SLUG = schema.SLUG
MODULE_FILE = re.compile(r"^(\d{1,4})-([a-z0-9]+(?:-[a-z0-9]+)*)\.md$")
MAX_TEXT_BYTES = 1024 * 1024
MAX_ASSET_BYTES = 5 * 1024 * 1024
ASSET_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               ".gif": "image/gif", ".webp": "image/webp", ".pdf": "application/pdf",
               ".csv": "text/csv", ".txt": "text/plain"}
FRONT_MATTER_KEYS = ("title", "minutes", "summary")
# Bump when rendering changes, so a sync re-renders files whose bytes did not change.
FORMAT_VERSION = "3"
_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?((?:[^()\s>]|\([^()\s]*\))+)>?(?:\s+\"[^\"]*\")?\s*\)")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_CODE_SPAN = re.compile(r"`[^`]*`")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


@dataclass(frozen=True)
class LinkRef:
    target: str
    line: int


@dataclass(frozen=True)
class ModuleSource:
    slug: str
    number: int
    file_name: str
    title: str
    summary: str | None
    minutes: int | None
    body: str
    links: tuple[LinkRef, ...]
    content_hash: str


@dataclass(frozen=True)
class AssetSource:
    path: str  # relative to the track folder, e.g. "assets/pipeline.png"
    content_type: str
    data: bytes
    content_hash: str


@dataclass(frozen=True)
class QuizSource:
    settings: schema.QuizSettings
    questions: tuple[tuple[str, Question], ...]  # (key, question) in file order
    content_hash: str  # of the questions only: settings can change without a new version
    skipped: tuple[Problem, ...] = ()  # questions left out, when loaded with skip_invalid

    @property
    def slug(self) -> str:
        return self.settings.slug


@dataclass(frozen=True)
class TrackSource:
    slug: str
    title: str
    summary: str | None
    schedule: tuple[schema.ScheduleEntry, ...]
    quizzes: tuple[QuizSource, ...]
    milestones: tuple[schema.MilestoneSource, ...]
    rubrics: tuple[schema.RubricSource, ...]
    productivity_milestone: str | None
    activity_targets: dict[str, list[int]]
    checklists_required: bool  # a module with a checklist completes only when all is ticked
    competencies: tuple[CompetencySource, ...]
    certifications: tuple[schema.CertificationSource, ...]
    modules: tuple[ModuleSource, ...]
    assets: tuple[AssetSource, ...]
    content_hash: str
    exercises: tuple = ()  # of exercise_schema.ExerciseSource

    def module_by_file(self) -> dict[str, ModuleSource]:
        return {m.file_name: m for m in self.modules}


def load_tree(root: Path, activity_types: tuple[str, ...] = ACTIVITY_TYPES,
              skip_invalid: bool = False) -> list[TrackSource]:
    """Load every track under root (a courses folder, or one track folder).

    With skip_invalid, a quiz question that cannot be read is left out and listed in its
    QuizSource's `skipped`, as Moodle's import does with "Stop on error" off; any other problem,
    or a quiz left with no question, still refuses the whole tree.
    """
    root = Path(root)
    problems: list[Problem] = []
    if not root.is_dir():
        raise ContentError([Problem(str(root), 1, "no such folder")])
    folders = [root] if (root / "track.yaml").exists() else sorted(
        p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    tracks = []
    for folder in folders:
        # A track with a link is not read at all: its messages could quote the linked file.
        linked = symlink_problems(folder, may_be_link=folder == root)
        if linked:
            problems.extend(linked)
            continue
        if not (folder / "track.yaml").exists():
            problems.append(Problem(str(folder), 1, "not a track: track.yaml is missing"))
            continue
        loader = _TrackLoader(folder, activity_types, skip_invalid)
        track = loader.load()
        problems.extend(loader.problems)
        if track is not None:
            tracks.append(track)
    if not folders:
        problems.append(Problem(str(root), 1, "no tracks found (a track is a folder with track.yaml)"))
    if problems:
        raise ContentError(problems)
    return tracks


def check_tree(root: Path, activity_types: tuple[str, ...] = ACTIVITY_TYPES
               ) -> list[Problem]:
    try:
        load_tree(root, activity_types)
    except ContentError as exc:
        return exc.problems
    return []


def resolve_link(source_dir: str, target: str) -> str | None:
    """Resolve a relative link from a folder inside the track; None if it leaves the track."""
    path = target.split("#", 1)[0].split("?", 1)[0]
    joined = posixpath.normpath(posixpath.join(source_dir, path))
    if joined == ".." or joined.startswith("../") or joined.startswith("/"):
        return None
    return joined


def is_relative_link(target: str) -> bool:
    return not (_SCHEME.match(target) or target.startswith(("#", "/", "//")))


class _TrackLoader:
    def __init__(self, folder: Path, activity_types: tuple[str, ...], skip_invalid: bool = False):
        self.folder = folder
        self.activity_types = activity_types
        self.skip_invalid = skip_invalid
        self.problems: list[Problem] = []
        self.hasher = hashlib.sha256(FORMAT_VERSION.encode())

    def problem(self, rel: str, line: int, message: str) -> None:
        self.problems.append(Problem(str(self.folder / rel), line, message))

    def load(self) -> TrackSource | None:
        slug = self.folder.name
        if not SLUG.match(slug):
            self.problem("track.yaml", 1, f"track folder name {slug!r} is not a slug "
                         "(lower-case letters, digits and single hyphens)")
        modules, module_slugs = self._load_modules()
        assets = self._load_assets()
        doc = self._read_yaml("track.yaml")
        if doc is None:
            return None
        self.doc = doc
        spec = schema.TrackSchema(doc, self.activity_types, self.problem)
        parsed = spec.parse(module_slugs=module_slugs,
                            file_exists=self._track_file_exists)
        self._check_links(modules, assets)
        if parsed is None or self.problems:
            return None
        quizzes = tuple(self._load_quiz(settings) for settings in parsed.pop("quizzes"))
        if self.problems:
            return None
        parsed["competencies"] = resolve_tags(
            parsed["competencies"], quizzes,
            lambda path, message: self.problem("track.yaml", doc.line(*path), message))
        if self.problems:
            return None
        return TrackSource(slug=slug, modules=tuple(modules), assets=tuple(assets),
                           quizzes=quizzes, content_hash=self.hasher.hexdigest(), **parsed)

    def _load_quiz(self, settings: schema.QuizSettings) -> QuizSource | None:
        path = self.folder / settings.file
        try:
            reading = read_quiz_file(path)
            questions = reading.questions_or_raise(self.skip_invalid)
        except QuizFormatError as exc:
            self.problems.extend(exc.problems)
            return None
        self.hasher.update(settings.file.encode() + b"\0" + path.read_bytes() + b"\0")
        graded = sum(q.type.graded for q in questions)
        if settings.draw is not None and settings.draw > len(questions):
            self.problem("track.yaml", self.doc.line("quizzes", settings.slug, "draw"),
                         f"quiz {settings.slug!r} draws {settings.draw} "
                         f"questions but {settings.file} has only {len(questions)}")
        if graded == 0:
            self.problem(settings.file, 1, "a quiz needs at least one graded question")
        keyed = tuple((question_key(q), q) for q in questions)
        if len({k for k, _ in keyed}) != len(keyed):
            self.problem(settings.file, 1, "two questions are exactly the same")
        digest = hashlib.sha256(FORMAT_VERSION.encode())
        for key, _question in keyed:
            digest.update(key.encode())
        return QuizSource(settings, keyed, digest.hexdigest(), tuple(reading.problems))

    def _read_bytes(self, rel: str, limit: int) -> bytes | None:
        path = self.folder / rel
        size = path.stat().st_size
        if size > limit:
            self.problem(rel, 1, f"file is {size:,} bytes; the limit is {limit:,}")
            return None
        data = path.read_bytes()
        self.hasher.update(rel.encode() + b"\0" + data + b"\0")
        return data

    def _read_text(self, rel: str) -> str | None:
        data = self._read_bytes(rel, MAX_TEXT_BYTES)
        if data is None:
            return None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            self.problem(rel, line, f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); "
                         "save the file as UTF-8")
            return None
        return text.removeprefix("\ufeff").replace("\r\n", "\n")

    def _read_yaml(self, rel: str) -> YamlDocument | None:
        text = self._read_text(rel)
        if text is None:
            return None
        try:
            return YamlDocument(text)
        except yaml.YAMLError as exc:
            self.problem(rel, yaml_error_line(exc), yaml_error_message(exc))
            return None

    def _track_file_exists(self, rel: str) -> str | None:
        """Why a file named in track.yaml is unusable, or None if it is fine."""
        resolved = resolve_link(".", rel)
        if resolved is None:
            return f"{rel!r} points outside the track folder"
        if not (self.folder / resolved).is_file():
            return f"file {rel!r} does not exist"
        return None

    def _load_modules(self) -> tuple[list[ModuleSource], set[str]]:
        """The modules that loaded, and the slugs of all well-named module files."""
        folder = self.folder / "modules"
        if not folder.is_dir():
            self.problem("track.yaml", 1, "the track has no modules/ folder")
            return [], set()
        modules, seen = [], {}
        for path in sorted(folder.iterdir()):
            rel = f"modules/{path.name}"
            match = MODULE_FILE.match(path.name)
            if not match:
                self.problem(rel, 1, "module files are named NN-slug.md, e.g. 03-discovery.md")
                continue
            slug = match.group(2)
            if slug in seen:
                self.problem(rel, 1, f"duplicate module slug {slug!r} (also modules/{seen[slug]})")
                continue
            seen[slug] = path.name
            module = self._load_module(rel, int(match.group(1)), slug)
            if module is not None:
                modules.append(module)
        return modules, set(seen)

    def _load_module(self, rel: str, number: int, slug: str) -> ModuleSource | None:
        text = self._read_text(rel)
        if text is None:
            return None
        lines = text.split("\n")
        if not lines or lines[0].strip() != "---":
            self.problem(rel, 1, "missing front matter: start the file with a --- line, "
                         "then title: …, then another --- line")
            return None
        try:
            end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
        except StopIteration:
            self.problem(rel, 1, "front matter is not closed by a --- line")
            return None
        meta = self._front_matter(rel, "\n".join(lines[1:end]))
        if meta is None:
            return None
        body = "\n".join(lines[end + 1:])
        for key in ("title", "summary"):
            if any(placeholder_name(m.group(1)) for m in PLACEHOLDER.finditer(meta[key] or "")):
                self.problem(rel, 2, f"a placeholder in the {key}: placeholders work in the "
                             "module's text only (titles and summaries are shown to everyone, "
                             "as written)")
        for unknown in unknown_placeholders(body, first_line=end + 2):
            self.problem(rel, unknown.line, f"unknown placeholder {unknown.text}: a module may "
                         "name only " + ", ".join(f"{{{{ {n} }}}}" for n in NEUTRAL))
        digest = hashlib.sha256(f"{FORMAT_VERSION}\0{self.folder.name}\0".encode()
                                + text.encode()).hexdigest()
        return ModuleSource(slug=slug, number=number, file_name=rel.split("/", 1)[1],
                            body=body, links=tuple(_links(body, first_line=end + 2)),
                            content_hash=digest, **meta)

    def _front_matter(self, rel: str, text: str) -> dict | None:
        try:
            doc = YamlDocument(text, first_line=2)
        except yaml.YAMLError as exc:
            self.problem(rel, yaml_error_line(exc, 2), yaml_error_message(exc))
            return None
        data = doc.data
        if not isinstance(data, dict):
            self.problem(rel, 2, "front matter must be key: value lines (title is required)")
            return None
        ok = True
        for key in data:
            if key not in FRONT_MATTER_KEYS:
                self.problem(rel, doc.key_line(key), f"unknown front matter key {key!r} "
                             f"(expected {', '.join(FRONT_MATTER_KEYS)})")
                ok = False
        title, minutes, summary = data.get("title"), data.get("minutes"), data.get("summary")
        if not isinstance(title, str) or not title.strip() or len(title) > 200:
            self.problem(rel, doc.key_line("title") if "title" in data else 2,
                         "title is required: text of at most 200 characters")
            ok = False
        if minutes is not None and (type(minutes) is not int or not 1 <= minutes <= 600):
            self.problem(rel, doc.key_line("minutes"), "minutes must be a whole number from 1 to 600")
            ok = False
        if summary is not None and (not isinstance(summary, str) or len(summary) > 500):
            self.problem(rel, doc.key_line("summary"), "summary must be text of at most 500 characters")
            ok = False
        if not ok:
            return None
        return {"title": title.strip(), "minutes": minutes,
                "summary": summary.strip() if summary else None}

    def _load_assets(self) -> list[AssetSource]:
        folder = self.folder / "assets"
        if not folder.is_dir():
            return []
        assets = []
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            rel = path.relative_to(self.folder).as_posix()
            content_type = ASSET_TYPES.get(path.suffix.lower())
            if content_type is None:
                self.problem(rel, 1, f"unsupported asset type {path.suffix or '(none)'!r}; use "
                             + ", ".join(sorted(ASSET_TYPES)))
                continue
            data = self._read_bytes(rel, MAX_ASSET_BYTES)
            if data is not None:
                assets.append(AssetSource(rel, content_type, data,
                                          hashlib.sha256(data).hexdigest()))
        return assets

    def _check_links(self, modules: list[ModuleSource], assets: list[AssetSource]) -> None:
        module_files = {f"modules/{m.file_name}" for m in modules}
        all_module_files = {f"modules/{p.name}" for p in (self.folder / "modules").glob("*.md")} \
            if (self.folder / "modules").is_dir() else set()
        asset_paths = {a.path for a in assets}
        for module in modules:
            rel = f"modules/{module.file_name}"
            for link in module.links:
                message = _link_problem(link.target, module_files | all_module_files, asset_paths)
                if message:
                    self.problem(rel, link.line, message)


def _link_problem(target: str, module_files: set[str], asset_paths: set[str]) -> str | None:
    scheme = _SCHEME.match(target)
    if scheme:
        if scheme.group(1).lower() in ("http", "https", "mailto"):
            return None
        return f"link {target!r} uses {scheme.group(1)!r}; only http, https and mailto are allowed"
    if not is_relative_link(target):
        return None
    resolved = resolve_link("modules", target)
    if resolved is None:
        return f"link {target!r} points outside the track folder"
    if resolved.endswith(".md"):
        return None if resolved in module_files else f"link {target!r}: no such module file"
    if resolved.startswith("assets/"):
        return None if resolved in asset_paths else f"link {target!r}: no such file in assets/"
    return f"link {target!r}: only other modules and files in assets/ can be linked"


def _links(body: str, first_line: int) -> list[LinkRef]:
    """Link targets in markdown body text with their line numbers, outside code."""
    links, fenced = [], False
    for offset, line in enumerate(body.split("\n")):
        if _FENCE.match(line):
            fenced = not fenced
            continue
        if fenced:
            continue
        for match in _LINK.finditer(_CODE_SPAN.sub("", line)):
            links.append(LinkRef(match.group(1), first_line + offset))
    return links
