"""The icon's pixels: fill share, colour per level, size at a device pixel ratio of 2."""

from __future__ import annotations

import math

import pytest
from PySide6.QtGui import QColor, QImage, QPainter
from pytestqt.qtbot import QtBot

from desktop.core.levels import CreditLevel
from desktop.core.looks import ExpiryStage, IconContent, IconTone, Look, LookKind
from desktop.ui.gauge import IconCache, render_image
from desktop.ui.icon_badges import BADGE_RADIUS
from desktop.ui.icon_palette import ALERT, LEVEL_COLOURS, monochrome_tint

AMBER = LEVEL_COLOURS[CreditLevel.LOW]  # the last warning day's ring


def ring_pixel(image: QImage, degrees_clockwise_from_top: float) -> QColor:
    """The pixel in the middle of the ring's stroke at an angle, in device pixels."""
    size = image.width()
    radius = (
        size * 0.5
        - (
            max(2.5, size / image.devicePixelRatio() * 0.2) / 2
            + size / image.devicePixelRatio() * 0.04
        )
        * image.devicePixelRatio()
    )
    angle = math.radians(degrees_clockwise_from_top)
    x = size / 2 + radius * math.sin(angle)
    y = size / 2 - radius * math.cos(angle)
    return image.pixelColor(int(x), int(y))


def close_to(colour: QColor, expected: QColor, tolerance: int = 40) -> bool:
    return (
        abs(colour.red() - expected.red()) <= tolerance
        and abs(colour.green() - expected.green()) <= tolerance
        and abs(colour.blue() - expected.blue()) <= tolerance
        and colour.alpha() > 200
    )


def filled_share(image: QImage, colour: QColor, samples: int = 360) -> float:
    hits = sum(close_to(ring_pixel(image, i + 0.5), colour) for i in range(samples))
    return hits / samples


@pytest.mark.parametrize("percent", [10, 25, 50, 81, 100])
def test_fill_share_matches_the_percent(qtbot: QtBot, percent: int) -> None:
    image = render_image(Look(LookKind.GAUGE, CreditLevel.OK, percent), 64)
    assert filled_share(image, LEVEL_COLOURS[CreditLevel.OK]) == pytest.approx(
        percent / 100, abs=0.03
    )


def test_fill_starts_at_twelve_and_runs_clockwise(qtbot: QtBot) -> None:
    image = render_image(Look(LookKind.GAUGE, CreditLevel.OK, 25), 64)
    green = LEVEL_COLOURS[CreditLevel.OK]
    assert close_to(ring_pixel(image, 45), green)
    assert not close_to(ring_pixel(image, 315), green)


@pytest.mark.parametrize("level", [CreditLevel.OK, CreditLevel.LOW, CreditLevel.CRITICAL])
@pytest.mark.parametrize("size", [16, 22, 32, 48])
def test_level_colour_shows_at_every_size(qtbot: QtBot, level: CreditLevel, size: int) -> None:
    image = render_image(Look(LookKind.GAUGE, level, 40), size)
    assert close_to(ring_pixel(image, 60), LEVEL_COLOURS[level])


def test_device_pixel_ratio_two_doubles_the_pixels(qtbot: QtBot) -> None:
    image = render_image(Look(LookKind.GAUGE, CreditLevel.OK, 50), 16, device_pixel_ratio=2.0)
    assert (image.width(), image.height()) == (32, 32)
    assert image.devicePixelRatio() == 2.0
    assert close_to(ring_pixel(image, 90), LEVEL_COLOURS[CreditLevel.OK])


def test_a_dimmed_gauge_is_greyed_out(qtbot: QtBot) -> None:
    bright = ring_pixel(render_image(Look(LookKind.GAUGE, CreditLevel.OK, 80), 32), 90)
    dim = ring_pixel(render_image(Look(LookKind.GAUGE, CreditLevel.OK, 80, dimmed=True), 32), 90)
    assert bright.saturation() > 150
    assert dim.saturation() < 20  # grey, not transparent: it keeps its contrast on any panel
    assert dim.alpha() == 255


def test_every_look_is_distinct(qtbot: QtBot) -> None:
    looks = [
        Look(LookKind.LOADING),
        Look(LookKind.NO_TOKEN),
        Look(LookKind.AUTH_REJECTED),
        Look(LookKind.NO_PERMISSION),
        Look(LookKind.OFFLINE),
        Look(LookKind.EXPIRED, CreditLevel.EXPIRED, 0),
        Look(LookKind.GAUGE, CreditLevel.OK, 80),
        Look(LookKind.GAUGE, CreditLevel.OK, 80, dimmed=True),
        Look(LookKind.GAUGE, CreditLevel.LOW, 20),
        Look(LookKind.GAUGE, CreditLevel.CRITICAL, 5),
        Look(LookKind.GAUGE, CreditLevel.EMPTY, 0),
        Look(LookKind.GAUGE, CreditLevel.UNKNOWN, None),
    ]
    images = {bytes(render_image(item, 22).constBits()) for item in looks}
    assert len(images) == len(looks)


