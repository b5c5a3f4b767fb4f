"""Each sink's helper, table-tested: what a terminal, a status bar, Pango markup, a menu (Qt's or
its dbusmenu export) and a notification daemon receive for text the app does not control."""

from __future__ import annotations

import io
import logging
import re
from xml.etree import ElementTree

import pytest

from desktop.core.sinks import (
    line_text,
    menu_label,
    notification_body,
    pango_text,
    terminal_text,
)
from desktop.system.logs import TerminalFormatter

OSC52 = "x\u001b]52;c;ZWNobyBwd25lZA==\u0007"  # sets the terminal's clipboard (tmux too)
# What no sink may pass on: C0 (ESC, BEL, TAB, CR, LF...), DEL, C1, bidi embeddings/isolates.
UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

TERMINAL = [
    (OSC52, "x"),
    ("x\u001b]52;c;ZWNobyBwd25lZA==\u001b\\y", "xy"),  # OSC ended by ST
    ("\u001b[2J\u001b[Hgpt", "gpt"),  # CSI: clear the screen, cursor home
    ("a\u001b[31;1mred\u001b[0m", "ared"),  # SGR colours
    ("\u001b]8;;https://evil.test\u001b\\link\u001b]8;;\u001b\\", "link"),  # a hyperlink
    ("x\u001bP1$r0m\u001b\\y", "xy"),  # DCS up to ST
    ("x\u001b]0;title", "x"),  # an OSC never ended swallows the rest of the field
    ("x\u001b[12", "x"),  # a CSI cut short
    ("x\u001bcy", "xy"),  # RIS (full reset), an ESC with a final byte
    ("x\u001b(By", "xy"),  # a charset designation: ESC, an intermediate, a final
    ("lone\u001b", "lone"),
    ("model\nneo-tray: fake line", "model\ufffdneo-tray: fake line"),  # a faked line
    ("a\tb\rc", "a\ufffdb\ufffdc"),  # TAB and CR too: they move the cursor
    ("bell\u0007", "bell\ufffd"),
    ("del\u007f", "del\ufffd"),
    ("c1\u009b2J", "c1\ufffd2J"),  # C1 CSI: its parameters stay as harmless text
    ("nel\u0085x", "nel\ufffdx"),
    ("\u202egnp.exe", "gnp.exe"),  # RIGHT-TO-LEFT OVERRIDE
    ("a\u2066b\u2069c\u202ad\u202ce", "abcde"),  # isolates and an embedding
    ("surrogate\ud800", "surrogate\ufffd"),  # no encoder writes it
    ("top\u2028model\u2029x", "top\ufffdmodel\ufffdx"),  # line and paragraph separators
    ("claude-sonnet-4-5 · 3 870,5\u202fcrédits", "claude-sonnet-4-5 · 3 870,5\u202fcrédits"),
    ("", ""),
]


@pytest.mark.parametrize(("raw", "shown"), TERMINAL)
def test_terminal_text(raw: str, shown: str) -> None:
    assert terminal_text(raw) == shown
    assert not UNSAFE.search(terminal_text(raw))
    assert terminal_text(terminal_text(raw)) == terminal_text(raw)  # cleaning twice is harmless


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("a\nb", "a b"),
        ("a\r\nb", "a b"),
        ("a\rb\u2028c\u2029d\u000be\u000cf\u0085g", "a b c d e f g"),
        ("tab\tstays marked", "tab\ufffdstays marked"),
        (OSC52, "x"),
        ("\u001b[2Jfake\n\u202eline", "fake line"),
    ],
)
def test_line_text_is_one_line(raw: str, shown: str) -> None:
    assert line_text(raw) == shown


@pytest.mark.parametrize(
    ("raw", "markup"),
    [
        (
            "The usage API was not found at http://127.0.0.1:8/a&b: check the API address.",
            "The usage API was not found at http://127.0.0.1:8/a&amp;b: check the API address.",
        ),
        ("<span size='99999'>big</span>", "&lt;span size='99999'&gt;big&lt;/span&gt;"),
        ("&amp; already", "&amp;amp; already"),  # escaped once, exactly
        ("x\u001b]52;c;ZWNo\u0007 & y", "x &amp; y"),
        ("two\nlines", "two lines"),
    ],
)
def test_pango_text_is_valid_markup(raw: str, markup: str) -> None:
    assert pango_text(raw) == markup
    # Pango markup is XML inside an implicit root: an undefined entity or a stray < fails here.
    ElementTree.fromstring(f"<markup>{pango_text(raw)}</markup>")


