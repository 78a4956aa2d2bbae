"""Stories from outside: one reader per format, one shared writer.

- wiretext.py, ninjs*.py, wordpress*.py: the readers, pure (bytes in, records out);
  wordpress_body.py converts a post's body, wordpress_xml.py reads the export's XML,
  wordpress_addresses.py says which post an item is and which of its addresses may be kept.
- *_stories.py: what each record asks of its story (which story it is, its fields, its state).
- writer.py: the writing every importer shares, through the publishing door, and what no
  import may take (a story it did not make, an address of this site's own); files.py,
  markup.py and progress.py: what the readers and commands share besides.

Every reader works in time linear in its input: no pattern scans on to the end of the text
from each of many starting points, and nesting is bounded (articles/sanitize.py).
"""
