"""Text -> speech samples with pyttsx3, cached, so the real-time path only copies arrays.

pyttsx3 2.99's espeak driver is not usable as documented (measured here, see
`Pyttsx3Backend`); the backend renders one utterance at a time with `save_to_file` and
works around each bug. Rendering takes ~10 ms per phrase here, so the cache lives in memory
only: counts and cues repeat hundreds of times per session, but a disk cache would save
~10 ms per distinct phrase once per session, and would have to be invalidated whenever
espeak-ng, its data or the voice files change.
"""

from __future__ import annotations

import atexit
import contextlib
import sys
import tempfile
import threading
import time
import wave
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from voicecoach.errors import AudioError, UsageError
from voicecoach.speech import DEFAULT_RATE, DEFAULT_VOICE

if TYPE_CHECKING:
    import numpy as np

_MAX_CACHED = 2000  # phrases; a routine has a few hundred distinct ones
_EXIT_WAIT = 5.0  # seconds an exit waits for the utterance being rendered


@dataclass(frozen=True, slots=True)
class Clip:
    """Rendered speech: float32 mono `samples` at `rate`, silence trimmed."""

    samples: np.ndarray
    rate: int

    @property
    def duration(self) -> float:
        return len(self.samples) / self.rate


@dataclass(frozen=True, slots=True)
class VoiceInfo:
    id: str
    name: str
    languages: tuple[str, ...]
    gender: str | None = None


class Backend(Protocol):
    """A synthesizer: one utterance at a time, from one thread at a time."""

    def synth(self, text: str) -> Clip: ...


class Pyttsx3Backend:
    """pyttsx3 2.99, each utterance rendered with `save_to_file` into a private temp dir.

    Bugs of pyttsx3 2.99's espeak driver (it runs espeak-ng asynchronously) and what this
    does about each:
    - `runAndWait()` returns after a fixed 10 ms sleep, not when the file is written (the
      first file is often missing or half-written): wait for `finished-utterance`.
    - `runAndWait()` calls espeak's Cancel when espeak looks busy, which also drops queued
      parameter changes (rate, voice) and truncates or empties the next file: wait until
      espeak is idle before every call, and set properties straight on the driver
      (`Engine.setProperty` is deferred into that same racy `runAndWait`).
    - after a `save_to_file`, `say()` writes to that file too and `say()` shells out to
      aplay: never call `say()`; playback is ours.
    - the driver prints "Audio saved to ..." for every file: silenced.
    - its `_espeak.Synth` tells espeak-ng the text is ten times longer than it is, and
      espeak-ng copies that many bytes: a read past the end of the text that kills the
      process when it runs into an unmapped page: replaced (`_synth_true_size`).
    - the name given to `save_to_file` does not come back in `finished-utterance` (the
      queued endLoop command resets it to None), so the event cannot say which utterance
      ended: each utterance gets a file of its own, a cancelled one (`completed=False`) or
      a file shorter than its header says is rendered once more, and a render without
      sound for a text with letters or digits is an AudioError, never a silent clip
      (`checked_render`).
    espeak can be initialised once per process, so all backends share one engine and take
    turns (`_Engine`), each re-applying its own voice and rate when they differ. espeak-ng
    renders on a thread of its own that calls into Python with the sound: at exit the
    engine lets the utterance being rendered finish and starts no other (`_Engine.quiet`).
    """

    def __init__(self, voice: str | None = None, rate: int | None = None) -> None:
        self._engine = _Engine.get()
        self.voice_id = resolve_voice(voice, self._engine.voices()) if voice else None
        self.rate = rate or DEFAULT_RATE

    def synth(self, text: str) -> Clip:
        return self._engine.synth(text, self.voice_id, self.rate)


