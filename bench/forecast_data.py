"""Build real daily delivery histories for `bench/forecast.py`, as CSV under bench/data/.

    .venv/bin/python -m bench.forecast_data

Source: the Debian changelogs of the packages installed on this machine
(/usr/share/doc/*/changelog.Debian.gz). Each entry is one upload of a source package, signed
off with its date; an upload is "an item done" on that UTC day. Entries are deduplicated by
(source package, version), since binary packages of one source ship the same changelog.
Written histories (one row per calendar day, zeros included, `date,count`, numbers only),
chosen by a rule fixed before any forecast was run, never by their result:

- `debian-uploads.csv`: every upload of every installed source package, by anyone (the
  "team" is the Debian maintainers of this machine's software);
- `debian-uploads-<name>.csv` for the `PEOPLE` uploaders (the sign-off address) with the most
  days with at least one upload since `BUSY_SINCE`: one person's delivery history each;
- `debian-team-<name>.csv` for the `TEAMS` maintainer teams with the most such days: the
  uploads, by anyone, of the source packages whose `Maintainer` (in /var/lib/dpkg/status) is
  a team address (a mailing list, `@packages.debian.org` or `team+...@tracker.debian.org`).

All are cut to 2016-01-01 onwards. npm publish times (`npm view <pkg> time --json`) were
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
from typing import NamedTuple

DATA = Path(__file__).resolve().parent / "data"
SINCE = date(2016, 1, 1)
BUSY_SINCE = date(2018, 1, 1)  # "busiest" counts the days with an upload from then on
PEOPLE = 5
TEAMS = 3
HEAD = re.compile(r"^(\S+) \(([^)]+)\)")
TRAILER = re.compile(r"^ -- (.+?) <([^>]+)>\s+(.+)$")
TEAM_ADDRESS = re.compile(r"<([^>]*@lists\.[^>]+|[^>]*@packages\.debian\.org|team\+[^>]+)>")


class Upload(NamedTuple):
    day: date  # UTC
    source: str
    uploader: str  # e-mail of the sign-off


def uploads(pattern: str = "/usr/share/doc/*/changelog.Debian.gz") -> Iterator[Upload]:
    """Each distinct (source, version) upload."""
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
                    yield Upload(when.astimezone(UTC).date(), current[0], trailer.group(2))
                current = None


def team_of_source(status: str = "/var/lib/dpkg/status") -> dict[str, str]:
    """Source package -> its maintainer team's name, for packages maintained by a team."""
    teams: dict[str, str] = {}
    for stanza in Path(status).read_text(errors="replace").split("\n\n"):
        fields = dict(
            line.split(":", 1) for line in stanza.splitlines() if ":" in line and line[:1] != " "
        )
        maintainer = fields.get("Maintainer", "").strip()
        if "Package" in fields and TEAM_ADDRESS.search(maintainer):
            source = fields.get("Source", fields["Package"]).split()[0]
            teams[source] = maintainer.split("<")[0].strip()
    return teams


def busiest(days_of: dict[str, collections.Counter[date]], count: int) -> list[str]:
    """The `count` keys with the most days with an upload since BUSY_SINCE (ties by name)."""
    active = {k: sum(1 for d in days if d >= BUSY_SINCE) for k, days in days_of.items()}
    return sorted(active, key=lambda k: (-active[k], k))[:count]


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


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


def histories() -> dict[str, collections.Counter[date]]:
    every: collections.Counter[date] = collections.Counter()
    person: dict[str, collections.Counter[date]] = collections.defaultdict(collections.Counter)
    team: dict[str, collections.Counter[date]] = collections.defaultdict(collections.Counter)
    teams = team_of_source()
    for upload in uploads():
        every[upload.day] += 1
        person[upload.uploader][upload.day] += 1
        if upload.source in teams:
            team[teams[upload.source]][upload.day] += 1
    chosen = {"debian-uploads": every}
    for who in busiest(person, PEOPLE):
        chosen[f"debian-uploads-{slug(who.split('@')[0])}"] = person[who]
    for name in busiest(team, TEAMS):
        chosen[f"debian-team-{slug(name.removeprefix('Debian '))}"] = team[name]
    return chosen


def main() -> None:
    argparse.ArgumentParser(description=__doc__).parse_args()
    DATA.mkdir(exist_ok=True)
    for name, days in histories().items():
        path = write_history(name, days)
        print(f"{path.relative_to(DATA.parent.parent)}: {sum(days.values())} uploads")


if __name__ == "__main__":
    main()
