"""Generate the sample illustrations in examples/media/.

Every picture is drawn from scratch with Pillow (gradients, simple shapes and an
ASCII title word in Pillow's bundled default font): no photographs, nothing
copied. The output is deterministic, so re-running the script reproduces the
same pictures.

Pillow is not a dependency of the service; run this in a throwaway venv:

    python3 -m venv /tmp/imgvenv
    /tmp/imgvenv/bin/pip install pillow==13.0.0
    /tmp/imgvenv/bin/python examples/tools/make_images.py
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 800, 500
OUT = Path(__file__).resolve().parent.parent / "media"
Color = tuple[int, int, int]


def gradient(top: Color, bottom: Color) -> Image.Image:
    """A vertical gradient from ``top`` to ``bottom``."""
    img = Image.new("RGB", (WIDTH, HEIGHT))
    draw = ImageDraw.Draw(img)
    for y in range(HEIGHT):
        t = y / (HEIGHT - 1)
        draw.line(
            [(0, y), (WIDTH, y)],
            fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)),
        )
    return img


def label(img: Image.Image, word: str, fill: Color = (255, 255, 255)) -> None:
    """Write the title word in a dark band along the bottom edge."""
    draw = ImageDraw.Draw(img, "RGBA")
    draw.rectangle([(0, HEIGHT - 78), (WIDTH, HEIGHT)], fill=(0, 0, 0, 110))
    font = ImageFont.load_default(size=44)
    box = draw.textbbox((0, 0), word, font=font)
    x = (WIDTH - (box[2] - box[0])) // 2
    draw.text((x, HEIGHT - 66), word, font=font, fill=fill)


def conference() -> Image.Image:
    """A hall: stage with a banner and a lectern, rows of seats in front."""
    img = gradient((44, 62, 110), (18, 24, 48))
    d = ImageDraw.Draw(img)
    d.rectangle([(80, 40), (720, 150)], fill=(178, 34, 52))  # banner
    d.rectangle([(95, 55), (705, 135)], outline=(250, 210, 90), width=3)
    for i in range(5):
        x = 160 + i * 120
        d.regular_polygon((x, 95, 18), 5, rotation=90, fill=(250, 210, 90))
    d.rectangle([(40, 170), (760, 230)], fill=(120, 82, 50))  # stage
    d.rectangle([(370, 120), (430, 200)], fill=(92, 60, 36))  # lectern
    for row in range(4):
        y = 260 + row * 42
        for col in range(14):
            x = 60 + col * 50 + (row % 2) * 20
            d.rounded_rectangle([(x, y), (x + 34, y + 26)], radius=6, fill=(70 + row * 12, 90, 150))
    label(img, "CONFERENCE")
    return img


def award() -> Image.Image:
    """A trophy under a fan of light rays."""
    img = gradient((255, 214, 120), (196, 90, 30))
    d = ImageDraw.Draw(img, "RGBA")
    cx, cy = 400, 210
    for k in range(24):
        a0 = math.radians(k * 15)
        a1 = math.radians(k * 15 + 7)
        d.polygon(
            [(cx, cy), (cx + 700 * math.cos(a0), cy + 700 * math.sin(a0)),
             (cx + 700 * math.cos(a1), cy + 700 * math.sin(a1))],
            fill=(255, 255, 255, 40),
        )  # fmt: skip
    gold = (240, 180, 40)
    d.pieslice([(310, 70), (490, 290)], 0, 180, fill=gold)  # cup
    d.rectangle([(310, 70), (490, 180)], fill=gold)
    d.arc([(260, 100), (340, 200)], 90, 270, fill=gold, width=14)  # handles
    d.arc([(460, 100), (540, 200)], 270, 90, fill=gold, width=14)
    d.rectangle([(385, 285), (415, 340)], fill=gold)  # stem
    d.rectangle([(330, 340), (470, 380)], fill=(120, 70, 30))  # base
    d.regular_polygon((400, 160, 34), 5, rotation=90, fill=(255, 245, 200))
    label(img, "AWARD")
    return img


def solar_dryer() -> Image.Image:
    """A drying house with a glazed roof, solar panels and the sun."""
    img = gradient((110, 190, 240), (225, 240, 250))
    d = ImageDraw.Draw(img)
    d.ellipse([(620, 30), (730, 140)], fill=(255, 210, 60))
    for k in range(12):
        a = math.radians(k * 30)
        d.line(
            [(675 + 70 * math.cos(a), 85 + 70 * math.sin(a)),
             (675 + 95 * math.cos(a), 85 + 95 * math.sin(a))],
            fill=(255, 190, 40), width=5,
        )  # fmt: skip
    d.rectangle([(0, 360), (WIDTH, HEIGHT)], fill=(96, 150, 70))  # ground
    d.polygon([(120, 200), (300, 120), (480, 200)], fill=(150, 200, 230))  # glazed roof
    d.rectangle([(140, 200), (460, 360)], fill=(200, 200, 205))  # house
    for i in range(4):
        d.rectangle([(160 + i * 75, 230), (215 + i * 75, 330)], fill=(120, 85, 50))  # trays
        for j in range(5):
            d.line([(160 + i * 75, 240 + j * 18), (215 + i * 75, 240 + j * 18)], fill=(230, 190, 90), width=4)
    for i in range(3):  # panels
        x = 520 + i * 80
        d.polygon([(x, 330), (x + 60, 330), (x + 80, 260), (x + 20, 260)], fill=(30, 60, 130))
        d.line([(x + 10, 295), (x + 70, 295)], fill=(180, 200, 230), width=2)
    label(img, "SOLAR DRYER")
    return img


def orchard() -> Image.Image:
    """Terraced hills with rows of orange trees."""
    img = gradient((150, 205, 235), (250, 235, 200))
    d = ImageDraw.Draw(img)
    hills = [((60, 140, 70), 250), ((70, 160, 80), 310), ((85, 175, 90), 370)]
    for color, base in hills:
        pts = [(0, HEIGHT)]
        pts += [(x, base - 45 * math.sin(x / 130 + base)) for x in range(0, WIDTH + 1, 20)]
        pts += [(WIDTH, HEIGHT)]
        d.polygon(pts, fill=color)
    rng = random.Random(2024)
    for row, y0 in enumerate((300, 360, 415)):
        for x in range(30 + row * 15, WIDTH, 70):
            y = y0 + rng.randint(-6, 6)
            d.ellipse([(x - 26, y - 26), (x + 26, y + 26)], fill=(40, 110, 45))
            for _ in range(5):
                ox, oy = rng.randint(-16, 16), rng.randint(-16, 16)
                d.ellipse([(x + ox - 5, y + oy - 5), (x + ox + 5, y + oy + 5)], fill=(245, 150, 30))
    label(img, "ORANGE ORCHARD")
    return img


def mushrooms() -> Image.Image:
    """Lingzhi caps growing out of sawdust bags on shelves."""
    img = gradient((60, 40, 30), (140, 110, 80))
    d = ImageDraw.Draw(img)
    for shelf in (200, 380):
        d.rectangle([(30, shelf), (770, shelf + 12)], fill=(90, 60, 35))
        for i in range(9):
            x = 55 + i * 80
            d.rounded_rectangle([(x, shelf - 110), (x + 50, shelf)], radius=12, fill=(230, 225, 210))
            d.ellipse([(x - 12, shelf - 140), (x + 62, shelf - 95)], fill=(150, 45, 25))
            d.ellipse([(x - 4, shelf - 132), (x + 54, shelf - 103)], fill=(190, 80, 35))
            d.arc([(x - 12, shelf - 140), (x + 62, shelf - 95)], 0, 180, fill=(245, 210, 120), width=3)
    label(img, "LINGZHI")
    return img


def laboratory() -> Image.Image:
    """Bench with flasks, test tubes and a microscope."""
    img = gradient((225, 240, 245), (170, 200, 215))
    d = ImageDraw.Draw(img)
    d.rectangle([(0, 330), (WIDTH, 360)], fill=(70, 80, 95))  # bench
    d.rectangle([(0, 360), (WIDTH, HEIGHT)], fill=(110, 120, 135))
    for x, liquid in ((110, (60, 170, 90)), (250, (70, 120, 220)), (600, (220, 90, 120))):
        d.rectangle([(x - 14, 190), (x + 14, 250)], outline=(60, 70, 80), width=3)
        d.polygon([(x - 14, 250), (x + 14, 250), (x + 60, 330), (x - 60, 330)], fill=(245, 250, 252))
        d.polygon([(x - 35, 290), (x + 35, 290), (x + 60, 330), (x - 60, 330)], fill=liquid)
        d.line([(x - 14, 250), (x - 60, 330), (x + 60, 330), (x + 14, 250)], fill=(60, 70, 80), width=3)
    d.rectangle([(330, 300), (500, 315)], fill=(90, 70, 50))  # tube rack
    for i, c in enumerate(((240, 200, 60), (90, 200, 200), (200, 120, 220), (120, 200, 90), (240, 140, 60))):
        x = 345 + i * 32
        d.rounded_rectangle([(x, 220), (x + 16, 320)], radius=8, fill=(250, 252, 255), outline=(60, 70, 80))
        d.rounded_rectangle([(x + 2, 270), (x + 14, 318)], radius=6, fill=c)
    d.rectangle([(680, 310), (760, 330)], fill=(40, 45, 55))  # microscope
    d.line([(740, 310), (740, 200)], fill=(40, 45, 55), width=12)
    d.line([(740, 205), (700, 170)], fill=(40, 45, 55), width=14)
    d.ellipse([(700, 255), (740, 270)], fill=(40, 45, 55))
    label(img, "LABORATORY", fill=(255, 255, 230))
    return img


def trademark() -> Image.Image:
    """A certificate with a seal and a large registered-mark symbol."""
    img = gradient((30, 90, 110), (20, 50, 70))
    d = ImageDraw.Draw(img)
    d.rectangle([(150, 40), (650, 400)], fill=(250, 244, 225))  # certificate
    d.rectangle([(165, 55), (635, 385)], outline=(170, 130, 50), width=4)
    d.rectangle([(175, 65), (625, 375)], outline=(170, 130, 50), width=1)
    d.ellipse([(330, 90), (470, 230)], outline=(30, 60, 120), width=10)  # the (R) mark
    font = ImageFont.load_default(size=96)
    box = d.textbbox((0, 0), "R", font=font)
    d.text((400 - (box[2] - box[0]) // 2 - box[0], 160 - (box[3] - box[1]) // 2 - box[1]), "R",
           font=font, fill=(30, 60, 120))  # fmt: skip
    for i in range(4):
        d.line([(220, 260 + i * 22), (580 - (i % 2) * 90, 260 + i * 22)], fill=(150, 150, 150), width=4)
    d.regular_polygon((560, 345, 34), 12, fill=(190, 30, 40))  # seal
    d.ellipse([(538, 323), (582, 367)], outline=(250, 220, 120), width=3)
    label(img, "TRADEMARK")
    return img


IMAGES: dict[str, Callable[[], Image.Image]] = {
    "hoi-nghi.jpg": conference,
    "giai-thuong.jpg": award,
    "may-say.jpg": solar_dryer,
    "vuon-cam.jpg": orchard,
    "nam-linh-chi.jpg": mushrooms,
    "phong-thi-nghiem.jpg": laboratory,
    "nhan-hieu.jpg": trademark,
}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, draw in IMAGES.items():
        path = OUT / name
        draw().save(path, "JPEG", quality=82, optimize=True, progressive=True)
        print(f"{path.relative_to(OUT.parent.parent)}  {path.stat().st_size:>6} bytes")


if __name__ == "__main__":
    main()
