"""Set-up checks: does each channel carry what it should?

Four mistakes spoil a session without raising any error: a channel with no sound at
all (a muted or blocked mic, a monitor with nothing playing, the wrong device; not a
gated source, a call's output whose pauses are zeros, once it has spoken), a
channel that never carries speech while the other does (the wrong input), and both
channels carrying the same sound: one input recorded twice (one device picked for both
speakers, or two ``pulse`` streams left unrouted), or speakers so loud that the mic hears
the call as loudly as the call (``detail.cause`` says which), and a channel whose speech
clips (a mic's gain far too high, a loopback driven to full scale: Whisper hears it worse).
``ChannelCheck`` watches the VAD's frames for them, warns once, and says so again when it
is put right (``channel-ok``, ``channels-apart``, ``channel-clean``). No speech on either
channel is one warning about both (no ``detail.speaker``, ``cause`` ``nobody``).

Pure: per-frame levels and speech probabilities in (and the samples, for the frames that
sound the same and for clipping), ``PipelineWarning`` out. It counts frames, so the result
does not depend on how the audio arrived in blocks.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from pullcoach.rules.events import PipelineWarning

FRAME_S = 512 / 16_000  # one VAD frame


@dataclass(frozen=True, slots=True)
class CheckConfig:
    # digital silence: a live mic's noise floor sits at -60..-90 dBFS (16 bits of noise
    # is -90); a muted or blocked input, or a monitor with nothing playing, gives zeros
    silent_db: float = -100.0
    silent_s: float = 20.0        # that long without any sound is worth a word ...
    other_voiced_s: float = 3.0   # ... when the other channel spoke meanwhile, or was silent too
    sound_back_s: float = 1.0     # sound this long again puts it right
    speech_s: float = 30.0        # the other spoke this long and this channel never did
    nobody_s: float = 60.0        # neither channel carried speech this long (a dithered or
                                  # hissing input is not silent, yet nobody is heard)
    heard_s: float = 0.5          # speech this long counts as "it did"
    voiced_p: float = 0.5         # Silero's own onset threshold
    # the same sound on both: at a moment both are voiced, correlated (0-10 ms either
    # way) and within a few dB; a voice leaking through speakers is 20 dB down
    same_corr: float = 0.8
    same_db: float = 3.0
    same_frames: int = 156        # judged over the last ~5 s voiced on both
    same_share: float = 0.8       # warn at this share of "same" frames ...
    apart_share: float = 0.2      # ... and say it is right again at this one
    # which cause: one input recorded twice is a copy at a steady gain, whatever its delay
    # (a fraction of a sample included); through speakers and a room the gain varies with
    # the sound. Measured at the warning, the spread (median absolute deviation) of the
    # level difference over the copy's samples (copy_gain, lags up to same_lag either way):
    # one input 0.000-0.005 dB, acoustic 0.07-1.0 dB (tests/service/test_channel_check.py)
    same_lag: int = 160           # 10 ms, as the correlation
    one_input_db: float = 0.02    # this spread or less: one input
    # clipped speech: a voiced frame with a run of clip_run samples at clip_level of full
    # scale or more (a hair under 1.0: a device's 48 kHz clipped plateau wobbles a little
    # through the resampler, some converters top out just under). Measured on the fixtures'
    # 14 channels (frames within 30 dB of the loudest, runs of 3 at 0.98; scratch, not kept;
    # tests/service/test_channel_clipping.py runs the cases through Silero):
    # normalised to peak 1.0 at most 0.6% of any 5 s, 0.3% of any 10 s; driven x4 and clipped
    # (an odd crest clips) at most 4.8% of any 10 s; x6 0.6-20%; x8 8-33% (8-19% at 48 kHz
    # through soxr, as a live device). A clean crest that touches 1.0 stays over 0.98 for
    # a sample or two, so x2.5 (peak 0.85) and peak 0.95 gave 0 frames. (A low tone, or a
    # hard limiter at 0 dBFS, holds a crest longer: runs of 3 count it too.)
    clip_level: float = 0.98
    clip_run: int = 3
    clip_frames: int = 313        # judged over the last ~10 s voiced on that channel
    clip_share: float = 0.08      # warn at this share of clipped frames ...
    clean_share: float = 0.01     # ... and say it is right again at this one


def _cap(text: str) -> str:
    """"the partner's channel" to start a sentence; a file name stays as it is spelt."""
    return "The" + text[3:] if text.startswith("the ") else text


def _frames(seconds: float) -> int:
    return max(1, round(seconds / FRAME_S))


def clipped(frames: np.ndarray, level: float, run: int) -> np.ndarray:
    """Per frame (rows), whether it holds ``run`` samples in a row at ``level`` of full scale
    or more, either sign: a flat top cut off by the converter, not a crest that touches it."""
    hot = np.abs(frames) >= level
    n = frames.shape[1] - run + 1
    out = hot[:, :n].copy()
    for j in range(1, run):
        out &= hot[:, j:j + n]
    return out.any(axis=1)


# the channels-same message by detail["cause"]; None: not told (no samples given)
SAME = {
    "one-input": ("Both channels carry the same sound: one input is recorded twice (the same "
                  "device for both speakers, or two `pulse` streams left unrouted). Pick a "
                  "different device for one of the speakers (--coachee, --partner; `pullcoach "
                  "devices` lists them), or route the two `pulse` streams apart in pavucontrol."),
    "acoustic": ("Both channels carry the same sound: the speakers are so loud that the mic "
                 "hears the call as loudly as the call itself. Wear a headset, or turn the "
                 "speakers down."),
    None: ("Both channels carry the same sound: one microphone recorded twice (give each "
           "speaker their own device, --coachee and --partner, or route the two `pulse` streams "
           "apart in pavucontrol), or speakers so loud that the mic hears the call as loudly as "
           "the call itself (wear a headset)."),
}


# the same, for a replayed recording: said about the file(s), not a device (``ChannelCheck.files``)
SAME_STEREO = {
    "one-input": ("Both channels of {file} carry the same sound: a mono recording saved as "
                  "stereo? Give the coachee's and the partner's recordings as two files "
                  "(coachee's first), or a stereo file with the coachee left and the partner right."),
    "acoustic": ("Both channels of {file} carry the same sound: the coachee's mic heard the call "
                 "as loudly as the call (recorded on speakers), so who said what cannot be told "
                 "apart. Record with a headset."),
    None: ("Both channels of {file} carry the same sound: a mono recording saved as stereo, or "
           "recorded on speakers so loud the mic heard the call as loudly as the call. Give the "
           "coachee's and the partner's recordings as two files (coachee's first)."),
}
SAME_FILES = {
    "one-input": ("{a} and {b} carry the same sound: one recording given twice (a copy?). Give "
                  "the coachee's and the partner's own recordings."),
    "acoustic": ("{a} and {b} carry the same sound: each mic heard the other as loudly as its "
                 "own speaker (one room, or speakers), so who said what cannot be told apart."),
    None: ("{a} and {b} carry the same sound: one recording given twice, or both recorded in "
           "one room. Give the coachee's and the partner's own recordings."),
}


def _copy_fit(a: np.ndarray, b: np.ndarray, max_lag: int):
    """Per frame (rows) and lag (-max_lag..max_lag, a later by lag): the cross-correlation
    normalised over the samples that overlap, and the energy of a and of b there."""
    n = a.shape[1]
    size = 1 << (2 * n - 1).bit_length()
    a, b = a.astype(np.float64), b.astype(np.float64)
    xc = np.fft.irfft(np.fft.rfft(a, size) * np.conj(np.fft.rfft(b, size)), size)
    xc = np.concatenate([xc[:, size - max_lag:], xc[:, :max_lag + 1]], axis=1)
    lags = np.arange(-max_lag, max_lag + 1)
    late, early = np.maximum(lags, 0), np.maximum(-lags, 0)
    ca = np.pad(np.cumsum(a * a, axis=1), ((0, 0), (1, 0)))
    cb = np.pad(np.cumsum(b * b, axis=1), ((0, 0), (1, 0)))
    ea = ca[:, n - early] - ca[:, late]   # energy of a[late:n - early]
    eb = cb[:, n - late] - cb[:, early]   # ... and of b[early:n - late]
    return xc / np.sqrt(ea * eb + 1e-20), ea, eb


def copy_fit(a: np.ndarray, b: np.ndarray, max_lag: int) -> tuple[np.ndarray, np.ndarray]:
    """Per frame (rows), how much one is a delayed copy of the other, and at what gain: the
    best cross-correlation (-max_lag..max_lag) normalised over the samples that overlap,
    and the level difference in dB (a - b) over just those samples. A copy scores 1 at its
    own lag however late it is, and differs there by its gain alone. (The VAD's per-frame
    correlation and levels lose the samples a lag shifts out: two streams of one source
    7 ms apart score under 0.8, or several dB apart at a word's onset.)"""
    fit, ea, eb = _copy_fit(a, b, max_lag)
    best = np.argmax(fit, axis=1)
    rows = np.arange(len(a))
    gain = 10 * np.log10((ea[rows, best] + 1e-20) / (eb[rows, best] + 1e-20))
    return fit[rows, best], gain


def copy_gain(a: np.ndarray, b: np.ndarray, max_lag: int) -> np.ndarray:
    """Per frame, the level difference in dB (a - b) where one is most like a delayed copy
    of the other (``copy_fit``)."""
    return copy_fit(a, b, max_lag)[1]


class _State:
    def __init__(self, clip_frames: int) -> None:
        self.quiet = 0          # frames without sound, in a row
        self.other_voiced = 0   # the other's voiced frames during that run
        self.sound = 0          # frames with sound, in a row
        self.voiced = 0         # voiced frames since the start
        self.floor = 0          # frames of sound that is no speech: a live input's noise floor
        self.zeros = 0          # frames of no sound at all, since the start
        self.seen = 0           # frames judged
        self.warned: str | None = None  # "no-sound" | "no-speech" while unresolved
        self.asked = False      # no-speech is asked once a session
        self.clips: deque[bool] = deque(maxlen=clip_frames)  # the last voiced frames: clipped or not
        self.clipped_n = 0      # how many of those clipped (kept as they come and go)
        self.clipped = False    # channel-clipped said, not yet put right


class ChannelCheck:
    def __init__(self, speakers: tuple[str, str], config: CheckConfig = CheckConfig()) -> None:
        self.speakers = speakers
        self.config = config
        self.state = {s: _State(config.clip_frames) for s in speakers}
        self.same: deque[bool] = deque(maxlen=config.same_frames)
        self.gains: deque[float] = deque(maxlen=config.same_frames)  # NaN: not the same
        self.same_warned = False
        self.nobody: str | None = None  # "warned" | "done": no speech on either channel
        # the file names when the audio is a recording (replay, run --replay): one stereo
        # file, or the coachee's and the partner's; the warnings then speak of the file, not
        # of a device to pick
        self.files: tuple[str, ...] = ()

    def from_files(self, names) -> None:
        """The audio is replayed from these files (one stereo, or coachee's and partner's)."""
        self.files = tuple(str(n) for n in names)[:2]

    def _where(self, sp: str) -> str:
        """The speaker's channel as the user knows it: "the partner's channel", "the
        partner's side of rec.wav (its right channel)", "b.wav (the partner's file)"."""
        if len(self.files) == 2:
            return f"{self.files[self.speakers.index(sp)]} (the {sp}'s file)"
        if self.files:
            side = ("left", "right")[self.speakers.index(sp)]
            return f"the {sp}'s side of {self.files[0]} (its {side} channel)"
        return f"the {sp}'s channel"

    def _both(self) -> str:
        if len(self.files) == 2:
            return " or ".join(self.files)
        return f"either side of {self.files[0]}" if self.files else "either channel"

    def _detail(self, detail: dict) -> dict:
        return {**detail, "files": list(self.files)} if self.files else detail

    def feed(self, s0: int, levels: dict[str, np.ndarray], probs: dict[str, np.ndarray],
             corr: np.ndarray, skip: frozenset[str] = frozenset(),
             frames: dict[str, np.ndarray] | None = None) -> list[PipelineWarning]:
        """One batch of frames starting at sample ``s0``: each channel's levels (dBFS) and
        raw speech probabilities, and their correlation (either way) per frame. A channel
        in ``skip`` (padded for a stall, already warned about) is not judged. ``frames``
        (each channel's samples, shape (n, 512)) tell the cause of the same sound on both;
        without them it is not told."""
        c = self.config
        a, b = self.speakers
        out: list[PipelineWarning] = []
        n = len(corr)
        voiced = {s: probs[s] >= c.voiced_p for s in self.speakers}
        both = voiced[a] & voiced[b]
        diff = np.abs(levels[a] - levels[b])
        gain = np.full(n, np.nan)
        if frames is not None and both.any():  # a copy a few ms late is still a copy
            fit, fit_gain = copy_fit(frames[a][both], frames[b][both], c.same_lag)
            corr = np.array(corr, dtype=np.float64)
            corr[both] = np.maximum(corr[both], fit)
            diff[both] = np.minimum(diff[both], np.abs(fit_gain))
            gain[both] = fit_gain
        clip = {s: np.zeros(n, bool) for s in self.speakers}
        if frames is not None:
            for s in self.speakers:
                if voiced[s].any():
                    clip[s][voiced[s]] = clipped(frames[s][voiced[s]], c.clip_level, c.clip_run)
        sounding = {s: levels[s] >= c.silent_db for s in self.speakers}
        same = both & (corr >= c.same_corr) & (diff <= c.same_db)
        gain[~same] = np.nan
        for i in range(n):
            t = round((s0 + i * 512) / 16_000, 3)
            for sp in self.speakers:
                other = b if sp == a else a
                out += self._channel(sp, other, t, bool(sounding[sp][i]), bool(voiced[sp][i]),
                                     bool(voiced[other][i]), sp in skip)
                if frames is not None and voiced[sp][i] and sp not in skip:
                    out += self._clip(sp, t, bool(clip[sp][i]))
            out += self._nobody(t)
            if voiced[a][i] and voiced[b][i]:
                out += self._same(t, bool(same[i]), float(gain[i]))
        return out

    def _channel(self, sp: str, other: str, t: float, sound: bool, voiced: bool,
                 other_voiced: bool, skip: bool) -> list[PipelineWarning]:
        c, st = self.config, self.state[sp]
        if skip:
            st.quiet = st.other_voiced = 0
            return []
        st.voiced += voiced
        st.seen += 1
        if sound:
            st.quiet = st.other_voiced = 0
            st.sound += 1
            st.floor += not voiced
        else:
            st.quiet += 1
            st.sound = 0
            st.other_voiced += other_voiced
            st.zeros += 1
        out = []
        where = self._where(sp)
        if st.warned == "no-sound" and st.sound >= _frames(c.sound_back_s):
            st.warned = None
            out.append(self._ok(sp, t, f"{_cap(where)} carries sound again."))
        elif st.warned == "no-speech" and st.voiced >= _frames(c.heard_s):
            st.warned = None
            out.append(self._ok(sp, t, f"Speech in {where} now." if self.files
                                else f"Speech on {where} now."))
        if st.warned is None and st.quiet >= _frames(c.silent_s) and self._went_dead(st):
            peer = self.state[other]
            if st.other_voiced >= _frames(c.other_voiced_s) or peer.quiet >= _frames(c.silent_s):
                st.warned = "no-sound"
                ask = ("was that side recorded? A replay cannot coach what the recording lacks."
                       if self.files else "is that device muted, the wrong one, or (a call) not "
                       "playing? `pullcoach devices` lists the inputs.")
                out.append(PipelineWarning(
                    t=t, kind="channel-silent",
                    message=f"No sound at all {'in' if self.files else 'from'} {where} for {c.silent_s:.0f} s: {ask}",
                    detail=self._detail({"speaker": sp, "reason": "no-sound", "seconds": c.silent_s})))
        peer = self.state[other]
        if st.warned is None and not st.asked and st.voiced < _frames(c.heard_s):
            if peer.voiced >= _frames(c.speech_s):
                ask = ("is it the right file?" if len(self.files) == 2 else
                       "is the partner on the right channel, the coachee on the left?" if self.files
                       else "is it the right device?")
                out.append(self._no_speech(sp, t, c.speech_s, (
                    f"No speech {'in' if self.files else 'on'} {where} yet, while the {other} spoke "
                    f"{c.speech_s:.0f} s: {ask}")))
        return out

    def _no_speech(self, sp: str | None, t: float, seconds: float, said: str,
                   cause: str | None = None) -> PipelineWarning:
        """Asked once a session: a channel that carried no speech (the wrong input); ``sp``
        None: both channels, one warning (``_nobody``)."""
        if sp is not None:
            st = self.state[sp]
            st.asked, st.warned = True, "no-speech"
        devices = "" if self.files else " `pullcoach devices` lists the inputs."
        detail = {"reason": "no-speech", "seconds": seconds}
        detail = {"speaker": sp, **detail} if sp is not None else detail
        return PipelineWarning(t=t, kind="channel-silent", message=said + devices,
                               detail=self._detail({**detail, "cause": cause} if cause else detail))

    def _nobody(self, t: float) -> list[PipelineWarning]:
        """No speech on either channel for ``nobody_s`` (a dithered or hissing wrong input on
        both): asked once, as one warning about both channels when neither was warned of
        anything else; put right when either carries speech."""
        if self.nobody == "done":  # asked and answered: nothing more to look at, every frame
            return []
        c, heard = self.config, _frames(self.config.heard_s)
        spoke = [sp for sp in self.speakers if self.state[sp].voiced >= heard]
        if self.nobody == "warned" and spoke:
            self.nobody = "done"
            where = self._where(spoke[0])
            return [PipelineWarning(t=t, kind="channel-ok", detail={"cause": "nobody"},
                                    message=f"Speech in {where} now." if self.files
                                    else f"Speech on {where} now.")]
        if (self.nobody is not None or spoke
                or max(st.seen for st in self.state.values()) < _frames(c.nobody_s)):
            return []
        self.nobody = "done"
        ask = [sp for sp in self.speakers if self.state[sp].warned is None and not self.state[sp].asked]
        said = (f"No speech {'in' if self.files else 'on'} {self._both()} for {c.nobody_s:.0f} s"
                + (f" ({ask[0]}'s included)" if len(ask) == 1 else "") + ": "
                + ("is it a recording of the conversation?" if self.files else
                   "are these the right devices, the mic on and the call playing?"))
        if len(ask) == 1:  # the other is silent (no-sound), said already
            return [self._no_speech(ask[0], t, c.nobody_s, said, "nobody")]
        if not ask:
            return []
        self.nobody = "warned"
        return [self._no_speech(None, t, c.nobody_s, said, "nobody")]

    def _clip(self, sp: str, t: float, clip: bool) -> list[PipelineWarning]:
        """One voiced frame of ``sp``'s: warn when a clear share of its last ``clip_frames``
        voiced frames clipped, and say so again when (almost) none do."""
        c, st = self.config, self.state[sp]
        if len(st.clips) == st.clips.maxlen:
            st.clipped_n -= st.clips[0]  # the oldest leaves as this one comes
        st.clips.append(clip)
        st.clipped_n += clip
        if len(st.clips) < c.clip_frames:
            return []
        share = st.clipped_n / len(st.clips)
        where = self._where(sp)
        seconds = round(c.clip_frames * FRAME_S)
        if not st.clipped and share >= c.clip_share:
            st.clipped = True
            said = (f"{_cap(where)} is clipped: its speech hits full scale (in {share:.0%} of its "
                    f"last {seconds} s), so the transcripts and the nudges on it are worse. ")
            said += ("The recording itself is clipped (recorded with the input level too high): "
                     "record at a lower input level next time." if self.files else
                     f"Turn the input level of {where} down (in pavucontrol or the system's sound "
                     "settings; for a call's loopback, the call's own volume).")
            return [PipelineWarning(t=t, kind="channel-clipped", message=said, detail=self._detail(
                {"speaker": sp, "share": round(share, 2), "seconds": seconds}))]
        if st.clipped and share <= c.clean_share:
            st.clipped = False
            return [PipelineWarning(t=t, kind="channel-clean", message=f"{_cap(where)} is no longer clipped.",
                                    detail={"speaker": sp, "share": round(share, 2)})]
        return []

    def _went_dead(self, st: _State) -> bool:
        """Is a silence of zeros news? Yes on a channel that never spoke yet, or on one whose
        quiet so far was a noise floor (a live mic, now muted). Not on a gated source (a call's
        output, a per-speaker recording) whose every pause is zeros: its listener is silent."""
        return st.voiced < _frames(self.config.heard_s) or st.floor > st.zeros - st.quiet

    def _same(self, t: float, same: bool, gain: float) -> list[PipelineWarning]:
        c = self.config
        self.same.append(same)
        self.gains.append(gain)
        if len(self.same) < self.same.maxlen:
            return []
        share = sum(self.same) / len(self.same)
        if not self.same_warned and share >= c.same_share:
            self.same_warned = True
            detail = {"share": round(share, 2)}
            gains = np.array(self.gains)
            gains = gains[~np.isnan(gains)]
            if len(gains):
                spread = float(np.median(np.abs(gains - np.median(gains))))
                detail["cause"] = "one-input" if spread <= c.one_input_db else "acoustic"
                detail["spread_db"] = round(spread, 3)
            return [PipelineWarning(t=t, kind="channels-same", message=self._same_text(detail.get("cause")),
                                    detail=self._detail(detail))]
        if self.same_warned and share <= c.apart_share:
            self.same_warned = False
            return [PipelineWarning(t=t, kind="channels-apart",
                                    message="The two channels carry different sound again.",
                                    detail={"share": round(share, 2)})]
        return []

    def _same_text(self, cause: str | None) -> str:
        if len(self.files) == 2:
            return SAME_FILES[cause].format(a=self.files[0], b=self.files[1])
        if self.files:
            return SAME_STEREO[cause].format(file=self.files[0])
        return SAME[cause]

    @staticmethod
    def _ok(sp: str, t: float, message: str) -> PipelineWarning:
        return PipelineWarning(t=t, kind="channel-ok", message=message, detail={"speaker": sp})
