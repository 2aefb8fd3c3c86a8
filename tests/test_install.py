"""install.sh's decisions, on a stock Debian as a new user meets it (no `python`, no
virtual environment, a system pip that refuses: PEP 668) and inside a virtual environment.

A fake `python3`, `dpkg-query`, `apt-get` and `sudo` on the PATH record what install.sh asks of
them, so this runs offline in a second; the real install (apt, pip, the model download)
runs in CI through .ci/run on a clean machine."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

FAKE_PYTHON = r"""#!/bin/bash
# a Python that records its arguments; `-m venv DIR` copies itself to DIR/bin/python and
# `-m pip install` puts a voicecoach script (which cannot reach the network) beside it
echo "$0 $*" >> "$CALLS"
case "$1 $2" in
  "-m venv") mkdir -p "$3/bin" && cp "$0" "$3/bin/python" ;;
  "-m pip")
    here=$(dirname "$0")
    {
      echo '#!/bin/bash'
      echo 'echo "voicecoach $*" >> "$CALLS"'
      echo 'echo "voicecoach: cannot reach the model list" >&2; exit 4'
    } > "$here/voicecoach"
    chmod +x "$here/voicecoach" ;;
  "-c from voicecoach.ears import install_summary; print(install_summary())")
    echo "Vosk English model: not installed"
    echo "speech recognizer: pocketsphinx (auto: no Vosk English model found)" ;;
esac
exit 0
"""


@pytest.fixture
def debian(tmp_path: Path) -> dict[str, str]:
    """A home, and a PATH whose only Python is the fake `python3` (no `python`)."""
    if shutil.which("bash") is None:
        pytest.skip("needs bash")
    fakes = tmp_path / "fakes"
    fakes.mkdir()
    for name, text in {
        "python3": FAKE_PYTHON,
        "dpkg-query": '#!/bin/bash\necho "$0 $*" >> "$CALLS"\necho "install ok installed"\n',
        "apt-get": '#!/bin/bash\necho "$0 $*" >> "$CALLS"\n',
        "sudo": '#!/bin/bash\nexec "$@"\n',  # when the tests do not run as root
    }.items():
        (fakes / name).write_text(text)
        (fakes / name).chmod(0o755)
    home = tmp_path / "home"
    home.mkdir()
    return {
        "HOME": str(home),
        "PATH": f"{fakes}:/usr/bin:/bin",
        "CALLS": str(tmp_path / "calls.log"),
    }


def install(env: dict[str, str], *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(ROOT / "install.sh"), *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def calls(env: dict[str, str]) -> str:
    return Path(env["CALLS"]).read_text()


def test_without_a_venv_it_makes_its_own_and_links_voicecoach_into_local_bin(debian):
    assert shutil.which("python", path=debian["PATH"]) in (None, "/usr/bin/python")
    done = install(debian)
    assert done.returncode == 0, done.stderr
    home = Path(debian["HOME"])
    venv = home / ".local/share/voicecoach/venv"
    link = home / ".local/bin/voicecoach"
    assert f"no active virtual environment: installing into {venv}" in done.stdout
    assert link.is_symlink()
    assert link.resolve() == (venv / "bin/voicecoach").resolve()
    assert f"{home}/.local/bin is not on your PATH" in done.stdout
    # a command that works in this terminal, before the PATH is changed
    last = done.stdout.strip().splitlines()[-1]
    assert last == f"install.sh: voicecoach is installed: try '{link} list' and '{link} check'"
    assert "to uninstall: ./install.sh --uninstall" in done.stdout
    assert f"{venv}/bin/python -m pip install -q ." in calls(debian)
    assert "apt-get" not in calls(debian)  # every package already there: no sudo, no apt


def test_offline_it_ends_with_a_clear_line_about_the_vosk_model_and_the_engine(debian):
    done = install(debian)
    assert "voicecoach model download" in calls(debian)
    lines = done.stdout.strip().splitlines()
    assert "the Vosk English model could not be downloaded (offline?)" in done.stdout
    assert lines[-3] == "install.sh: Vosk English model: not installed"
    assert lines[-2].startswith("install.sh: speech recognizer: pocketsphinx (auto:")


def test_no_model_skips_the_download(debian):
    install(debian, "--no-model")
    assert "model download" not in calls(debian)


def test_uninstall_removes_the_venv_and_the_link_only(debian):
    install(debian)
    home = Path(debian["HOME"])
    history = home / ".local/share/voicecoach/history.db"
    history.write_bytes(b"your sessions")
    done = install(debian, "--uninstall")
    assert done.returncode == 0
    assert not (home / ".local/bin/voicecoach").exists()
    assert not (home / ".local/share/voicecoach").joinpath("venv").exists()
    assert (home / ".local/bin").is_dir()
    assert history.read_bytes() == b"your sessions"  # and it says where it stays
    assert f"your history ({history}) and config ({home}/.config/voicecoach)" in done.stdout


def test_inside_an_active_venv_it_installs_there_and_links_nothing(debian, tmp_path):
    venv = tmp_path / "active"
    (venv / "bin").mkdir(parents=True)
    shutil.copy(Path(debian["PATH"].split(":")[0]) / "python3", venv / "bin" / "python")
    done = install({**debian, "VIRTUAL_ENV": str(venv)}, "--no-model")
    assert done.returncode == 0, done.stderr
    assert f"installing into the active virtual environment {venv}" in done.stdout
    assert f"{venv}/bin/python -m pip install -q ." in calls(debian)
    assert not (Path(debian["HOME"]) / ".local/bin/voicecoach").exists()
    last = done.stdout.strip().splitlines()[-1]  # the venv is active: its voicecoach is found
    assert last.endswith("voicecoach is installed: try 'voicecoach list' and 'voicecoach check'")


def test_dev_without_a_venv_installs_editable_into_the_projects_venv(debian, tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(ROOT / "install.sh", project / "install.sh")
    done = subprocess.run(
        ["bash", "install.sh", "--dev", "--no-model"],
        env=debian,
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert f"{project}/.venv/bin/python -m pip install -q -e .[test]" in calls(debian)
    assert "to run the tests: . .venv/bin/activate && python -m pytest" in done.stdout
    assert "pulseaudio" in calls(debian)  # the device tests' packages are checked too


def test_a_missing_system_package_is_installed_with_apt(debian):
    fake = Path(debian["PATH"].split(":")[0]) / "dpkg-query"
    fake.write_text(
        '#!/bin/bash\necho "$0 $*" >> "$CALLS"\n[ "$3" != espeak-ng ] && echo ok installed\n'
    )
    done = install(debian, "--no-model")
    assert done.returncode == 0, done.stderr
    assert "installing system packages: espeak-ng" in done.stdout
    assert "apt-get install -y -qq --no-install-recommends espeak-ng" in calls(debian)


def test_an_unknown_option_is_refused(debian):
    done = install(debian, "--frobnicate")
    assert done.returncode == 2
    assert "unknown option --frobnicate" in done.stderr
    assert not os.path.exists(debian["CALLS"])
