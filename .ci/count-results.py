#!/usr/bin/env python3
"""count-results.py: count real test results from meson's testlog.json.

Every TAP test point counts once (C unit tests and bats files both speak
TAP); a non-TAP test counts by its own result. A TAP test whose output has
no test points but failed (a crash, a bail-out) counts as one failure.
Each --tap FILE adds the test points of a TAP stream run outside meson (the
VM tests, tests/vm/check.sh); a stream with no test point counts as one
failure. Several testlogs add up (the sanitizer build's suite, .ci/run);
without any (only --tap), only the TAP files are counted.
--tests REGEX counts only the meson tests whose name it matches (the
conformance suite as root: '^conformance-.*-root$') and --label NAME puts "NAME: " before
the line, for the per-stage lines of .ci/run.
Usage: count-results.py [TESTLOG.json]... [--tap FILE]... [--tests REGEX] [--label NAME]
Prints: [NAME: ]N passed, N failed, N skipped
"""
import json
import re
import sys

TAP_LINE = re.compile(r"^(not ok|ok)\b(.*)$")


def count_tap(stdout):
    passed = failed = skipped = 0
    for line in stdout.splitlines():
        m = TAP_LINE.match(line.strip())
        if not m:
            continue
        rest = m.group(2)
        if re.search(r"#\s*skip", rest, re.I):
            skipped += 1
        elif m.group(1) == "ok" or re.search(r"#\s*todo", rest, re.I):
            passed += 1
        else:
            failed += 1
    plan_skip = re.search(r"^1\.\.0\s*#\s*skip", stdout, re.I | re.M)
    return passed, failed, skipped, bool(plan_skip)


def count_testlog(path, pattern=""):
    passed = failed = skipped = 0
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            test = json.loads(line)
            # meson names it "project:suite / name".
            if not re.search(pattern, test.get("name", "").split(" / ")[-1]):
                continue
            result = test.get("result", "")
            stdout = test.get("stdout", "") or ""
            # meson 1.0's log has no protocol field: every nook test speaks
            # TAP, so a plan or a test point marks one.
            if re.search(r"^(ok|not ok|1\.\.\d+)\b", stdout, re.M):
                p, fl, s, plan_skip = count_tap(stdout)
                if p + fl + s == 0:
                    if plan_skip or result == "SKIP":
                        skipped += 1
                    elif result in ("OK", "EXPECTEDFAIL"):
                        passed += 1
                    else:
                        failed += 1
                    continue
                if fl == 0 and result not in ("OK", "SKIP", "EXPECTEDFAIL"):
                    fl = 1  # crashed or timed out after its last test point
                passed, failed, skipped = passed + p, failed + fl, skipped + s
            elif result in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif result == "SKIP":
                skipped += 1
            else:
                failed += 1
    return passed, failed, skipped


def count_tap_file(path):
    try:
        with open(path) as f:
            stdout = f.read()
    except OSError as e:
        print(f"count-results.py: {path}: {e.strerror}", file=sys.stderr)
        return 0, 1, 0
    p, fl, s, plan_skip = count_tap(stdout)
    if p + fl + s == 0:
        return (0, 0, 1) if plan_skip else (0, 1, 0)
    return p, fl, s


def main(argv):
    testlogs = []
    taps = []
    options = {"--tests": "", "--label": ""}
    args = iter(argv)
    for arg in args:
        if arg == "--tap":
            taps.append(next(args, None))
            if taps[-1] is None:
                print("count-results.py: --tap needs a file", file=sys.stderr)
                return 2
        elif arg in options:
            options[arg] = next(args, None)
            if options[arg] is None:
                print(f"count-results.py: {arg} needs a value", file=sys.stderr)
                return 2
        else:
            testlogs.append(arg)
    if not testlogs and not taps:
        testlogs = ["build/meson-logs/testlog.json"]
    totals = [0, 0, 0]
    counts = [count_testlog(path, options["--tests"]) for path in testlogs]
    counts += [count_tap_file(path) for path in taps]
    for count in counts:
        totals = [t + c for t, c in zip(totals, count)]
    passed, failed, skipped = totals
    label = options["--label"] + ": " if options["--label"] else ""
    print(f"{label}{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
