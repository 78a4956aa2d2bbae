"""Pictures: the lead image's bytes a reader's browser fetches, and how fast renditions are made.

A 24-megapixel photograph-like JPEG (6000 x 4000, quality 90: several MB, as a camera makes it)
is uploaded into the library through the images app's own path (uploads.check, the model's
save, whose signal renders it: images/rendering.py), set as the lead image of a story of its
own, and then:

- **Image bytes**: the story page is fetched from the running (cold) server, the lead
  `<picture>`'s `<source>`s and `<img>` read from its HTML, the `sizes` worked out for a
  390 px and a 1366 px viewport, and the candidate a browser picks at each device pixel ratio
  (the smallest whose width is at least the slot's width x the DPR, else the widest) fetched
  from the server: its bytes against the original's.
- **Rendition throughput**: the picture's whole set of renditions (every ratio, width and
  format images/specs.py names) made again with `rendering.render`, timed, in renditions per
  second; the decode and each format's resize-and-encode timed apart.

The story is published before every other story, so it is on no list, feed or sitemap page;
it and the picture are deleted afterwards (and at the start, should a run have stopped
halfway). The files live in the benchmark's own MEDIA_ROOT, in its work directory.
"""

import io
import random
import statistics
import time
from datetime import timedelta
from html.parser import HTMLParser

from bench import servers
from bench.report import say

WIDTH, HEIGHT, QUALITY = 6000, 4000, 90
VIEWPORTS = (390, 1366)  # a phone held upright (iPhone 12-15), the commonest laptop screen
DPRS = (1, 2, 3)
ROOT_FONT_PX = 16  # what rem and em are in `sizes` (the browser's initial font size)
SLUG = "bench-lead-picture"
FORMAT_NAMES = {"image/avif": "AVIF", "image/webp": "WebP", "image/jpeg": "JPEG"}


# The picture ------------------------------------------------------------------------------


