"""Finding, checking and downloading Vosk speech models.

Lookup order (`find_vosk_model`), first folder that looks like a Vosk model wins:
  1. `--model PATH` (an explicit path must be a model, or it is an error),
  2. the environment variable `VOICECOACH_MODEL`,
  3. the project's `models/` folder, then the user's data dir
     (`$XDG_DATA_HOME/voicecoach/models`, default `~/.local/share/voicecoach/models`),
  4. Vosk's own folders: `$VOSK_MODEL_PATH`, `~/.cache/vosk`, `/usr/share/vosk`.
Inside a folder of models, one whose name says its language (`vosk-model-small-en-us-0.15`
-> "en") is preferred; small models before big ones (they load in a second).

Downloads (`download_model`) happen only when the user asks (`voicecoach model download`;
`install.sh` asks once): the official model list gives the URL, size and MD5. A list entry
without a checksum is refused. Every transfer has a stall timeout (no byte for
`Limits.stall_s`) and an overall deadline (`Limits.deadline_s`); the archive is verified,
its unpacked size and file count are capped (`Limits`), and it is extracted without letting
any member escape the target folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from voicecoach import xdg
from voicecoach.errors import DownloadError, ModelError
from voicecoach.infiles import user_path

MODEL_LIST_URL = "https://alphacephei.com/vosk/models/model-list.json"
DEFAULT_MODEL = "vosk-model-small-en-us-0.15"
PROJECT_MODELS = Path(__file__).resolve().parent.parent.parent / "models"
MD5_RE = re.compile(r"[0-9a-f]{32}")
MODEL_HINT = (
    "run 'voicecoach model download' (the small English model, about 40 MB), or point "
    "--model (or VOICECOACH_MODEL) at an unpacked Vosk model folder"
)


# -- what a model folder looks like --------------------------------------------------------


def vosk_model_problems(path: Path) -> list[str]:
    """Why `path` is not a usable Vosk model folder (empty list: it looks fine).

    Checked before vosk.Model sees the folder: vosk logs loudly and fails with an
    unhelpful "Failed to create a model" on a bad path."""
    if not path.exists():
        return [f"{path} does not exist"]
    if not path.is_dir():
        return [f"{path} is a file, not a model folder"]
    problems = []
    if not _any_file(path, "am/final.mdl", "final.mdl"):
        problems.append("no acoustic model (am/final.mdl)")
    if not _any_file(path, "conf/mfcc.conf", "mfcc.conf"):
        problems.append("no feature settings (conf/mfcc.conf)")
    if not (_any_file(path, "graph/HCLG.fst", "HCLG.fst") or supports_grammar(path)):
        problems.append("no decoding graph (graph/HCLG.fst or graph/HCLr.fst + graph/Gr.fst)")
    return problems


def supports_grammar(path: Path) -> bool:
    """True for models with a lookahead graph (the small ones): only those honour a
    restricted grammar; big static-graph models ignore it."""
    return all(_any_file(path, f"graph/{n}", n) for n in ("HCLr.fst", "Gr.fst"))


def _any_file(base: Path, *names: str) -> bool:
    return any((base / n).is_file() and (base / n).stat().st_size > 0 for n in names)


def is_vosk_model(path: Path) -> bool:
    return not vosk_model_problems(path)


def check_vosk_model(path: Path) -> Path:
    """`path` if it is a usable model folder, else a ModelError saying what is missing."""
    problems = vosk_model_problems(path)
    if problems:
        raise ModelError(f"{path} is not a Vosk model: {'; '.join(problems)}", MODEL_HINT)
    return path


_LANG_RE = re.compile(r"vosk-model-(?:small-)?([a-z]{2,3})(?:-|$)")


def model_language(path: Path) -> str | None:
    """The language code in a model folder's official name (`...-en-us-0.15` -> "en")."""
    m = _LANG_RE.search(path.name.lower())
    return m.group(1) if m else None


# -- lookup --------------------------------------------------------------------------------


def data_dir() -> Path:
    """voicecoach's own model folder, under its XDG data folder (`voicecoach.xdg`: a
    relative $XDG_DATA_HOME is ignored, as the specification says)."""
    return xdg.data_dir() / "models"


def cache_dir() -> Path:
    """Vosk's own download folder; `voicecoach model download` puts models here too."""
    return Path.home() / ".cache" / "vosk"


def search_folders() -> list[Path]:
    """Folders that may hold models (or be one), in lookup order (after --model/env). The
    project's `models/` only in a source checkout: installed from a wheel, the place
    next to the package is site-packages, no folder of the user's."""
    folders = [PROJECT_MODELS] if PROJECT_MODELS.is_dir() else []
    folders.append(data_dir())
    if os.environ.get("VOSK_MODEL_PATH"):
        folders.append(Path(os.environ["VOSK_MODEL_PATH"]))
    folders += [cache_dir(), Path("/usr/share/vosk")]
    return folders