class _Engine:
    """The process's one pyttsx3 engine, used by one thread at a time."""

    _instance: _Engine | None = None
    _create_lock = threading.Lock()

    @classmethod
    def get(cls) -> _Engine:
        with cls._create_lock:
            if cls._instance is None:
                cls._instance = cls()
            return cls._instance

    def __init__(self) -> None:
        try:
            import pyttsx3

            self._engine = pyttsx3.init()  # the espeak driver raises at import without espeak
        except (ImportError, OSError, RuntimeError) as exc:
            raise AudioError(
                f"text-to-speech is not available ({exc})",
                "install espeak-ng ('apt-get install espeak-ng libespeak-ng1'), or use --text",
            ) from exc
        self._espeak = _espeak_module(self._engine)
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._completed = True  # what the last finished-utterance said
        self._engine.connect("finished-utterance", self._finished)
        self._dir = tempfile.TemporaryDirectory(prefix="voicecoach-tts-")
        self._applied: tuple[str | None, int] | None = None
        self._count = 0  # utterances rendered: each has a file of its own
        self._closed = False
        atexit.register(self.quiet)  # after the temp dir's own exit hook: runs before it

    def voices(self) -> list[VoiceInfo]:
        with self._lock:
            return [_voice_info(v) for v in self._engine.getProperty("voices")]

    def synth(self, text: str, voice: str | None, rate: int) -> Clip:
        with self._lock:
            if self._closed:
                raise AudioError("text-to-speech has stopped: voicecoach is exiting")
            if self._applied != (voice, rate):
                if voice or self._espeak is not None:
                    self._set("voice", voice or DEFAULT_VOICE)
                self._set("rate", rate)
                self._set("volume", 1.0)  # volume is applied to samples: one cache for all
                self._applied = (voice, rate)
            return checked_render(text, lambda: self._render_once(text))

    def quiet(self, timeout: float = _EXIT_WAIT) -> None:
        """Let the utterance being rendered finish, then render no more (at exit).

        Without it, espeak-ng's thread goes on rendering what a daemon thread asked for
        ahead of time and calls into an interpreter that is shutting down: the callback
        writes into the removed temp folder (tracebacks at exit) or runs while modules are
        torn down. Bounded by `timeout`, so a hung espeak-ng cannot hold up the exit; a
        Ctrl-C meanwhile ends the wait (the process is exiting already), not with a
        traceback."""
        self._closed = True  # first: a thread rendering ahead stops after this utterance
        with contextlib.suppress(KeyboardInterrupt):
            if not self._lock.acquire(timeout=timeout):
                return
            try:
                with contextlib.suppress(AudioError):
                    self._wait_idle(timeout)
            finally:
                self._lock.release()

    def _render_once(self, text: str) -> tuple[np.ndarray, int]:
        self._count += 1
        path = Path(self._dir.name) / f"utterance-{self._count}.wav"
        self._wait_idle()
        self._done.clear()
        self._engine.save_to_file(text, str(path))
        limit = 5.0 + len(text) / 20
        # pyttsx3's espeak driver loops until its callback saves the file; when saving fails
        # (a full disk, a file size limit) the callback raises, nothing ends the loop, and
        # runAndWait would wait forever: the failure ends it (`callback_errors`), and so
        # does a watchdog after the time limit, whatever else holds it up
        failed: list[BaseException] = []

        def failure(exc: BaseException) -> None:
            failed.append(exc)
            self._end_loop()

        watchdog = threading.Timer(limit, self._end_loop)
        watchdog.daemon = True
        with callback_errors(self._callback(), failure):
            watchdog.start()
            try:
                self._engine.runAndWait()
            finally:
                watchdog.cancel()
            if failed or not self._done.wait(timeout=limit):
                why = f": {failed[0]}" if failed else ""
                raise AudioError(
                    f"text-to-speech did not finish an utterance{why}",
                    f"check that 'espeak-ng hello' speaks and that {self._dir.name} can be"
                    " written (a full disk?)",
                )
        self._wait_idle()
        try:
            if not self._completed:
                raise _Incomplete("espeak-ng cancelled it")
            return read_wav(path)
        finally:
            path.unlink(missing_ok=True)

    def _end_loop(self) -> None:
        if self._espeak is not None:
            self._engine.proxy._driver.endLoop()

    def _callback(self) -> object:
        """What espeak-ng calls back into through ctypes with the sound (the espeak
        driver's `_onSynth`); None with another platform's driver."""
        return None if self._espeak is None else self._engine.proxy._driver._onSynth

    def _finished(self, name: object = None, completed: bool = True) -> None:
        self._completed = completed
        self._done.set()

    def _set(self, name: str, value: object) -> None:
        if self._espeak is None:  # another platform's driver: the documented, deferred way
            self._engine.setProperty(name, value)
            return
        self._wait_idle()
        try:
            self._engine.proxy._driver.setProperty(name, value)
        except ValueError as exc:  # espeak-ng refused it, e.g. a variant that does not exist
            raise UsageError(
                f"text-to-speech cannot use {name} {value!r} ({exc})", "see 'voicecoach voices'"
            ) from exc
        self._wait_idle()

    def _wait_idle(self, timeout: float = 5.0) -> None:
        if self._espeak is None:
            return
        deadline = time.monotonic() + timeout
        while self._espeak.IsPlaying():
            if time.monotonic() > deadline:
                raise AudioError("espeak-ng stays busy", "restart voicecoach")
            time.sleep(0.001)


