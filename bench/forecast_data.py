"""Build real daily delivery histories for `bench/forecast.py`, as CSV under bench/data/.

    .venv/bin/python -m bench.forecast_data

Source: the Debian changelogs of the packages installed on this machine
(/usr/share/doc/*/changelog.Debian.gz). Each entry is one upload of a source package, signed
off with its date; an upload is "an item done" on that UTC day. Entries are deduplicated by
(source package, version), since binary packages of one source ship the same changelog.
Written histories (one row per calendar day, zeros included, `date,count`, numbers only):

- `debian-uploads.csv`: every upload of every installed source package, by anyone (the
  "team" is the Debian maintainers of this machine's software);
- `debian-uploads-doko.csv`: the uploads signed by the most frequent uploader here
  (doko@debian.org, the toolchain: gcc, binutils, python), one person's delivery history.

Both are cut to 2016-01-01 onwards. npm publish times (`npm view <pkg> time --json`) were
considered but the registry reachable here is a mirror whose "publish" times are its own
ingestion times (typescript 5.0.2, released 2023-03-16, reads 2024-12-02), so they are not
a delivery history and are not used.
"""

from __future__ import annotations

import argparse
import collections
import csv
import email.utils
import glob
import gzip
import re
from collections.abc import Iterator
from datetime import UTC, date, timedelta
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
SINCE = date(2016, 1, 1)
HEAD = re.compile(r"^(\S+) \(([^)]+)\)")
TRAILER = re.compile(r"^ -- (.+?) <([^>]+)>\s+(.+)$")
PERSON = "doko@debian.org"


def uploads(pattern: str = "/usr/share/doc/*/changelog.Debian.gz") -> Iterator[tuple[date, str]]:
    """(UTC day, uploader e-mail) of each distinct (source, version) upload."""
    seen: set[tuple[str, str]] = set()
    for path in sorted(glob.glob(pattern)):
        try:
            with gzip.open(path, "rt", errors="replace") as stream:
                lines = stream.read().splitlines()
        except OSError:
            continue
        current: tuple[str, str] | None = None
        for line in lines:
            if head := HEAD.match(line):
                current = (head.group(1), head.group(2))
            elif (trailer := TRAILER.match(line)) and current and current not in seen:
                seen.add(current)
                try:
                    when = email.utils.parsedate_to_datetime(trailer.group(3).strip())
                except (TypeError, ValueError):
                    continue
                if when.tzinfo is not None:
                    yield when.astimezone(UTC).date(), trailer.group(2)
                current = None


def write_history(name: str, days: collections.Counter[date]) -> Path:
    first, last = max(SINCE, min(days)), max(days)
    path = DATA / f"{name}.csv"
    with path.open("w", newline="") as stream:
        out = csv.writer(stream)
        out.writerow(["date", "count"])
        for i in range((last - first).days + 1):
            day = first + timedelta(days=i)
            out.writerow([day.isoformat(), days.get(day, 0)])
    return path


def main() -> None:
    argparse.ArgumentParser(description=__doc__).parse_args()
    every: collections.Counter[date] = collections.Counter()
    person: collections.Counter[date] = collections.Counter()
    for day, who in uploads():
        every[day] += 1
        if who == PERSON:
            person[day] += 1
    DATA.mkdir(exist_ok=True)
    for name, days in (("debian-uploads", every), ("debian-uploads-doko", person)):
        path = write_history(name, days)
        print(f"{path.relative_to(DATA.parent.parent)}: {sum(days.values())} uploads")


if __name__ == "__main__":
    main()
