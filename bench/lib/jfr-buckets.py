"""Buckets `jfr print --events jdk.ExecutionSample` output by layer (top frame and inclusive)."""
import collections
import re
import sys

LAYERS = [
    ("Gatehouse", ("io.gatehouse.",)),
    ("Vert.x HTTP (server, client, headers)", ("io.vertx.core.http.",)),
    ("Vert.x core (futures, context, streams, pool)", ("io.vertx.",)),
    ("Netty HTTP codec", ("io.netty.handler.codec.",)),
    ("Netty buffers", ("io.netty.buffer.",)),
    ("Netty transport and pipeline", ("io.netty.channel.", "io.netty.util.")),
    ("JDK", ("java.", "jdk.", "sun.")),
]


def layer(frame):
    for name, prefixes in LAYERS:
        if frame.startswith(prefixes):
            return name
    return "other"


def main(path):
    text = open(path, encoding="utf-8").read()
    samples = []
    for event in text.split("jdk.ExecutionSample")[1:]:
        frames = re.findall(r"^\s+([\w.$<>]+)\(", event, re.M)
        if frames:
            samples.append(frames)
    n = len(samples) or 1
    self_layer = collections.Counter(layer(f[0]) for f in samples)
    self_frame = collections.Counter(f[0] for f in samples)
    gatehouse_incl = collections.Counter()
    for frames in samples:
        for f in set(frames):
            if f.startswith("io.gatehouse."):
                gatehouse_incl[f] += 1
    print(f"CPU samples: {len(samples)} (Java frames only; time in the kernel is not sampled)\n")
    print("| layer (top frame) | share |\n|---|---|")
    for name, c in self_layer.most_common():
        print(f"| {name} | {100 * c / n:.1f} % |")
    print("\n| hottest frames (self) | share |\n|---|---|")
    for f, c in self_frame.most_common(20):
        print(f"| `{f}` | {100 * c / n:.1f} % |")
    print("\n| Gatehouse methods (inclusive) | share |\n|---|---|")
    for f, c in gatehouse_incl.most_common(12):
        print(f"| `{f}` | {100 * c / n:.1f} % |")


if __name__ == "__main__":
    main(sys.argv[1])