def test_alert_states_are_red(qtbot: QtBot) -> None:
    rejected = render_image(Look(LookKind.AUTH_REJECTED), 32)
    assert close_to(ring_pixel(rejected, 200), ALERT)
    expired = render_image(Look(LookKind.EXPIRED, CreditLevel.EXPIRED, 0), 32)
    centre = expired.pixelColor(16, 16)
    assert close_to(centre, ALERT)


def test_light_and_dark_tracks_differ(qtbot: QtBot) -> None:
    light = ring_pixel(render_image(Look(LookKind.GAUGE, CreditLevel.OK, 10), 32, dark=False), 180)
    dark = ring_pixel(render_image(Look(LookKind.GAUGE, CreditLevel.OK, 10), 32, dark=True), 180)
    assert dark.lightness() > light.lightness()


def test_icons_are_painted_once_per_look(qtbot: QtBot) -> None:
    cache = IconCache()
    look = Look(LookKind.GAUGE, CreditLevel.OK, 50)
    first = cache.icon(look, False, 1.0)
    assert cache.icon(look, False, 1.0) is first
    cache.icon(look, True, 1.0)
    cache.icon(look, False, 2.0)
    assert len(cache) == 3
    assert not first.isNull()


SIZES = (16, 22, 32, 48)
RATIOS = (1.0, 2.0)


def text_look(content: IconContent, level: CreditLevel = CreditLevel.OK) -> Look:
    text = "78" if content is IconContent.RING_PERCENT else "4.1k"
    return Look(LookKind.GAUGE, level, 78, text=text, content=content)


def centre_hits(image: QImage, colour: QColor) -> int:
    """Pixels of `colour` in the middle third, where a figure is drawn and a ring is not."""
    third = image.width() // 3
    return sum(
        close_to(image.pixelColor(x, y), colour, 60)
        for x in range(third, 2 * third)
        for y in range(third, 2 * third)
    )


@pytest.mark.parametrize("content", [IconContent.RING_PERCENT, IconContent.NUMBER])
@pytest.mark.parametrize("ratio", RATIOS)
@pytest.mark.parametrize("size", SIZES)
def test_a_figure_is_drawn_from_22_px_and_the_ring_alone_below(
    qtbot: QtBot, content: IconContent, ratio: float, size: int
) -> None:
    image = render_image(text_look(content), size, ratio)
    assert image.width() == round(size * ratio)
    ring_only = render_image(Look(LookKind.GAUGE, CreditLevel.OK, 78), size, ratio)
    if size < 22:
        assert image == ring_only  # digits cannot be read at 16 px
    else:
        assert image != ring_only
        assert centre_hits(image, LEVEL_COLOURS[CreditLevel.OK]) > 0  # the figure, in colour


def test_the_figure_is_painted_at_the_real_pixel_size(qtbot: QtBot) -> None:
    """At DPR 2 the digits have twice the detail, not the DPR-1 image scaled up."""
    look = text_look(IconContent.RING_PERCENT)
    sharp = render_image(look, 32, 2.0)
    sharp.setDevicePixelRatio(1.0)
    blown_up = render_image(look, 32, 1.0).scaled(64, 64)
    assert sharp != blown_up
    edges = [
        sum(
            abs(image.pixelColor(x, 32).alpha() - image.pixelColor(x + 1, 32).alpha()) > 150
            for x in range(16, 47)
        )
        for image in (sharp, blown_up)
    ]
    assert edges[0] >= edges[1]  # crisp edges: hard steps between ink and background


@pytest.mark.parametrize("ratio", RATIOS)
@pytest.mark.parametrize("size", SIZES)
def test_monochrome_is_one_colour_and_tells_levels_by_shape(
    qtbot: QtBot, ratio: float, size: int
) -> None:
    tint = QColor(32, 32, 32)
    images = {
        level: render_image(Look(LookKind.GAUGE, level, share), size, ratio, tint=tint)
        for level, share in (
            (CreditLevel.OK, 60),
            (CreditLevel.LOW, 60),
            (CreditLevel.CRITICAL, 60),
            (CreditLevel.EMPTY, 0),
        )
    }
    for image in images.values():
        for x in range(image.width()):
            for y in range(image.height()):
                pixel = image.pixelColor(x, y)
                if pixel.alpha() > 64:  # faint edge pixels lose precision to premultiplying
                    rgb = (pixel.red(), pixel.green(), pixel.blue())
                    assert all(abs(c - 32) <= 8 for c in rgb), rgb
    # Same fill, different level: the shapes differ (the colour is the same).
    assert images[CreditLevel.OK] != images[CreditLevel.LOW]
    assert images[CreditLevel.LOW] != images[CreditLevel.CRITICAL]
    assert images[CreditLevel.CRITICAL] != images[CreditLevel.EMPTY]


