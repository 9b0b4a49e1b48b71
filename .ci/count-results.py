#!/usr/bin/env python3
"""count-results.py: count real test results from meson's testlog.json.

Every TAP test point counts once (C unit tests and bats files both speak
TAP); a non-TAP test counts by its own result. A TAP test whose output has
no test points but failed (a crash, a bail-out) counts as one failure.
Prints: N passed, N failed, N skipped
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


def main(path):
    passed = failed = skipped = 0
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            test = json.loads(line)
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
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "build/meson-logs/testlog.json"))
