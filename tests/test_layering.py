"""The layering of docs/architecture.md, checked on every module's imports (those inside
functions too): a module imports from its own layer or the layers below it, never above.
A domain's pages (views, forms) are the web layer, at the level of the API.
Every domain package leans only on those below it, so no two depend on each other."""
import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "cev_learn"
# Lowest first. "platform" is every top-level module but those of "app", which wire the whole
# application together (the app factory, the command line, the demo organisation, the gunicorn
# workers and the pages that belong to no domain). "web" is the pages of every domain (their
# views and forms): like the API, they show what the domains below them hold.
LAYERS = ("platform", "accounts", "content", "quizzes", "cohorts", "practice", "ramp",
          "certifications", "analytics", "notifications", "xapi", "webhooks", "api", "web", "app")
LEVEL = {**{name: n for n, name in enumerate(LAYERS)}, "web": LAYERS.index("api")}
WEB = frozenset({"views", "forms", "routes", "blueprint"})
APP = frozenset({"cev_learn", "cev_learn.cli", "cev_learn.demo", "cev_learn.ops",
                 "cev_learn.core_views", "cev_learn.navigation",
                 "cev_learn.models"})

def layer(module: str) -> str:
    """The layer of a module (or of a name imported from a package)."""
    parts = module.split(".")
    if len(parts) > 2 and parts[1] in LAYERS and (parts[2] in WEB or parts[2].endswith("_views")):
        return "web"
    if len(parts) > 1 and parts[1] in LAYERS:
        return parts[1]
    return "app" if ".".join(parts[:2]) in APP else "platform"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Every cev_learn module `path` imports, at any depth of its code."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and (
                node.module == "cev_learn" or node.module.startswith("cev_learn.")):
            found.update(_module_or_name(node.module, alias.name) for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("cev_learn"))
    return found


def _module_or_name(package: str, name: str) -> str:
    """`from package import name`: the module `name` if there is one, else the package."""
    module = f"{package}.{name}"
    path = PACKAGE.parent.joinpath(*module.split("."))
    return module if path.with_suffix(".py").exists() or path.is_dir() else package


def upward_imports() -> set[tuple[str, str]]:
    found = set()
    for path in PACKAGE.rglob("*.py"):
        importer = module_name(path)
        for imported in imports(path):
            if LEVEL[layer(imported)] > LEVEL[layer(importer)]:
                found.add((importer, imported))
    return found


def test_no_module_imports_from_a_layer_above_its_own():
    assert sorted(upward_imports()) == []


def test_layers_of_modules():
    assert layer("cev_learn.platform.db") == layer("cev_learn.platform.caching") == "platform"
    assert layer("cev_learn.ramp.engine") == "ramp"
    assert layer("cev_learn.demo.large") == layer("cev_learn") == "app"
    assert layer("cev_learn.cohorts.views") == layer("cev_learn.quizzes.coach_views") == "web"
    assert layer("cev_learn.cohorts.queries") == "cohorts"
    assert LEVEL["accounts"] < LEVEL["cohorts"] < LEVEL["analytics"] < LEVEL["web"] == LEVEL["api"]
    assert LEVEL["analytics"] < LEVEL["xapi"] < LEVEL["webhooks"]  # the worker pushes statements
    # notifications follow what coaches, quizzes and content syncs do; the worker emails them
    assert LEVEL["cohorts"] < LEVEL["notifications"] < LEVEL["webhooks"]


def test_the_check_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "late.py"
    module.write_text("def f():\n    from cev_learn.ramp import facts\n    import cev_learn.api\n"
                      "    from cev_learn.ramp.models import Milestone\n")
    assert imports(module) == {"cev_learn.ramp.facts", "cev_learn.api", "cev_learn.ramp.models"}