def candidates(folder: Path, lang: str) -> list[Path]:
    """Model folders for `lang` at or directly under `folder`, best first: small models
    before big ones, names in reverse order (newer versions first)."""
    if is_vosk_model(folder):
        return [folder] if model_language(folder) in (lang, None) else []
    try:
        subdirs = sorted((p for p in folder.iterdir() if p.is_dir()), reverse=True)
    except OSError:
        return []
    found = [p for p in subdirs if model_language(p) == lang and is_vosk_model(p)]
    return sorted(found, key=lambda p: "small" not in p.name)


def find_vosk_model(explicit: str | Path | None = None, lang: str = "en") -> Path:
    """The model to use (see the module docstring for the order); ModelError if none."""
    if explicit:
        return check_vosk_model(user_path(str(explicit)))
    env = os.environ.get("VOICECOACH_MODEL")
    if env:
        path = user_path(env)
        problems = vosk_model_problems(path)
        if problems:
            raise ModelError(
                f"VOICECOACH_MODEL={env} is not a Vosk model: {'; '.join(problems)}",
                "fix or unset VOICECOACH_MODEL",
            )
        return path
    for folder in search_folders():
        found = candidates(user_path(str(folder)), lang)
        if found:
            return found[0]
    where = ", ".join(str(f) for f in search_folders())
    raise ModelError(f"no Vosk model for language {lang!r} found (looked in {where})", MODEL_HINT)


# -- limits on what a download may cost ----------------------------------------------------


@dataclass(frozen=True)
class Limits:
    """What a download may take. The defaults fit every official model with room to spare
    (the small English model: 40 MB zipped, 68 MB and 30 files unpacked; the biggest: about
    2 GB zipped, 3-4 GB unpacked) and refuse a zip bomb or a server that never finishes."""

    stall_s: float = 30.0  # no byte for this long: the transfer has stalled
    deadline_s: float = 1800.0  # the whole download, list included (40 MB at 25 kB/s)
    max_list_bytes: int = 8 << 20  # the model list is about 100 kB
    max_unpacked_bytes: int = 8 << 30
    max_ratio: float = 10.0  # unpacked / zipped: Vosk models compress about 1.5:1
    max_files: int = 10_000


# -- the official model list ---------------------------------------------------------------


@dataclass(frozen=True)
class ModelInfo:
    name: str
    url: str
    md5: str
    size: int
    lang: str
    obsolete: bool = False
    type: str = ""

    @classmethod
    def from_json(cls, d: dict[str, object]) -> ModelInfo:
        return cls(
            name=str(d["name"]),
            url=str(d["url"]),
            md5=str(d.get("md5", "")).lower(),
            size=int(str(d.get("size") or 0)),
            lang=str(d.get("lang", "")),
            obsolete=str(d.get("obsolete", "false")).lower() == "true",
            type=str(d.get("type", "")),
        )


def _open(url: str, timeout: float) -> IO[bytes]:
    """`url` opened with `timeout` on connecting and on every read (the stall timeout)."""
    try:
        return urllib.request.urlopen(url, timeout=timeout)  # type: ignore[no-any-return]
    except urllib.error.HTTPError as exc:
        raise DownloadError(
            f"the server refused {url} (HTTP {exc.code})", "try again later"
        ) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        raise DownloadError(
            f"cannot reach {url} ({reason})",
            "check the internet connection; or download the model zip by hand from "
            "https://alphacephei.com/vosk/models and unpack it into ~/.cache/vosk "
            "(found there by itself; elsewhere, give --model PATH)",
        ) from None


Clock = Callable[[], float]


