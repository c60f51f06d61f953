#!/usr/bin/env python3
"""aslrun graph against golden files: for each machine tests/testcmd/graph/NAME.json, NAME.dot and
NAME.mmd are its DOT and Mermaid drawings, and for each history NAME.RUN.history.json (written by
`aslrun run --history`), NAME.RUN.dot and NAME.RUN.mmd the drawings with the run laid over them.
With --dot, each DOT output must also be accepted by Graphviz (`dot -Tsvg`); exits 77 (skipped)
when Graphviz is not installed. --update rewrites the golden files.

usage: graph_golden.py ASLRUN GRAPH_DIR [--dot] [--update]"""

import glob
import os
import shutil
import subprocess
import sys


def main(argv):
    update = "--update" in argv
    with_dot = "--dot" in argv
    argv = [a for a in argv if a not in ("--update", "--dot")]
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    aslrun, folder = os.path.abspath(argv[0]), argv[1]
    if with_dot and not shutil.which("dot"):
        print("Graphviz's dot not found (Debian package graphviz): skipped")
        return 77
    runs = []
    for machine in sorted(glob.glob(os.path.join(folder, "*.json"))):
        if machine.endswith(".history.json"):
            continue
        base = machine[:-5]
        runs.append((machine, None, base))
        for hist in sorted(glob.glob(base + ".*.history.json")):
            runs.append((machine, hist, hist[:-len(".history.json")]))
    failed = passed = 0
    for machine, hist, out in runs:
        for fmt, ext in (("dot", ".dot"), ("mermaid", ".mmd")):
            cmd = [aslrun, "graph", machine, "--format", fmt] + (["--history", hist] if hist else [])
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
            why = None
            if p.returncode != 0 or p.stderr:
                why = "exit %d: %s" % (p.returncode, p.stderr)
            elif update:
                with open(out + ext, "w", encoding="utf-8") as f:
                    f.write(p.stdout)
            else:
                try:
                    with open(out + ext, encoding="utf-8") as f:
                        want = f.read()
                except OSError as e:
                    want = None
                    why = str(e)
                if want is not None and want != p.stdout:
                    why = "differs from %s (rerun with --update and review the diff)" % (out + ext)
            if not why and with_dot and fmt == "dot":
                d = subprocess.run(["dot", "-Tsvg"], input=p.stdout, capture_output=True, text=True,
                                   timeout=60)
                if d.returncode != 0 or "<svg" not in d.stdout or d.stderr:
                    why = "dot -Tsvg refused it: %s" % d.stderr
            if why:
                failed += 1
                print("FAIL %s: %s" % (" ".join(cmd[1:]), why))
            else:
                passed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
