"""Build step: writes bootstrap.py as a C string (bootstrap_py.h) so that aslrun needs no
installed runtime folder. usage: embed.py bootstrap.py OUT.h"""
import sys

src = open(sys.argv[1], "rb").read()
with open(sys.argv[2], "w") as out:
    out.write("/* generated from runtimes/python/bootstrap.py by embed.py: do not edit */\n")
    out.write("static const char asl_python_bootstrap[] =\n")
    for line in src.splitlines(keepends=True):
        out.write('  "' + "".join(c if 32 <= ord(c) < 127 and c not in '"\\?' else "\\%03o" % ord(c) for c in line.decode("latin-1")) + '"\n')
    out.write("  ;\n")
