"""Project hygiene: CI runs the README's test command, the code is lint-clean, and a
normal (non-editable) install finds the packaged routines and runs without the test tools
(scipy)."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest
from factories import silent_wav

ROOT = Path(__file__).resolve().parent.parent


def readme_test_command() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- test-command -->\s*```(?:sh|bash)?\n(.+?)\n```", text, re.S)
    assert match, "README.md must mark its test command with <!-- test-command -->"
    return match.group(1).strip()


def test_ci_runs_exactly_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()
    assert ci[-1].strip() == readme_test_command()


def test_the_code_is_ruff_clean():
    ruff = shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed (pip install -e '.[test]')")
    check = subprocess.run([ruff, "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    fmt = subprocess.run([ruff, "format", "--check", "."], cwd=ROOT, capture_output=True, text=True)
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


def test_the_package_type_checks_with_mypy_strict():
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed (pip install -e '.[test]')")
    check = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "voicecoach"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.slow
def test_a_wheel_install_finds_the_packaged_routines_and_runs_a_session_without_scipy(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
        check=True,
    )
    (wheel,) = dist.glob("voicecoach-*.whl")
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    # the dependencies come from the Python running the tests: its own site-packages (a
    # virtual environment's, as install.sh makes in CI, or the system's), as plain paths
    # after the new environment's, so an editable voicecoach there is not picked up
    (site,) = (env_dir / "lib").glob("python3*/site-packages")
    deps = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    (site / "deps.pth").write_text("".join(f"{d}\n" for d in sorted(deps)))
    py = env_dir / "bin" / "python"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(py),
            "install",
            "--no-deps",
            "-q",
            str(wheel),
        ],
        check=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # the installed copy, not a checkout named in PYTHONPATH (as helpers run the suite)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    where = subprocess.run(
        [py, "-c", "import voicecoach, voicecoach.catalog as c; print(c.packaged_dir())"],
        cwd=elsewhere, capture_output=True, text=True, check=True, env=env,
    ).stdout.strip()  # fmt: skip
    assert Path(where).is_relative_to(env_dir), where
    listing = subprocess.run(
        [env_dir / "bin" / "voicecoach", "list"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        env=env,
    )
    assert listing.returncode == 0, listing.stderr
    for name in ("back-hip-knee", "back-hip-knee-20", "behind-knee", "knee-strength", "ground-up"):
        assert name in listing.stdout

    # scipy is the tests' and the benchmarks' only (voicecoach/dsp.py has the filters)
    with zipfile.ZipFile(wheel) as whl:
        (meta,) = [n for n in whl.namelist() if n.endswith(".dist-info/METADATA")]
        requires = [r for r in whl.read(meta).decode().splitlines() if r.startswith("Requires")]
    assert [r for r in requires if "scipy" in r and "extra ==" not in r] == []
    blocked = tmp_path / "without" / "scipy"
    blocked.mkdir(parents=True)
    (blocked / "__init__.py").write_text('raise ImportError("scipy is not installed")\n')
    quiet = silent_wav(tmp_path / "quiet.wav", 1.0)
    replay = [
        *("start", "behind-knee", "--fast", "--speak-file", str(tmp_path / "coach.wav")),
        *("--listen-file", str(quiet), "--engine", "pocketsphinx", "--echo", "0.5"),
    ]
    session = subprocess.run(
        [env_dir / "bin" / "voicecoach", *replay],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        env={**env, "PYTHONPATH": str(blocked.parent)},  # the worker process too
    )
    assert session.returncode == 0, session.stderr
    assert "You did 5 of 5 exercises" in session.stdout


@pytest.mark.parametrize(("given", "expected"), [(None, "1"), ("3", "3")])
def test_the_program_keeps_the_maths_libraries_to_one_thread_unless_the_user_says(given, expected):
    """numpy's OpenBLAS and CTranslate2's OpenMP read these when they load: the program's
    first lines set them (the ears' worker inherits them); a user's own value wins."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")
    }
    if given is not None:
        env["OMP_NUM_THREADS"] = env["OPENBLAS_NUM_THREADS"] = given
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, voicecoach.__main__;"
            "print(os.environ['OMP_NUM_THREADS'], os.environ['OPENBLAS_NUM_THREADS'])",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out == [expected, expected]
