"""What `import_wordpress` tells the operator: a line per story, and the end-of-run tables of
what was created, skipped, stripped, not carried and not published."""

from collections import Counter
from dataclasses import dataclass

from articles.ingest import writer
from articles.ingest.wordpress_body import EMBED_SHORTCODES
from articles.ingest.wordpress_stories import status_label

NOTES_SHOWN = 10
ACTIONS = (writer.CREATED, writer.UPDATED, writer.UNCHANGED)
STRIPPED_LABELS = {
    "gallery": "galleries (removed)",
    "embed": "embeds and players (replaced by a link)",
    "script": "scripts (removed)",
    "table": "tables (kept as text)",
    "page break": "page breaks (pages joined into one)",
}
SHORTCODE_NOTES = {"caption": " (kept as a figure caption)", "gallery": " (removed)"}
NOT_CARRIED_LABELS = {
    "comment": "comments",
    "featured image": "featured images (add a lead image in the admin)",
}


@dataclass
class Table:
    title: str
    rows: dict[str, int]
    total: int | None = None
    stories: dict[str, int] | None = None  # how many stories each row occurs in


def describe(outcome: writer.Outcome, *, dry_run: bool, pictures=None) -> str:
    """One line per story (verbosity 2), then its picture and its notes indented."""
    post, article = outcome.record, outcome.article
    action = writer.action_verb(outcome.action, dry_run=dry_run).lower()
    status = status_label(outcome) + (", featured" if article.featured else "")
    lines = [
        f"{action:<12} {post.label:<11} {status:<24} "
        f"{article.get_absolute_url()}  {article.headline}"
    ]
    if post.stripped or post.shortcodes:
        parts = [f"{kind} ×{count}" for kind, count in post.stripped.items()]
        parts += [f"[{name}] ×{count}" for name, count in post.shortcodes.items()]
        lines.append(f"{'':13}stripped: {', '.join(parts)}")
    fetched = pictures.result(f"{post.source}: {post.label}") if pictures else None
    if fetched:
        lines.append(f"{'':13}picture: {fetched}")
    if pictures:
        shown = pictures.body_result(f"{post.source}: {post.label}")
        lines += [f"{'':13}in body: {fetched}" for fetched in shown]
    lines += [f"{'':13}note: {note}" for note in [*post.notes, *outcome.notes]]
    return "\n".join(lines)


def summary(exports, outcomes, created: Counter, bad, *, seconds, dry_run, verbosity) -> str:
    """The end-of-run tables, then the notes on posts (at verbosity 2 each story's line has
    them) and the posts that could not be published."""
    names = ", ".join(export.source for export in exports)
    if len(exports) > 3:
        names = f"{len(exports)} files"
    items = sum(export.item_count for export in exports)
    head = "Dry run, nothing was written. " if dry_run else ""
    lines = [f"{head}WordPress import of {names} ({items} items) in {seconds:.1f} s"]
    lines += render(tables(exports, outcomes, created, bad, dry_run=dry_run))
    lines += [f"  {line}" for line in bad]
    if verbosity < 2:
        notes = [f"{o.record.label}: {note}" for o in outcomes for note in o.record.notes]
        lines += listed("Notes", notes)
    held = [f"{o.record.label}: {note}" for o in outcomes for note in o.notes]
    lines += listed("Not published", held)
    return "\n".join(line.rstrip() for line in lines)


def tables(exports, outcomes, created: Counter, bad, *, dry_run: bool) -> list[Table]:
    posts = [outcome.record for outcome in outcomes]
    actions = Counter(outcome.action for outcome in outcomes)
    labels = {writer.CREATED: "would be created", writer.UPDATED: "would be updated"}
    labels = labels if dry_run else {}
    statuses = Counter(status_label(outcome) for outcome in outcomes)
    statuses["featured (sticky)"] = sum(outcome.article.featured for outcome in outcomes)
    skipped = sum((export.skipped for export in exports), Counter())
    found = [
        Table("Stories", {labels.get(key, key): actions[key] for key in ACTIONS}, len(outcomes)),
        Table("Stories by status", dict(statuses.most_common())),
        Table("Skipped items, by type", dict(skipped.most_common()), skipped.total()),
    ]
    for title, attribute, label in (
        ("Stripped content", "stripped", STRIPPED_LABELS.get),
        ("Shortcodes removed, by name", "shortcodes", shortcode_label),
        ("Not carried", "not_carried", NOT_CARRIED_LABELS.get),
    ):
        occurrences, stories = Counter(), Counter()
        for post in posts:
            occurrences.update(getattr(post, attribute))
            stories.update(getattr(post, attribute).keys())
        rows = {label(key) or key: count for key, count in occurrences.most_common()}
        stories = {label(key) or key: count for key, count in stories.items()}
        found.append(Table(title, rows, occurrences.total(), stories))
    made = {
        "sections": created["section"],
        "authors": created["author"],
        "tags": created["tag"],
        "old addresses (301 redirects)": created["old address"],
    }
    found.append(Table("Created along the way", made))
    found.append(Table("Errors (skipped with --skip-bad)" if bad else "Errors", {}, len(bad)))
    return found


def render(found: list[Table]) -> list[str]:
    width = 2 + max(len(table.title) for table in found)
    width = max([width] + [4 + len(label) for table in found for label in table.rows])
    lines = []
    for table in found:
        total = "" if table.total is None else table.total
        lines += ["", f"{table.title:<{width}}{total:>6}{'  stories' if table.stories else ''}"]
        for label, count in table.rows.items():
            stories = f"  {table.stories[label]:>7}" if table.stories else ""
            lines.append(f"  {label:<{width - 2}}{count:>6}{stories}")
    return lines


def listed(title: str, notes: list[str]) -> list[str]:
    """A titled list of notes, the first few of them when there are many."""
    if not notes:
        return []
    lines = ["", f"{title} ({len(notes)})", *(f"  {note}" for note in notes[:NOTES_SHOWN])]
    if len(notes) > NOTES_SHOWN:
        lines.append(f"  … and {len(notes) - NOTES_SHOWN} more (-v 2 lists them per story)")
    return lines


def shortcode_label(name: str) -> str:
    if name in EMBED_SHORTCODES:
        return f"[{name}] (replaced by a link)"
    return f"[{name}]{SHORTCODE_NOTES.get(name, '')}"
