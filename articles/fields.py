"""Model fields and lookups the app needs that Django does not ship."""

from django.db import models


class FullTextDocumentField(models.TextField):
    """An FTS5 table's hidden document column: the one lookup it takes is `match`."""


@FullTextDocumentField.register_lookup
class Match(models.Lookup):
    """`document__match=expression`: an FTS5 full-text match."""

    lookup_name = "match"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} MATCH {rhs}", [*lhs_params, *rhs_params]