def test_a_notification_body_keeps_its_lines_and_reads_no_markup() -> None:
    body = "Model <b>x</b> & co\nused 90%\u001b[2J"
    assert notification_body(body) == "Model &lt;b&gt;x&lt;/b&gt; &amp; co\nused 90%"
    assert notification_body(body, markup=False) == "Model <b>x</b> & co\nused 90%"
    assert notification_body("a\u0007\r\nb") == "a\ufffd\nb"


# --- menus -----------------------------------------------------------------------------------


def qt_shows(label: str) -> str:
    """What a Qt menu shows for an action's text: `&&` a literal `&`, `&x` the access key x."""
    return re.sub(r"&(.)", r"\1", label)


def dbusmenu_wire(text: str) -> str:
    """What Qt sends as the dbusmenu label (QDBusMenuItem::convertMnemonic): only the first `&`
    that is not the last character becomes `_`; the rest goes as it is."""
    at = text.find("&")
    return text if at < 0 or at == len(text) - 1 else text[:at] + "_" + text[at + 1 :]


def host_shows(wire: str) -> str:
    """What a dbusmenu host shows (GTK's use_underline, GNOME's and KDE's importers): `__` is a
    literal `_`, `_x` marks x; `&` is no special character."""
    return re.sub(r"_(.)", r"\1", wire)


NAMES = ["R&D", "a_b", "R&D & Co", "&", "_", "__init__", "&&", "Tom & Jerry_2", "plain"]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    "template", ["Open &details for {name}…", "{name}", "&Details für {name} öffnen…"]
)
def test_a_menu_label_shows_the_name_as_typed(template: str, name: str) -> None:
    shown = template.replace("&", "").format(name=name)
    assert qt_shows(menu_label(template, name=name)) == shown
    assert host_shows(dbusmenu_wire(menu_label(template, dbusmenu=True, name=name))) == shown


def test_the_r_and_d_account_is_escaped_once() -> None:
    label = menu_label("Open &details for {name}…", name="R&D")
    assert label == "Open &details for R&&D…"  # not R&&&&D: one escape, in one place
    wire = dbusmenu_wire(menu_label("Open &details for {name}…", dbusmenu=True, name="R&D"))
    assert wire == "Open _details for R&D…"  # the access key stays on "details"
    assert dbusmenu_wire(menu_label("{name}", dbusmenu=True, name="my_team")) == "my__team"


def test_the_access_key_survives_in_the_exported_label() -> None:
    assert dbusmenu_wire(menu_label("&Quit", dbusmenu=True)) == "_Quit"
    assert (
        dbusmenu_wire(menu_label("S&nooze notifications", dbusmenu=True)) == "S_nooze notifications"
    )
    assert menu_label("&Quit") == "&Quit"


def test_a_menu_field_is_one_clean_line() -> None:
    label = menu_label("{name}", name="x\u001b]52;c;ZWNo\u0007\nfake\u202e")
    assert label == "x fake"


# --- stderr logging --------------------------------------------------------------------------


def test_a_log_line_on_stderr_cannot_fake_a_line_nor_send_an_escape() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(TerminalFormatter("neo-tray: %(levelname)s: %(message)s"))
    logger = logging.getLogger("tests.sinks")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("%s: failed", "Acme\nneo-tray: ERROR: fake" + OSC52)
        try:
            raise ValueError("bad \u001b[2J value")
        except ValueError:
            logger.exception("boom")
    finally:
        logger.removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert lines[0] == "neo-tray: WARNING: Acme\ufffdneo-tray: ERROR: fakex: failed"
    assert lines[1] == "neo-tray: ERROR: boom"
    assert lines[2] == "Traceback (most recent call last):"  # a traceback keeps its lines
    assert lines[-1] == "ValueError: bad  value"
    assert not any(UNSAFE.search(line) for line in lines)
