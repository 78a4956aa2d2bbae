from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PendingPurge(models.Model):
    """Surrogate keys the CDN must drop, written in the same transaction as the change.

    A row is the durable half of a purge: the process that saved never waits on the CDN,
    and a CDN that is down loses nothing. Sent (and deleted) by caching.purges.
    """

    keys = models.TextField(_("surrogate keys"), help_text=_("Space-separated."))
    created_at = models.DateTimeField(_("queued at"), default=timezone.now)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    claimed_until = models.DateTimeField(_("being sent until"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        ordering = ["next_attempt_at", "pk"]
        verbose_name = _("pending CDN purge")
        verbose_name_plural = _("pending CDN purges")
        indexes = [models.Index(fields=["next_attempt_at"], name="pendingpurge_due_idx")]

    def __str__(self):
        return self.keys
