#!/usr/bin/env python3
"""table.py: the OCI runtime-spec conformance table from meson's testlog.json.

Reads the TAP output of the conformance-* tests (tests/conformance/*.bats,
run once rootless and once as root) and prints, as a Markdown table, every
test grouped by spec file and section with its result in each mode, then
the skips with their reasons and the totals per mode.

A test is named "<spec file>#<section>: <what it checks>"; its mode is the
end of the meson test's name (conformance-runtime-rootless, ...-root).

Usage: table.py [--skips-only] [TESTLOG.json]...
   (default: build/meson-logs/testlog.json)
Exit status: 0, or 1 when no conformance results were found.
"""
import json
import re
import sys
from collections import OrderedDict

TAP_LINE = re.compile(r"^(ok|not ok) \d+ (.*?)(?: # (skip|SKIP|todo|TODO)\b ?(.*))?$")
TEST_NAME = re.compile(r"^(?P<file>[\w.-]+\.md)#(?P<section>[\w-]+): (?P<what>.*)$")
MODES = ("rootless", "root")
SPEC_ORDER = ("runtime.md", "runtime-linux.md", "config.md", "config-linux.md")


def mode_of(test_name):
    for mode in MODES:
        if test_name.endswith("-" + mode):
            return mode
    return None


def read_results(paths):
    """{(file, section, what): {mode: (result, reason)}}, in first-seen order,
    and which modes had a plan that skipped the whole file."""
    results = OrderedDict()
    skipped_files = {mode: [] for mode in MODES}
    for path in paths:
        with open(path) as log:
            for line in log:
                line = line.strip()
                if not line:
                    continue
                test = json.loads(line)
                name = test.get("name", "")
                short = name.rsplit(" / ", 1)[-1]
                if not short.startswith("conformance-"):
                    continue
                mode = mode_of(short)
                if mode is None:
                    continue
                stdout = test.get("stdout") or ""
                if re.search(r"^1\.\.0\s*#\s*skip", stdout, re.I | re.M):
                    skipped_files[mode].append(short)
                for tap in stdout.splitlines():
                    m = TAP_LINE.match(tap.strip())
                    if not m:
                        continue
                    status, title, directive, reason = m.groups()
                    parts = TEST_NAME.match(title)
                    key = (parts["file"], parts["section"], parts["what"]) if parts else ("?", "?", title)
                    if directive and directive.lower() == "skip":
                        outcome = ("skip", reason or "")
                    elif status == "ok" or (directive and directive.lower() == "todo"):
                        outcome = ("pass", "")
                    else:
                        outcome = ("FAIL", "")
                    results.setdefault(key, {})[mode] = outcome
                if test.get("result") not in ("OK", "SKIP", "EXPECTEDFAIL") and not re.search(
                        r"^not ok\b", stdout, re.M):
                    # Crashed or timed out after its last test point.
                    results.setdefault(("?", "?", short + " (did not finish)"), {})[mode] = ("FAIL", "")
    return results, skipped_files


def sort_key(item, order):
    (spec_file, section, _what), _ = item
    rank = SPEC_ORDER.index(spec_file) if spec_file in SPEC_ORDER else len(SPEC_ORDER)
    return (rank, spec_file, order[(spec_file, section)])


def cell(outcome):
    if outcome is None:
        return "—"
    return outcome[0]


def escape(text):
    return text.replace("|", "\\|")


def main(argv):
    skips_only = "--skips-only" in argv
    paths = [a for a in argv if a != "--skips-only"] or ["build/meson-logs/testlog.json"]
    try:
        results, skipped_files = read_results(paths)
    except OSError as e:
        print(f"table.py: {e.filename}: {e.strerror}", file=sys.stderr)
        return 1
    if not results:
        print("table.py: no conformance results in " + ", ".join(paths), file=sys.stderr)
        return 1

    # Sections keep the order the tests list them in, within each file.
    section_order = {}
    for spec_file, section, _ in results:
        section_order.setdefault((spec_file, section), len(section_order))
    rows = sorted(results.items(), key=lambda item: sort_key(item, section_order))

    if not skips_only:
        print("| Spec | Section | Test | rootless | root |")
        print("|------|---------|------|----------|------|")
        last = None
        for (spec_file, section, what), modes in rows:
            shown_file = spec_file if spec_file != (last or ("",))[0] else ""
            shown_section = f"#{section}" if (spec_file, section) != last else ""
            last = (spec_file, section)
            print(f"| {shown_file} | {shown_section} | {escape(what)} | "
                  f"{cell(modes.get('rootless'))} | {cell(modes.get('root'))} |")
        print()

    print("Skipped:")
    any_skip = False
    for (spec_file, section, what), modes in rows:
        for mode in MODES:
            outcome = modes.get(mode)
            if outcome and outcome[0] == "skip":
                any_skip = True
                print(f"- {mode}: {spec_file}#{section}: {what} — {outcome[1]}")
    for mode in MODES:
        for short in skipped_files[mode]:
            any_skip = True
            print(f"- {mode}: all of {short} (the whole file was skipped)")
    if not any_skip:
        print("- none")
    print()

    print("| Spec | Sections | Tests | rootless pass/fail/skip | root pass/fail/skip |")
    print("|------|----------|-------|-------------------------|---------------------|")
    files = OrderedDict()
    for (spec_file, section, _what), modes in rows:
        f = files.setdefault(spec_file, {"sections": set(), "tests": 0,
                                         **{m: {"pass": 0, "FAIL": 0, "skip": 0} for m in MODES}})
        f["sections"].add(section)
        f["tests"] += 1
        for mode in MODES:
            if modes.get(mode):
                f[mode][modes[mode][0]] += 1
    for spec_file, f in files.items():
        counts = ["/".join(str(f[m][k]) for k in ("pass", "FAIL", "skip")) for m in MODES]
        print(f"| {spec_file} | {len(f['sections'])} | {f['tests']} | {counts[0]} | {counts[1]} |")
    print()

    sections = len(section_order)
    print(f"{len(rows)} tests in {sections} sections.")
    for mode in MODES:
        counts = {"pass": 0, "FAIL": 0, "skip": 0}
        for _, modes in rows:
            outcome = modes.get(mode)
            if outcome:
                counts[outcome[0]] += 1
        print(f"{mode}: {counts['pass']} passed, {counts['FAIL']} failed, {counts['skip']} skipped")
    failed = [(key, m) for key, modes in rows for m in MODES
              if modes.get(m) and modes[m][0] == "FAIL"]
    if failed:
        print()
        print("Failed:")
        for (spec_file, section, what), mode in failed:
            print(f"- {mode}: {spec_file}#{section}: {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
