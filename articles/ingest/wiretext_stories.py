"""Wire text to stories: what each file asks of the site, worked out for the whole run before
anything is written, so that one bad file refuses the run with nothing written.

A file becomes a new draft story (live with --publish); with --update, a file whose headline is
an existing story's replaces that story's text instead. The writing is the shared writer's.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.management.base import CommandError
from taggit.models import Tag

from articles.editorial import publishing
from articles.ingest import wiretext, writer
from articles.ingest.files import read_input, shown_name
from articles.models import Article, Author, Section
from articles.sanitize import sanitize_body

DEFAULT_AUTHOR_SLUG = "newsroom-staff"
# A wire story is a few kilobytes; a file this big is a mistake, not a story.
MAX_FILE_BYTES = 2 * 1024 * 1024
TAG_MAX_LENGTH = Tag._meta.get_field("name").max_length


class Refused(Exception):
    """One input that cannot be imported; the message names the problem."""


@dataclass
class Plan:
    """What importing one file will do, worked out before anything is written."""

    where: str
    article: Article  # new, or with --update the story with its headline, its new text set
    fields: set[str]  # the fields of an existing story that change
    byline: list[Author] | None  # None leaves an updated story's byline alone
    tags: list[str]
    publish: bool = False
    tags_suggested: bool = False
    same_headline: Article | None = None


class WireImport:
    """Plans each file of a run, then writes each plan through the shared writer."""

    def __init__(
        self,
        *,
        section: Section,
        section_given: bool,
        byline: list[Author],
        byline_given: bool,
        tags: list[str],
        publish: bool,
        live_at: datetime | None,
        update: bool,
        stdin=None,
    ) -> None:
        self.section, self.section_given = section, section_given
        self.byline, self.byline_given = byline, byline_given
        self.tags, self.publish, self.live_at = tags, publish, live_at
        self.update, self.stdin = update, stdin
        self.matcher = None
        if not tags:
            self.matcher = wiretext.TagMatcher(Tag.objects.values_list("name", flat=True))
        self.taken_slugs: set[str] = set()
        self.seen: dict[tuple[str, str], str] = {}

    def plan_all(self, files: list[str], *, bar) -> tuple[list[Plan], list[str]]:
        """A plan for each good file, and a line for each bad one."""
        plans, refused = [], []
        with bar:
            for name in files:
                where = shown_name(name)
                try:
                    plans.append(self.plan(name, where))
                except Refused as problem:
                    refused.append(f"{where}: {problem}")
                bar.advance()
        return plans, refused

    def plan(self, name: str, where: str) -> Plan:
        data = read_input(
            name,
            error=Refused,
            stdin=self.stdin,
            max_bytes=MAX_FILE_BYTES,
            too_big="too big to be one story",
        )
        try:
            story = wiretext.parse(wiretext.decode(data))
        except wiretext.WireTextError as problem:
            raise Refused(str(problem)) from None
        body = sanitize_body(story.body_html)
        text = Article(body=body).body_text
        key = (story.headline, text)
        if key in self.seen:
            raise Refused(f"same headline and text as {self.seen[key]}, earlier in this run")
        self.seen[key] = where
        same_headline = list(
            Article.objects.filter(headline=story.headline)
            .select_related("section")
            .order_by("-created_at", "-pk")
        )
        duplicate = next((a for a in same_headline if a.body_text == text), None)
        if self.update and same_headline:
            plan = self.update_plan(where, same_headline, duplicate, body, story)
        else:
            plan = self.new_plan(where, same_headline, duplicate, body, story)
        if plan.publish:
            check_publishable(plan)
        return plan

    def update_plan(self, where, same_headline, duplicate, body, story) -> Plan:
        if len(same_headline) > 1:
            urls = ", ".join(writer.story_url(article) for article in same_headline)
            raise Refused(
                f"--update: {len(same_headline)} stories have this headline ({urls}); "
                "update the right one in the admin"
            )
        article = same_headline[0]
        values = {} if duplicate else {"body": body, "dek": story.dek}
        if self.section_given:
            values["section"] = self.section
        return Plan(
            where,
            article,
            writer.set_fields(article, values),
            self.byline if self.byline_given else None,
            self.tags,
            # A story already live keeps its publication time (and so its address).
            publish=self.publish and not article.is_live,
        )

    def new_plan(self, where, same_headline, duplicate, body, story) -> Plan:
        if duplicate is not None:
            raise Refused(
                f"duplicate of the existing story “{duplicate.headline}” at "
                f"{writer.story_url(duplicate)} (same headline and text); use --update to "
                "replace its text"
            )
        slug = writer.new_slug(Article, wiretext.slug_base(story.headline), taken=self.taken_slugs)
        self.taken_slugs.add(slug)
        article = Article(
            headline=story.headline, slug=slug, dek=story.dek, body=body, section=self.section
        )
        return Plan(
            where,
            article,
            set(),
            self.byline,
            self.tags or self.matcher.suggest(story.text),
            publish=self.publish,
            tags_suggested=not self.tags,
            same_headline=same_headline[0] if same_headline else None,
        )

    def write(self, plan: Plan) -> writer.Outcome:
        article = plan.article
        verb = "Imported" if article.pk is None else "Updated"
        change = writer.Change(
            article,
            where=plan.where,
            note=f"{verb} from wire text ({plan.where})",
            fields=plan.fields,
            byline=plan.byline,
            tags=plan.tags,
            adds_tags=True,
            state=Article.Status.PUBLISHED if plan.publish else None,
            live_at=self.live_at,
        )
        action = writer.write(change)
        byline = plan.byline if plan.byline is not None else article.byline_authors
        notes = []
        if plan.same_headline is not None:
            notes.append(
                "another story has this headline: "
                f"{writer.story_url(plan.same_headline)} (--update replaces its text instead)"
            )
        return writer.Outcome(plan.where, plan, article, action, byline, plan.tags, notes)


def check_publishable(plan: Plan) -> None:
    """Refuse, before anything is written, a story that `publish()` would refuse."""
    article = plan.article
    count = len(plan.byline) if plan.byline is not None else article.bylines.count()
    problems = publishing.problems(article, author_count=count)
    if problems:
        advice = " Give --author." if not count else ""
        raise Refused(f"cannot publish: {' '.join(problems)}{advice}")


def refusal(refused: list[str], *, total: int, skip_bad: bool, stderr) -> str:
    """The one line a refused run ends with; with several bad files, each is listed first."""
    if skip_bad:  # and not one file was good
        for line in refused[:-1]:
            stderr.write(line)
        return f"{refused[-1]} (no file could be imported)"
    if total == 1:
        return refused[0]
    if len(refused) == 1:
        return f"{refused[0]}; nothing was imported (--skip-bad imports the other {total - 1})"
    for line in refused:
        stderr.write(line)
    good = total - len(refused)
    advice = f" (--skip-bad imports the other {good})" if good else ""
    return f"{len(refused)} of {total} files refused; nothing was imported{advice}"


def find_authors(values: list[str] | None) -> list[Author]:
    """The authors --author names by slug or name, in order; without it, the staff byline."""
    if not values:
        return list(Author.objects.filter(slug=DEFAULT_AUTHOR_SLUG))
    authors: list[Author] = []
    for value in values:
        matches = list(Author.objects.filter(slug=value)) or list(
            Author.objects.filter(name__iexact=value.strip())
        )
        if not matches:
            raise CommandError(
                f"--author {value!r}: no author has that slug or name; nothing was imported"
            )
        if len(matches) > 1:
            slugs = ", ".join(author.slug for author in matches)
            raise CommandError(
                f"--author {value!r}: {len(matches)} authors have that name ({slugs}); "
                "give the slug; nothing was imported"
            )
        if matches[0] not in authors:
            authors.append(matches[0])
    return authors


def clean_tag_names(values: list[str] | None) -> list[str]:
    """The --tag names, spaces tidied, each once (in any case)."""
    names: list[str] = []
    for value in values or []:
        name = " ".join(value.split())
        if not name or len(name) > TAG_MAX_LENGTH:
            raise CommandError(
                f"--tag {value!r}: a tag name is 1 to {TAG_MAX_LENGTH} characters; "
                "nothing was imported"
            )
        if name.casefold() not in {known.casefold() for known in names}:
            names.append(name)
    return names
