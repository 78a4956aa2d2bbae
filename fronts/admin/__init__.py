"""The desk's fronts: editors arrange a front's collections and pin stories in them; reporters
look. Beside the arrangement, "Now showing" lists what readers get from it (fronts/resolve.py).

Positions are plain numbers, so a later drag-and-drop only has to write them; a preview, the
layout's revisions and a guard against lost updates have their places in forms.py (a hidden
version field, as the story form has) and in the admins' save_related.
"""

# Importing each module registers its ModelAdmins.
from fronts.admin import collections, layouts  # noqa: F401
