"""What `manage.py import_ninjs` says of each document it imported, and of the whole run."""

from collections import Counter

from articles.ingest import writer
from articles.ingest.ninjs_stories import status_label
from articles.ingest.pictures import StoryPictures


def describe(outcome: writer.Outcome, *, dry_run: bool, pictures: StoryPictures) -> str:
    article, story = outcome.article, outcome.record
    byline = ", ".join(author.name for author in outcome.byline) or "(none)"
    details = [
        f"  section: {article.section.name} · kind: {article.kind} · byline: {byline}",
        f"  tags:    {', '.join(outcome.tags) or '(none)'}",
        f"  source:  {story.uri} ({story.standard}, {outcome.where})",
    ]
    extra = []
    if pictures.enabled and (fetched := pictures.result(outcome.where)):
        extra.append(f"  image:   {fetched}")
    elif pictures.enabled and story.image_href:
        extra.append(
            f"  image:   {story.image_href} (no picture file to fetch: add it in the admin)"
        )
    elif story.image_href:
        extra.append(
            f"  image:   {story.image_href} (lead image not downloaded: add it in the admin)"
        )
    extra += [f"  in body: {fetched}" for fetched in pictures.body_result(outcome.where)]
    status = status_label(outcome)
    return writer.describe(outcome, dry_run=dry_run, status=status, details=details, extra=extra)


def summary(
    outcomes,
    *,
    new_authors: int,
    files: int,
    bad: int,
    seconds: float,
    dry_run: bool,
    pictures: StoryPictures,
):
    actions = Counter(outcome.action for outcome in outcomes)
    documents = writer.counted(len(outcomes), "document")
    would = "would be " if dry_run else ""
    counts = (
        f"{actions[writer.CREATED]} {would}created, {actions[writer.UPDATED]} {would}updated, "
        f"{actions[writer.UNCHANGED]} unchanged"
    )
    head = "Dry run, nothing was written: " if dry_run else "Imported "
    if new_authors:
        counts += f"; {writer.counted(new_authors, 'new author')}"
    line = f"{head}{documents} from {writer.counted(files, 'file')} in {seconds:.1f} s: {counts}"
    if bad:
        line += f"; skipped {bad} bad (listed on stderr)"
    images = sum(1 for outcome in outcomes if outcome.record.image_href)
    if pictures.enabled:
        line += f"\n{pictures.summary()}" if pictures.summary() else ""
    elif images:
        names = "story names one" if images == 1 else "stories name one"
        line += f"\nLead images are not downloaded: {images} {names} (see “image:” above)."
    return line