def test_the_tone_follows_the_desktop_scheme_or_is_forced(qtbot: QtBot) -> None:
    assert monochrome_tint(IconTone.AUTO, True).lightness() > 200  # a dark desktop: light icon
    assert monochrome_tint(IconTone.AUTO, False).lightness() < 60
    for dark in (False, True):
        assert monochrome_tint(IconTone.LIGHT, dark).lightness() > 200
        assert monochrome_tint(IconTone.DARK, dark).lightness() < 60


@pytest.mark.parametrize(
    "look",
    [
        Look(LookKind.GAUGE, CreditLevel.OK, 78),
        Look(LookKind.GAUGE, CreditLevel.CRITICAL, 6, text="6", content=IconContent.RING_PERCENT),
        Look(LookKind.EXPIRED, CreditLevel.EXPIRED, 0),
        Look(LookKind.NO_PERMISSION),
    ],
)
def test_the_macos_template_is_a_mask(qtbot: QtBot, look: Look) -> None:
    mask = render_image(look, 32, 2.0, tint=QColor(0, 0, 0))  # black with alpha only
    alphas = set()
    for x in range(mask.width()):
        for y in range(mask.height()):
            pixel = mask.pixelColor(x, y)
            alphas.add(pixel.alpha())
            assert (pixel.red(), pixel.green(), pixel.blue()) == (0, 0, 0)
    assert max(alphas) == 255  # solid ink where the shape is
    icon = IconCache().icon(look, False, 2.0, mask=True)
    assert icon.isMask()


# --- the expiry's clock mark and amber ring -------------------------------------------------

EXPIRY_CONTENTS = [
    Look(LookKind.GAUGE, CreditLevel.OK, 81),
    Look(LookKind.GAUGE, CreditLevel.OK, 81, text="81", content=IconContent.RING_PERCENT),
    Look(LookKind.GAUGE, CreditLevel.OK, 81, text="4.1k", content=IconContent.NUMBER),
    Look(LookKind.GAUGE, CreditLevel.LOW, 18),
    Look(LookKind.GAUGE, CreditLevel.UNKNOWN, None),
]
TINTS = [None, QColor(32, 32, 32), QColor(240, 240, 240)]


def with_expiry(look: Look, stage: ExpiryStage) -> Look:
    return Look(look.kind, look.level, look.percent, look.dimmed, look.text, look.content, stage)


def corner_ink(image: QImage) -> int:
    """Opaque pixels inside the clock mark's disc, in the bottom-right corner."""
    size = image.width()
    radius = size * BADGE_RADIUS
    centre = size - radius
    return sum(
        image.pixelColor(x, y).alpha() > 128
        for x in range(size)
        for y in range(size)
        if math.hypot(x + 0.5 - centre, y + 0.5 - centre) < radius * 0.85
    )


@pytest.mark.parametrize("tint", TINTS)
@pytest.mark.parametrize("look", EXPIRY_CONTENTS)
@pytest.mark.parametrize("size", [16, 22, 32])
def test_near_and_last_expiry_differ_by_shape_in_every_style(
    qtbot: QtBot, look: Look, tint: QColor | None, size: int
) -> None:
    """A clock mark within the largest warning day, a filled one in the last; the same as
    far-off credits without (5 hours and 5 months looked alike)."""
    images = {
        stage: render_image(with_expiry(look, stage), size, 2.0, tint=tint) for stage in ExpiryStage
    }
    assert len({bytes(image.constBits()) for image in images.values()}) == 3
    # Shape, not only colour: the filled clock has more ink in its corner than the outline.
    near, last = corner_ink(images[ExpiryStage.NEAR]), corner_ink(images[ExpiryStage.LAST])
    assert last > near * 1.3
    outline_only = render_image(
        with_expiry(look, ExpiryStage.NEAR), size, 2.0, tint=QColor(0, 0, 0)
    )
    filled = render_image(with_expiry(look, ExpiryStage.LAST), size, 2.0, tint=QColor(0, 0, 0))
    assert outline_only != filled  # as a macOS template (alpha alone) too


