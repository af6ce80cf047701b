"""The app's own files (style sheets, scripts, icons) at addresses that carry their content's digest.

A page asks for `/static/v/<digest>/css/bedside.css`; that address can only ever mean those bytes, so the
tablet may keep it for a year without asking again (`immutable`), and a new deployment changes the address
of whatever changed. An address with a digest that is no longer current (a page drawn before a deployment)
still gets the file, but marked `no-cache`, so nothing stale is kept under a name that promises otherwise.
The plain `/static/...` addresses stay for what is not on a page (the API explorer) and are revalidated.
"""

from __future__ import annotations

import hashlib
import mimetypes
from functools import cache
from pathlib import Path, PurePosixPath

from litestar import Controller, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import File

from server.auth.policy import PUBLIC
from server.db import PROJECT_ROOT

STATIC = PROJECT_ROOT / "static"
PREFIX = "/static/v"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


def asset_url(name: str) -> str:
    """The address of `static/<name>` as it is now, e.g. asset_url("css/bedside.css")."""
    return f"{PREFIX}/{digest_of(name)}/{name}"


def digest_of(name: str) -> str:
    path = _static_file(name)
    stat = path.stat()
    return _digest(path, stat.st_mtime_ns, stat.st_size)


@cache
def _digest(path: Path, _mtime_ns: int, _size: int) -> str:
    """Computed once per version of the file (its modification time and size are part of the key)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def _static_file(name: str) -> Path:
    """The file under static/ by that name: no `..`, no folder. Judged by the name, not by where the path
    resolves, so a folder installed as a symbolic link (static/vendor) still serves."""
    parts = PurePosixPath(name.lstrip("/")).parts
    path = STATIC.joinpath(*parts)
    if not parts or ".." in parts or not path.is_file():
        raise NotFoundException("No such file.")
    return path


class AssetRoutes(Controller):
    path = PREFIX
    opt = {"policy": PUBLIC}

    @get("/{digest:str}/{name:path}", exclude_from_auth=True, include_in_schema=False)
    async def asset(self, digest: FromPath[str], name: FromPath[Path]) -> File:
        """A file of the app's own, kept by the tablet for a year when the address is current."""
        path = _static_file(str(name))
        current = digest == digest_of(str(name))
        media_type, _ = mimetypes.guess_type(path.name)
        return File(
            path,
            content_disposition_type="inline",
            media_type=media_type or "application/octet-stream",
            headers={"Cache-Control": IMMUTABLE if current else REVALIDATE},
        )