@contextlib.contextmanager
def callback_errors(callback: object, failed: Callable[[BaseException], None]) -> Iterator[None]:
    """For the time of the block: an exception raised inside `callback` (a Python function
    that C code calls through ctypes, such as pyttsx3's espeak callback, which raises when
    the utterance cannot be saved) goes to `failed`, instead of the interpreter's
    `sys.unraisablehook`, which prints "Exception ignored on calling ctypes callback
    function" and a traceback on the user's terminal: the caller reports it in its own
    words. Anything else goes on to the hook that was there, which is put back after."""
    previous = sys.unraisablehook

    def hook(unraisable: sys.UnraisableHookArgs) -> None:
        if unraisable.exc_value is not None and _raised_in(callback, unraisable):
            failed(unraisable.exc_value)
        else:
            previous(unraisable)

    sys.unraisablehook = hook
    try:
        yield
    finally:
        sys.unraisablehook = previous


def _raised_in(callback: object, unraisable: sys.UnraisableHookArgs) -> bool:
    """Whether `unraisable` comes from `callback`: Python 3.11 and 3.12 hand the callback
    over as its `object`; from 3.13 on ctypes names it in the message only ("Exception
    ignored on calling ctypes callback function <bound method ...>"), `object` None."""
    if callback is None:
        return False
    if unraisable.object is not None:
        return bool(unraisable.object == callback)
    return (unraisable.err_msg or "").endswith(repr(callback))


_TRIES = 2  # renders of one utterance before an incomplete one is an error


class _Incomplete(AudioError):
    """One render came out incomplete: `checked_render` tries once more."""


def checked_render(text: str, render: Callable[[], tuple[np.ndarray, int]]) -> Clip:
    """The clip `render()` (16-bit samples as float, rate) makes for `text`, silence
    trimmed. A render that comes out incomplete (`_Incomplete`: cancelled, or a file shorter
    than its header says) or without sound although `text` has letters or digits is done
    once more; twice is an AudioError, so a broken render is never played as silence."""
    from voicecoach.voice.samples import trim

    problem = ""
    for _ in range(_TRIES):
        try:
            samples, rate = render()
        except _Incomplete as exc:
            problem = exc.message
            continue
        clip = Clip(trim(samples, rate), rate)
        if len(clip.samples) or not any(ch.isalnum() for ch in text):
            return clip
        problem = "no sound in it"
    raise AudioError(
        f"text-to-speech rendered {text!r} incompletely, {_TRIES} times ({problem})",
        "check that 'espeak-ng hello' speaks, then start voicecoach again; or use --text",
    )


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """A mono 16-bit WAV's samples (float32) and rate; `_Incomplete` when it is missing,
    unreadable, or holds fewer frames than its header says (read while being written)."""
    from voicecoach.voice.samples import pcm16_to_float

    try:
        with wave.open(str(path), "rb") as w:
            rate, frames, width = w.getframerate(), w.getnframes(), w.getsampwidth()
            data = w.readframes(frames)
    except (OSError, EOFError, wave.Error) as exc:
        raise _Incomplete(f"no usable file: {exc}") from exc
    if width != 2:
        raise _Incomplete(f"{8 * width}-bit samples, not 16-bit")
    if len(data) != frames * width:
        raise _Incomplete(f"the file holds {len(data) // width} of {frames} frames")
    return pcm16_to_float(data), rate


