#!/usr/bin/python3
"""Build step: embeds a text file (the OpenAPI document, the status page's
files) in a C file as a NUL-terminated array: embed.py INPUT OUTPUT SYMBOL."""
import sys

src, dst, sym = sys.argv[1:4]
data = open(src, "rb").read()
with open(dst, "w") as f:
    f.write("/* Generated from %s by control/api/embed.py: do not edit. */\n" % src.split("/")[-1])
    f.write("const char %s[] = {\n" % sym)
    for i in range(0, len(data), 16):
        f.write("\t" + " ".join("0x%02x," % b for b in data[i:i + 16]) + "\n")
    f.write("\t0x00,\n};\n")
