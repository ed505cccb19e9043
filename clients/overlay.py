"""The Tk overlay: one short nudge at a time, on top, never taking the focus.

The window is borderless (override-redirect), always on top and semi-transparent; drag it
with the mouse, close it with the small cross. The websocket runs in ``ClientThread``;
this module only polls its queue with ``after`` and draws ``OverlayState``.
"""

from __future__ import annotations

import queue
import time
import tkinter as tk
import tkinter.font as tkfont
import webbrowser

from pullcoach.clients.overlay_state import OverlayState, focus_chips
from pullcoach.clients.ws_thread import ClientThread

__all__ = ["OverlayWindow", "footer_line", "run_overlay"]

WIDTH, HEIGHT = 340, 76
BG = "#1f2329"
DIM = "#8b949e"
# kind -> (band colour, text colour)
COLOURS = {
    "negative": ("#f0a020", "#1f1400"),
    "positive": (BG, "#7ad48a"),
    "cue": ("#3aa6a0", "#04201e"),  # the partner's signal: explore it
    "trainer": ("#1f6fc5", "#ffffff"),  # white on it 5.1:1, as the web overlay
}
TEXT = {
    "nl": {"connecting": "verbinden…", "reconnecting": "opnieuw verbinden…", "refused": "geweigerd",
           "report": "Rapport openen ›", "idle": "luistert", "idle_kept": "luistert · audio wordt bewaard",
           "focus": "oefent"},
    "en": {"connecting": "connecting…", "reconnecting": "reconnecting…", "refused": "refused",
           "report": "Open report ›", "idle": "listening", "idle_kept": "listening · audio is kept",
           "focus": "practising"},
}


