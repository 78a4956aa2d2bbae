"""Pages of a listing without counting it: an archive's listings never COUNT(*) their stories.

A page fetches one row more than it shows, to know whether an older page exists; the
template says "Page 3" rather than "Page 3 of 1,482".
"""

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.utils.translation import gettext as _

MAX_PAGE = 1_000_000


class UncountedPaginator(Paginator):
    counts_pages = False  # for the template: "Page 3", with no total

    def validate_number(self, number):
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(_("That page number is not an integer.")) from None
        if number < 1:
            raise EmptyPage(_("That page number is less than 1."))
        if number > MAX_PAGE:
            # Past any archive, and past what the database can take as an OFFSET.
            raise EmptyPage(_("That page contains no results."))
        return number

    def page(self, number):
        number = self.validate_number(number)
        start = (number - 1) * self.per_page
        rows = list(self.object_list[start : start + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage(_("That page contains no results."))
        return UncountedPage(
            rows[: self.per_page], number, self, has_more=len(rows) > self.per_page
        )


class UncountedPage(Page):
    def __init__(self, object_list, number, paginator, *, has_more: bool):
        super().__init__(object_list, number, paginator)
        self.has_more = has_more

    def has_next(self):
        return self.has_more

    def next_page_number(self):
        return self.number + 1