def _stream(
    url: str,
    sink: Callable[[bytes], None],
    limits: Limits,
    deadline: float,
    max_bytes: int,
    clock: Clock,
    progress: Progress | None = None,
) -> int:
    """Read `url` into `sink` block by block; the number of bytes read.

    A read returns as soon as any bytes arrive (`read1`), so a server that drips a byte
    now and then still meets the overall `deadline` (a `clock()` time), give or take one
    stall timeout; a read that waits `limits.stall_s` for a byte fails as stalled."""
    with _open(url, min(limits.stall_s, max(deadline - clock(), 0.001))) as resp:
        total = int(resp.headers.get("Content-Length") or 0)  # type: ignore[attr-defined]
        if total > max_bytes:
            raise DownloadError(
                f"{url} is {total / 1e6:.1f} MB, more than the {max_bytes / 1e6:.1f} MB expected",
                "the server sends something else than the model list says; try again later",
            )
        done = 0
        while True:
            try:
                block = resp.read1(1 << 16)  # type: ignore[attr-defined]
            except TimeoutError:
                raise DownloadError(
                    f"the download of {url} stalled (nothing for {limits.stall_s:.0f} s)",
                    "try again later, or on another network",
                ) from None
            except OSError as exc:
                raise DownloadError(
                    f"the download of {url} broke off ({exc})", "try again"
                ) from None
            if not block:
                break
            done += len(block)
            if done > max_bytes:
                raise DownloadError(
                    f"{url} sent more than the {max_bytes / 1e6:.1f} MB expected",
                    "the server sends something else than the model list says; try again later",
                )
            sink(block)
            if progress:
                progress(done, total)
            if clock() > deadline:
                raise DownloadError(
                    f"the download of {url} took longer than {limits.deadline_s:.0f} s "
                    f"({done / 1e6:.1f} MB arrived)",
                    "try again on a faster connection, or download the model zip by hand",
                )
    if total and done != total:
        raise DownloadError(
            f"the download of {url} was cut short ({done} of {total} bytes)", "try again"
        )
    return done


def fetch_model_list(
    url: str = MODEL_LIST_URL,
    limits: Limits | None = None,
    clock: Clock = time.monotonic,
    deadline: float | None = None,
) -> list[ModelInfo]:
    """The published list of Vosk models (name, url, md5, size, lang...)."""
    limits = limits or Limits()
    deadline = clock() + limits.deadline_s if deadline is None else deadline
    buf = bytearray()
    _stream(url, buf.extend, limits, deadline, limits.max_list_bytes, clock)
    try:
        entries = json.loads(buf.decode("utf-8"))
        return [ModelInfo.from_json(e) for e in entries]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise DownloadError(
            f"the model list at {url} is not what was expected ({exc})",
            "try again later, or download the model by hand",
        ) from None


def choose(models: Iterable[ModelInfo], name: str) -> ModelInfo:
    """The list entry called `name`; DownloadError listing close names otherwise."""
    models = list(models)
    for m in models:
        if m.name == name:
            return m
    close = [m.name for m in models if name.lower() in m.name.lower()][:8]
    hint = f"did you mean: {', '.join(close)}" if close else "see 'voicecoach model list'"
    raise DownloadError(f"no model called {name!r} in the model list", hint)


# -- downloading ---------------------------------------------------------------------------

Progress = Callable[[int, int], None]  # (bytes so far, total bytes or 0)


def progress_bar(stream: IO[str] | None = None) -> Progress:
    """A one-line text progress bar on stderr."""
    out = stream or sys.stderr
    last = [-1]

    def show(done: int, total: int) -> None:
        pct = int(100 * done / total) if total else 0
        if pct == last[0] and done != total:
            return
        last[0] = pct
        width = 30
        filled = width * pct // 100
        mb = done / 1e6
        size = f"/{total / 1e6:.1f}" if total else ""
        out.write(f"\r  [{'#' * filled}{'.' * (width - filled)}] {pct:3d}% {mb:.1f}{size} MB")
        if total and done >= total:
            out.write("\n")
        out.flush()

    return show


def download_file(
    url: str,
    dest: Path,
    progress: Progress | None = None,
    limits: Limits | None = None,
    clock: Clock = time.monotonic,
    deadline: float | None = None,
    max_bytes: int = 1 << 40,
) -> str:
    """Stream `url` into `dest`; returns the MD5 hex digest of what was written."""
    limits = limits or Limits()
    deadline = clock() + limits.deadline_s if deadline is None else deadline
    md5 = hashlib.md5(usedforsecurity=False)
    with open(dest, "wb") as f:

        def sink(block: bytes) -> None:
            f.write(block)
            md5.update(block)

        _stream(url, sink, limits, deadline, max_bytes, clock, progress)
    return md5.hexdigest()


def check_unpacked_size(archive: Path, limits: Limits) -> None:
    """Refuse an archive that would unpack to more files or bytes than `limits` allow
    (zipfile stops every member at its declared size, so the declared sizes bound it)."""
    try:
        with zipfile.ZipFile(archive) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise DownloadError(
            f"the archive {archive.name} is not a readable zip ({exc})", "try again"
        ) from None
    unpacked = sum(i.file_size for i in infos)
    cap = min(limits.max_unpacked_bytes, int(limits.max_ratio * archive.stat().st_size))
    if len(infos) > limits.max_files:
        raise DownloadError(
            f"the archive {archive.name} holds {len(infos)} files (a model has far fewer than "
            f"{limits.max_files})",
            "the download is damaged or malicious; nothing was extracted from it",
        )
    if unpacked > cap:
        raise DownloadError(
            f"the archive {archive.name} would unpack to {unpacked / 1e6:.0f} MB, more than "
            f"the {cap / 1e6:.0f} MB allowed for a {archive.stat().st_size / 1e6:.1f} MB zip",
            "the download is damaged or malicious; nothing was extracted from it",
        )