def test_the_ring_turns_amber_in_the_last_warning_day(qtbot: QtBot) -> None:
    look = Look(LookKind.GAUGE, CreditLevel.OK, 81)
    green = LEVEL_COLOURS[CreditLevel.OK]
    assert close_to(ring_pixel(render_image(look, 64), 45), green)
    near = render_image(with_expiry(look, ExpiryStage.NEAR), 64)
    assert close_to(ring_pixel(near, 45), green)  # a week ahead: a mark, the ring as it was
    last = render_image(with_expiry(look, ExpiryStage.LAST), 64)
    assert close_to(ring_pixel(last, 45), AMBER, 20)
    critical = Look(LookKind.GAUGE, CreditLevel.CRITICAL, 6, expiry=ExpiryStage.LAST)
    assert close_to(  # graver than amber: kept
        ring_pixel(render_image(critical, 64), 10), LEVEL_COLOURS[CreditLevel.CRITICAL], 20
    )


# --- contrast on light and dark panels ----------------------------------------------------


def relative_luminance(colour: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(c) for c in (colour.redF(), colour.greenF(), colour.blueF()))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: QColor, second: QColor) -> float:
    high, low = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


PANELS = {"white": QColor("#ffffff"), "dark": QColor("#1e1e1e")}
MIN_MARK_PIXELS = 12  # a mark of at least 2 x 6 pixels at 3:1 makes a look visible at 22 px


def pixels_at_contrast(image: QImage, panel: QColor, ratio: float = 3.0) -> int:
    """Pixels of the icon, laid on `panel`, that reach `ratio` against it."""
    shown = QImage(image.size(), QImage.Format.Format_ARGB32)
    shown.fill(panel)
    painter = QPainter(shown)
    painter.drawImage(0, 0, image)
    painter.end()
    return sum(
        contrast(shown.pixelColor(x, y), panel) >= ratio
        for x in range(shown.width())
        for y in range(shown.height())
    )


def every_look() -> list[Look]:
    gauges = [
        (CreditLevel.OK, 100),
        (CreditLevel.OK, 30),
        (CreditLevel.LOW, 18),
        (CreditLevel.CRITICAL, 1),
        (CreditLevel.CRITICAL, 0),
        (CreditLevel.EMPTY, 0),
        (CreditLevel.UNKNOWN, None),
    ]
    looks = [
        Look(LookKind.LOADING),
        Look(LookKind.NO_TOKEN),
        Look(LookKind.AUTH_REJECTED),
        Look(LookKind.NO_PERMISSION),
        Look(LookKind.OFFLINE),
        Look(LookKind.EXPIRED, CreditLevel.EXPIRED, 0),
        Look(LookKind.EXPIRED, CreditLevel.EXPIRED, 0, dimmed=True),
    ]
    for level, percent in gauges:
        texts = [(IconContent.RING, None), (IconContent.RING_PERCENT, str(percent or 0))]
        texts.append((IconContent.NUMBER, "4.1k"))
        for content, text in texts:
            for dimmed in (False, True):
                for stage in ExpiryStage:
                    looks.append(Look(LookKind.GAUGE, level, percent, dimmed, text, content, stage))
    return looks


@pytest.mark.parametrize("panel", list(PANELS))
def test_every_colour_look_reaches_3_to_1_on_light_and_dark_panels(
    qtbot: QtBot, panel: str
) -> None:
    """A tray host may draw any panel under any palette: colour looks must show on both,
    whichever theme the app believes in (the error looks were nearly invisible on dark)."""
    weak = [
        (look, dark, found)
        for look in every_look()
        for dark in (False, True)
        if (found := pixels_at_contrast(render_image(look, 22, dark=dark), PANELS[panel]))
        < MIN_MARK_PIXELS
    ]
    assert weak == []


@pytest.mark.parametrize(
    ("tone", "desktop_dark", "panel"),
    [
        (IconTone.AUTO, True, "dark"),
        (IconTone.AUTO, False, "white"),
        (IconTone.LIGHT, False, "dark"),
        (IconTone.DARK, True, "white"),
    ],
)
def test_every_monochrome_look_reaches_3_to_1_on_its_panel(
    qtbot: QtBot, tone: IconTone, desktop_dark: bool, panel: str
) -> None:
    tint = monochrome_tint(tone, desktop_dark)
    weak = [
        (look, found)
        for look in every_look()
        if (found := pixels_at_contrast(render_image(look, 22, tint=tint), PANELS[panel]))
        < MIN_MARK_PIXELS
    ]
    assert weak == []
