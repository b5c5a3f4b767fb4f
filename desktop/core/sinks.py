"""Text made safe for the place it lands, one helper per sink: a terminal, a one-line plain text
(status-bar lines, tooltips), Waybar's Pango markup, a menu item (Qt's or an exported dbusmenu),
a notification's body.

Every helper takes one *field* the app does not control (a model name, an account name, an error
sentence quoting an address) and returns it safe to put between the app's own text; the app's
own line breaks are never passed through them. Pure and idempotent: escaping twice is a bug
(`R&&&&D`), cleaning twice is not. Redact secrets before calling these: they change the text.
"""

from __future__ import annotations

import re

REPLACEMENT = "\ufffd"

# Whole escape sequences (ECMA-48), removed: a terminal would act on them. A control string
# (OSC, DCS, SOS, PM, APC) runs to ST (ESC \ or its C1 form) or BEL, or to the end of the field
# when it is not terminated (the terminal would swallow the rest too). A CSI keeps its parameter
# and intermediate bytes up to its final byte; any other ESC takes its intermediates and final.
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b[\]PX^_].*?(?:\x07|\x1b\\|\x9c|\Z)"
    r"|\x1b\[[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?"
    r"|\x1b[\x20-\x2f]*[\x30-\x7e]?",
    re.DOTALL,
)
# What is left of C0 (TAB, CR and LF included), DEL, C1, the Unicode line and paragraph
# separators (a line break inside a field) and lone surrogates (which no encoder writes): each
# one a visible U+FFFD. Bidirectional embeddings, overrides and isolates (U+202A-
# U+202E, U+2066-U+2069) are removed: they reorder what follows them on the line.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
# Line breaks as Python and terminals know them: one space each in a one-line sink.
_LINE_BREAK = re.compile(r"\r\n|[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_PANGO = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_PANGO_SPECIAL = re.compile("[&<>]")


def terminal_text(text: str) -> str:
    """One field for a terminal (`--once`'s text, every stderr line): escape sequences removed,
    other controls (TAB, CR, LF included), DEL and C1 as U+FFFD, bidi embeddings removed."""
    text = _ESCAPE_SEQUENCE.sub("", text)
    text = _CONTROL.sub(REPLACEMENT, text)
    return _BIDI.sub("", text)


def line_text(text: str) -> str:
    """One field of a one-line plain text (i3blocks' and `--format text`'s lines, the tray's
    tooltip and menu lines): the terminal rule, each line break a space."""
    return terminal_text(_LINE_BREAK.sub(" ", text))


def pango_text(text: str) -> str:
    """One field of Waybar's `text` or `tooltip` (Pango markup): a line with `&`, `<` and `>`
    as entities, so a quoted address never makes the markup invalid."""
    return _PANGO_SPECIAL.sub(lambda match: _PANGO[match.group()], line_text(text))


def notification_body(text: str, *, markup: bool = True) -> str:
    """A notification's body: the terminal rule on each of its lines (its line breaks kept);
    for a daemon that reads markup (most freedesktop ones: dunst, GNOME, KDE), `&`, `<` and `>`
    as entities too, so a model named `<b>` restyles nothing and an `<img>` loads nothing.
    `markup=False`: for a plain-text balloon."""
    lines = [terminal_text(line) for line in _LINE_BREAK.split(text)]
    if markup:
        lines = [_PANGO_SPECIAL.sub(lambda match: _PANGO[match.group()], line) for line in lines]
    return "\n".join(lines)


def menu_label(template: str, /, *, dbusmenu: bool = False, **fields: str) -> str:
    """A menu item's text for `QAction.setText`: `template` (translated, in Qt's convention: `&`
    marks the access key, `&&` is a literal `&`) with each field made one line and its `&`
    doubled, so `R&D` shows as `R&D`, never `RD` nor `R&&D`.

    `dbusmenu`: Qt exports the menu over D-Bus itself (its StatusNotifierItem tray, on Linux).
    Qt then turns only the first `&` of the text into dbusmenu's `_` and sends the rest as it
    is, while the host reads `_` as the access key and `__` as a literal `_`. The text returned
    is the one Qt's conversion turns into the right dbusmenu label: underscores doubled, the
    access key's `&` first; when a literal `&` comes before the access key (or there is none),
    that `&` carries the access key instead (`&&`, sent as `_&`, shows `&`).
    """
    escaped = {name: line_text(value).replace("&", "&&") for name, value in fields.items()}
    label = template.format(**escaped)
    if not dbusmenu:
        return label
    shown, key = _qt_access_key(label)
    ampersand = shown.find("&")
    if key is not None and (ampersand < 0 or ampersand >= key):
        return _dbusmenu_text(shown[:key]) + "&" + _dbusmenu_text(shown[key:])
    if ampersand < 0:
        return _dbusmenu_text(shown)
    before, after = shown[:ampersand], shown[ampersand + 1 :]
    return _dbusmenu_text(before) + "&&" + _dbusmenu_text(after)


def _qt_access_key(label: str) -> tuple[str, int | None]:
    """The text a Qt menu shows for `label`, and the index in it of the access key (None)."""
    shown: list[str] = []
    key: int | None = None
    index = 0
    while index < len(label):
        char = label[index]
        if char == "&" and index + 1 < len(label):
            index += 1
            if label[index] != "&" and key is None:
                key = len(shown)
        shown.append(label[index])
        index += 1
    return "".join(shown), key


def _dbusmenu_text(text: str) -> str:
    return text.replace("_", "__")