def photo(width: int = WIDTH, height: int = HEIGHT, seed: int = 7):
    """A picture that compresses like a photograph, not a flat colour: a sky-to-ground gradient,
    a few hundred hard-edged shapes and lines (slightly soft, as through a lens), then texture
    at four scales: colour mottling, luminance blotches and the sensor's grain. Seeded, so
    every run uploads the same bytes."""
    from PIL import Image, ImageDraw, ImageFilter

    rng = random.Random(seed)
    top, bottom = (70, 120, 190), (200, 170, 120)
    column = Image.new("RGB", (1, 256))
    shade = [
        tuple(round(a + (b - a) * y / 255) for a, b in zip(top, bottom, strict=True))
        for y in range(256)
    ]
    column.putdata(shade)
    picture = column.resize((width, height), Image.Resampling.BILINEAR)
    draw = ImageDraw.Draw(picture)
    scale = width / 6000
    for _ in range(400):
        x, y = rng.randrange(width), rng.randrange(height // 3, height)
        w, h = round(rng.randrange(40, 900) * scale), round(rng.randrange(40, 1400) * scale)
        colour = tuple(rng.randrange(256) for _ in range(3))
        shape = draw.rectangle if rng.random() < 0.6 else draw.ellipse
        shape((x, y - h, x + w, y), fill=colour)
    for _ in range(60):
        points = [(rng.randrange(width), rng.randrange(height)) for _ in range(3)]
        colour = tuple(rng.randrange(256) for _ in range(3))
        draw.line(points, fill=colour, width=max(1, round(rng.randrange(2, 12) * scale)))
    picture = picture.filter(ImageFilter.GaussianBlur(1.2 * scale))
    # (1/scale of the picture, its weight, colour or luminance only)
    textures = ((32, 0.22, "RGB"), (8, 0.15, "L"), (2, 0.12, "L"), (1, 0.10, "L"))
    for divisor, weight, mode in textures:
        size = (max(1, width // divisor), max(1, height // divisor))
        texture = Image.frombytes(mode, size, rng.randbytes(size[0] * size[1] * len(mode)))
        texture = texture.convert("RGB")
        if texture.size != picture.size:
            texture = texture.resize(picture.size, Image.Resampling.BICUBIC)
        picture = Image.blend(picture, texture, weight)
    return picture


def photo_jpeg(width: int = WIDTH, height: int = HEIGHT, seed: int = 7) -> bytes:
    """The picture as a camera's JPEG: quality 90, 4:2:0, baseline."""
    out = io.BytesIO()
    photo(width, height, seed).save(out, "JPEG", quality=QUALITY)
    return out.getvalue()


# Into the library, onto a story -----------------------------------------------------------


def remove_leftovers(sha256: str) -> None:
    """The story and picture of an earlier run that stopped before deleting them."""
    from articles.models import Article
    from images.models import Image

    Article.objects.filter(slug=SLUG).delete()
    Image.objects.filter(sha256=sha256).delete()


def upload(data: bytes):
    """The picture into the library as the desk's upload puts it there (images/admin.py's form
    and save_model): checked, stored under its hash, saved; the save's signal renders it (the
    immediate task backend: in this process, as the save commits)."""
    from django.core.files.base import ContentFile

    from images import rendering, uploads
    from images.models import Image

    checked = uploads.check(ContentFile(data, name="bench-24mp.jpg"))
    image = Image(
        alt_text="A street of shops and offices under a late-afternoon sky",
        caption="The benchmark's 24-megapixel picture",
        credit="Newsroom bench",
    )
    image.take(checked)
    image.file.save("bench-24mp.jpg", ContentFile(data), save=False)
    image.save()
    image.refresh_from_db()
    if not image.rendered:  # a task backend that queued the job instead of running it
        rendering.render(image)
        image.refresh_from_db()
    return image


def attach(image):
    """A story of its own with `image` as its lead, published just before the oldest story."""
    from articles.models import Article

    oldest = Article.objects.published().order_by("publish_at", "pk").first()
    story = Article(
        headline="Benchmark: the lead picture",
        slug=SLUG,
        kicker=oldest.kicker,
        dek=oldest.dek,
        body=oldest.body,
        section=oldest.section,
        kind=oldest.kind,
        status=Article.Status.PUBLISHED,
        publish_at=oldest.publish_at - timedelta(minutes=1),
        lead_image=image,
    )
    story.save()
    return story


# What the page offers and what a browser takes --------------------------------------------


class LeadPicture(HTMLParser):
    """The `<source>`s and `<img>` of the first `<picture>` in `<figure class="lead-image">`."""

    def __init__(self):
        super().__init__()
        self.in_figure = self.in_picture = self.done = False
        self.sources: list[dict] = []
        self.img: dict | None = None

    def handle_starttag(self, tag, attrs):
        values = {name: value or "" for name, value in attrs}
        if self.done:
            return
        if tag == "figure" and "lead-image" in values.get("class", "").split():
            self.in_figure = True
        elif tag == "picture" and self.in_figure:
            self.in_picture = True
        elif tag == "source" and self.in_picture:
            self.sources.append(values)
        elif tag == "img" and self.in_picture:
            self.img = values

    def handle_endtag(self, tag):
        if tag == "picture" and self.in_picture:
            self.in_picture, self.done = False, True


def lead_picture(html: str) -> list[dict]:
    """Each format the lead picture offers, in the page's order (the `<img>`'s last):
    {"type", "candidates": [(url, width)], "sizes"}."""
    parser = LeadPicture()
    parser.feed(html)
    if parser.img is None:
        raise SystemExit("The bench story's page has no lead <picture>: it was not rendered?")
    offers = []
    for element in [*parser.sources, parser.img]:
        offers.append(
            {
                "type": element.get("type") or "image/jpeg",
                "candidates": parse_srcset(element.get("srcset", "")),
                "sizes": element.get("sizes", ""),
            }
        )
    return offers


def parse_srcset(srcset: str) -> list[tuple[str, int]]:
    """`url 480w, url 640w` as [(url, 480), (url, 640)] (width descriptors only)."""
    candidates = []
    for item in srcset.split(","):
        parts = item.split()
        if not parts:
            continue
        if len(parts) != 2 or not parts[1].endswith("w"):
            raise ValueError(f"srcset candidate without a width descriptor: {item.strip()!r}")
        candidates.append((parts[0], int(parts[1][:-1])))
    return candidates


def split_top_level(text: str, separator: str = ",") -> list[str]:
    parts, depth, start = [], 0, 0
    for index, character in enumerate(text):
        depth += character == "("
        depth -= character == ")"
        if character == separator and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return [part.strip() for part in parts if part.strip()]


def length_px(text: str, viewport: float) -> float:
    """A CSS length as `sizes` allows it (px, rem, em, vw, calc() of those) in CSS pixels."""
    spaced = text.strip().replace("(", " ( ").replace(")", " ) ")
    tokens = [token for token in spaced.split() if token.lower() != "calc"]
    position = 0

    def peek():
        return tokens[position] if position < len(tokens) else None

    def take():
        nonlocal position
        position += 1
        return tokens[position - 1]

    def expression():
        value = term()
        while peek() in ("+", "-"):
            value = value + term() if take() == "+" else value - term()
        return value

    def term():
        value = factor()
        while peek() in ("*", "/"):
            value = value * factor() if take() == "*" else value / factor()
        return value

    def factor():
        token = take()
        if token == "(":
            value = expression()
            if take() != ")":
                raise ValueError(f"unbalanced calc() in {text!r}")
            return value
        return unit(token)

    def unit(token):
        for suffix, size in (("px", 1), ("rem", ROOT_FONT_PX), ("em", ROOT_FONT_PX)):
            if token.endswith(suffix):
                return float(token[: -len(suffix)]) * size
        if token.endswith("vw"):
            return float(token[:-2]) * viewport / 100
        return float(token)  # a plain number, for * and /

    value = expression()
    if position != len(tokens):
        raise ValueError(f"length not understood: {text!r}")
    return value


RESOLUTION_UNITS = {"dppx": 1.0, "x": 1.0, "dpi": 1 / 96, "dpcm": 2.54 / 96}


def resolution_dppx(text: str) -> float:
    """A media query's resolution (`2.5dppx`, `2x`, `240dpi`, `94.5dpcm`) in device pixels per
    CSS pixel."""
    for suffix, size in sorted(RESOLUTION_UNITS.items(), key=lambda item: -len(item[0])):
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * size
    raise ValueError(f"resolution not understood in sizes: {text!r}")


def media_matches(condition: str, viewport: float, dpr: float) -> bool:
    """`(min-width: 60rem)`, `(max-width: 40em)`, `(min-resolution: 2.5dppx)`,
    `(max-resolution: 1x)` and `and` of them, at `viewport` px wide and `dpr`."""
    for feature in condition.split(" and "):
        feature = feature.strip().strip("()")
        name, _, value = (part.strip() for part in feature.partition(":"))
        if name in ("min-width", "max-width"):
            actual, limit = viewport, length_px(value, viewport)
        elif name in ("min-resolution", "max-resolution"):
            actual, limit = dpr, resolution_dppx(value)
        else:
            raise ValueError(f"media feature not understood in sizes: {feature!r}")
        if (actual < limit) if name.startswith("min-") else (actual > limit):
            return False
    return True


def slot_px(sizes: str, viewport: float, dpr: float = 1) -> float:
    """The width `sizes` gives the picture at `viewport` and `dpr`: the first entry whose
    condition holds (the last, with none, holds always); 100vw when `sizes` is empty."""
    for entry in split_top_level(sizes) or ["100vw"]:
        *condition, length = split_top_level(entry, " ")
        if not condition or media_matches(" ".join(condition), viewport, dpr):
            return length_px(length, viewport)
    return viewport


def choose(candidates: list[tuple[str, int]], needed_px: float) -> tuple[str, int]:
    """What a browser takes: the narrowest candidate at least `needed_px` wide, else the widest
    (no browser upscales past what is offered)."""
    ordered = sorted(candidates, key=lambda candidate: candidate[1])
    return next((c for c in ordered if c[1] >= needed_px), ordered[-1])


def page_bytes(server: servers.Server, path: str, original_bytes: int) -> dict:
    """The story page's lead picture: what each format's candidate a browser picks weighs, for
    each viewport and DPR, fetched from `server` (and checked: 200, its type, its width)."""
    from PIL import Image

    status, _, body = servers.fetch(server, path)
    if status != 200:
        raise SystemExit(f"The bench story {path} answered {status}; needs 200.")
    offers = lead_picture(body.decode())
    fetched: dict[str, int] = {}

    def weigh(url: str, mime_type: str, width: int) -> int:
        if url not in fetched:
            status, headers, data = servers.fetch(server, url)
            kind = {name.lower(): value for name, value in headers}.get("content-type")
            if status != 200 or kind != mime_type:
                raise SystemExit(f"{url} answered {status} {kind}; needs 200 {mime_type}.")
            if Image.open(io.BytesIO(data)).width != width:
                raise SystemExit(f"{url} is not {width} px wide, as its srcset says.")
            fetched[url] = len(data)
        return fetched[url]

    choices = []
    for viewport in VIEWPORTS:
        for dpr in DPRS:
            row = {"viewport": viewport, "dpr": dpr, "formats": {}}
            for offer in offers:
                slot = slot_px(offer["sizes"], viewport, dpr)
                url, width = choose(offer["candidates"], slot * dpr)
                size = weigh(url, offer["type"], width)
                row["slot_px"], row["needed_px"] = slot, slot * dpr
                row["formats"][offer["type"]] = {
                    "url": url,
                    "width": width,
                    "bytes": size,
                    "of_original": size / original_bytes,
                }
            choices.append(row)
    return {
        "path": path,
        "sizes": offers[-1]["sizes"],
        "offered": [
            {"type": offer["type"], "widths": [width for _, width in offer["candidates"]]}
            for offer in offers
        ],
        "choices": choices,
    }


# Rendition throughput ---------------------------------------------------------------------


def render_once(image) -> dict:
    """Delete the picture's renditions (files and rows), then make the whole set again with
    `rendering.render`, as after an upload: timed, with its decode and each format's resize
    and encode timed apart (by wrapping the module's own functions)."""
    from images import rendering
    from images.models import Image, Rendition

    Rendition.objects.filter(image=image).delete()  # its signal deletes the files
    Image.objects.filter(pk=image.pk).update(rendered="")
    image.rendered = ""
    encode, decode = rendering.encode, rendering._upright_srgb
    encoded: dict[str, list[float]] = {}
    decoded: list[float] = []

    def timed_encode(crop, rendition):
        started = time.perf_counter()
        data = encode(crop, rendition)
        encoded.setdefault(rendition.format, []).append(time.perf_counter() - started)
        return data

    def timed_decode(file, size):
        started = time.perf_counter()
        picture = decode(file, size)
        decoded.append(time.perf_counter() - started)
        return picture

    rendering.encode, rendering._upright_srgb = timed_encode, timed_decode
    try:
        started = time.perf_counter()
        made = rendering.render(image)
        seconds = time.perf_counter() - started
    finally:
        rendering.encode, rendering._upright_srgb = encode, decode
    encode_seconds = sum(sum(times) for times in encoded.values())
    return {
        "renditions": made,
        "seconds": seconds,
        "decode_seconds": sum(decoded),
        "formats": {
            name: {"renditions": len(times), "seconds": sum(times)}
            for name, times in encoded.items()
        },
        # Cropping, writing the files and their rows, and the render's own queries.
        "other_seconds": seconds - sum(decoded) - encode_seconds,
    }


def throughput(image, rounds: int) -> dict:
    runs = [render_once(image) for _ in range(rounds)]
    median = statistics.median(run["seconds"] for run in runs)
    formats = {}
    for name in runs[0]["formats"]:
        count = runs[0]["formats"][name]["renditions"]
        seconds = statistics.median(run["formats"][name]["seconds"] for run in runs)
        formats[name] = {"renditions": count, "seconds": seconds, "per_second": count / seconds}
    return {
        "rounds": rounds,
        "renditions": runs[0]["renditions"],
        "seconds": median,
        "per_second": runs[0]["renditions"] / median,
        "decode_seconds": statistics.median(run["decode_seconds"] for run in runs),
        "other_seconds": statistics.median(run["other_seconds"] for run in runs),
        "formats": formats,
        "runs": runs,
    }


# The whole measurement --------------------------------------------------------------------


def measure(server: servers.Server, *, rounds: int, seed: int) -> dict:
    """Build, upload and attach the picture, weigh what the page serves, time the renditions;
    the story and picture are deleted afterwards."""
    import hashlib

    from django.conf import settings

    say("Pictures: building the 24 MP JPEG, uploading it, weighing the page's picture…")
    started = time.perf_counter()
    data = photo_jpeg(seed=seed)
    build_seconds = time.perf_counter() - started
    sha256 = hashlib.sha256(data).hexdigest()
    remove_leftovers(sha256)
    try:
        started = time.perf_counter()
        image = upload(data)
        upload_seconds = time.perf_counter() - started
        story = attach(image)
        served = page_bytes(server, story.get_absolute_url(), len(data))
        say(f"  rendering the whole set again, {rounds} time{'s' if rounds > 1 else ''}…")
        rendered = throughput(image, rounds)
    finally:
        remove_leftovers(sha256)
    return {
        "original": {
            "width": WIDTH,
            "height": HEIGHT,
            "quality": QUALITY,
            "bytes": len(data),
            "sha256": sha256,
            "build_seconds": round(build_seconds, 2),
        },
        "image_formats": list(settings.IMAGE_FORMATS),
        "upload_seconds": upload_seconds,
        "page": served,
        "throughput": rendered,
    }


# What the report prints -------------------------------------------------------------------


def kb(size: int) -> str:
    return f"{size / 1024:,.1f}"


def lines(results: dict) -> list[str]:
    original, page, speed = results["original"], results["page"], results["throughput"]
    types = [offer["type"] for offer in page["offered"]]
    names = [FORMAT_NAMES.get(kind, kind) for kind in types]
    widths = page["offered"][-1]["widths"]
    offered = ", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + names[-1]
    out = [
        f"Lead picture: a {original['width']} × {original['height']} JPEG (quality "
        f"{original['quality']}), {kb(original['bytes'])} KB uploaded, a story's lead image;",
        f"  its <picture> offers {offered}, {len(widths)} widths ({widths[0]}-{widths[-1]} w), "
        f'sizes="{page["sizes"]}"',
        "What a browser fetches (the narrowest candidate ≥ slot × DPR), bytes ÷ the original's:",
    ]
    header = f"  {'viewport':>8} {'DPR':>3} {'slot px':>7} {'needs':>5}"
    for name in names:
        header += f" {name + ' w':>7} {'KB':>7} {'of orig':>7}"
    out.append(header)
    for row in page["choices"]:
        line = (
            f"  {str(row['viewport']) + ' px':>8} {str(row['dpr']) + 'x':>3} "
            f"{row['slot_px']:>7,.0f} {row['needed_px']:>5,.0f}"
        )
        for kind in types:
            chosen = row["formats"][kind]
            line += (
                f" {chosen['width']:>7} {kb(chosen['bytes']):>7} "
                f"{chosen['of_original'] * 100:>6.2f}%"
            )
        out.append(line)
    formats = ", ".join(
        f"{FORMAT_NAMES.get('image/' + name, name)} {figures['renditions']} in "
        f"{figures['seconds']:.2f} s ({figures['per_second']:.1f}/s)"
        for name, figures in speed["formats"].items()
    )
    out += [
        f"Renditions of the 24 MP JPEG: {speed['renditions']} (every ratio, width and format) in "
        f"{speed['seconds']:.2f} s: {speed['per_second']:.1f} renditions/s "
        f"(median of {speed['rounds']}; IMAGE_FORMATS={','.join(results['image_formats'])})",
        f"  decode {speed['decode_seconds']:.2f} s; resize + encode: {formats}; "
        f"crop, store, rows {speed['other_seconds']:.2f} s",
        f"  upload (check, store, render the set): {results['upload_seconds']:.1f} s",
    ]
    return out
