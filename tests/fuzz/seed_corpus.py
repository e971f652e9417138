#!/usr/bin/env python3
"""Writes the fuzz seed corpora (tests/fuzz/corpus/<target>/) from the spec samples kept
verbatim in the unit tests and sample sources. Re-run after adding samples; the files are
committed. Each seed starts with the choice bytes its target reads before the body
(fuzz::Input: status index 0 = 200, then target-specific choices)."""
import glob
import hashlib
import os
import re

ROOT = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(ROOT))
RAW = re.compile(r'R"(\w*)\((.*?)\)\1"', re.S)


def raw_strings(*patterns):
    out = []
    for pattern in patterns:
        for path in sorted(glob.glob(os.path.join(REPO, pattern))):
            with open(path, encoding="utf-8") as f:
                out += [m.group(2) for m in RAW.finditer(f.read())]
    return [s for s in out if len(s) >= 2]


def write(target, seeds):
    directory = os.path.join(ROOT, "corpus", target)
    os.makedirs(directory, exist_ok=True)
    for old in glob.glob(os.path.join(directory, "*")):
        os.remove(old)
    for seed in seeds:
        data = seed if isinstance(seed, bytes) else seed.encode("utf-8")
        name = hashlib.sha1(data).hexdigest()[:16]
        with open(os.path.join(directory, name), "wb") as f:
            f.write(data)
    print(f"{target}: {len(seeds)} seeds")


ctc = raw_strings("tests/unit/ctc/*.cpp")
write("ctc_receipts", [bytes([0, d]) + s.encode() for s in ctc for d in (0, 1)])

wms = raw_strings("tests/unit/wms/*.cpp", "tests/data/wms_sample.hpp")
write("wms_push", [b"\x00" + s.encode() for s in wms])
# One Authorization header with the accepted token, then the body.
write("wms_receiver", [b"\x01\x01\x01" + s.encode() for s in wms] + [b"\x00" + s.encode() for s in wms[:3]])

kingdee = raw_strings("tests/unit/kingdee/*.cpp", "src/testing/kingdee_sample.cpp")
write("kingdee", [b"\x00" + s.encode() for s in kingdee])

aftersales = raw_strings("tests/unit/aftersales/*.cpp")
write("aftersales", [bytes([0, i % 10]) + s.encode() for i, s in enumerate(aftersales)])

write("scalars", ["0", "-0.00", "1310.00", "123456789012345678", "0.000000000000000001",
                  "9223372036854775807", "-9223372036854775808", "1e5", "12.", ".5", "+3",
                  "2020-05-27", "2020-02-29", "2021-02-29", "2020-05-27 20:40:23",
                  "2020-05-27T20:40:23", "2020-05-27 20:40:23.123", "2020-13-01 00:00:00",
                  "2020-05-27 24:00:00", "0000-01-01 00:00:00", "9999-12-31 23:59:59"])

# The piece stream's differential target takes any bytes as JSON text: every sample above, plus
# escapes, numbers, and deep nesting.
write("json_pieces", ctc + wms + kingdee + aftersales + [
    r'{"a\"b":"c\\","d":["e\"",1.5,"\u4e2d\ud83d\ude00",true,null,false],"f":""}',
    "[-0,0.5e-3,12345678901234567890,1E400,-1e-400,123456789012345678901234567890]",
    "[" * 512 + "]" * 512, "[" * 513 + "]" * 513, '{"x":' * 100 + "1" + "}" * 100,
    "", " ", "\x00", '"\x01"', '"\\x"', '["\\ud800"]', "[1,]", '{"a":1 "b":2}'])
