"""Files uploaded for an import in the browser, kept between its steps (mapping, dry run,
import) in `<data dir>/uploads`, named by an unguessable token and removed after a day."""

from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from jalon.errors import NotFound

TOKEN_RE = re.compile(r"[0-9a-f]{32}")
MAX_AGE_SECONDS = 24 * 3600
EXPIRED = "This upload has expired or does not exist; upload the file again."


@dataclass(frozen=True)
class Upload:
    token: str
    product_id: int
    filename: str
    format: str | None
    path: Path


def _folder(data_dir: Path) -> Path:
    folder = data_dir / "uploads"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def _sweep(folder: Path) -> None:
    limit = time.time() - MAX_AGE_SECONDS
    for path in folder.iterdir():
        if path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)


def save(
    data_dir: Path, *, product_id: int, filename: str, file_format: str | None, stream: BinaryIO
) -> Upload:
    folder = _folder(data_dir)
    _sweep(folder)
    token = secrets.token_hex(16)
    path = folder / f"{token}.upload"
    with path.open("wb") as out:
        shutil.copyfileobj(stream, out, 1024 * 1024)
    name = filename[:150]
    meta = {"product_id": product_id, "filename": name, "format": file_format}
    (folder / f"{token}.json").write_text(json.dumps(meta), encoding="utf-8")
    return Upload(token, product_id, name, file_format, path)


def load(data_dir: Path, token: str, *, product_id: int) -> Upload:
    """The upload of this token for this product, or NotFound."""
    if not TOKEN_RE.fullmatch(token):
        raise NotFound(EXPIRED)
    folder = _folder(data_dir)
    try:
        meta = json.loads((folder / f"{token}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise NotFound(EXPIRED) from None
    path = folder / f"{token}.upload"
    if meta.get("product_id") != product_id or not path.is_file():
        raise NotFound(EXPIRED)
    return Upload(token, product_id, str(meta["filename"]), meta.get("format"), path)


def discard(upload: Upload) -> None:
    upload.path.unlink(missing_ok=True)
    upload.path.with_suffix(".json").unlink(missing_ok=True)
