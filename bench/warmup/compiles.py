#!/usr/bin/env python3
"""Compile volume by package and period, from a JFR recording's jdk.Compilation events.

    compiles.py RECORDING.jfr TARGET ROUND READY_EPOCH LOAD_START_EPOCH

Prints, for each period (before: from the JVM's start to ready; first5: the first 5 seconds of
load; later: the rest), one line per group of packages and compiler:

    jit TARGET ROUND PERIOD GROUP COMPILER COUNT COMPILE_MS CODE_KB

and then, per group, how many methods were compiled for the first time after ready (code the
warm-up did not run, or not often enough):

    jit-new TARGET ROUND after-ready GROUP METHODS

COMPILE_MS sums the compilations' durations (wall-clock time on the compiler threads, which is
their CPU time on an idle machine). Groups: jdk, tomcat, spring-mvc (org.springframework.web),
spring-security, spring-other, jackson, micrometer (and io.prometheus), maas, nd4j (ND4J,
JavaCPP, DL4J), other. Needs the JDK's `jfr` tool on PATH (bench/warmup/run --jfr).
"""

import json
import subprocess
import sys
from collections import defaultdict
from datetime import datetime

GROUPS = [
    ("java/", "jdk"),
    ("jdk/", "jdk"),
    ("sun/", "jdk"),
    ("com/sun/", "jdk"),
    ("org/apache/tomcat/", "tomcat"),
    ("org/apache/catalina/", "tomcat"),
    ("org/apache/coyote/", "tomcat"),
    ("org/springframework/web/", "spring-mvc"),
    ("org/springframework/http/", "spring-mvc"),
    ("org/springframework/security/", "spring-security"),
    ("org/springframework/", "spring-other"),
    ("com/fasterxml/", "jackson"),
    ("tools/jackson/", "jackson"),
    ("io/micrometer/", "micrometer"),
    ("io/prometheus/", "micrometer"),
    ("dev/maas/", "maas"),
    ("org/nd4j/", "nd4j"),
    ("org/bytedeco/", "nd4j"),
    ("org/deeplearning4j/", "nd4j"),
]


def group(name):
    for prefix, g in GROUPS:
        if name.startswith(prefix):
            return g
    return "other"


def epoch(iso):
    # 2026-11-30T09:33:55.511089045Z: nanoseconds are more than fromisoformat reads
    head, _, frac = iso.rstrip("Z").partition(".")
    t = datetime.fromisoformat(head + "+00:00").timestamp()
    return t + (float("0." + frac) if frac else 0.0)


def seconds(duration):
    # PT0.000148442S, PT1.2S, PT0S
    d = duration[2:]
    total = 0.0
    for unit, factor in (("H", 3600), ("M", 60), ("S", 1)):
        if unit in d:
            value, d = d.split(unit, 1)
            total += float(value) * factor
    return total


def main():
    path, target, rnd, ready, load = sys.argv[1:6]
    ready, load = float(ready), float(load)
    out = subprocess.run(
        ["jfr", "print", "--json", "--events", "jdk.Compilation", path],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    events = json.loads(out)["recording"]["events"]
    sums = defaultdict(lambda: [0, 0.0, 0.0])
    first = {}  # method -> (time of its first compilation, group)
    for e in events:
        v = e["values"]
        t = epoch(v["startTime"])
        period = "before" if t < ready else ("first5" if t < load + 5 else "later")
        name = v["method"]["type"]["name"]
        method = name + "." + v["method"]["name"] + v["method"].get("descriptor", "")
        if method not in first or t < first[method][0]:
            first[method] = (t, group(name))
        compiler = v["compiler"] + ("-osr" if v.get("isOsr") else "")
        s = sums[(period, group(name), compiler)]
        s[0] += 1
        s[1] += seconds(v["duration"]) * 1000
        s[2] += (v.get("codeSize") or 0) / 1024
    for period in ("before", "first5", "later"):
        for (p, g, c), (n, ms, kb) in sorted(sums.items(), key=lambda kv: -kv[1][1]):
            if p == period:
                print(f"jit {target} {rnd} {p} {g} {c} {n} {ms:.0f} {kb:.0f}")
    # Methods compiled for the first time after ready: code the warm-up did not run (or not often).
    unseen = defaultdict(int)
    for t, g in first.values():
        if t >= ready:
            unseen[g] += 1
    for g, n in sorted(unseen.items(), key=lambda kv: -kv[1]):
        print(f"jit-new {target} {rnd} after-ready {g} {n}")


if __name__ == "__main__":
    main()
