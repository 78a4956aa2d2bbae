"""The desk's fronts: editors arrange a front's collections and pin stories in them; reporters
look. Beside the arrangement, "Now showing" lists what readers get from it (fronts/resolve.py).

Positions are plain numbers, so a later drag-and-drop only has to write them. Each save is
one revision of the whole front (history.py, fronts/revisions.py), and the forms carry the
layout's version (forms.py, as the story form carries the story's) so no save overwrites
another unseen.
"""

# Importing each module registers its ModelAdmins.
from fronts.admin import collections, layouts  # noqa: F401