def _espeak_module(engine: object) -> Any:  # the module, or None
    """pyttsx3's espeak bindings when the engine runs on espeak, silenced; else None."""
    if str(engine) != "espeak":
        return None
    import pyttsx3.drivers.espeak as driver
    from pyttsx3.drivers import _espeak

    driver.print = _quiet  # the driver prints "Audio saved to ..." after every file
    _espeak.Synth = _synth_true_size  # the driver calls `_espeak.Synth(...)` at each utterance
    return _espeak


def _synth_true_size(
    text: str | bytes,
    position: int = 0,
    position_type: int = 1,  # POS_CHARACTER
    end_position: int = 0,
    flags: int = 0,
    user_data: object = None,
) -> int:
    """pyttsx3 2.99's `_espeak.Synth`, telling espeak-ng the text's true size.

    pyttsx3 passes `len(text) * 10` as `espeak_Synth`'s `size`; in the asynchronous mode
    pyttsx3 runs espeak-ng in, `espeak_Synth` copies `size` bytes from the text into its
    queue (`create_espeak_text`: `memcpy(a_text, text, size)`), so each utterance read up to
    nine times its length past the end of a Python bytes object. That is harmless until
    the bytes sit near the end of a memory mapping: then the read hits an unmapped page and
    the process dies with SIGSEGV in the main thread, inside `Synth` (seen once in CI;
    `tests/test_voice_espeak_memory.py` makes it happen every time; nateshmbhat/pyttsx3#448).
    The size here counts the terminating NUL that Python bytes always have."""
    from pyttsx3.drivers import _espeak

    data = text.encode("utf-8") if isinstance(text, str) else text
    return int(
        _espeak.cSynth(
            data, len(data) + 1, position, position_type, end_position, flags, None, user_data
        )
    )


def _quiet(*args: object, **kwargs: object) -> None:
    pass


def _voice_info(v: Any) -> VoiceInfo:  # a pyttsx3 Voice (the library is untyped)
    return VoiceInfo(
        id=str(v.id),
        name=str(v.name or v.id),
        languages=tuple(_text(lang) for lang in (v.languages or ())),
        gender=v.gender,
    )


def list_voices() -> list[VoiceInfo]:
    """The synthesizer's voices (`voicecoach voices`)."""
    return _Engine.get().voices()


def _text(value: object) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def resolve_voice(spec: str, voices: list[VoiceInfo]) -> str:
    """A voice id for `spec`: an id, a name or language, or a substring of an id or name,
    optionally with an espeak-ng variant ('en-us+f3'). Exact matches win over substrings."""
    base, plus, variant = spec.partition("+")
    want = base.strip().lower()
    tiers = (
        [v for v in voices if want in (v.id.lower(), v.name.lower())],
        [v for v in voices if want in (lang.lower() for lang in v.languages)],
        [v for v in voices if want in v.id.lower() or want in v.name.lower()],
    )
    for matches in tiers:
        if matches:
            return matches[0].id + plus + variant
    sample = ", ".join(v.id for v in voices[:8])
    raise UsageError(
        f"no text-to-speech voice matches {spec!r}",
        f"see 'voicecoach voices' (e.g. {sample}, ...)",
    )


