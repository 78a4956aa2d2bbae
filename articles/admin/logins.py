"""Login lockouts (django-axes) in the desk: axes' own admin, with its one action declaring
the permission it needs, like every action here (tests/test_security_privileges.py)."""

from axes import admin as axes_admin
from axes.models import AccessAttempt
from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class AccessAttemptAdmin(axes_admin.AccessAttemptAdmin):
    @admin.action(description=_("Clean up expired attempts"), permissions=["delete"])
    def cleanup_expired_attempts(self, request, queryset):
        count = self.handler.clean_expired_user_attempts(request=request)
        self.message_user(
            request, _("Cleaned up %(count)d expired access attempts.") % {"count": count}
        )


# axes registers its admin when its own admin module is imported (above): replace that one.
if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)
admin.site.register(AccessAttempt, AccessAttemptAdmin)