def _mix(a: str, b: str, f: float) -> str:
    """Colour ``a`` faded toward ``b`` (f=1 -> a, f=0 -> b)."""
    ca = [int(a[i:i + 2], 16) for i in (1, 3, 5)]
    cb = [int(b[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x * f + y * (1 - f)):02x}" for x, y in zip(ca, cb))


def footer_line(head: str, label: str, focus: tuple[str, ...], room: int, measure) -> str:
    """The footer in ``room`` px by ``measure`` (text -> px): the trainer's focus with two chips,
    else one and the rest counted ("luistert · oefent: Vat samen +1"), else whole words left
    off the end with "…" ("listening · practising: Proposal without… +1"): never a cut word."""
    if not focus:
        return _ellipsis(head, "", room, measure)
    lines = []
    for n in range(min(2, len(focus)), 0, -1):
        chips, more = focus_chips(focus, n)
        lines.append(((f"{head} · {label}: " if head else f"{label}: ") + chips, more))
    for text, more in lines:
        if measure(text + more) <= room:
            return text + more
    return _ellipsis(*lines[-1], room, measure)


def _ellipsis(text: str, more: str, room: int, measure) -> str:
    """``text`` + ``more`` if it fits, else the most whole words of ``text`` that fit with "…"."""
    if measure(text + more) <= room:
        return text + more
    words = text.split(" ")
    while len(words) > 1:
        words.pop()
        line = " ".join(words).rstrip(" ·:,") + "…" + more
        if measure(line) <= room:
            return line
    return words[0] + more  # one word wider than the line (a long path): the label clips it


class OverlayWindow:
    def __init__(self, root: tk.Tk, url: str, token: str, session: str | None = None, *,
                 alpha: float = 0.9, open_url=webbrowser.open, clock=time.monotonic,
                 report_file: str | None = None):
        self.root = root
        self.url = url
        self.state = OverlayState(token=token, session=session, report_file=report_file)
        self.inbox: queue.Queue = queue.Queue()
        self.open_url = open_url
        self.clock = clock
        self._drag = (0, 0)
        self._fits: dict[str, tuple] = {}  # message -> the font that keeps it on one line
        self._footer_key: tuple | None = None
        self._footer_line = ""
        self._setup_window(alpha)
        self._build()
        self.thread = ClientThread(url, self.state.hello, self.inbox)
        self.thread.start()
        self.render()
        self.root.after(50, self._poll)

    # -- window -----------------------------------------------------------------------
    def _setup_window(self, alpha: float) -> None:
        root = self.root
        root.title("pullcoach")
        root.configure(bg=BG)
        try:  # X11: a notification window is never given the focus by the window manager
            root.attributes("-type", "notification")
        except tk.TclError:
            pass
        root.overrideredirect(True)
        root.attributes("-topmost", True)
        try:
            root.attributes("-alpha", alpha)
        except tk.TclError:
            pass
        x = root.winfo_screenwidth() - WIDTH - 24
        root.geometry(f"{WIDTH}x{HEIGHT}+{max(0, x)}+24")

    def _build(self) -> None:
        root = self.root
        self.side = tk.Canvas(root, width=26, height=HEIGHT, bg=BG, highlightthickness=0)
        self.side.pack(side="left", fill="y")
        self.band = tk.Frame(root, bg=BG)
        self.band.pack(side="left", fill="both", expand=True)
        self.icon = tk.Canvas(self.band, width=30, height=30, bg=BG, highlightthickness=0)
        self.icon.place(x=6, y=12)
        self.message = tk.Label(self.band, text="", bg=BG, fg="#ffffff", anchor="w", justify="left",
                                font=("DejaVu Sans", 14, "bold"), wraplength=WIDTH - 110)
        self.message.place(x=42, y=6, height=42, width=WIDTH - 26 - 42 - 20)
        self.footer = tk.Label(self.band, text="", bg=BG, fg=DIM, anchor="w", font=("DejaVu Sans", 9))
        self.footer.place(x=8, y=HEIGHT - 22, height=18, width=WIDTH - 26 - 120)
        self.report = tk.Label(self.band, text="", bg=BG, fg="#79b8ff", cursor="hand2",
                               font=("DejaVu Sans", 9, "underline"), anchor="e")
        self.report.bind("<Button-1>", self._open_report)
        self.close = tk.Label(self.band, text="×", bg=BG, fg=DIM, font=("DejaVu Sans", 11), cursor="hand2")
        self.close.place(relx=1.0, x=-16, y=0, width=16, height=18)
        self.close.bind("<Button-1>", lambda e: self.destroy())
        for widget in (root, self.side, self.band, self.icon, self.message, self.footer):
            widget.bind("<ButtonPress-1>", self._press, add="+")
            widget.bind("<B1-Motion>", self._motion, add="+")

    def _press(self, event) -> None:
        self._drag = (event.x_root - self.root.winfo_x(), event.y_root - self.root.winfo_y())

    def _motion(self, event) -> None:
        dx, dy = self._drag
        self.root.geometry(f"+{event.x_root - dx}+{event.y_root - dy}")

    def _open_report(self, _event=None) -> None:
        link = self.state.report_link(self.url)
        if link:
            self.open_url(link)

    # -- queue ------------------------------------------------------------------------
    def _poll(self) -> None:
        now = self.clock()
        try:
            while True:
                what, data = self.inbox.get_nowait()
                if what == "open":
                    self.state.connected()
                elif what == "message":
                    self.state.receive(data, now)
                elif what == "closed":
                    if not self.state.disconnected(*data):
                        self.thread.stop()  # refused, or `run` is over: nothing to reconnect to
        except queue.Empty:
            pass
        self.state.tick(now)
        self.render()
        if self.root.winfo_exists():
            self.root.after(50, self._poll)

    # -- drawing ----------------------------------------------------------------------
    def render(self) -> None:
        st, now = self.state, self.clock()
        words = TEXT.get(st.lang, TEXT["en"])
        self._draw_side(st.listening, st.watching)
        nudge = st.nudge
        if nudge is None:
            band, fg, text = BG, "#ffffff", ""
            self.icon.delete("all")
        else:
            f = nudge.opacity(now)
            band_c, fg_c = COLOURS[nudge.kind]
            band, fg, text = _mix(band_c, BG, f), _mix(fg_c, _mix(band_c, BG, f), f), nudge.message
            self._draw_icon(nudge.kind, band, _mix(fg_c, band, f))
        for widget in (self.band, self.icon, self.message, self.footer, self.report, self.close):
            widget.configure(bg=band)
        self.message.configure(text=text, fg=fg, font=self._fit(text))
        self.close.configure(fg=DIM if nudge is None else fg)  # the × stays visible on a colour
        focus: tuple[str, ...] = ()
        if st.connection not in ("connected", "ended"):
            head = st.problem or words[st.connection]
        elif st.ended:  # with why, when the recording broke off
            head = st.ended_text()
        else:
            head = st.problem or (words["idle_kept" if st.audio_kept else "idle"] if st.listening else "")
            if st.listening and not st.problem:  # what the trainer asked to practise
                focus = st.focus
        if st.report_link(self.url):
            self.report.configure(text=words["report"])
            self.report.place(relx=1.0, x=-118, y=HEIGHT - 22, width=112, height=18)
            width = WIDTH - 26 - 120
        else:
            self.report.place_forget()
            width = WIDTH - 26 - 16  # the whole line: a set-up problem is long
        self.footer.place(width=width)
        footer = self._footer_text(head, words["focus"], focus, width)
        self.footer.configure(text=footer, fg=DIM if nudge is None else fg)

    def _footer_text(self, head: str, label: str, focus: tuple[str, ...], width: int) -> str:
        """The footer line that fits ``width`` px (the last one asked for is kept)."""
        key = (head, label, focus, width)
        if self._footer_key != key:
            f = self.footer
            pad = 2 * sum(f.winfo_pixels(str(f.cget(o))) for o in ("borderwidth", "padx", "highlightthickness"))
            font = tkfont.Font(root=self.root, font=f.cget("font"))
            self._footer_key, self._footer_line = key, footer_line(head, label, focus, width - pad, font.measure)
        return self._footer_line

    def _fit(self, text: str) -> tuple:
        """The largest bold size (14 down to 11) that keeps ``text`` on one line: "Weerstand:
        vraag door" at 14 wrapped into two lines against the footer."""
        cache = self._fits
        if text not in cache:
            room = int(self.message.cget("wraplength"))
            cache[text] = next((("DejaVu Sans", size, "bold") for size in (14, 13, 12)
                                if tkfont.Font(root=self.root, font=("DejaVu Sans", size, "bold")).measure(text) <= room),
                               ("DejaVu Sans", 11, "bold"))
        return cache[text]

    def _draw_side(self, listening: bool, watching: bool) -> None:
        c = self.side
        c.delete("all")
        if listening:  # the recording sign: a red dot
            c.create_oval(7, 12, 19, 24, fill="#e5484d", outline="")
        else:
            c.create_oval(7, 12, 19, 24, fill="", outline="#4a525c", width=2)
        if watching:  # an eye: a trainer is watching
            c.create_oval(2, 37, 24, 51, fill="", outline="#c9d1d9", width=2)
            c.create_oval(9, 40, 17, 48, fill="#c9d1d9", outline="")

    def _draw_icon(self, kind: str, bg: str, fg: str) -> None:
        c = self.icon
        c.delete("all")
        c.configure(bg=bg)
        if kind == "negative":  # a warning triangle with a mark
            c.create_polygon(15, 2, 29, 27, 1, 27, fill=fg, outline="")
            c.create_line(15, 10, 15, 19, fill=bg, width=3)
            c.create_oval(13, 21, 17, 25, fill=bg, outline="")
        elif kind == "cue":  # a question mark: ask further
            c.create_text(15, 15, text="?", fill=fg, font=("Helvetica", 22, "bold"))
        elif kind == "positive":  # a check
            c.create_line(4, 16, 12, 24, 27, 6, fill=fg, width=4, capstyle="round", joinstyle="round")
        else:  # trainer: a speech bubble
            c.create_oval(2, 3, 28, 22, fill=fg, outline="")
            c.create_polygon(8, 18, 6, 28, 16, 20, fill=fg, outline="")

    def destroy(self) -> None:
        self.thread.stop()
        self.root.destroy()


def run_overlay(url: str, token: str, session: str | None = None, *, alpha: float = 0.9,
                report_file: str | None = None) -> int:
    root = tk.Tk()
    window = OverlayWindow(root, url, token, session, alpha=alpha, report_file=report_file)
    try:
        root.mainloop()
    except KeyboardInterrupt:
        pass
    finally:
        window.thread.stop()
    return 0
