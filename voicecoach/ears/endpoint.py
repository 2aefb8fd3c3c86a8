"""Energy endpointing: cuts the audio stream into utterances as it arrives.

Why our own instead of pocketsphinx.Endpointer: its end-of-speech decision comes a fixed
0.3 s window late and cannot be tuned per frame, and the latency budget (fire <= 0.35 s
after the user stops) leaves room for roughly a 0.2 s hangover only. An adaptive noise
floor makes the thresholds relative, so a fan or a quiet room behave the same.

Levels are measured above 150 Hz (a 2nd-order high-pass; the audio handed on is not
filtered): room noise is mostly rumble and hum, whose 10 ms frame levels swing by +-4 dB
(less than one cycle fits in a frame); a floor that follows their dips sits so far below
their peaks that the room itself starts and prolongs "utterances" (measured on a pink
room at -58 dBFS: frame levels spread 3.8 dB, and five "too long" utterances formed in
60 s of nobody talking). Above 150 Hz the same frames spread 0.8 dB while speech stays
~33 dB over them. (Pre-emphasis did as well there but lifts hiss: on the dev clips it
lost most commands in white noise at 10 dB.)

In loud noise (bench/RESULTS.md, 2026-11-30 third pass, "the ears in noise"; dev clips),
two knobs, off by default, cut commands out of noise far better but did not move
Whisper's accuracy / false-accept frontier at the adopted thresholds (the new segments
also give it more noisy speech to hallucinate command words in):
- `low_pass_hz=1000`: a second level per frame, 150 Hz-1 kHz, against its own floor; a
  frame is loud if it is loud in either band. Hiss puts most of its power above 1 kHz
  and voiced speech most of its below (white noise at 5 dB: the command alone in one
  utterance 11 -> 89 % of clips), while fricatives still count in the full band.
- `floor_fall_db_s=10` (with `floor_dip_s`): the floor falls into a dip at most that
  fast unless the dip lasts `floor_dip_s` (the background itself got quieter). Followed
  at once, babble's 10 ms pauses pull the floor so low that the babble stands 10-15 dB
  over it and holds every utterance open (babble at 10 dB: the command alone in one
  utterance 0 -> 67 % of clips).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np

from voicecoach.dsp import StreamFilter, butter_highpass2, firwin, impulse_response
from voicecoach.ports import MIC_RATE

FRAME = 160  # samples (10 ms at 16 kHz)
FRAME_S = FRAME / MIC_RATE
HIGH_PASS_HZ = 150.0  # levels are measured above this
LOW_PASS_TAPS = 63  # the optional low-pass (EndpointConfig.low_pass_hz): 2 ms of delay


@dataclass(frozen=True, slots=True)
class EndpointConfig:
    """Tunable thresholds (dB above the running noise floor; seconds)."""

    on_db: float = 9.0  # a frame this far above the floor is speech
    off_db: float = 6.0  # speech continues while frames stay this far above
    peak_drop_db: float = 20.0  # ... and within this much of the utterance's peak (reverb)
    onset_frames: int = 3  # consecutive loud frames that start an utterance
    hangover: float = 0.2  # quiet time that ends an utterance
    preroll: float = 0.3  # audio kept before the onset (the decoder needs some silence)
    tail: float = 0.1  # audio kept after the last loud frame
    min_speech: float = 0.12  # shorter bursts are clicks, not words
    max_speech: float = 3.0  # longer is conversation (dropped without decoding)
    floor_rise_db_s: float = 3.0  # how fast the floor climbs to a louder background
    floor_init_db: float = 30.0  # until the first frame is seen (int16 scale)
    digital_silence_db: float = 10.0  # quieter frames are a muted line, not a room
    echo_db: float = 6.0  # a frame this far above the echo left in it can be the user
    # measured in loud noise, not adopted (module doc):
    low_pass_hz: float = 0.0  # if > 0, a second level below this too (see _frame)
    floor_fall_db_s: float = 0.0  # how fast the floor falls into a dip (0: at once)
    floor_dip_s: float = 0.3  # with floor_fall_db_s: a quieter background lasting this
    # long is followed at once (0: never)


@functools.cache
def _level_response(low_pass_hz: float) -> np.ndarray:
    """The impulse response of the filter before the levels: the 2nd-order Butterworth
    high-pass, to where it has died away, then a low-pass FIR at `low_pass_hz` if > 0."""
    high_pass = impulse_response(*butter_highpass2(HIGH_PASS_HZ, MIC_RATE), 2048)
    if low_pass_hz <= 0:
        return high_pass
    return np.convolve(high_pass, firwin(LOW_PASS_TAPS, low_pass_hz / (MIC_RATE / 2)))


@dataclass(frozen=True, slots=True)
class Utterance:
    """One endpointed stretch of speech: `audio` spans [t_audio, t_audio + len/rate);
    the loud part is [start, end]; the decision was made at `t_decided`."""

    audio: np.ndarray
    t_audio: float
    start: float
    end: float
    t_decided: float
    too_long: bool = False


@dataclass
class Endpointer:
    """Feed int16 chunks with `feed`; get back the utterances that ended in them."""

    config: EndpointConfig = field(default_factory=EndpointConfig)
    _pending: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int16))
    _pending_echo: np.ndarray = field(default_factory=lambda: np.zeros(0))
    # per band (above 150 Hz; 150 Hz - low_pass_hz): the filter before the level (its
    # state runs on between calls), the running noise floor (dB), the loudest frame of
    # the current utterance (dB), the frames in a row below the floor
    _level_filters: list[StreamFilter] = field(init=False)
    _floors: list[float | None] = field(init=False)
    _peaks: list[float] = field(init=False)
    _below: list[int] = field(init=False)
    _t_next: float | None = None  # audio time of the first pending sample
    _history: list[np.ndarray] = field(default_factory=list)  # preroll frames
    _speech: list[np.ndarray] = field(default_factory=list)  # frames since onset (+preroll)
    _loud_run: int = 0
    _quiet_run: int = 0
    _in_speech: bool = False
    _t_audio: float = 0.0
    _t_start: float = 0.0
    _t_last_loud: float = 0.0
    _n_frames: int = 0  # frames of the current utterance after onset

    def __post_init__(self) -> None:
        bands = [0.0] + ([self.config.low_pass_hz] if self.config.low_pass_hz > 0 else [])
        self._level_filters = [StreamFilter(_level_response(hz)) for hz in bands]
        self._floors = [None] * len(bands)
        self._peaks = [0.0] * len(bands)
        self._below = [0] * len(bands)

    @property
    def in_speech(self) -> bool:
        return self._in_speech

    def feed(
        self, samples: np.ndarray, t0: float, echo: np.ndarray | None = None
    ) -> list[Utterance]:
        """Consume `samples` (starting at audio time t0); return finished utterances.
        `echo`: per sample, the power (int16 scale) of the coach's echo left in it."""
        if (
            self._t_next is None
            or abs(t0 - self._t_next) > 0.5 * FRAME_S + len(self._pending) / MIC_RATE
        ):
            self._pending = np.zeros(0, np.int16)  # a gap in the stream: restart framing
            self._pending_echo = np.zeros(0)
            self._t_next = t0
        data = np.concatenate([self._pending, np.asarray(samples, dtype=np.int16)])
        n = len(data) // FRAME
        filtered = [f.process(data[: n * FRAME]) for f in self._level_filters]
        echo = np.zeros(len(samples)) if echo is None else np.asarray(echo, dtype=np.float64)
        echoes = np.concatenate([self._pending_echo, echo])
        out: list[Utterance] = []
        for i in range(n):
            t = self._t_next + i * FRAME_S
            frame = slice(i * FRAME, (i + 1) * FRAME)
            power = float(np.mean(echoes[frame]))
            echo_db = 10 * np.log10(power) if power > 0 else -np.inf
            levels = [10 * np.log10(float(np.mean(f[frame] ** 2)) + 1.0) for f in filtered]
            done = self._frame(data[frame], levels, t, echo_db)
            if done is not None:
                out.append(done)
        self._pending = data[n * FRAME :]
        self._pending_echo = echoes[n * FRAME :]
        self._t_next += n * FRAME_S
        return out

    def flush(self, t: float) -> list[Utterance]:
        """End of input: close an utterance in progress."""
        if not self._in_speech:
            return []
        return [self._close(t)]

    def _frame(
        self, frame: np.ndarray, levels: list[float], t: float, echo_db: float
    ) -> Utterance | None:
        """One 10 ms frame: `frame` as heard (kept for the decoder), `levels` its level
        in each band (above 150 Hz; then also below `low_pass_hz`); `echo_db`: the coach's
        echo left in it (unfiltered level). A frame counts as loud when it is loud in
        any band against that band's own floor: below 1 kHz voiced speech stands out of
        hiss (white noise puts most of its power above), over the full band fricatives."""
        cfg = self.config
        plain = 10 * np.log10(float(np.mean(frame.astype(np.float64) ** 2)) + 1.0)
        above_echo = plain > echo_db + cfg.echo_db
        floors = [self._update_floor(i, level, above_echo) for i, level in enumerate(levels)]
        if not self._in_speech:
            self._history.append(frame)
            keep = int(cfg.preroll / FRAME_S) + cfg.onset_frames
            if len(self._history) > keep:
                self._history.pop(0)
            loud = above_echo and any(
                level > floor + cfg.on_db for level, floor in zip(levels, floors, strict=True)
            )
            self._loud_run = self._loud_run + 1 if loud else 0
            if self._loud_run >= cfg.onset_frames:
                self._in_speech = True
                self._speech = list(self._history)
                self._history = []
                self._t_audio = t + FRAME_S - len(self._speech) * FRAME_S
                self._t_start = t - (cfg.onset_frames - 1) * FRAME_S
                self._t_last_loud = t + FRAME_S
                self._quiet_run = 0
                self._n_frames = cfg.onset_frames
                self._peaks = list(levels)
            return None
        if self._n_frames * FRAME_S <= cfg.max_speech + cfg.preroll:
            self._speech.append(frame)  # beyond that it is talk: bound the memory
        self._n_frames += 1
        self._peaks = [max(p, level) for p, level in zip(self._peaks, levels, strict=True)]
        going_on = any(
            level > max(floor + cfg.off_db, peak - cfg.peak_drop_db)
            for level, floor, peak in zip(levels, floors, self._peaks, strict=True)
        )
        if going_on and above_echo:
            self._quiet_run = 0
            self._t_last_loud = t + FRAME_S
        else:
            self._quiet_run += 1
        if self._quiet_run * FRAME_S >= cfg.hangover - 1e-9:
            return self._close(t + FRAME_S)
        return None

    def _update_floor(self, band: int, level: float, above_echo: bool = True) -> float:
        """Track a band's background level: follow it down at once (or at
        `floor_fall_db_s`), up slowly, and not at all during speech (so a long word does
        not lift the floor over itself) or on frames that the coach's echo explains (that
        is the coach, not the room).

        Digital silence (a muted or idle sound server sends exact zeros) says nothing
        about the room: followed down to it, the floor would make the room's own noise
        look like speech for seconds once real audio arrives."""
        cfg = self.config
        floor = self._floors[band]
        if level < cfg.digital_silence_db:
            return floor if floor is not None else cfg.floor_init_db
        if floor is None:
            floor = level if level > 0 else cfg.floor_init_db
        elif level < floor:
            self._below[band] += 1
            fall = 0.3 * (floor - level)
            dip = cfg.floor_dip_s <= 0 or self._below[band] * FRAME_S < cfg.floor_dip_s
            if cfg.floor_fall_db_s > 0 and dip:
                fall = min(fall, cfg.floor_fall_db_s * FRAME_S)
            floor -= fall
        else:
            self._below[band] = 0
            if not self._in_speech and above_echo:
                floor += cfg.floor_rise_db_s * FRAME_S
        self._floors[band] = floor
        return floor

    def settled(self) -> Utterance | None:
        """The utterance in progress as it will close, once it has been quiet for `tail`:
        its audio is then complete (only the end of the hangover is still awaited), so a
        recognizer can decode it now and have the verdict ready when it closes. None while
        it may still grow (or outside speech). The close gives the same utterance (bar
        `t_decided`) unless speech comes back first."""
        cfg = self.config
        if not self._in_speech or self._quiet_run * FRAME_S < cfg.tail - 1e-9:
            return None
        assert self._t_next is not None  # in speech: audio has been fed
        return self._utterance(self._t_next)

    def _close(self, t: float) -> Utterance:
        utt = self._utterance(t)
        self._in_speech = False
        self._speech = []
        self._history = []
        self._loud_run = 0
        return utt

    def _utterance(self, t: float) -> Utterance:
        """The utterance in progress, closed at `t` (the state is left as it is)."""
        cfg = self.config
        keep_until = min(t, self._t_last_loud + cfg.tail)
        audio = np.concatenate(self._speech) if self._speech else np.zeros(0, np.int16)
        audio = audio[: max(0, round((keep_until - self._t_audio) * MIC_RATE))]
        speech_s = self._t_last_loud - self._t_start
        return Utterance(
            audio=audio,
            t_audio=self._t_audio,
            start=self._t_start,
            end=self._t_last_loud,
            t_decided=t,
            too_long=speech_s > cfg.max_speech,
        )