class Renderer:
    """Renders phrases once and hands out the cached clip afterwards (thread-safe).

    `prerender(texts)` renders a routine's fixed phrases in a background thread, so they
    are ready before they are needed; a `render` call for a phrase not yet done renders it
    at once (it waits at most for the one phrase being rendered in the background)."""

    def __init__(
        self, backend_factory: Callable[[], Backend], max_cached: int = _MAX_CACHED
    ) -> None:
        self._factory = backend_factory
        self._backend: Backend | None = None
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, Clip] = OrderedDict()
        self._max = max_cached
        self.hits = 0
        self.misses = 0
        self._background: threading.Thread | None = None
        self._cancel = threading.Event()

    def render(self, text: str) -> Clip:
        key = " ".join(text.split())
        clip = self._cached(key)
        if clip is not None:
            self.hits += 1
            return clip
        with self._lock:
            clip = self._cached(key)  # rendered by the background thread meanwhile
            if clip is not None:
                self.hits += 1
                return clip
            self.misses += 1
            clip = self._synth(key)
            self._cache[key] = clip
            while len(self._cache) > self._max:
                self._cache.popitem(last=False)
            return clip

    def warm(self) -> None:
        """Start the synthesizer now, so a missing espeak or a bad --voice shows up before
        the session starts rather than at its first words."""
        with self._lock:
            if self._backend is None:
                self._backend = self._factory()

    def prerender(self, texts: Iterable[str]) -> threading.Thread:
        """Render the first of `texts` now and the rest in a daemon thread (returned), so
        the session's first words are ready at once and the rest before they are needed."""
        todo = list(dict.fromkeys(" ".join(t.split()) for t in texts if t.strip()))
        if todo:
            self.render(todo.pop(0))
        self._background = threading.Thread(
            target=self._prerender, args=(todo,), name="voicecoach-prerender", daemon=True
        )
        self._background.start()
        return self._background

    def close(self, wait: bool = True) -> None:
        """Stop rendering ahead; with `wait`, until the phrase being rendered is done."""
        self._cancel.set()
        if wait and self._background is not None:
            self._background.join(timeout=2.0)

    @property
    def hit_rate(self) -> float:
        total = self.hits + self.misses
        return self.hits / total if total else 0.0

    def _prerender(self, texts: list[str]) -> None:
        for text in texts:
            if self._cancel.is_set():
                return
            if self._cached(text) is not None:
                continue
            try:
                with self._lock:
                    if text not in self._cache:
                        self._cache[text] = self._synth(text)
            except AudioError:
                return  # the foreground call will meet the same error and report it

    def _cached(self, key: str) -> Clip | None:
        clip = self._cache.get(key)
        if clip is not None:
            with contextlib.suppress(KeyError):  # evicted by another thread in between
                self._cache.move_to_end(key)
        return clip

    def _synth(self, text: str) -> Clip:
        if not text:
            import numpy as np

            return Clip(np.zeros(0, dtype=np.float32), 22050)
        if self._backend is None:
            self._backend = self._factory()
        return self._backend.synth(text)


class Prepared:
    """Phrases and cues ready to play on one output: rendered (through the Renderer's
    cache, which counts every use), resampled to the output's rate, volume applied. Kept
    per phrase, so a count said a hundred times is converted once."""

    def __init__(self, renderer: Renderer, rate: int, volume: float = 1.0) -> None:
        self.renderer = renderer
        self.rate = rate
        self.volume = volume
        self._speech: OrderedDict[str, tuple[Clip, np.ndarray]] = OrderedDict()
        self._cues: dict[str, np.ndarray] = {}

    def speech(self, text: str) -> np.ndarray:
        from voicecoach.voice.samples import resample

        clip = self.renderer.render(text)
        hit = self._speech.get(text)
        if hit is not None and hit[0] is clip:
            self._speech.move_to_end(text)
            return hit[1]
        samples = resample(clip.samples, clip.rate, self.rate) * self.volume
        self._speech[text] = (clip, samples)
        while len(self._speech) > _MAX_CACHED:
            self._speech.popitem(last=False)
        return samples

    def cue(self, name: str) -> np.ndarray:
        samples = self._cues.get(name)
        if samples is None:
            from voicecoach.voice.cues import tone

            samples = self._cues[name] = tone(name, self.rate) * self.volume
        return samples
