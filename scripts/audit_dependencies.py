"""Fail when an installed dependency has a known vulnerability, or cannot be checked.

pip-audit asks PyPI about each installed version. Where PyPI (or the mirror in front of it)
answers only project pages, pip-audit skips the package; for those, the project page's
advisories cover its latest release, so a package installed at its latest release is checked
there. A package cev_learn needs at run time that neither way can check fails the run (an
audit that skips is no audit), unless it is already the newest release for this Python. Test tools pinned below their latest release (by another test
tool) are listed but do not fail it: they are never deployed.

Run with the virtualenv's Python: .venv/bin/python scripts/audit_dependencies.py
"""
import json
import subprocess
import sys
import urllib.request
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

PYTHON = ".".join(map(str, sys.version_info[:3]))

PROJECT = "cev-learn"
PYPI = "https://pypi.org/pypi/{name}/json"


def pip_audit() -> dict:
    pip_audit = Path(sys.executable).with_name("pip-audit")
    result = subprocess.run([str(pip_audit), "--skip-editable", "--progress-spinner", "off",
                             "--format", "json"], capture_output=True, text=True)
    if result.returncode not in (0, 1):  # 1: vulnerabilities found, reported below
        sys.exit(f"pip-audit failed:\n{result.stderr}")
    return json.loads(result.stdout)


def runtime_closure(project: str = PROJECT) -> set[str]:
    """Names of the installed distributions the project needs at run time (no extras)."""
    seen, todo = set(), [project]
    while todo:
        name = canonicalize_name(todo.pop())
        if name in seen:
            continue
        seen.add(name)
        for line in metadata.requires(name) or []:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(requirement.name)
    return seen


def project_page(name: str) -> dict:
    # A fixed https address of PyPI, not a URL from input (bandit B310).
    with urllib.request.urlopen(PYPI.format(name=name), timeout=30) as response:  # nosec B310
        return json.load(response)


def newest_for_this_python(page: dict) -> str | None:
    """The newest final release with a file this Python may install."""
    candidates = []
    for version, files in page["releases"].items():
        try:
            parsed = Version(version)
        except InvalidVersion:
            continue
        if not parsed.is_prerelease and any(
                not f.get("yanked") and PYTHON in SpecifierSet(f.get("requires_python") or "")
                for f in files):
            candidates.append(parsed)
    return str(max(candidates)) if candidates else None


def main() -> int:
    report = pip_audit()
    problems = [f"{dep['name']} {dep['version']}: {v['id']} (fixed in {', '.join(v['fix_versions']) or 'no release'})"
                for dep in report["dependencies"] for v in dep.get("vulns", [])]
    checked_by_pip_audit = sum("skip_reason" not in dep for dep in report["dependencies"])
    runtime = runtime_closure()
    checked_by_project_page, newest_here, unchecked, test_tools_unchecked = 0, [], [], []
    for dep in report["dependencies"]:
        if "skip_reason" not in dep or dep["name"] == PROJECT:
            continue
        installed = metadata.version(dep["name"])
        page = project_page(dep["name"])
        latest = page["info"]["version"]
        advisories = [a for a in page.get("vulnerabilities", []) if not a.get("withdrawn")]
        if installed != latest and installed == newest_for_this_python(page):
            newest_here.append(f"{dep['name']} {installed} (latest {latest} needs "
                               f"Python {page['info']['requires_python']})")
        elif installed != latest:
            in_runtime = canonicalize_name(dep["name"]) in runtime
            (unchecked if in_runtime else test_tools_unchecked).append(
                f"{dep['name']} {installed} (latest {latest})")
            continue
        checked_by_project_page += 1
        problems += [f"{dep['name']} {installed}: {a['id']} (fixed in "
                     f"{', '.join(a.get('fixed_in') or []) or 'no release'})" for a in advisories]
    print(f"dependencies: {checked_by_pip_audit} checked by pip-audit, "
          f"{checked_by_project_page} at their latest release checked on PyPI's project page")
    for line in problems:
        print(f"known vulnerability: {line}")
    for line in unchecked:
        print(f"cannot be checked (PyPI answers nothing for this version): {line}")
    for line in newest_here:
        print(f"newest release for Python {PYTHON}, not checked: {line}")
    for line in test_tools_unchecked:
        print(f"test tool not checked (PyPI answers nothing for this version): {line}")
    return 1 if problems or unchecked else 0


if __name__ == "__main__":
    sys.exit(main())