def safe_extract(archive: Path, target: Path) -> list[str]:
    """Unpack a zip into `target`, refusing any member that could land outside it:
    absolute paths, `..` components, drive letters, and symbolic links."""
    target = target.resolve()
    with zipfile.ZipFile(archive) as zf:
        names = []
        for info in zf.infolist():
            name = info.filename
            parts = PurePosixPath(name.replace("\\", "/")).parts
            is_link = (info.external_attr >> 16) & 0o170000 == 0o120000
            if name.startswith(("/", "\\")) or ".." in parts or ":" in name or is_link:
                raise DownloadError(
                    f"the archive {archive.name} contains an unsafe member {name!r}",
                    "the download is damaged or malicious; nothing was extracted from it",
                )
            dest = (target / name).resolve()
            if not dest.is_relative_to(target):
                raise DownloadError(
                    f"the archive member {name!r} escapes the target", "nothing was extracted"
                )
            names.append(name)
        try:
            zf.extractall(target)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise DownloadError(
                f"the archive {archive.name} could not be unpacked ({exc})",
                "the download is damaged; try again (nothing was installed)",
            ) from None
    return names


def download_model(
    name: str = DEFAULT_MODEL,
    dest_dir: Path | None = None,
    list_url: str = MODEL_LIST_URL,
    progress: Progress | None = None,
    log: Callable[[str], None] = print,
    limits: Limits | None = None,
    clock: Clock = time.monotonic,
) -> Path:
    """Fetch model `name` into `dest_dir` (default Vosk's cache) and return its folder.

    Verified against the MD5 the list publishes (an entry without one is refused); the
    unpacked size and file count are capped; extracted into a temporary folder first and
    moved into place only when complete, so an interrupted download leaves nothing that
    looks like a model. The list and the archive share one deadline (`limits`)."""
    limits = limits or Limits()
    deadline = clock() + limits.deadline_s
    dest_dir = user_path(str(dest_dir or cache_dir()))
    final = dest_dir / name
    if is_vosk_model(final):
        log(f"{name} is already in {dest_dir}")
        return final
    info = choose(fetch_model_list(list_url, limits, clock, deadline), name)
    if not MD5_RE.fullmatch(info.md5):
        raise DownloadError(
            f"the model list gives no checksum for {info.name}, so a download could not be "
            "verified; nothing was downloaded",
            "download the model zip by hand from https://alphacephei.com/vosk/models, check "
            "it and unpack it into ~/.cache/vosk (found there by itself; elsewhere, give "
            "--model PATH)",
        )
    dest_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest_dir, prefix=".download-") as tmp:
        archive = Path(tmp) / f"{name}.zip"
        log(f"downloading {info.name} ({info.size / 1e6:.0f} MB) from {info.url}")
        # the list's size (plus slack) bounds the transfer; no size: the unpacked caps apply
        expect = int(info.size * 1.1) + (1 << 20) if info.size else limits.max_unpacked_bytes
        digest = download_file(info.url, archive, progress, limits, clock, deadline, expect)
        if digest != info.md5:
            raise DownloadError(
                f"checksum mismatch for {info.name}: got {digest}, the list says {info.md5}",
                "the download is damaged; try again (nothing was installed)",
            )
        unpacked = Path(tmp) / "unpacked"
        check_unpacked_size(archive, limits)
        safe_extract(archive, unpacked)
        folder = _model_root(unpacked)
        check_vosk_model(folder)
        if final.exists():
            shutil.rmtree(final)
        folder.rename(final)
    log(f"installed {final}")
    return final


def _model_root(unpacked: Path) -> Path:
    """The model folder inside an unpacked archive (archives hold one top folder)."""
    if is_vosk_model(unpacked):
        return unpacked
    subdirs = [p for p in unpacked.iterdir() if p.is_dir()]
    if len(subdirs) == 1 and is_vosk_model(subdirs[0]):
        return subdirs[0]
    raise DownloadError(
        "the downloaded archive does not contain a Vosk model",
        "report this; download the model by hand meanwhile",
    )


def installed_models() -> list[Path]:
    """Every model folder in the lookup folders (any language)."""
    found: list[Path] = []
    for folder in search_folders():
        folder = user_path(str(folder))
        if is_vosk_model(folder):
            found.append(folder)
            continue
        try:
            found += sorted(p for p in folder.iterdir() if p.is_dir() and is_vosk_model(p))
        except OSError:
            continue
    return found
